"""`fennec migrate` and `fennec create-admin` on either database, then a
server on that database lets the new admin in."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

from conftest import (REPO_ROOT, FennecServer, _drop_postgres_database, _free_port,
                      _fresh_postgres_url, _stop, _wait_until_up)


def _bin():
    return str(Path(os.environ.get("FENNEC_BIN", REPO_ROOT / "target" / "debug" / "fennec")))


def _databases(tmp_path):
    yield f"sqlite://{tmp_path / 'admin.db'}", None
    base = os.environ.get("FENNEC_TEST_DATABASE_URL")
    if base:
        url, name = _fresh_postgres_url(base)
        yield url, (base, name)


def test_migrate_then_create_admin_then_log_in(tmp_path):
    for url, drop in _databases(tmp_path):
        try:
            run = subprocess.run([_bin(), "migrate", "--database-url", url],
                                 capture_output=True, text=True, timeout=120)
            assert run.returncode == 0, run.stderr
            email = f"boss-{uuid.uuid4().hex[:6]}@example.com"
            run = subprocess.run([_bin(), "create-admin", email, "--password", "s3cret-pw",
                                  "--database-url", url], capture_output=True, text=True, timeout=120)
            assert run.returncode == 0, run.stderr
            assert f"admin {email} ready" in run.stdout
            # Running it again resets the password instead of duplicating.
            run = subprocess.run([_bin(), "create-admin", email, "--password", "other-pw",
                                  "--database-url", url], capture_output=True, text=True, timeout=120)
            assert run.returncode == 0, run.stderr

            port = _free_port()
            env = dict(os.environ, FENNEC_BIND=f"127.0.0.1:{port}", DATABASE_URL=url,
                       SECRET_KEY="cli-admin-test", FENNEC_ADMIN_PASSWORD="unused-pw")
            log = tmp_path / "serve.log"
            process = subprocess.Popen([_bin(), "serve"], env=env, stdout=open(log, "wb"),
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            server = FennecServer("cli", f"http://127.0.0.1:{port}", url, log, process)
            try:
                _wait_until_up(server, 60)
                ok = requests.post(f"{server.api_url}/auth/login",
                                   json={"email": email, "password": "other-pw"})
                assert ok.status_code == 200, ok.text
                assert ok.json()["user"]["role"] == "admin"
                persons = requests.get(f"{server.api_url}/data/persons",
                                       headers={"Authorization": f"Bearer {ok.json()['access_token']}"}).json()
                assert [p["email"] for p in persons].count(email) == 1
                # An admin existed already, so serve created no other one.
                assert not any(p["email"] == "admin@example.com" for p in persons)
            finally:
                _stop(process)
        finally:
            if drop:
                _drop_postgres_database(*drop)


def test_unknown_database_scheme_is_refused_clearly(tmp_path):
    run = subprocess.run([_bin(), "migrate", "--database-url", "mysql://x"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "unsupported database URL" in run.stderr
