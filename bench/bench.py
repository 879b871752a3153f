#!/usr/bin/env python3
"""Fennec's load benchmark: a real `fennec serve`, a seeded production, wrk.

For each backend (SQLite always, PostgreSQL with --pg URL) this starts
`fennec serve` on a fresh database, seeds productions with `fennec seed`
into that live database (scale 1 and 28; scale 1 only with --smoke), logs
in over HTTP as the admin and as the busiest seeded artist, and measures
each scenario with wrk (keep-alive, 1 and 8 connections, a random request
per call from a list of 200 built from ids read over HTTP). Then, unless
--skip-big, it seeds scale 210 (≈150 000 tasks) and times the whole-project
task list (time to first and last byte) and the server's peak memory.

Figures per scenario: requests/s, p50/p90/p99 latency, errors (socket
errors, timeouts and non-2xx answers: wrk counts status >= 400, and a
preflight checks every scenario answers 2xx), the server's peak RSS during
the scenario (VmHWM, reset before each through /proc/<pid>/clear_refs) and
its CPU use. Results go to bench/results/<date>-<backend>.md (--smoke: a
temporary directory unless --out is given). Exits non-zero on any error;
no timing is asserted.

Python standard library only.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_EMAIL = "admin@bench.example.com"
ADMIN_PASSWORD = "bench-admin-password"
SEED_PASSWORD = "fennec-seed"  # documented by `fennec seed`
SEED = 1
LIST_SIZE = 200

# Fennec's own computations, measured like the others when the binary
# serves them (a 404 skips them, so the harness runs on older binaries).
# Add more here, or for one run with --extra. A template may use
# {project_id}, {task_id}, {shot_id}, {person_id} and {date}; each call
# picks one of 200 expansions. The project-wide ones ({project_id} only)
# are also timed on the 150 000-task project.
# Kitsu's front end loads these boards on a production's pages; issue 17
# asks for them, and the whole-project list, at the wire's speed.
BOARD_SCENARIOS = [
    ("shots with tasks", "GET", "/api/data/shots/with-tasks?project_id={project_id}"),
    ("assets with tasks", "GET", "/api/data/assets/with-tasks?project_id={project_id}"),
    ("sequences with tasks", "GET", "/api/data/sequences/with-tasks?project_id={project_id}"),
]
# The lists measured against nginx serving the same bytes (bench/wire.py).
WIRE_SCENARIOS = {"project tasks"} | {name for name, _, _ in BOARD_SCENARIOS}

SCHEDULE_SCENARIOS = [
    ("risks", "GET", "/api/fennec/projects/{project_id}/risks"),
    ("forecast", "GET", "/api/fennec/projects/{project_id}/forecast"),
    ("timeline", "GET", "/api/fennec/projects/{project_id}/timeline"),
    ("critical path", "GET", "/api/fennec/projects/{project_id}/critical-path"),
]


def log(*args):
    print("[bench]", *args, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# --------------------------------------------------------------------- HTTP


class Client:
    def __init__(self, port):
        self.port = port

    def request(self, method, path, token=None, body=None, timeout=600):
        """(status, body bytes, seconds to first byte, seconds to last byte)"""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            t1 = time.perf_counter()
            payload = resp.read()
            t2 = time.perf_counter()
        finally:
            conn.close()
        return resp.status, payload, t1 - t0, t2 - t0

    def json(self, method, path, token=None, body=None):
        status, payload, _, _ = self.request(method, path, token, body)
        if not 200 <= status < 300:
            raise BenchError(f"{method} {path} answered {status}: {payload[:300]!r}")
        return json.loads(payload)

    def upload(self, path, token, filename, data):
        """POST a multipart form with one `file` field (the preview upload)."""
        boundary = f"fennec-bench-{random.getrandbits(64):x}"
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            conn.request("POST", path, body=body, headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            })
            resp = conn.getresponse()
            payload = resp.read()
        finally:
            conn.close()
        if not 200 <= resp.status < 300:
            raise BenchError(f"POST {path} answered {resp.status}: {payload[:300]!r}")
        return json.loads(payload)

    def login(self, email, password):
        return self.json("POST", "/api/auth/login", body={"email": email, "password": password})[
            "access_token"
        ]


# ------------------------------------------------------------------ server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, database_url, workdir):
        self.port = free_port()
        self.log_path = Path(workdir) / f"server-{self.port}.log"
        env = dict(os.environ)
        env.update(
            {
                "FENNEC_ADMIN_EMAIL": ADMIN_EMAIL,
                "FENNEC_ADMIN_PASSWORD": ADMIN_PASSWORD,
                "SECRET_KEY": "fennec-bench-secret",
                "FENNEC_LOG": env.get("FENNEC_LOG", "warn"),
            }
        )
        env.pop("DATABASE_URL", None)
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [
                str(binary),
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--database-url",
                database_url,
            ],
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        self.client = Client(self.port)
        deadline = time.time() + 120
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"fennec serve exited early; see {self.log_path}")
            try:
                status, _, _, _ = self.client.request("GET", "/api/", timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise BenchError(f"fennec serve did not answer in 120 s; see {self.log_path}")
            time.sleep(0.2)

    def status_kb(self, key):
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        except OSError:
            pass
        return None

    def reset_peak(self):
        """Resets VmHWM (Linux ≥ 4.0, needs ptrace rights on the process)."""
        try:
            Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")
            return True
        except OSError:
            return False

    def cpu_seconds(self):
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


# -------------------------------------------------------------------- seed


def run_seed(binary, database_url, scale, project):
    cmd = [
        str(binary),
        "seed",
        "--scale",
        str(scale),
        "--project",
        project,
        "--seed",
        str(SEED),
        "--database",
        database_url,
        "--quiet",
    ]
    # GNU time gives the peak memory; without it only the wall time is known.
    full = (["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []) + cmd
    log(f"seeding scale {scale}: fennec seed --scale {scale} --project {project}")
    t0 = time.perf_counter()
    proc = subprocess.run(full, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise BenchError(f"fennec seed failed:\n{proc.stdout}\n{proc.stderr}")
    rss_kb = None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if m:
        rss_kb = int(m.group(1))
    artist = re.search(r"busiest artist: (\S+) \((\d+) open tasks", proc.stdout)
    tasks = re.search(r"\n\s+(\d+) tasks \(", proc.stdout)
    return {
        "scale": scale,
        "project": project,
        "wall": wall,
        "rss_kb": rss_kb,
        "artist": artist.group(1) if artist else None,
        "artist_tasks": int(artist.group(2)) if artist else None,
        "tasks": int(tasks.group(1)) if tasks else None,
        "stdout": proc.stdout,
    }


# --------------------------------------------------------------- scenarios


class Scenario:
    def __init__(self, name, method, paths, token, body_kind=None, note="", optional=False):
        self.name = name
        self.method = method
        self.paths = paths
        self.token = token
        self.body_kind = body_kind
        self.note = note
        # Skipped (not failed) when the server answers 404.
        self.optional = optional

    def body(self, rng):
        if self.body_kind == "time_spent":
            return {"duration": 1}
        if self.body_kind == "task_update":
            return {"priority": rng.randint(0, 3), "estimation": rng.randint(1, 80) * 60}
        return None

    def lua(self):
        quoted = ",\n".join(json.dumps(p) for p in self.paths)
        return LUA_TEMPLATE.format(
            paths=quoted,
            method=json.dumps(self.method),
            token=json.dumps(self.token),
            body_kind=json.dumps(self.body_kind or ""),
        )


LUA_TEMPLATE = r"""-- generated by bench/bench.py
local paths = {{
{paths}
}}
local method = {method}
local body_kind = {body_kind}
wrk.headers["Authorization"] = "Bearer " .. {token}
wrk.headers["Content-Type"] = "application/json"

local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

function init(args)
  math.randomseed(1000 + (tid or 0))
end

function request()
  local path = paths[math.random(#paths)]
  local body = nil
  if body_kind == "time_spent" then
    body = '{{"duration": 1}}'
  elseif body_kind == "task_update" then
    body = string.format('{{"priority": %d, "estimation": %d}}',
      math.random(0, 3), math.random(1, 80) * 60)
  end
  return wrk.format(method, path, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(90)),
    math.floor(latency:percentile(99)), math.floor(latency.max)))
end
"""


def png_bytes(width, height):
    """A PNG of a colour gradient (standard library only)."""
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(
        b"\x00" + bytes(v for x in range(width)
                        for v in (x % 256, (y * 2) % 256, (x + y) % 256))
        for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


THUMBNAIL_PREVIEWS = 20


def upload_previews(client, admin, task_ids, count):
    """Picture previews (1280x720 PNGs) published on `count` tasks as gazu's
    publish_preview does (comment, add-preview, upload); their ids."""
    # One picture for all (0.5 s to make in pure Python): the uploads
    # stay quick in the smoke run, and the reads do not depend on it.
    picture = png_bytes(1280, 720)
    statuses = client.json("GET", "/api/data/task-status", admin)
    wip = next(s for s in statuses if s.get("short_name") == "wip")
    ids = []
    for i, task in enumerate(task_ids[:count]):
        comment = client.json("POST", f"/api/actions/tasks/{task}/comment", admin,
                              {"task_status_id": wip["id"], "comment": "bench preview"})
        preview = client.json(
            "POST", f"/api/actions/tasks/{task}/comments/{comment['id']}/add-preview", admin, {})
        client.upload(f"/api/pictures/preview-files/{preview['id']}", admin,
                      f"bench-{i}.png", picture)
        ids.append(preview["id"])
    return ids


def expand(template, ids, rng):
    return template.format(
        project_id=ids["project"],
        task_id=rng.choice(ids["tasks"]),
        shot_id=rng.choice(ids["shots"]),
        person_id=rng.choice(ids["persons"]),
        date=rng.choice(ids["dates"]),
    )


def build_scenarios(client, seeded, admin, extras, only=None):
    rng = random.Random(SEED)
    project = client.json("GET", f"/api/data/projects?name={urllib.parse.quote(seeded['project'])}", admin)
    if not project:
        raise BenchError(f"project {seeded['project']} not found over HTTP")
    pid = project[0]["id"]
    tasks = client.json("GET", f"/api/data/projects/{pid}/tasks", admin)
    shots = client.json("GET", f"/api/data/projects/{pid}/shots", admin)
    assigned = [(t["id"], a) for t in tasks for a in t.get("assignees", [])]
    if not tasks or not shots or not assigned:
        raise BenchError("the seeded project has no tasks, shots or assignments over HTTP")
    today = dt.date.today()
    dates = [(today - dt.timedelta(days=d)).isoformat() for d in range(1, 31)]
    ids = {
        "project": pid,
        "tasks": [t["id"] for t in tasks],
        "shots": [s["id"] for s in shots],
        "persons": sorted({a for _, a in assigned}),
        "dates": dates,
    }
    artist = client.login(seeded["artist"], SEED_PASSWORD)

    def pick(seq):
        return [rng.choice(seq) for _ in range(LIST_SIZE)]

    time_spents = []
    for _ in range(LIST_SIZE):
        task, person = rng.choice(assigned)
        time_spents.append(
            f"/api/actions/tasks/{task}/time-spents/{rng.choice(dates)}/persons/{person}/add"
        )
    scenarios = [
        Scenario("project tasks", "GET", [f"/api/data/projects/{pid}/tasks"], admin,
                 note=f"whole project, {len(tasks)} tasks"),
        Scenario("shot tasks", "GET", [f"/api/data/shots/{s}/tasks" for s in pick(ids["shots"])], admin),
        Scenario("task full", "GET", [f"/api/data/tasks/{t}/full" for t in pick(ids["tasks"])], admin),
        Scenario("user tasks (artist)", "GET", ["/api/data/user/tasks"], artist,
                 note=f"{seeded['artist']}, {seeded['artist_tasks']} open tasks"),
        Scenario("add time spent", "POST", time_spents, admin, "time_spent"),
        Scenario("update task", "PUT", [f"/api/data/tasks/{t}" for t in pick(ids["tasks"])], admin,
                 "task_update"),
    ]
    for optional, (name, method, template) in (
        [(False, b) for b in BOARD_SCENARIOS]
        + [(True, s) for s in SCHEDULE_SCENARIOS]
        + [(False, e) for e in extras]
    ):
        paths = [expand(template, ids, rng) for _ in range(LIST_SIZE)]
        scenarios.append(Scenario(name, method, paths, admin, optional=optional))
    # Thumbnail reads, as Kitsu's lists make them (a PNG of ~10 KB each);
    # the previews are uploaded only when the scenario runs.
    if only is None or "thumbnails" in only:
        previews = upload_previews(client, admin, [t["id"] for t in tasks], THUMBNAIL_PREVIEWS)
        scenarios.append(Scenario(
            "thumbnails", "GET",
            [f"/api/pictures/thumbnails/preview-files/{p}.png" for p in pick(previews)], admin,
            note=f"{len(previews)} picture previews, 150x100 PNG thumbnails"))
    if only is not None:
        unknown = set(only) - {sc.name for sc in scenarios}
        if unknown:
            raise BenchError(f"--only: no scenario named {', '.join(sorted(unknown))}; "
                             f"there are: {', '.join(sc.name for sc in scenarios)}")
        scenarios = [sc for sc in scenarios if sc.name in only]
    return scenarios


def preflight(client, scenario):
    """A few requests outside wrk: every scenario must answer 2xx."""
    rng = random.Random(SEED)
    sizes = []
    for path in scenario.paths[:2]:
        status, payload, _, _ = client.request(scenario.method, path, scenario.token, scenario.body(rng))
        if status == 404 and scenario.optional:
            return None
        if not 200 <= status < 300:
            raise BenchError(
                f"{scenario.name}: {scenario.method} {path} answered {status}: {payload[:300]!r}"
            )
        sizes.append(len(payload))
    return sum(sizes) // len(sizes)


def run_wrk(server, scenario, connections, seconds, workdir):
    script = Path(workdir) / f"{re.sub(r'[^a-z0-9]+', '-', scenario.name)}.lua"
    script.write_text(scenario.lua())
    threads = max(1, min(connections, 2))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "60s",
        "-s",
        str(script),
        f"http://127.0.0.1:{server.port}",
    ]
    reset = server.reset_peak()
    cpu0 = server.cpu_seconds()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    cpu1 = server.cpu_seconds()
    m = re.search(r"BENCH_RESULT (\{.*\})", proc.stdout)
    if proc.returncode != 0 or not m:
        raise BenchError(f"wrk failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    r = json.loads(m.group(1))
    secs = r["duration_us"] / 1e6
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return {
        "scenario": scenario.name,
        "connections": connections,
        "requests": r["requests"],
        "rps": r["requests"] / secs if secs else 0.0,
        "p50_ms": r["p50"] / 1000,
        "p90_ms": r["p90"] / 1000,
        "p99_ms": r["p99"] / 1000,
        "max_ms": r["max"] / 1000,
        "mb_per_s": r["bytes"] / secs / 1e6 if secs else 0.0,
        "errors": errors,
        "error_detail": {k: r[k] for k in ("connect", "read", "write", "status", "timeout") if r[k]},
        "peak_rss_mb": (server.status_kb("VmHWM") or 0) / 1024,
        "peak_reset": reset,
        "cpu_pct": 100 * (cpu1 - cpu0) / wall if cpu0 is not None and cpu1 is not None else None,
    }


def big_requests(server, client, seeded, runs, wire=None):
    """Project-wide requests on the big project, one at a time."""
    admin = client.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    project = client.json("GET", f"/api/data/projects?name={urllib.parse.quote(seeded['project'])}", admin)
    pid = project[0]["id"]
    requests = [("project tasks", "GET", "/api/data/projects/{project_id}/tasks", False)]
    requests += [(n, m, t, True) for n, m, t in SCHEDULE_SCENARIOS if t.count("{") == 1
                 and "{project_id}" in t]
    results = []
    for name, method, template, optional in requests:
        path = template.format(project_id=pid)
        for i in range(runs):
            server.reset_peak()
            status, payload, ttfb, ttlb = client.request(method, path, admin)
            if status == 404 and optional:
                log(f"  {name}: not served by this binary (404), skipped")
                break
            if not 200 <= status < 300:
                raise BenchError(f"{name} on the big project answered {status}: {payload[:300]!r}")
            items = None
            wire_ttlb = None
            if name == "project tasks":
                items = len(json.loads(payload))
                if wire is not None:
                    wire_ttlb = wire.fetch(Scenario(name, method, [path], admin), payload)[1]
            results.append(
                {
                    "name": name,
                    "run": i + 1,
                    "ttfb": ttfb,
                    "ttlb": ttlb,
                    "bytes": len(payload),
                    "items": items,
                    "peak_rss_mb": (server.status_kb("VmHWM") or 0) / 1024,
                    "wire_ttlb": wire_ttlb,
                }
            )
            log(f"  {name}: {len(payload) / 1e6:.1f} MB, first byte {ttfb:.2f} s, last byte {ttlb:.2f} s, "
                f"peak RSS {results[-1]['peak_rss_mb']:.0f} MiB")
            del payload
    return results


# ------------------------------------------------------------------ report


def git_revision():
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except OSError:
        return "unknown"


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}"


def fmt(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


def report(backend, args, seeds, runs, big, command):
    lines = [
        f"# Fennec benchmark — {backend} — {dt.date.today().isoformat()}",
        "",
        f"* command: `{command}`",
        f"* revision: {git_revision()}; binary: `{args.bin}`",
        f"* machine: {machine()} (wrk and the server share it)",
        f"* wrk: keep-alive, {args.duration} s per run, a random request per call from a list of "
        f"{LIST_SIZE}; threads = min(connections, 2)",
        "",
        "## Seeding (`fennec seed`, into the running server's database)",
        "",
        "| scale | tasks | wall time (s) | peak RSS (MiB) |",
        "|---:|---:|---:|---:|",
    ]
    for s in seeds:
        rss = s["rss_kb"] / 1024 if s["rss_kb"] else None
        lines.append(f"| {s['scale']} | {s['tasks']} | {s['wall']:.2f} | {fmt(rss)} |")
    lines += [
        "",
        "## Requests",
        "",
        "Peak RSS is the server's VmHWM during that run (reset before it); CPU is the server's "
        "CPU time over wall time (200 % = both cores). Errors count socket errors, timeouts "
        "and answers ≥ 400.",
        "",
        "| scale | scenario | conns | req/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | requests "
        "| errors | server peak RSS (MiB) | server CPU % | the wire (req/s) | × the wire |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, r in runs:
        err = str(r["errors"]) + (f" {r['error_detail']}" if r["errors"] else "")
        wire_rps = r.get("wire_rps")
        # How many times the wire's time the server takes (issue 17's
        # "≤ 4× the wire"): nginx's rate over the server's, same connections.
        slower = wire_rps / r["rps"] if wire_rps and r["rps"] else None
        lines.append(
            f"| {scale} | {r['scenario']} | {r['connections']} | {r['rps']:.1f} | "
            f"{r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} | "
            f"{r['requests']} | {err} | {r['peak_rss_mb']:.0f} | {fmt(r['cpu_pct'], 0)} | "
            f"{fmt(wire_rps, 0)} | {fmt(slower)} |"
        )
    notes = [f"* scale {scale}, {s.name}: {s.note}" for scale, s in args.scenario_notes if s.note]
    if any(not r["peak_reset"] for _, r in runs):
        notes.append("* the server's VmHWM could not be reset: peak RSS is since its start")
    if getattr(args, "fresh_server", False):
        notes.append("* `--fresh-server`: each run had a server of its own, started on the seeded "
                     "database just before it (its peak RSS includes nothing from earlier runs)")
    if notes:
        lines += ["", *notes]
    if big is not None:
        lines += ["", "## Whole-project task list at scale 210", ""]
        if not big:
            lines.append("Skipped (`--skip-big`).")
        else:
            lines += [
                "One request at a time, as the admin: the whole-project task list "
                "(`GET /api/data/projects/{id}/tasks`) and the project-wide schedule computations.",
                "",
                "| request | run | items | body (MB) | time to first byte (s) | time to last byte (s) "
                "| server peak RSS (MiB) | the wire (s) | × the wire |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for b in big:
                items = "–" if b["items"] is None else str(b["items"])
                wire_s = b.get("wire_ttlb")
                slower = b["ttlb"] / wire_s if wire_s else None
                lines.append(
                    f"| {b['name']} | {b['run']} | {items} | {b['bytes'] / 1e6:.1f} | {b['ttfb']:.2f} | "
                    f"{b['ttlb']:.2f} | {b['peak_rss_mb']:.0f} | {fmt(wire_s, 3)} | {fmt(slower)} |"
                )
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------------- main


def pg_database_url(base, name):
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def drop_pg_database(base, name):
    psql = shutil.which("psql")
    if not psql:
        log(f"psql not found: drop the database {name} yourself")
        return
    subprocess.run(
        [psql, pg_database_url(base, "postgres"), "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
        capture_output=True,
    )


def bench_backend(backend, database_url, args, workdir, command):
    server = Server(args.bin, database_url, workdir)
    log(f"{backend}: fennec serve on port {server.port}")
    seeds, runs, big = [], [], None
    args.scenario_notes = []
    wire = None
    try:
        if args.wire:
            from wire import Wire

            wire = Wire(workdir)
        admin = server.client.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        for scale in args.scales:
            seeded = run_seed(args.bin, database_url, scale, f"bench-s{scale}")
            seeds.append(seeded)
            scenarios = build_scenarios(server.client, seeded, admin, args.extra, args.only)
            for sc in scenarios:
                size = preflight(server.client, sc)
                if size is None:
                    log(f"{backend} scale {scale}: {sc.name} is not served by this binary (404), skipped")
                    sc.note = "not served by this binary (404): skipped"
                    args.scenario_notes.append((scale, sc))
                    continue
                args.scenario_notes.append((scale, sc))
                on_wire = None
                if wire is not None and sc.name in WIRE_SCENARIOS:
                    status, payload, _, _ = server.client.request("GET", sc.paths[0], sc.token)
                    if status != 200:
                        raise BenchError(f"{sc.name}: {sc.paths[0]} answered {status}")
                    on_wire = wire.scenario(sc, payload)
                    del payload
                for conns in args.connections:
                    if args.fresh_server:
                        # Resetting VmHWM only brings the peak down to what
                        # earlier runs left resident: a new server on the
                        # same database gives each run its own peak. The
                        # tokens stay valid (same SECRET_KEY).
                        server.stop()
                        server = Server(args.bin, database_url, workdir)
                    log(f"{backend} scale {scale}: {sc.name}, {conns} connection(s), {args.duration} s "
                        f"(~{size} B per answer)")
                    r = run_wrk(server, sc, conns, args.duration, workdir)
                    if on_wire is not None:
                        r["wire_rps"] = run_wrk(wire, on_wire, conns, args.duration, workdir)["rps"]
                    runs.append((scale, r))
                    log(f"  {r['rps']:.1f} req/s, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, "
                        f"errors {r['errors']}, peak RSS {r['peak_rss_mb']:.0f} MiB"
                        + (f"; the wire {r['wire_rps']:.0f} req/s" if on_wire is not None else ""))
        if not args.smoke:
            big = []
            if not args.skip_big:
                seeded = run_seed(args.bin, database_url, 210, "bench-s210")
                seeds.append(seeded)
                log(f"{backend}: whole-project task list at scale 210")
                big = big_requests(server, server.client, seeded, args.big_runs, wire)
    finally:
        server.stop()
        if wire is not None:
            wire.stop()
    return report(backend, args, seeds, runs, big, command), runs


def stop_on_signal(signum, _frame):
    # Unwinds through the `finally` blocks, which stop the server.
    raise SystemExit(f"stopped by signal {signum}")


def main():
    # A shell's background job starts with SIGINT ignored: restore it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop_on_signal)
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=str(ROOT / "target" / "release" / "fennec"), help="the fennec binary")
    p.add_argument("--pg", metavar="URL", help="also run on PostgreSQL (a fresh database on that server)")
    p.add_argument("--smoke", action="store_true", help="quick: scale 1 only, 2 s per run, no scale 210")
    p.add_argument("--skip-big", action="store_true", help="skip seeding scale 210 and its task list")
    p.add_argument("--big-runs", type=int, default=3, help="runs of each request on the scale-210 project")
    p.add_argument("--duration", type=int, help="seconds per wrk run (default 10, 2 with --smoke)")
    p.add_argument("--scales", help="comma-separated scales (default 1,28; 1 with --smoke)")
    p.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only (with --pg)")
    p.add_argument("--out", help="directory for the Markdown results (default bench/results, "
                                 "a temporary one with --smoke)")
    p.add_argument("--extra", action="append", default=[], metavar="NAME=METHOD PATH",
                   help="another scenario, e.g. 'task comments=GET /api/data/tasks/{task_id}/comments'")
    p.add_argument("--keep", action="store_true", help="keep the databases and the work directory")
    p.add_argument("--no-wire", dest="wire", action="store_false",
                   help="do not measure the wire (nginx serving the lists' own answers; "
                        "off with --smoke)")
    p.add_argument("--fresh-server", action="store_true",
                   help="start a new server before each wrk run, so that each run's peak RSS "
                        "is its own (otherwise it includes what earlier runs left resident)")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="run only this scenario (repeatable), e.g. --only thumbnails; "
                        "implies --skip-big")
    args = p.parse_args()
    if args.only:
        args.skip_big = True
    args.bin = Path(args.bin).resolve()
    if not args.bin.exists():
        sys.exit(f"no fennec binary at {args.bin}: build it (cargo build --release) or pass --bin")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk (bench/run.sh does it)")
    args.duration = args.duration or (2 if args.smoke else 10)
    args.wire = args.wire and not args.smoke
    args.scales = [int(s) for s in args.scales.split(",")] if args.scales else ([1] if args.smoke else [1, 28])
    args.connections = [1, 8]
    extras = []
    for e in args.extra:
        name, _, spec = e.partition("=")
        method, _, template = spec.strip().partition(" ")
        if not name or not template:
            sys.exit(f"--extra {e!r}: expected NAME=METHOD PATH")
        extras.append((name, method.upper(), template.strip()))
    args.extra = extras
    command = " ".join(["bench/bench.py"] + sys.argv[1:])

    workdir = tempfile.mkdtemp(prefix="fennec-bench-")
    # A smoke run only prints its tables, unless --out asks for files.
    out = Path(args.out) if args.out else (None if args.smoke else ROOT / "bench" / "results")
    if out:
        out.mkdir(parents=True, exist_ok=True)
    backends = []
    if not args.no_sqlite:
        backends.append(("sqlite", f"sqlite://{workdir}/fennec-bench.db", None))
    if args.pg:
        name = f"fennec_bench_{int(time.time())}_{os.getpid()}"
        backends.append(("postgres", pg_database_url(args.pg, name), name))
    failed = False
    try:
        for backend, url, pg_name in backends:
            try:
                text, runs = bench_backend(backend, url, args, workdir, command)
            finally:
                if pg_name and not args.keep:
                    drop_pg_database(args.pg, pg_name)
            print(text)
            if out:
                suffix = "-smoke" if args.smoke else ""
                path = out / f"{dt.date.today().isoformat()}-{backend}{suffix}.md"
                path.write_text(text)
                log(f"results written to {path}")
            errors = sum(r["errors"] for _, r in runs)
            if errors:
                log(f"{backend}: {errors} errors")
                failed = True
    except BenchError as e:
        log(f"FAILED: {e}")
        failed = True
    finally:
        if args.keep:
            log(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    # wire.py imports this module as `bench`: one module, one BenchError.
    sys.modules["bench"] = sys.modules[__name__]
    main()
