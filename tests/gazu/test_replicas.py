"""Two `fennec serve` replicas sharing one PostgreSQL database serve the
same data, accept each other's tokens and honour each other's logouts —
with a shared SECRET_KEY, and with none (the key is then generated once and
stored in the database). PostgreSQL only: skipped without
FENNEC_TEST_DATABASE_URL."""

import os
import secrets
import subprocess
from pathlib import Path

import pytest
import requests

from conftest import (
    REPO_ROOT,
    FennecServer,
    _drop_postgres_database,
    _free_port,
    _fresh_postgres_url,
    _stop,
    _wait_until_up,
)
from support import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.skipif(
    not os.environ.get("FENNEC_TEST_DATABASE_URL"), reason="needs PostgreSQL"
)


def _start(database_url, secret, tmp, name):
    binary = Path(os.environ.get("FENNEC_BIN", REPO_ROOT / "target" / "debug" / "fennec"))
    port = _free_port()
    env = dict(os.environ)
    env.pop("SECRET_KEY", None)
    env.update(
        FENNEC_BIND=f"127.0.0.1:{port}",
        DATABASE_URL=database_url,
        FENNEC_ADMIN_EMAIL=ADMIN_EMAIL,
        FENNEC_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    if secret:
        env["SECRET_KEY"] = secret
    log_path = tmp / f"{name}.log"
    process = subprocess.Popen(
        [str(binary), "serve"], env=env, stdout=open(log_path, "wb"),
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    return FennecServer("postgres", f"http://127.0.0.1:{port}", database_url, log_path, process)


@pytest.mark.parametrize("shared_secret", [True, False], ids=["secret-key", "stored-key"])
def test_two_replicas_share_data_tokens_and_logouts(tmp_path, shared_secret):
    maintenance = os.environ["FENNEC_TEST_DATABASE_URL"]
    database_url, name = _fresh_postgres_url(maintenance)
    secret = secrets.token_hex(16) if shared_secret else None
    servers = []
    try:
        # Both start at once on a database that does not exist yet: one
        # creates and migrates it, neither loads the defaults twice.
        servers = [_start(database_url, secret, tmp_path, n) for n in ("a", "b")]
        for s in servers:
            _wait_until_up(s, 60)
        a, b = (s.api_url for s in servers)
        login = requests.post(f"{a}/auth/login",
                              json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert login.status_code == 200, login.text
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

        created = requests.post(f"{a}/data/projects", json={"name": "Shared"}, headers=auth)
        assert created.status_code == 201, created.text
        seen = requests.get(f"{b}/data/projects/{created.json()['id']}", headers=auth)
        assert seen.status_code == 200, seen.text
        assert seen.json()["name"] == "Shared"

        statuses = requests.get(f"{b}/data/task-status", headers=auth).json()
        assert len(statuses) == 9

        assert requests.get(f"{a}/auth/logout", headers=auth).status_code == 200
        refused = requests.get(f"{b}/data/projects", headers=auth)
        assert refused.status_code == 401, refused.text
    finally:
        for s in servers:
            _stop(s.process)
        _drop_postgres_database(maintenance, name)
