#!/usr/bin/env python3
"""Wall time, server CPU time and answer digest of schedule requests.

Starts a fresh `fennec serve` on a seeded SQLite file, logs in as the admin
(created by the first serve: bench/schedule_memory.py uses the same one),
asks the first production's ROUTE N times in a row, and prints for each the
wall time, the server's CPU time over the request (user + system, all its
threads, from /proc/PID/stat) and the first 12 hex digits of the answer's
sha-256: two binaries giving the same digest gave the same bytes.

usage: bench/schedule_cpu.py BIN DB_FILE ROUTE N
  ROUTE: forecast | risks | timeline | critical-path | causes
  (alternate two binaries, several times: these machines are noisy)
"""
import json, os, socket, subprocess, sys, time, urllib.request, hashlib
binary, db, route, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def req(p, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    r = urllib.request.Request(f"http://127.0.0.1:{p}{path}", data=data, method=method)
    r.add_header("Content-Type", "application/json")
    if token: r.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(r, timeout=600) as resp: return resp.read()
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")",1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
p = port()
env = dict(os.environ, FENNEC_ADMIN_EMAIL="admin@example.com", FENNEC_ADMIN_PASSWORD="secretsecret", SECRET_KEY="x", FENNEC_LOG="warn")
proc = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{p}", "--database-url", f"sqlite://{db}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(600):
    try: req(p, "GET", "/api/"); break
    except Exception: time.sleep(0.2)
tok = json.loads(req(p, "POST", "/api/auth/login", body={"email": "admin@example.com", "password": "secretsecret"}))["access_token"]
pid_ = json.loads(req(p, "GET", "/api/data/projects", tok))[0]["id"]
for i in range(n):
    c0 = cpu(proc.pid); t0 = time.perf_counter()
    body = req(p, "GET", f"/api/fennec/projects/{pid_}/{route}?as_of=2026-12-01", tok)
    dt = time.perf_counter() - t0; dc = cpu(proc.pid) - c0
    print(f"{route} wall {dt:.3f}s cpu {dc:.2f}s sha {hashlib.sha256(body).hexdigest()[:12]}", flush=True)
proc.terminate(); proc.wait()
