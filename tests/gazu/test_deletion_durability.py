"""Durability of the large forced deletions (issue 18): a forced project
delete of a seeded production (`fennec seed`: episodes, sequences, shots,
assets, tasks, comments, time spents) is interrupted by SIGKILL while the
request runs; after a restart on the same database the deletion happened
either entirely or not at all, and nothing is left orphaned (a task
without its entity, a time spent or a comment without its task, an entity
without its project or parent), read back through the API.  On SQLite the
file also passes ``PRAGMA integrity_check`` and ``foreign_key_check``.

Fennec only: Zou commits row by row and makes no such promise
(``support.REFERENCE_IS_ZOU`` skips the module).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import (REPO_ROOT, FennecServer, _drop_postgres_database, _free_port,
                      _fresh_postgres_url, _stop, _wait_until_up)
from support import ADMIN_EMAIL, ADMIN_PASSWORD, REFERENCE_IS_ZOU

pytestmark = pytest.mark.skipif(
    REFERENCE_IS_ZOU, reason="Fennec's transactional deletion: Zou deletes row by row"
)

TIMEOUT = 60
# (project seeded, delay between sending its forced DELETE and the SIGKILL)
# An uninterrupted delete of one such project takes ~0.2 s (debug build,
# SQLite): the kills land before, early in and late in the work.
ROUNDS = [("Dur A", 0.0), ("Dur B", 0.03), ("Dur C", 0.12)]
SEED_SCALE = "2"


def _binary() -> Path:
    return Path(os.environ.get("FENNEC_BIN", REPO_ROOT / "target" / "debug" / "fennec"))


def _start(database_url: str, tmp: Path, name: str) -> FennecServer:
    env = dict(os.environ)
    env.update(
        FENNEC_BIND=f"127.0.0.1:{_free_port()}",
        DATABASE_URL=database_url,
        SECRET_KEY="deletion-durability-key",
        FENNEC_ADMIN_EMAIL=ADMIN_EMAIL,
        FENNEC_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    log = tmp / f"{name}.log"
    process = subprocess.Popen(
        [str(_binary()), "serve"], env=env, stdout=open(log, "wb"),
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    server = FennecServer("durability", f"http://{env['FENNEC_BIND']}", database_url, log, process)
    _wait_until_up(server, 60)
    return server


class Api:
    def __init__(self, server: FennecServer, token: str | None = None):
        # The same SECRET_KEY across restarts: the first token stays valid
        # (one bcrypt login per test, slow in a debug build).
        self.url = server.api_url
        if token is None:
            token = requests.post(f"{self.url}/auth/login", timeout=TIMEOUT, json={
                "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()["access_token"]
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path, **params):
        response = requests.get(f"{self.url}/{path}", headers=self.headers, params=params, timeout=TIMEOUT)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:300]}"
        return response.json()

    def put(self, path, body):
        response = requests.put(f"{self.url}/{path}", headers=self.headers, json=body, timeout=TIMEOUT)
        assert response.status_code == 200, f"PUT {path}: {response.status_code} {response.text[:300]}"
        return response.json()


def _world(api: Api) -> dict:
    """Every project, entity, task, comment and time spent, by id."""
    return {
        "projects": {p["id"]: p for p in api.get("data/projects")},
        "entities": {e["id"]: e for e in api.get("data/entities")},
        "tasks": {t["id"]: t for t in api.get("data/tasks")},
        "comments": {c["id"]: c for c in api.get("data/comments")},
        "time_spents": {t["id"]: t for t in api.get("data/time-spents")},
    }


def _owned_by(world: dict, project_id: str) -> dict[str, set]:
    """The ids a forced delete of the project takes."""
    entities = {i for i, e in world["entities"].items() if e["project_id"] == project_id}
    tasks = {i for i, t in world["tasks"].items() if t["project_id"] == project_id}
    return {
        "projects": {project_id},
        "entities": entities,
        "tasks": tasks,
        "comments": {i for i, c in world["comments"].items() if c["object_id"] in tasks},
        "time_spents": {i for i, t in world["time_spents"].items() if t["task_id"] in tasks},
    }


def _orphans(world: dict) -> list[str]:
    problems = []
    for i, e in world["entities"].items():
        if e["project_id"] not in world["projects"]:
            problems.append(f"entity {i} without its project {e['project_id']}")
        if e.get("parent_id") and e["parent_id"] not in world["entities"]:
            problems.append(f"entity {i} without its parent {e['parent_id']}")
    for i, t in world["tasks"].items():
        if t["entity_id"] not in world["entities"]:
            problems.append(f"task {i} without its entity {t['entity_id']}")
        if t["project_id"] not in world["projects"]:
            problems.append(f"task {i} without its project {t['project_id']}")
    for i, c in world["comments"].items():
        if c["object_id"] not in world["tasks"]:
            problems.append(f"comment {i} without its task {c['object_id']}")
    for i, t in world["time_spents"].items():
        if t["task_id"] not in world["tasks"]:
            problems.append(f"time spent {i} without its task {t['task_id']}")
    return problems


def _sqlite_checks(db_file: Path) -> None:
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def _backends():
    yield "sqlite"
    if os.environ.get("FENNEC_TEST_DATABASE_URL"):
        yield "postgres"


@pytest.mark.parametrize("backend", list(_backends()))
def test_forced_project_delete_killed_mid_request_is_all_or_nothing(tmp_path, backend):
    if not _binary().is_file():
        pytest.fail(f"fennec binary not found at {_binary()}")
    dropped = None
    db_file = None
    if backend == "sqlite":
        db_file = tmp_path / "fennec.db"
        url = f"sqlite://{db_file}"
    else:
        base = os.environ["FENNEC_TEST_DATABASE_URL"]
        url, name = _fresh_postgres_url(base)
        dropped = (base, name)
    try:
        _rounds(tmp_path, url, db_file)
    finally:
        if dropped:
            _drop_postgres_database(*dropped)


def _rounds(tmp_path: Path, url: str, db_file: Path | None) -> None:
    for project_name, _ in ROUNDS:
        subprocess.run(
            [str(_binary()), "seed", "--scale", SEED_SCALE, "--project", project_name,
             "--database", url, "--quiet"],
            check=True, capture_output=True, timeout=600,
        )

    server = _start(url, tmp_path, "start")
    api = Api(server)
    before = _world(api)
    assert not _orphans(before), _orphans(before)[:10]
    outcomes = []
    try:
        for number, (project_name, delay) in enumerate(ROUNDS):
            project = next(p for p in before["projects"].values() if p["name"] == project_name)
            owned = _owned_by(before, project["id"])
            assert len(owned["tasks"]) > 1000 and owned["comments"] and owned["time_spents"], {
                k: len(v) for k, v in owned.items()}
            closed = next(s for s in api.get("data/project-status") if s["name"].lower() == "closed")
            api.put(f"data/projects/{project['id']}", {"project_status_id": closed["id"]})

            answer = {}

            def send():
                try:
                    answer["response"] = requests.delete(
                        f"{api.url}/data/projects/{project['id']}", params={"force": "true"},
                        headers=api.headers, timeout=TIMEOUT)
                except requests.RequestException as exc:
                    answer["error"] = exc

            sender = threading.Thread(target=send)
            sender.start()
            time.sleep(delay)
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()
            sender.join()
            acknowledged = "response" in answer and answer["response"].status_code == 204
            outcomes.append((project_name, delay, "answered" if "response" in answer else "killed mid-request"))
            if "response" in answer:
                assert answer["response"].status_code == 204, answer["response"].text

            if db_file is not None:
                _sqlite_checks(db_file)

            server = _start(url, tmp_path, f"restart-{number}")
            api = Api(server, api.token)
            after = _world(api)
            assert not (problems := _orphans(after)), problems[:10]

            present = {kind: ids & set(after[kind]) for kind, ids in owned.items()}
            counts = {kind: (len(present[kind]), len(ids)) for kind, ids in owned.items()}
            everything = all(present[kind] == owned[kind] for kind in owned)
            nothing = not any(present.values())
            assert everything or nothing, f"partial deletion after SIGKILL ({outcomes[-1]}): {counts}"
            outcomes[-1] += ("deleted" if nothing else "kept",)
            if acknowledged:
                assert nothing, f"acknowledged deletion not durable: {counts}"
            # The other seeded projects are untouched.
            for other_name, _ in ROUNDS[number + 1:]:
                other = next(p for p in before["projects"].values() if p["name"] == other_name)
                mine = _owned_by(before, other["id"])
                for kind, ids in mine.items():
                    assert ids <= set(after[kind]), f"{other_name}: {kind} lost"
            before = after
    finally:
        _stop(server.process)
    print("rounds:", outcomes)
