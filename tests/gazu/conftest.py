"""Fixtures of the gazu end-to-end suite.

* ``fennec_server`` (session): starts ``fennec serve`` on a free port, once
  per database backend: ``sqlite`` always, ``postgres`` when
  ``FENNEC_TEST_DATABASE_URL`` is set (a fresh database per run).
* ``base_url`` / ``api_url`` (session): ``http://127.0.0.1:<port>`` and the
  same with ``/api`` (what gazu is pointed at).
* ``admin`` (session): logs gazu's default client in as the bootstrap admin;
  ``gazu_admin`` (function) re-applies that host and token before a test.
* ``production`` (module): a project built with the same gazu calls, in the
  same order and with the same kinds of arguments, as recordings 006-014.
  Each step's result and HTTP traffic is kept so that tests can compare them
  with the recordings.  Every test module that uses it gets its own project
  (unique names), so modules do not depend on each other.

Environment:
  FENNEC_BIN                 server binary (default <repo>/target/debug/fennec)
  FENNEC_TEST_DATABASE_URL   e.g. postgres://postgres@127.0.0.1:5432/postgres
  FENNEC_START_TIMEOUT       seconds to wait for GET /api/ (default 60)
  ZOU_CONTRACT_DIR           the zou-contract folder (default: the repo's tests/zou-contract)
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import gazu
import pytest
import requests

from support import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ARTIST_PASSWORD,
    AdminSession,
    Production,
    pick_task_types,
    unique,
)
from wire import record_call

REPO_ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------


@dataclass
class FennecServer:
    backend: str
    base_url: str
    database_url: str
    log_path: Path
    process: subprocess.Popen
    media_dir: Path | None = None

    @property
    def api_url(self) -> str:
        return self.base_url + "/api"

    @property
    def media_root(self) -> Path:
        """Where the server's media files are on disk: its media folder, or
        with ``FENNEC_S3_BUCKET`` the bucket's folder of the S3 server
        (``FENNEC_TEST_S3_DIR``, the folder ``s3s-fs`` serves)."""
        bucket = os.environ.get("FENNEC_S3_BUCKET")
        if not bucket:
            if self.media_dir is None:
                pytest.fail("this server was started without a known media folder")
            return self.media_dir
        s3_dir = os.environ.get("FENNEC_TEST_S3_DIR")
        if not s3_dir:
            pytest.fail("FENNEC_S3_BUCKET is set: set FENNEC_TEST_S3_DIR to the S3 server's folder")
        return Path(s3_dir) / bucket

    def log_tail(self, start: int = 0, limit: int = 6000) -> str:
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(start)
                text = handle.read().decode("utf-8", "replace")
        except OSError as exc:
            return f"(no server log: {exc})"
        return text if len(text) <= limit else "...\n" + text[-limit:]

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _backends():
    params = ["sqlite"]
    if os.environ.get("FENNEC_TEST_DATABASE_URL"):
        params.append("postgres")
    return params


def _fresh_postgres_url(server_url: str) -> tuple[str, str]:
    """Same server and credentials, a new unique database name."""
    name = f"fennec_gazu_{secrets.token_hex(6)}"
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path="/" + name)), name


def _drop_postgres_database(server_url: str, name: str) -> None:
    """Best effort: drop the test database with the psql CLI, if present."""
    psql = shutil.which("psql")
    if not psql:
        return
    for sql in (
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'DROP DATABASE IF EXISTS "{name}"',
    ):
        try:
            done = subprocess.run(
                [psql, server_url, "-v", "ON_ERROR_STOP=1", "-c", sql],
                capture_output=True,
                timeout=30,
            )
        except (OSError, subprocess.SubprocessError):
            return
        if done.returncode == 0:
            return


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session", params=_backends())
def fennec_server(request, tmp_path_factory):
    """Start ``fennec serve`` against a fresh database; stop it at the end."""
    backend = request.param
    binary = Path(os.environ.get("FENNEC_BIN", REPO_ROOT / "target" / "debug" / "fennec"))
    if not binary.is_file():
        pytest.fail(f"fennec binary not found at {binary} (cargo build, or set FENNEC_BIN)")

    tmp = tmp_path_factory.mktemp(f"fennec-{backend}")
    dropped_db = None
    if backend == "sqlite":
        database_url = f"sqlite://{tmp / 'fennec.db'}"
    else:
        maintenance_url = os.environ["FENNEC_TEST_DATABASE_URL"]
        database_url, db_name = _fresh_postgres_url(maintenance_url)
        dropped_db = (maintenance_url, db_name)

    port = _free_port()
    env = dict(os.environ)
    media_dir = tmp / "media"
    env.update(
        FENNEC_BIND=f"127.0.0.1:{port}",
        # Each server its own media folder (the reference Zou's
        # PREVIEW_FOLDER too), so tests can look at the files.
        FENNEC_MEDIA_DIR=str(media_dir),
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        FENNEC_ADMIN_EMAIL=ADMIN_EMAIL,
        FENNEC_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    env.setdefault("RUST_BACKTRACE", "1")
    log_path = tmp / "server.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [str(binary), "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    server = FennecServer(
        backend, f"http://127.0.0.1:{port}", database_url, log_path, process, media_dir
    )
    try:
        _wait_until_up(server, float(os.environ.get("FENNEC_START_TIMEOUT", "60")))
        yield server
    finally:
        _stop(process)
        log.close()
        if dropped_db:
            _drop_postgres_database(*dropped_db)


def pytest_itemcollected(item):
    """Groups for pytest-xdist's ``--dist loadgroup`` (scripts/test runs the
    suite on two workers): every test of one backend stays on one worker,
    so each worker starts one ``fennec serve`` (the session fixture) and the
    SQLite and PostgreSQL halves run side by side, each in its usual order
    (modules whose tests build on each other's state rely on it); a test
    without a server goes with the rest of its module (module fixtures such
    as a filled Zou are then built once). Marked as each item is collected,
    before xdist's own collection hook reads the marks."""
    callspec = getattr(item, "callspec", None)
    backend = callspec.params.get("fennec_server") if callspec else None
    module = getattr(item, "module", None)
    group = backend or (module.__name__ if module else item.nodeid.split("::")[0])
    item.add_marker(pytest.mark.xdist_group(group))


def _wait_until_up(server: FennecServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"fennec serve ({server.backend}) exited with code {server.process.returncode} "
                f"before answering GET /api/. Server log:\n{server.log_tail()}"
            )
        try:
            response = requests.get(server.api_url + "/", timeout=2)
            if response.status_code == 200:
                return
            last_error = f"status {response.status_code}: {response.text[:200]}"
        except requests.RequestException as exc:
            last_error = str(exc)
        time.sleep(0.2)
    _stop(server.process)
    pytest.fail(
        f"fennec serve ({server.backend}) did not answer GET {server.api_url}/ with 200 "
        f"within {timeout:.0f}s (last: {last_error}). Server log:\n{server.log_tail()}"
    )


@pytest.fixture(scope="session")
def base_url(fennec_server) -> str:
    """``http://127.0.0.1:<port>`` of the running server."""
    return fennec_server.base_url


@pytest.fixture(scope="session")
def api_url(fennec_server) -> str:
    """The gazu host: ``<base_url>/api``."""
    return fennec_server.api_url


# Attach the server's log lines written during a failing test to its report.
_LOG_START = pytest.StashKey[tuple]()


@pytest.fixture(autouse=True)
def _server_log_marker(request):
    if "fennec_server" in request.fixturenames:
        server = request.getfixturevalue("fennec_server")
        if server.process.poll() is not None:
            pytest.fail(
                f"fennec serve ({server.backend}) is no longer running "
                f"(exit code {server.process.returncode}). Server log:\n{server.log_tail()}",
                pytrace=False,
            )
        request.node.stash[_LOG_START] = (server, server.log_size())
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _LOG_START in item.stash:
        server, start = item.stash[_LOG_START]
        report.sections.append(
            (f"fennec server log ({server.backend}, during this test)", server.log_tail(start) or "(empty)")
        )


# --------------------------------------------------------------------------
# gazu clients
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def admin(api_url) -> AdminSession:
    """gazu's default client pointed at the server and logged in as admin."""
    gazu.cache.disable()
    gazu.set_host(api_url)
    tokens = gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    return AdminSession(api_url, dict(tokens))


@pytest.fixture
def gazu_admin(admin):
    """Function-level: make sure the default client is the admin on this server."""
    return admin.activate()


# --------------------------------------------------------------------------
# A production built like the recordings 006-014
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def production(admin) -> Production:
    """Recordings 006-014, replayed with gazu on a project of this module.

    Same calls, in the same order and with the same kinds of arguments as
    the recorded walkthrough: a "tvshow"/"3d" project with the Character
    asset type, every task status and three task types; an artist ("user")
    in its team; the episode E01 (the server creates it with a tvshow
    project: new_episode only finds it); a sequence in E01; two shots (one
    with frames and a description, one with nb_frames only); a scene; the
    asset "Hero" with a description.
    """
    admin.activate()
    tag = unique()
    prod = Production(tag)

    statuses = gazu.task.all_task_statuses()
    asset_types = gazu.asset.all_asset_types()
    prod.character = next(a for a in asset_types if a["name"] == "Character")
    task_types = pick_task_types(gazu.task.all_task_types())

    prod.step("new_project", lambda: record_call(
        gazu.project.new_project,
        f"WT {tag}",
        production_type="tvshow",
        production_style="3d",
        asset_types=[prod.character],
        task_statuses=statuses,
        task_types=task_types,
    ))
    prod.step("new_person", lambda: record_call(
        gazu.person.new_person,
        "Walk",
        f"Through {tag}",
        prod.artist_email,
        role="user",
        desktop_login=f"wt{tag}",
        password=ARTIST_PASSWORD,
    ))
    prod.step("add_person_to_team", lambda: record_call(
        gazu.project.add_person_to_team, prod.project, prod.artist
    ))
    prod.step("new_episode", lambda: record_call(gazu.shot.new_episode, prod.project, "E01"))
    prod.step("new_sequence", lambda: record_call(
        gazu.shot.new_sequence, prod.project, "E01_SQ010", episode=prod.episode
    ))
    prod.step("new_shot", lambda: record_call(
        gazu.shot.new_shot,
        prod.project,
        prod.sequence,
        "SH0010",
        nb_frames=48,
        frame_in=1001,
        frame_out=1048,
        description="walkthrough shot",
    ))
    prod.step("new_shot_2", lambda: record_call(
        gazu.shot.new_shot, prod.project, prod.sequence, "SH0020", nb_frames=24
    ))
    prod.step("new_scene", lambda: record_call(
        gazu.scene.new_scene, prod.project, prod.sequence, "SC0010"
    ))
    prod.step("new_asset", lambda: record_call(
        gazu.asset.new_asset,
        prod.project,
        prod.character,
        "Hero",
        description="main character",
    ))
    return prod
