"""Fixtures of the browser test of Fennec's pages.

* ``fennec_server`` (session): ``fennec serve`` on a free port and a fresh
  SQLite file, started as the gazu suite starts it (``tests/gazu/conftest.py``).
* ``api`` (session): a tiny stdlib JSON client logged in as the admin.
* ``production`` (session): a small production built through the HTTP API,
  as of Monday 2024-03-04, with one late task (see ``build_production``).
* ``browser`` (session): Debian's Chromium driven by Playwright.

Environment:
  FENNEC_BIN                 server binary (default <repo>/target/debug/fennec)
  FENNEC_CHROMIUM            browser binary (default /usr/bin/chromium)
  FENNEC_BROWSER_ARTIFACTS   folder for screenshots (default: pytest's tmp dir)
  FENNEC_START_TIMEOUT       seconds to wait for GET /api/ (default 60)
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "mysecretpassword"
ARTIST_EMAIL = "ada@example.com"
ARTIST_PASSWORD = "artist-password-123"
AS_OF = "2024-03-04"

# The flags known to work on these machines: no sandbox as root, and no
# background traffic to hosts a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------


@dataclass
class FennecServer:
    base_url: str
    log_path: Path
    process: subprocess.Popen

    def log_tail(self, limit: int = 6000) -> str:
        try:
            text = self.log_path.read_bytes().decode("utf-8", "replace")
        except OSError as exc:
            return f"(no server log: {exc})"
        return text if len(text) <= limit else "...\n" + text[-limit:]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def fennec_server(tmp_path_factory):
    binary = Path(os.environ.get("FENNEC_BIN", REPO_ROOT / "target" / "debug" / "fennec"))
    if not binary.is_file():
        pytest.fail(f"fennec binary not found at {binary} (cargo build, or set FENNEC_BIN)")
    tmp = tmp_path_factory.mktemp("fennec")
    port = _free_port()
    env = dict(os.environ)
    env.update(
        FENNEC_BIND=f"127.0.0.1:{port}",
        DATABASE_URL=f"sqlite://{tmp / 'fennec.db'}",
        SECRET_KEY=secrets.token_hex(32),
        FENNEC_ADMIN_EMAIL=ADMIN_EMAIL,
        FENNEC_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    env.setdefault("RUST_BACKTRACE", "1")
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(binary), "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = FennecServer(f"http://127.0.0.1:{port}", log_path, process)
    try:
        _wait_until_up(server, float(os.environ.get("FENNEC_START_TIMEOUT", "60")))
        yield server
    finally:
        _stop(process)


def _wait_until_up(server: FennecServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"fennec serve exited with code {server.process.returncode} before "
                f"answering GET /api/. Server log:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(server.base_url + "/api/", timeout=2) as res:
                if res.status == 200:
                    return
                last = f"status {res.status}"
        except (OSError, urllib.error.URLError) as exc:
            last = str(exc)
        time.sleep(0.2)
    _stop(server.process)
    pytest.fail(
        f"fennec serve did not answer GET /api/ within {timeout:.0f}s (last: {last}). "
        f"Server log:\n{server.log_tail()}"
    )


# --------------------------------------------------------------------------
# A stdlib JSON client
# --------------------------------------------------------------------------


class ApiFailure(AssertionError):
    pass


@dataclass
class Api:
    base_url: str
    token: str | None = None

    def call(self, method: str, path: str, body=None, expect=(200, 201)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + "/api" + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                status, text = res.status, res.read().decode()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode()
        if status not in expect:
            raise ApiFailure(f"{method} {path} answered {status}: {text[:500]}")
        return json.loads(text) if text else None

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body):
        return self.call("POST", path, body)

    def put(self, path, body):
        return self.call("PUT", path, body)

    def login(self, email: str, password: str) -> "Api":
        body = Api(self.base_url).post("/auth/login", {"email": email, "password": password})
        return Api(self.base_url, body["access_token"])


@pytest.fixture(scope="session")
def api(fennec_server) -> Api:
    return Api(fennec_server.base_url).login(ADMIN_EMAIL, ADMIN_PASSWORD)


# --------------------------------------------------------------------------
# The production
# --------------------------------------------------------------------------


@dataclass
class Production:
    project: str
    other_project: str
    sequences: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)
    late_task: str = ""


def _one(api: Api, path: str) -> dict:
    found = api.get(path)
    assert found, f"nothing at {path}"
    return found[0]


def build_production(api: Api) -> Production:
    """As of Monday 2024-03-04: three sequences of shots and one asset.

    SQ010/SH010 Animation was due Friday 2024-03-01, started and still open:
    late. SQ010/SH010 Layout was done on 2024-02-16. The asset's Modeling task is unassigned.
    A milestone on 2024-03-15 and the project end on 2024-03-29.
    """
    artist = api.post(
        "/data/persons",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": ARTIST_EMAIL,
            "role": "user",
            "password": ARTIST_PASSWORD,
            "active": True,
        },
    )
    admin_id = api.get("/auth/authenticated")["user"]["id"]
    project = api.post("/data/projects", {"name": "Browser Show", "production_type": "short"})
    other = api.post("/data/projects", {"name": "Secret Show", "production_type": "short"})
    pid = project["id"]
    api.put(f"/data/projects/{pid}", {"end_date": "2024-03-29"})
    for person in (admin_id, artist["id"]):
        api.post(f"/data/projects/{pid}/team", {"person_id": person})
    api.post("/data/milestones", {"project_id": pid, "name": "Animatic", "date": "2024-03-15"})

    prod = Production(project=pid, other_project=other["id"])
    task_types = {
        name: _one(api, f"/data/task-types?name={name}")["id"]
        for name in ("Animation", "Layout", "Modeling")
    }
    done = _one(api, "/data/task-status?short_name=done")["id"]
    shots = {}
    for seq, names in (("SQ010", ["SH010", "SH020"]), ("SQ020", ["SH030"]), ("SQ030", ["SH040"])):
        sequence = api.post(f"/data/projects/{pid}/sequences", {"name": seq})
        prod.sequences[seq] = sequence["id"]
        for name in names:
            shots[name] = api.post(
                f"/data/projects/{pid}/shots", {"name": name, "sequence_id": sequence["id"]}
            )["id"]
    prop = _one(api, "/data/asset-types?name=Prop")["id"]
    lamp = api.post(f"/data/projects/{pid}/asset-types/{prop}/assets/new", {"name": "Lamp"})["id"]

    plan = [
        # entity, task type, start, due, estimate (minutes), assignees
        ("SH010", "Layout", "2024-02-12", "2024-02-16", 480, [artist["id"]]),
        ("SH010", "Animation", "2024-02-19", "2024-03-01", 1440, [artist["id"]]),
        ("SH020", "Animation", "2024-03-04", "2024-03-08", 960, [artist["id"]]),
        ("SH030", "Animation", "2024-03-11", "2024-03-15", 960, [artist["id"]]),
        ("SH040", "Layout", "2024-03-18", "2024-03-22", 480, [admin_id]),
        ("Lamp", "Modeling", "2024-02-26", "2024-03-20", 480, []),
    ]
    entities = dict(shots, Lamp=lamp)
    for entity, task_type, start, due, estimate, assignees in plan:
        task = api.post(
            "/data/tasks",
            {
                "project_id": pid,
                "entity_id": entities[entity],
                "task_type_id": task_types[task_type],
                "assignees": assignees,
            },
        )
        api.put(
            f"/data/tasks/{task['id']}",
            {"start_date": start, "due_date": due, "estimation": estimate},
        )
        prod.tasks[(entity, task_type)] = task["id"]
    layout = prod.tasks[("SH010", "Layout")]
    api.post(f"/actions/tasks/{layout}/comment", {"task_status_id": done, "comment": "approved"})
    # Dated as if it all happened before AS_OF, not today.
    api.put(
        f"/data/tasks/{layout}",
        {"real_start_date": "2024-02-12T09:00:00", "done_date": "2024-02-16T17:00:00"},
    )
    api.put(
        f"/data/tasks/{prod.tasks[('SH010', 'Animation')]}",
        {"real_start_date": "2024-02-20T09:00:00"},
    )
    prod.late_task = prod.tasks[("SH010", "Animation")]
    return prod


@pytest.fixture(scope="session")
def production(api) -> Production:
    return build_production(api)


# --------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    folder = os.environ.get("FENNEC_BROWSER_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("FENNEC_CHROMIUM", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        pytest.fail(
            f"Chromium not found at {chromium}: install Debian's chromium "
            "(apt-get install -y chromium; tests/browser/run does) or set FENNEC_CHROMIUM"
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=60_000,
        )
        try:
            yield browser
        finally:
            browser.close()
