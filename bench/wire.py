"""The wire's speed on this machine: nginx serving the very bytes that the
server under test answered, as static files.

Issue 17 sets the list targets as a ratio to this ("≤ 4× the wire"), so
that they hold on machines of different speeds: a scenario's answer is
saved once, then wrk requests it from nginx with the same connections and
duration, in the same run.

Needs Debian's nginx (bench/run.sh installs it when missing). Python
standard library only.
"""

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from bench import BenchError, Client, Scenario, free_port, log


class Wire:
    def __init__(self, workdir):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise BenchError("nginx is not installed: apt-get install -y nginx (bench/run.sh does it)")
        self.dir = Path(workdir) / "wire"
        self.root = self.dir / "root"
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        temp = self.dir / "temp"
        temp.mkdir(exist_ok=True)
        # As root, nginx's workers would drop to `nobody`, who cannot read
        # the bench's private work directory.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = self.dir / "nginx.conf"
        conf.write_text(f"""{user}
worker_processes auto;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 10000000;
    default_type application/json;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        root {self.root};
    }}
}}
""")
        self.log = open(self.dir / "nginx.log", "w")
        self.proc = subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.client = Client(self.port)
        self.probe = self.root / "probe"
        self.probe.write_text("{}")
        deadline = time.time() + 20
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"nginx exited at start; see {self.dir}/error.log")
            try:
                if self.client.request("GET", "/probe", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise BenchError("nginx did not answer in 20 s")
            time.sleep(0.1)

    def scenario(self, scenario, payload):
        """The same answer, as a static file, requested as `scenario` is."""
        name = re.sub(r"[^a-z0-9]+", "-", scenario.name) + ".json"
        (self.root / name).write_bytes(payload)
        return Scenario(f"{scenario.name} (wire)", "GET", [f"/{name}"], scenario.token)

    def fetch(self, scenario, payload):
        """One request for the saved answer: (seconds to first byte, to last)."""
        wire = self.scenario(scenario, payload)
        status, body, ttfb, ttlb = self.client.request("GET", wire.paths[0])
        if status != 200 or len(body) != len(payload):
            raise BenchError(f"nginx answered {status} with {len(body)} of {len(payload)} bytes")
        return ttfb, ttlb

    # What bench.run_wrk reads of a server: nginx's memory is not measured.
    def status_kb(self, _key):
        return None

    def reset_peak(self):
        return True

    def cpu_seconds(self):
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        log("nginx stopped")
