#!/usr/bin/env python3
"""Live events delivered per second to many connected Socket.IO clients.

Starts `fennec serve` on a fresh SQLite database, connects
--clients python-socketio clients (WebSocket, namespace /events, the
admin's token, as gazu.events does) spread over --procs processes, then
sends --writes task updates (PUT /data/tasks/{id}, one `task:update` each)
from --writers threads. Each client counts the `task:update` events of the
benchmark's task. The figure is events delivered (summed over clients)
divided by the time from the first write to the last event received.

Needs python-socketio, requests and gazu (tests/gazu's venv has them):

    /tmp/gazu-venv/bin/python bench/events_bench.py --bin target/release/fennec

A missing event (a client's queue full, or a client too slow) shows as
received < expected; the server logs each drop with its running total.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "mysecretpassword"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary: str, database_url: str, tmp: Path):
    port = free_port()
    env = dict(os.environ)
    env.update(
        FENNEC_BIND=f"127.0.0.1:{port}",
        FENNEC_MEDIA_DIR=str(tmp / "media"),
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        FENNEC_ADMIN_EMAIL=ADMIN_EMAIL,
        FENNEC_ADMIN_PASSWORD=ADMIN_PASSWORD,
        RUST_LOG=env.get("RUST_LOG", "warn"),
    )
    log = open(tmp / "server.log", "wb")
    proc = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/api/", timeout=2).status_code == 200:
                return proc, url
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.terminate()
    sys.exit(f"the server did not start; see {tmp / 'server.log'}")


def client_worker(url, token, task_id, n_clients, expected, ready, go, out):
    """One process holding n_clients connections; reports (count, last_ts)."""
    import socketio

    counts = [0] * n_clients
    last = [0.0] * n_clients
    done = threading.Event()
    clients = []

    def handler(i):
        def on_update(data):
            if data.get("task_id") == task_id:
                counts[i] += 1
                last[i] = time.time()
                if counts[i] >= expected and all(c >= expected for c in counts):
                    done.set()
        return on_update

    for i in range(n_clients):
        c = socketio.Client(reconnection=False)
        c.on("task:update", handler(i), namespace="/events")
        c.connect(url, namespaces=["/events"], transports=["websocket"],
                  headers={"Authorization": f"Bearer {token}"}, wait_timeout=20)
        clients.append(c)
    ready.put(n_clients)
    go.wait()
    done.wait(timeout=float(os.environ.get("EVENTS_BENCH_WAIT", "60")))
    out.put((sum(counts), max(last) if any(last) else 0.0, min(counts)))
    for c in clients:
        c.disconnect()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=str(ROOT / "target" / "release" / "fennec"))
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--writers", type=int, default=8)
    args = parser.parse_args()

    import gazu

    tmp = Path(tempfile.mkdtemp(prefix="fennec-events-bench-"))
    database_url = f"sqlite://{tmp / 'fennec.db'}"
    proc, url = start_server(args.bin, database_url, tmp)
    try:
        client = gazu.client.create_client(url + "/api")
        gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD, client=client)
        token = client.tokens["access_token"]
        project = gazu.project.new_project("Events bench", client=client)
        sequence = gazu.shot.new_sequence(project, "SQ01", client=client)
        shot = gazu.shot.new_shot(project, sequence, "SH01", client=client)
        task_type = next(t for t in gazu.task.all_task_types(client=client)
                         if t["for_entity"] == "Shot")
        gazu.project.add_task_type(project, task_type, 1, client=client)
        task = gazu.task.new_task(shot, task_type, client=client)

        ctx = mp.get_context("spawn")
        ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        per = [args.clients // args.procs + (1 if i < args.clients % args.procs else 0)
               for i in range(args.procs)]
        workers = [ctx.Process(target=client_worker,
                               args=(url, token, task["id"], n, args.writes, ready, go, out))
                   for n in per if n]
        for w in workers:
            w.start()
        connected = sum(ready.get(timeout=120) for _ in workers)
        time.sleep(1.0)

        session = requests.Session()
        headers = {"Authorization": f"Bearer {token}"}
        path = f"{url}/api/data/tasks/{task['id']}"
        counter = iter(range(args.writes))
        lock = threading.Lock()

        def writer():
            s = requests.Session()
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                r = s.put(path, json={"estimation": i % 50}, headers=headers, timeout=30)
                r.raise_for_status()

        go.set()
        started = time.time()
        threads = [threading.Thread(target=writer) for _ in range(args.writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        written = time.time()
        results = [out.get(timeout=300) for _ in workers]
        for w in workers:
            w.join(timeout=30)
        session.close()
        received = sum(r[0] for r in results)
        last = max(r[1] for r in results)
        fewest = min(r[2] for r in results)
        expected = args.writes * connected
        elapsed = max(last, written) - started
        print(f"clients connected: {connected}")
        print(f"writes: {args.writes} in {written - started:.2f} s "
              f"({args.writes / (written - started):.0f} writes/s, {args.writers} writers)")
        print(f"events delivered: {received} of {expected} "
              f"(fewest for one client: {fewest}) in {elapsed:.2f} s")
        print(f"events per second delivered: {received / elapsed:.0f}")
        drops = [line for line in (tmp / "server.log").read_text(errors="replace").splitlines()
                 if "event dropped" in line]
        print(f"server drop warnings: {len(drops)}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
