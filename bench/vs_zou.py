#!/usr/bin/env python3
"""Fennec and Zou 1.0.97 side by side, in one run on one machine.

  bench/run.sh --vs-zou [--pg URL] [--episodes N] [--duration S]

1. Starts Zou as Kitsu's deployment guide runs it (gunicorn with gevent
   workers, on PostgreSQL and Redis), from the venv that
   tests/gazu/zou_reference uses ($ZOU_VENV), and `fennec serve` on SQLite
   (and, with --pg, on PostgreSQL too).
2. Seeds the same production into each through gazu, with the same script
   (`seed_through_gazu`): an admin, artists, task types, a TV show of
   episodes, sequences and shots, assets, and one assigned task per entity
   and task type. Zou always runs on PostgreSQL.
3. Runs the scenarios of bench/bench.py (the same wrk scripts), plus the
   with-tasks lists that Kitsu's front end loads, against one server at a
   time.
4. Writes one table: each scenario's rate on Zou and on Fennec, and the
   ratio, with the servers' peak memory (Zou: the sum over its gunicorn
   processes); for each GET, also how many times the wire's time Fennec
   takes: nginx serving one of Fennec's answers as a file (bench/wire.py).

Needs: gazu (run it with the .venv-gazu python; bench/run.sh does), Zou in
$ZOU_VENV (default /tmp/zou-venv; run.sh installs it when missing), a
PostgreSQL server for Zou ($ZOU_PG_URL), redis-server, wrk, nginx.
"""

import argparse
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
from bench import ADMIN_EMAIL, ADMIN_PASSWORD, SEED_PASSWORD, BenchError, log  # noqa: E402
from wire import Wire  # noqa: E402

import gazu  # noqa: E402

PROJECT = "vs-zou"
# The scenarios both servers serve alike (not Fennec's schedules, nor the
# thumbnails, whose uploads would need Zou's preview storage set up).
SHARED = ["project tasks", "shot tasks", "task full", "user tasks (artist)", "add time spent",
          "update task"] + [name for name, _, _ in bench.BOARD_SCENARIOS]
SHOT_STEPS = ["Layout", "Animation", "FX", "Lighting", "Compositing", "Cleanup"]
ASSET_STEPS = ["Concept", "Modeling", "Shading", "Rigging", "Texture", "Groom"]


# ------------------------------------------------------------------ Zou


class ZouServer:
    """Zou 1.0.97 under gunicorn with gevent workers, as Kitsu's deployment
    guide runs it; gunicorn strips the `/api` prefix that nginx would."""

    def __init__(self, venv, pg_url, workdir, workers):
        self.port = bench.free_port()
        self.db = f"zou_vs_{int(time.time())}_{os.getpid()}"
        self.pg_url = pg_url
        self.redis_port = bench.free_port()
        self.workdir = Path(workdir)
        self.log_path = self.workdir / "zou.log"
        self.log_file = open(self.log_path, "w")
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        hostport = pg_url.rsplit("/", 1)[0].rsplit("@", 1)[-1]
        host, _, port = hostport.partition(":")
        self.env = dict(
            os.environ,
            DB_HOST=host,
            DB_PORT=port or "5432",
            DB_USERNAME="postgres",
            DB_PASSWORD="",
            DB_DATABASE=self.db,
            KV_HOST="127.0.0.1",
            KV_PORT=str(self.redis_port),
            SECRET_KEY="fennec-bench-secret",
            PREVIEW_FOLDER=str(self.workdir / "zou-previews"),
            TMP_DIR=str(self.workdir / "zou-tmp"),
            MAIL_CHECK_DELIVERABILITY="false",
        )
        subprocess.run(["psql", pg_url, "-q", "-c", f'CREATE DATABASE "{self.db}"'], check=True,
                       capture_output=True)
        zou = str(Path(venv) / "bin" / "zou")
        for cmd in (["init-db"], ["init-data"], ["create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD]):
            done = subprocess.run([zou, *cmd], env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT)
            if done.returncode != 0:
                raise BenchError(f"zou {cmd[0]} failed; see {self.log_path}")
        self.proc = subprocess.Popen(
            [str(Path(venv) / "bin" / "gunicorn"), "-k", "gevent", "-w", str(workers),
             "-b", f"127.0.0.1:{self.port}", "--env", "SCRIPT_NAME=/api", "zou.app:app"],
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.client = bench.Client(self.port)
        deadline = time.time() + 180
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited early; see {self.log_path}")
            try:
                if self.client.request("GET", "/api/", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise BenchError(f"Zou did not answer in 180 s; see {self.log_path}")
            time.sleep(0.3)

    def pids(self):
        """gunicorn's master and its workers."""
        found = [self.proc.pid]
        for path in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = path.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                found.append(int(path.parent.name))
        return found

    def status_kb(self, key):
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(key + ":"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total or None

    def reset_peak(self):
        try:
            for pid in self.pids():
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            return True
        except OSError:
            return False

    def cpu_seconds(self):
        total = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                pass
        return total

    def stop(self):
        try:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
        finally:
            self.redis.terminate()
            self.redis.wait()
            self.log_file.close()
            bench.drop_pg_database(self.pg_url, self.db)


# ------------------------------------------------------------------ seed


def seed_through_gazu(port, episodes, artists):
    """The same production on either server, written through gazu only.

    Returns what bench.build_scenarios needs: the project's name and the
    artist with the most open tasks, who logs in with SEED_PASSWORD."""
    client = gazu.client.create_client(f"http://127.0.0.1:{port}/api")
    gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD, client=client)
    todo = gazu.task.get_task_status_by_short_name("todo", client=client)

    def task_type(name, for_entity):
        found = gazu.task.get_task_type_by_name(name, for_entity, client=client)
        return found or gazu.task.new_task_type(name, for_entity=for_entity, client=client)

    project = gazu.project.new_project(PROJECT, "tvshow", client=client)
    shot_types = [task_type(n, "Shot") for n in SHOT_STEPS]
    asset_types = [task_type(n, "Asset") for n in ASSET_STEPS]
    for i, tt in enumerate(shot_types + asset_types):
        gazu.project.add_task_type(project, tt, i + 1, client=client)
    gazu.project.add_task_status(project, todo, client=client)
    people = []
    for n in range(artists):
        person = gazu.person.new_person(f"Artist{n:02d}", "Bench", f"artist{n:02d}@vs-zou.example.com",
                                        password=SEED_PASSWORD, client=client)
        gazu.project.add_person_to_team(project, person, client=client)
        people.append(person)
    count = {p["id"]: 0 for p in people}
    turn = 0

    def new_task(entity, tt):
        nonlocal turn
        person = people[turn % len(people)]
        turn += 1
        count[person["id"]] += 1
        gazu.task.new_task(entity, tt, task_status=todo, assignees=[person], client=client)

    character = gazu.asset.get_asset_type_by_name("Character", client=client) or \
        gazu.asset.new_asset_type("Character", client=client)
    for e in range(episodes):
        episode = gazu.shot.new_episode(project, f"E{e + 1:02d}", client=client)
        for s in range(4):
            seq = gazu.shot.new_sequence(project, f"SQ{s + 1:02d}", episode=episode, client=client)
            for n in range(15):
                shot = gazu.shot.new_shot(project, seq, f"SH{(n + 1) * 10:04d}", frame_in=1,
                                          frame_out=48, client=client)
                for tt in shot_types:
                    new_task(shot, tt)
        for a in range(60):
            asset = gazu.asset.new_asset(project, character, f"E{e + 1:02d} char {a:02d}",
                                         episode=episode, client=client)
            for tt in asset_types:
                new_task(asset, tt)
    busiest = max(people, key=lambda p: count[p["id"]])
    return {
        "project": PROJECT,
        "artist": busiest["email"],
        "artist_tasks": count[busiest["id"]],
        "tasks": turn,
    }


# ------------------------------------------------------------------ runs


def measure(name, server, seeded, args, workdir, wire=None):
    """Each scenario's wrk figures; with `wire`, also nginx serving one of
    the scenario's answers as a static file (GETs only)."""
    admin = server.client.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    scenarios = bench.build_scenarios(server.client, seeded, admin, [], SHARED)
    results = {}
    for sc in scenarios:
        if sc.optional:
            continue  # Fennec's own schedule computations: Zou has none
        size = bench.preflight(server.client, sc)
        on_wire = None
        if wire and sc.method == "GET":
            status, payload, _, _ = server.client.request("GET", sc.paths[0], sc.token)
            if status != 200:
                raise BenchError(f"{sc.name}: {sc.paths[0]} answered {status}")
            on_wire = wire.scenario(sc, payload)
        for conns in args.connections:
            log(f"{name}: {sc.name}, {conns} connection(s), {args.duration} s (~{size} B per answer)")
            r = bench.run_wrk(server, sc, conns, args.duration, workdir)
            r["bytes"] = size
            if on_wire:
                r["wire_rps"] = bench.run_wrk(wire, on_wire, conns, args.duration, workdir)["rps"]
            results[(sc.name, conns)] = r
            log(f"  {r['rps']:.1f} req/s, p50 {r['p50_ms']:.2f} ms, errors {r['errors']}, "
                f"peak RSS {r['peak_rss_mb']:.0f} MiB"
                + (f"; the wire {r['wire_rps']:.0f} req/s" if on_wire else ""))
    return results


def table(servers, seeded, args, command):
    """One Markdown table: Zou, then each Fennec backend with its ratio."""
    zou = servers["zou"]
    fennecs = [k for k in servers if k != "zou"]
    head = "| scenario | conns | Zou req/s | Zou p50 (ms) | Zou peak RSS (MiB) |"
    rule = "|---|---:|---:|---:|---:|"
    for f in fennecs:
        head += f" Fennec {f} req/s | p50 (ms) | peak RSS (MiB) | × Zou | × the wire |"
        rule += "---:|---:|---:|---:|---:|"
    lines = [
        f"# Fennec vs Zou 1.0.97 — {dt.date.today().isoformat()}",
        "",
        f"* command: `{command}`",
        f"* revision: {bench.git_revision()}; binary: `{args.bin}`",
        f"* machine: {bench.machine()}; load average at the start: {os.getloadavg()[0]:.1f}",
        f"* Zou: gunicorn -k gevent -w {args.zou_workers}, PostgreSQL, Redis; the same production "
        f"seeded into each server through gazu ({seeded['tasks']} tasks, busiest artist "
        f"{seeded['artist_tasks']} tasks)",
        f"* wrk: keep-alive, {args.duration} s per run, one server at a time; errors: "
        f"{sum(r['errors'] for s in servers.values() for r in s.values())}",
        "",
        head,
        rule,
    ]
    for key, z in zou.items():
        row = f"| {key[0]} | {key[1]} | {z['rps']:.1f} | {z['p50_ms']:.1f} | {z['peak_rss_mb']:.0f} |"
        for f in fennecs:
            r = servers[f].get(key)
            ratio = r["rps"] / z["rps"] if r and z["rps"] else None
            # How many times the wire's time Fennec takes (the targets' "≤ 4× the wire").
            slower = r["wire_rps"] / r["rps"] if r and r.get("wire_rps") and r["rps"] else None
            row += (f" {r['rps']:.1f} | {r['p50_ms']:.2f} | {r['peak_rss_mb']:.0f} | "
                    f"{bench.fmt(ratio)} | {bench.fmt(slower)} |") if r else " – | – | – | – | – |"
        lines.append(row)
    return "\n".join(lines) + "\n"


def main():
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, bench.stop_on_signal)
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=str(bench.ROOT / "target" / "release" / "fennec"))
    p.add_argument("--pg", metavar="URL", help="Fennec on PostgreSQL too (a fresh database there)")
    p.add_argument("--zou-pg", default=os.environ.get("ZOU_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
                   help="the PostgreSQL server Zou runs on")
    p.add_argument("--zou-venv", default=os.environ.get("ZOU_VENV", "/tmp/zou-venv"))
    p.add_argument("--zou-workers", type=int, default=3, help="gunicorn workers (Kitsu's guide: 3)")
    p.add_argument("--episodes", type=int, default=4, help="episodes of 60 shots and 60 assets (720 tasks each)")
    p.add_argument("--artists", type=int, default=24)
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    p.add_argument("--smoke", action="store_true", help="1 episode, 2 s per run, 1 connection only")
    p.add_argument("--out", help="directory for the Markdown result (default bench/results)")
    args = p.parse_args()
    args.bin = Path(args.bin).resolve()
    if not args.bin.exists():
        sys.exit(f"no fennec binary at {args.bin}: build it (cargo build --release) or pass --bin")
    for tool in ("wrk", "redis-server", "psql", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (bench/run.sh installs wrk; redis-server and psql "
                     "come with Debian's redis-server and postgresql-client)")
    if not (Path(args.zou_venv) / "bin" / "gunicorn").exists():
        sys.exit(f"no Zou in {args.zou_venv}: python3 -m venv {args.zou_venv} && "
                 f"{args.zou_venv}/bin/pip install zou==1.0.97 (bench/run.sh --vs-zou does it)")
    if args.smoke:
        args.episodes, args.duration = 1, 2
    args.connections = [1] if args.smoke else [1, 8]
    command = " ".join(["bench/run.sh --vs-zou"] + sys.argv[1:])
    workdir = tempfile.mkdtemp(prefix="fennec-vs-zou-")
    servers, seeded, failed = {}, None, False
    backends = [("sqlite", f"sqlite://{workdir}/fennec.db", None)]
    if args.pg:
        name = f"fennec_vs_zou_{int(time.time())}_{os.getpid()}"
        backends.append(("postgres", bench.pg_database_url(args.pg, name), name))
    try:
        # One server at a time: each is started, seeded, measured, stopped.
        zou = ZouServer(args.zou_venv, args.zou_pg, workdir, args.zou_workers)
        try:
            log(f"Zou on port {zou.port}: seeding through gazu")
            t0 = time.perf_counter()
            seeded = seed_through_gazu(zou.port, args.episodes, args.artists)
            log(f"  {seeded['tasks']} tasks in {time.perf_counter() - t0:.0f} s")
            servers["zou"] = measure("zou", zou, seeded, args, workdir)
        finally:
            zou.stop()
        for backend, url, pg_name in backends:
            server = bench.Server(args.bin, url, workdir)
            wire = Wire(workdir)
            try:
                log(f"Fennec ({backend}) on port {server.port}: seeding through gazu")
                t0 = time.perf_counter()
                mine = seed_through_gazu(server.port, args.episodes, args.artists)
                log(f"  {mine['tasks']} tasks in {time.perf_counter() - t0:.0f} s")
                servers[backend] = measure(f"fennec {backend}", server, mine, args, workdir, wire)
            finally:
                wire.stop()
                server.stop()
                if pg_name:
                    bench.drop_pg_database(args.pg, pg_name)
        text = table(servers, seeded, args, command)
        print(text)
        out = Path(args.out) if args.out else bench.ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{dt.date.today().isoformat()}-vs-zou{'-smoke' if args.smoke else ''}.md"
        path.write_text(text)
        log(f"results written to {path}")
        failed = any(r["errors"] for s in servers.values() for r in s.values())
    except BenchError as e:
        log(f"FAILED: {e}")
        failed = True
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
