#!/usr/bin/env python3
"""Server peak memory and time of schedule requests (issue 16's targets).

For each route: starts a fresh `fennec serve` on a seeded SQLite file, logs
in as the admin, asks the first production's route once, and prints the
wall time, the server's CPU time over the request (user + system, all its
threads, from /proc/PID/stat), the answer's size, the first 12 hex digits
of its sha-256 (two binaries giving the same digest gave the same bytes)
and the server's VmHWM (peak resident memory). Alternate two binaries
several times to compare them: these machines are noisy.

usage: bench/schedule_memory.py BIN DB_FILE ROUTE[xN] [ROUTE[xN]...]
  ROUTE: forecast | risks | timeline | critical-path | causes
  xN: ask the route N times in a row on the same server (critical-pathx6),
      printing the time and VmHWM after each: the peak of back-to-back
      requests, not only of the first
  DB_FILE: e.g. `fennec seed --scale 210 --database sqlite:///tmp/big.sqlite --project s210`
"""
import hashlib, json, os, socket, subprocess, sys, time, urllib.request

binary, db = sys.argv[1], sys.argv[2]
routes = sys.argv[3:]
def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def req(p, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request(f"http://127.0.0.1:{p}{path}", data=data, method=method)
    r.add_header("Content-Type", "application/json")
    if token: r.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(r, timeout=600) as resp:
        return resp.read()
def hwm(pid):
    for l in open(f"/proc/{pid}/status"):
        if l.startswith("VmHWM:"): return int(l.split()[1]) // 1024
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
for spec in routes:
    route, _, times = spec.partition("x")
    times = int(times or 1)
    p = port()
    env = dict(os.environ, FENNEC_ADMIN_EMAIL="admin@example.com", FENNEC_ADMIN_PASSWORD="secretsecret",
               SECRET_KEY="x", FENNEC_LOG="warn")
    proc = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{p}", "--database-url", f"sqlite://{db}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            req(p, "GET", "/api/"); break
        except Exception: time.sleep(0.2)
    tok = json.loads(req(p, "POST", "/api/auth/login", body={"email": "admin@example.com", "password": "secretsecret"}))["access_token"]
    projects = json.loads(req(p, "GET", "/api/data/projects", tok))
    pid_ = projects[0]["id"]
    base = hwm(proc.pid)
    for _ in range(times):
        c0, t0 = cpu(proc.pid), time.perf_counter()
        body = req(p, "GET", f"/api/fennec/projects/{pid_}/{route}?as_of=2026-12-01", tok)
        dt, dc = time.perf_counter() - t0, cpu(proc.pid) - c0
        print(f"{route:14s} {dt:6.2f}s cpu {dc:5.2f}s {len(body)/1e6:7.1f}MB sha {hashlib.sha256(body).hexdigest()[:12]}"
              f"  VmHWM {hwm(proc.pid)} MiB (before {base})", flush=True)
    proc.terminate(); proc.wait()
