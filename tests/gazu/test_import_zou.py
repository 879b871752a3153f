"""`fennec import-zou` (issue 19): a real Zou 1.0.97, filled through gazu,
imported into Fennec on SQLite and on PostgreSQL; every model read back
through the generic CRUD of both servers and compared.

Zou comes from PyPI (`zou==1.0.97`) in ``$ZOU_VENV`` (default
``<repo>/.venv-zou``), installed when missing; it runs on the machine's
PostgreSQL (``$ZOU_PG_URL``, else ``$FENNEC_TEST_DATABASE_URL``, else
postgres://postgres@127.0.0.1:5432/postgres) and on a Redis of its own
(``redis-server`` on a free port, unless ``$ZOU_REDIS_PORT`` names one).
Anything missing is a failure, never a skip: the import is only checked
against the real thing.

This module starts its own servers (Zou, then Fennec on each imported
database), so it does not use the session server, and runs once whatever
the backend parameter of the rest of the suite.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import gazu
import pytest
import requests

from conftest import REPO_ROOT, _drop_postgres_database, _free_port, _stop

ZOU_VERSION = "1.0.97"
ADMIN = ("admin@example.com", "mysecretpassword")
ARTIST_PASSWORD = "zou-artist-pw1"

# The generic CRUD lists compared row by row, sorted by id.
MODELS = [
    "organisations", "persons", "departments", "projects", "project-status",
    "entity-types", "entities", "entity-links", "task-types", "task-status",
    "tasks", "comments", "time-spents", "day-offs", "milestones",
    "schedule-items", "metadata-descriptors", "preview-files", "playlists",
    "production-schedule-versions",
]
# Zou's generic CRUD does not list notifications and subscriptions: its
# production routes do (the export Kitsu makes of them), and its news feed.
PROJECT_READS = ["notifications", "subscriptions", "news", "metadata-descriptors"]

# Keys of a model's JSON left out of the comparison, with why (none today:
# every key of every read is compared).
DIFFERENCES: dict[str, set[str]] = {}


def _bin() -> str:
    return str(Path(os.environ.get("FENNEC_BIN", REPO_ROOT / "target" / "debug" / "fennec")))


def _pg_server_url() -> str:
    return (os.environ.get("ZOU_PG_URL") or os.environ.get("FENNEC_TEST_DATABASE_URL")
            or "postgres://postgres@127.0.0.1:5432/postgres")


def _with_db(server_url: str, name: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path="/" + name))


def _psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _zou_venv() -> Path:
    venv = Path(os.environ.get("ZOU_VENV", REPO_ROOT / ".venv-zou"))
    if (venv / "bin" / "zou").exists():
        return venv
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", f"zou=={ZOU_VERSION}"],
                       check=True, timeout=1200)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.fail(f"could not install zou=={ZOU_VERSION} from PyPI into {venv}: {exc}")
    return venv


def _redis_port():
    """A running Redis for Zou: the one named, or one started here."""
    named = os.environ.get("ZOU_REDIS_PORT")
    if named:
        return int(named), None
    server = shutil.which("redis-server")
    if not server:
        pytest.fail("Zou needs Redis: install redis-server (Debian: apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen([server, "--port", str(port), "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return port, process
        except OSError:
            time.sleep(0.1)
    _stop(process)
    pytest.fail("redis-server did not start")


def _wait_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            if requests.get(url + "/api/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"server not up after {timeout} s:\n{log.read_text()[-4000:]}")


class Http:
    def __init__(self, base: str, email: str, password: str):
        self.base = base + "/api/"
        r = requests.post(self.base + "auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def get(self, path: str):
        r = requests.get(self.base + path, headers=self.headers, timeout=60)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()

    def post(self, path: str, body: dict):
        r = requests.post(self.base + path, json=body, headers=self.headers, timeout=60)
        assert r.status_code in (200, 201), (path, r.status_code, r.text)
        return r.json()


def _png(width: int = 64, height: int = 48) -> bytes:
    """A small RGB gradient as a PNG, written without an image library."""
    import struct
    import zlib

    rows = b"".join(b"\x00" + bytes(v for x in range(width)
                                    for v in (x * 4 % 256, y * 5 % 256, (x + y) % 256))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _download_pictures(api: str, preview: dict, into: Path) -> dict:
    """The preview's original and thumbnail as gazu downloads them, and the
    1200-wide picture Kitsu shows."""
    client = gazu.client.create_client(api)
    gazu.log_in(*ADMIN, client=client)
    into.mkdir(parents=True, exist_ok=True)
    gazu.files.download_preview_file(preview, str(into / "original.png"), client=client)
    gazu.files.download_preview_file_thumbnail(preview, str(into / "thumbnail.png"),
                                               client=client)
    return {
        "original": (into / "original.png").read_bytes(),
        "thumbnail": (into / "thumbnail.png").read_bytes(),
        "preview": bytes(gazu.client.get_file_data_from_url(
            f"pictures/previews/preview-files/{preview['id']}.png", client=client)),
    }


def _fill(api: str, tag: str, tmp: Path) -> dict:
    """A production with every kind of data the import carries."""
    client = gazu.client.create_client(api)
    gazu.log_in(*ADMIN, client=client)
    c = {"client": client}
    anim_dept = gazu.person.new_department(f"Anim {tag}", "#ff0000", client=client)
    gazu.person.new_department(f"Layout {tag}", "#00ff00", client=client)
    artist = gazu.person.new_person("Ada", f"Zou{tag}", f"ada.{tag}@example.com", role="user",
                                    departments=[anim_dept], password=ARTIST_PASSWORD,
                                    client=client)
    sup = gazu.person.new_person("Sam", f"Zou{tag}", f"sam.{tag}@example.com",
                                 role="supervisor", password=ARTIST_PASSWORD, client=client)
    project = gazu.project.new_project(f"Import {tag}", "tvshow", client=client)
    for person in (artist, sup):
        gazu.project.add_person_to_team(project, person, client=client)
    char = gazu.asset.new_asset_type(f"Character {tag}", client=client)
    prop = gazu.asset.new_asset_type(f"Prop {tag}", client=client)
    modeling = gazu.task.new_task_type(f"Modeling {tag}", for_entity="Asset", client=client)
    animation = gazu.task.new_task_type(f"Animation {tag}", for_entity="Shot", client=client)
    wip = gazu.task.get_task_status_by_short_name("wip", client=client)
    wfa = gazu.task.get_task_status_by_short_name("wfa", client=client)
    custom = gazu.task.new_task_status(f"Hold {tag}", f"h{tag[:4]}", "#123456", client=client)
    for i, tt in enumerate((modeling, animation)):
        gazu.project.add_task_type(project, tt, i + 1, client=client)
    for st in (wip, wfa, custom):
        gazu.project.add_task_status(project, st, client=client)
    gazu.project.add_metadata_descriptor(project, "Difficulty", "Shot", data_type="list",
                                         choices=["easy", "hard"], departments=[anim_dept],
                                         client=client)
    gazu.project.add_metadata_descriptor(project, "Notes", "Asset", client=client)
    assets = [gazu.asset.new_asset(project, at, f"{at['name'][:4]} {i}", f"asset {i}",
                                   client=client)
              for at in (char, prop) for i in range(3)]
    shots = []
    for e in range(2):
        episode = gazu.shot.new_episode(project, f"E{e + 1:02d}", client=client)
        for s in range(2):
            seq = gazu.shot.new_sequence(project, f"SQ{s + 1:02d}", episode=episode, client=client)
            for n in range(3):
                shot = gazu.shot.new_shot(project, seq, f"SH{n + 1:03d}", frame_in=1,
                                          frame_out=24 * (n + 1),
                                          data={"difficulty": "hard" if n else "easy"},
                                          client=client)
                shots.append(shot)
    for i, shot in enumerate(shots[:6]):
        gazu.casting.update_shot_casting(project, shot, [
            {"asset_id": assets[i % len(assets)]["id"], "nb_occurences": 1 + i % 2},
            {"asset_id": assets[(i + 1) % len(assets)]["id"], "nb_occurences": 1},
        ], client=client)
    tasks = [gazu.task.new_task(a, modeling, assignees=[artist], client=client) for a in assets]
    tasks += [gazu.task.new_task(s, animation, assignees=[artist, sup], client=client)
              for s in shots]
    for i, task in enumerate(tasks[:10]):
        status = (wip, wfa, custom)[i % 3]
        comment = gazu.task.add_comment(task, status, f"take {i}, see @Sam Zou{tag}",
                                        client=client)
        if i % 2:
            gazu.task.acknowledge_comment(task, comment, client=client)
        gazu.task.set_time_spent(task, artist, f"2031-02-{i + 2:02d}", 60 * (i + 1),
                                 client=client)
    gazu.user.subscribe_to_task(tasks[-1], client=client)
    # A picture preview on a shot task's comment, uploaded as Kitsu does,
    # then reviewed in a playlist.
    picture = tmp / "preview.png"
    picture.write_bytes(_png())
    shot_task = tasks[len(assets)]
    review = gazu.task.add_comment(shot_task, wfa, "first take", client=client)
    preview = gazu.task.add_preview(shot_task, review, str(picture), client=client)
    playlist = gazu.playlist.new_playlist(project, f"Dailies {tag}", client=client)
    gazu.playlist.add_entity_to_playlist(playlist, shots[0], preview_file=preview,
                                         client=client)
    gazu.person.new_day_off(artist, "2031-03-03", "2031-03-04", client=client)
    http = Http(api[: -len("/api")], *ADMIN)
    http.post("data/milestones", {"project_id": project["id"], "task_type_id": animation["id"],
                                  "name": "first cut", "date": "2031-05-01"})
    # Zou makes a production's schedule items on their first read.
    http.get(f"data/projects/{project['id']}/schedule-items/task-types")
    http.get(f"data/projects/{project['id']}/schedule-items/{animation['id']}/episodes")
    http.post("data/production-schedule-versions", {"project_id": project["id"],
                                                    "name": f"Plan {tag}"})
    c.update(project=project, artist=artist, tasks=tasks, preview=preview)
    return c


def _read_all(http: Http, project_id: str) -> dict[str, list[dict]]:
    reads = {m: f"data/{m}" for m in MODELS}
    reads.update({f"project {m}": f"data/projects/{project_id}/{m}" for m in PROJECT_READS})
    out = {}
    for name, path in reads.items():
        body = http.get(path)
        if isinstance(body, dict):
            body = body.get("data", [body])
        out[name] = sorted(body, key=lambda r: r.get("id") or str(r))
    return out


def _compare(zou: dict, fennec: dict, where: str) -> None:
    problems = []
    for model in zou:
        left = {r.get("id"): r for r in zou[model]}
        right = {r.get("id"): r for r in fennec[model]}
        if set(left) != set(right):
            problems.append(f"{model}: ids only on Zou {sorted(set(left) - set(right))[:5]}, "
                            f"only on Fennec {sorted(set(right) - set(left))[:5]}")
            continue
        skip = DIFFERENCES.get(model, set())
        for rid, row in left.items():
            other = right[rid]
            for key in sorted(set(row) | set(other)):
                if key in skip:
                    continue
                if row.get(key, "<missing>") != other.get(key, "<missing>"):
                    problems.append(f"{model} {rid} {key}: Zou {row.get(key, '<missing>')!r}"
                                    f" Fennec {other.get(key, '<missing>')!r}")
    assert not problems, f"{where}:\n" + "\n".join(problems[:60])


def _zou_fingerprint(url: str) -> str:
    """Every Zou table's rows, hashed: the import must not change them."""
    tables = _psql(url, "SELECT string_agg(table_name, ' ' ORDER BY table_name) "
                        "FROM information_schema.tables WHERE table_schema = 'public'").split()
    sql = " UNION ALL ".join(
        f"SELECT '{t}', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "
        f"FROM \"{t}\" x" for t in tables)
    return _psql(url, sql)


def _import(zou_url: str, target: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([_bin(), "import-zou", "--from", zou_url, "--database", target, *extra],
                          capture_output=True, text=True, timeout=600)


def _serve(url: str, tmp: Path, name: str):
    port = _free_port()
    log = tmp / f"{name}.log"
    env = dict(os.environ, FENNEC_BIND=f"127.0.0.1:{port}", DATABASE_URL=url,
               SECRET_KEY="import-zou-test", FENNEC_ADMIN_PASSWORD="unused-pw",
               FENNEC_MEDIA_DIR=str(tmp / f"{name}-media"))
    process = subprocess.Popen([_bin(), "serve"], env=env, stdout=open(log, "wb"),
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    _wait_up(base, process, log)
    return base, process


@pytest.fixture(scope="module")
def zou(tmp_path_factory):
    """A running Zou 1.0.97 on a fresh database, filled through gazu."""
    tmp = tmp_path_factory.mktemp("zou")
    venv = _zou_venv()
    pg = _pg_server_url()
    try:
        _psql(pg, "SELECT 1")
    except AssertionError as exc:
        pytest.fail(f"Zou needs PostgreSQL at {pg}: {exc}")
    redis_port, redis = _redis_port()
    name = f"zou_import_{secrets.token_hex(4)}"
    zou_url = _with_db(pg, name)
    port = _free_port()
    log = tmp / "zou.log"
    env = dict(os.environ, ZOU_VENV=str(venv), ZOU_PG_URL=pg, ZOU_REDIS_PORT=str(redis_port),
               FENNEC_BIND=f"127.0.0.1:{port}", DATABASE_URL=zou_url,
               FENNEC_ADMIN_EMAIL=ADMIN[0], FENNEC_ADMIN_PASSWORD=ADMIN[1], TMPDIR=str(tmp))
    process = subprocess.Popen([str(REPO_ROOT / "tests/gazu/zou_reference/fennec"), "serve"],
                               env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base, process, log, timeout=180)
        started = time.monotonic()
        made = _fill(base + "/api", secrets.token_hex(3), tmp)
        fill_seconds = time.monotonic() - started
        snapshot = _read_all(Http(base, *ADMIN), made["project"]["id"])
        pictures = _download_pictures(base + "/api", made["preview"], tmp / "zou-downloads")
        yield {"url": zou_url, "base": base, "snapshot": snapshot, "made": made,
               "fill_seconds": fill_seconds, "tmp": tmp, "pictures": pictures,
               # The stand-in's PREVIEW_FOLDER (TMPDIR/zou-previews).
               "previews": tmp / "zou-previews"}
    finally:
        # The stand-in runs Zou and its event stream: stop the whole group.
        try:
            os.killpg(process.pid, 15)
        except OSError:
            pass
        _stop(process)
        if redis is not None:
            _stop(redis)
        _drop_postgres_database(pg, name)


def _targets(tmp: Path):
    yield "sqlite", f"sqlite://{tmp / 'imported.db'}", None
    pg = _pg_server_url()
    name = f"fennec_import_{secrets.token_hex(4)}"
    yield "postgres", _with_db(pg, name), (pg, name)


def test_import_into_sqlite_and_postgres_reads_as_on_zou(zou, tmp_path):
    before = _zou_fingerprint(zou["url"])
    timings = []
    for backend, target, drop in _targets(tmp_path):
        try:
            started = time.monotonic()
            run = _import(zou["url"], target, "--previews", str(zou["previews"]),
                          "--media-dir", str(tmp_path / f"{backend}-media"))
            took = time.monotonic() - started
            assert run.returncode == 0, run.stderr + run.stdout
            out = run.stdout
            # Rows per table, the rate, and what was not imported, with why.
            assert re.search(r"^\s+tasks\s+\d+ rows \(from task\)", out, re.M), out
            rate = re.search(r"^(\d+) rows in [\d.]+ s \((\d+) rows/s\)", out, re.M)
            assert rate, out
            assert "Not imported (Fennec does not model them):" in out
            timings.append(f"{backend}: {rate.group(0)}; command {took:.2f} s")
            print(f"import-zou into {backend}: {rate.group(0)} (command {took:.2f} s)")
            print(out)
            base, process = _serve(target, tmp_path, backend)
            try:
                fennec = _read_all(Http(base, *ADMIN), zou["made"]["project"]["id"])
                _compare(zou["snapshot"], fennec, f"Zou vs Fennec ({backend})")
                # The preview's files, copied from Zou's preview folder, are
                # what Zou served, byte for byte.
                assert "preview files: " in out and " copied into " in out, out
                pictures = _download_pictures(base + "/api", zou["made"]["preview"],
                                              tmp_path / f"{backend}-downloads")
                for variant, data in zou["pictures"].items():
                    assert data[:8] == b"\x89PNG\r\n\x1a\n", (variant, data[:40])
                    assert pictures[variant] == data, f"{variant} differs ({backend})"
                # The seeded artist logs in with the password he had on Zou.
                Http(base, zou["made"]["artist"]["email"], ARTIST_PASSWORD)
                r = requests.post(base + "/api/auth/login",
                                  json={"email": zou["made"]["artist"]["email"],
                                        "password": "not-his-password"})
                assert r.status_code == 400, r.text
            finally:
                _stop(process)
        finally:
            if drop:
                _drop_postgres_database(*drop)
    # Zou's database was only read.
    assert _zou_fingerprint(zou["url"]) == before
    print("fill through gazu on Zou:", f"{zou['fill_seconds']:.1f} s;", "; ".join(timings))


def test_a_target_with_data_is_refused_and_left_alone(zou, tmp_path):
    target = f"sqlite://{tmp_path / 'once.db'}"
    first = _import(zou["url"], target)
    assert first.returncode == 0, first.stderr
    counts = _sqlite_counts(tmp_path / "once.db")
    again = _import(zou["url"], target)
    assert again.returncode != 0
    assert "the target database is not empty" in again.stderr, again.stderr
    assert _sqlite_counts(tmp_path / "once.db") == counts
    # Fennec's own default data counts as data: `fennec migrate` loads it.
    fresh = f"sqlite://{tmp_path / 'defaults.db'}"
    run = subprocess.run([_bin(), "migrate", "--database-url", fresh], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    refused = _import(zou["url"], fresh)
    assert refused.returncode != 0 and "not empty" in refused.stderr, refused.stderr
    # --merge over the same import skips every row (their keys are taken),
    # says so, and changes nothing.
    merged = _import(zou["url"], target, "--merge")
    assert merged.returncode == 0, merged.stderr
    assert re.search(r"tasks\s+0 rows \(from task\) \(\d+ skipped: key already taken\)",
                     merged.stdout), merged.stdout
    assert _sqlite_counts(tmp_path / "once.db") == counts


def _sqlite_counts(path: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def test_a_failed_import_leaves_the_target_as_it_was(zou, tmp_path):
    """A failure late in the copy (a trigger refusing time spents, which come
    after persons, projects and tasks) rolls every table back."""
    import sqlite3

    path = tmp_path / "failing.db"
    run = subprocess.run([_bin(), "migrate", "--database-url", f"sqlite://{path}"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'").fetchall():
            db.execute(f'DELETE FROM "{name}"')
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON time_spents "
                   "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    before = _sqlite_counts(path)
    assert before["persons"] == 0
    failed = _import(zou["url"], f"sqlite://{path}")
    assert failed.returncode != 0
    assert "refused by the test" in failed.stderr, failed.stderr
    assert _sqlite_counts(path) == before
