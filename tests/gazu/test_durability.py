"""Durability: a burst of writes, the server killed with SIGKILL in the
middle of it, a restart on the same database: every write that got a 2xx
answer is there, and the database passes its integrity check."""

import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import requests

import pytest

from conftest import (REPO_ROOT, FennecServer, _drop_postgres_database, _free_port,
                      _fresh_postgres_url, _stop, _wait_until_up)
from support import ADMIN_EMAIL, ADMIN_PASSWORD


def _start(database_url, tmp, name, port):
    binary = Path(os.environ.get("FENNEC_BIN", REPO_ROOT / "target" / "debug" / "fennec"))
    env = dict(os.environ)
    env.update(
        FENNEC_BIND=f"127.0.0.1:{port}",
        DATABASE_URL=database_url,
        SECRET_KEY="durability-test-key",
        FENNEC_ADMIN_EMAIL=ADMIN_EMAIL,
        FENNEC_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    process = subprocess.Popen(
        [str(binary), "serve"], env=env, stdout=open(tmp / f"{name}.log", "wb"),
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    server = FennecServer("sqlite", f"http://127.0.0.1:{port}", database_url,
                          tmp / f"{name}.log", process)
    _wait_until_up(server, 60)
    return server


def _backends():
    yield "sqlite"
    if os.environ.get("FENNEC_TEST_DATABASE_URL"):
        yield "postgres"


@pytest.mark.parametrize("backend", list(_backends()))
def test_sigkill_mid_burst_loses_no_acknowledged_write(tmp_path, backend):
    db_file = tmp_path / "fennec.db"
    dropped = None
    if backend == "sqlite":
        url = f"sqlite://{db_file}"
    else:
        base = os.environ["FENNEC_TEST_DATABASE_URL"]
        url, name = _fresh_postgres_url(base)
        dropped = (base, name)
    try:
        _burst_kill_restart(tmp_path, url, db_file if backend == "sqlite" else None)
    finally:
        if dropped:
            _drop_postgres_database(*dropped)


def _burst_kill_restart(tmp_path, url, db_file):
    port = _free_port()
    server = _start(url, tmp_path, "first", port)
    api = server.api_url
    token = requests.post(f"{api}/auth/login", json={
        "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}

    acknowledged = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(worker):
        session = requests.Session()
        i = 0
        while not stop.is_set():
            name = f"burst-{worker}-{i}"
            i += 1
            try:
                r = session.post(f"{api}/data/departments",
                                 json={"name": name, "color": "#123456"},
                                 headers=auth, timeout=5)
            except requests.RequestException:
                return
            if 200 <= r.status_code < 300:
                with lock:
                    acknowledged.append(r.json()["id"])

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(acknowledged) > 20, "the burst did not get going"

    if db_file is not None:
        # The file is consistent before the server even reopens it.
        with sqlite3.connect(db_file) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    restarted = _start(url, tmp_path, "second", _free_port())
    try:
        token = requests.post(f"{restarted.api_url}/auth/login", json={
            "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()["access_token"]
        listed = requests.get(f"{restarted.api_url}/data/departments",
                              headers={"Authorization": f"Bearer {token}"}).json()
        present = {d["id"] for d in listed}
        missing = [i for i in acknowledged if i not in present]
        assert not missing, f"{len(missing)} acknowledged writes lost"
        # Restarting loaded nothing twice.
        statuses = requests.get(f"{restarted.api_url}/data/task-status",
                                headers={"Authorization": f"Bearer {token}"}).json()
        assert len(statuses) == 9
    finally:
        _stop(restarted.process)
