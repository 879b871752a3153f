"""An operator reads one line per request in the server's log, at the
default level: method, path, status, duration and who made it (the person's
id once the token is checked, ``-`` before)."""

from __future__ import annotations

import re
import time

import gazu
import pytest
import requests

from support import REFERENCE_IS_ZOU

pytestmark = pytest.mark.skipif(REFERENCE_IS_ZOU, reason="Fennec's own log format")


def _lines_since(server, start: int, needle: str, timeout: float = 5.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in server.log_tail(start, 200_000).splitlines() if needle in line]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_each_request_is_logged_with_its_caller(fennec_server, gazu_admin):
    me = gazu.client.get_current_user()
    start = fennec_server.log_size()
    project = f"no-such-{time.time_ns()}"
    headers = {"Authorization": f"Bearer {gazu.client.default_client.tokens['access_token']}"}
    answer = requests.get(f"{fennec_server.api_url}/data/projects/{project}", headers=headers,
                          timeout=10)
    assert answer.status_code == 400

    [line] = _lines_since(fennec_server, start, project)
    found = re.search(rf"GET /api/data/projects/{project} 400 (\d+\.\d)ms user=(\S+)", line)
    assert found, line
    assert found.group(2) == me["id"]


def test_a_request_without_a_valid_token_is_logged_without_caller(fennec_server):
    start = fennec_server.log_size()
    marker = f"anonymous-{time.time_ns()}"
    answer = requests.get(f"{fennec_server.api_url}/data/tasks/{marker}", timeout=10)
    assert answer.status_code == 401
    [line] = _lines_since(fennec_server, start, marker)
    assert re.search(rf"GET /api/data/tasks/{marker} 401 \d+\.\dms user=-", line), line
