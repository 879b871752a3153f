"""Live events (issue 15) with the real gazu.events client (python-socketio).

gazu.events connects to ``/socket.io`` (namespace ``/events``) with the
access token in its ``Authorization`` header and receives Zou's events:
``shot:new``, ``comment:new``, ``task:update``, ... with Zou's payloads.
An event goes out when its write commits, and never for a refused write.

On the real Zou (tests/gazu/zou_reference/fennec), Zou's event stream is
its own process (``zou.event_stream``), started by the reference script on
the API's port + 1: the events are read there.
"""

from __future__ import annotations

import os
import threading
import time
from urllib.parse import urlsplit

import gazu
import gazu.events
import pytest
import socketio

from support import REFERENCE_IS_ZOU, artist_client

WATCHED = [
    "shot:new",
    "sequence:new",
    "asset:new",
    "task:new",
    "task:update",
    "task:status-changed",
    "task:assign",
    "comment:new",
]


def event_host(api_url: str) -> str:
    if not REFERENCE_IS_ZOU:
        return api_url
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port + 1}"


class Listener:
    """A gazu.events client collecting what it receives."""

    def __init__(self, client):
        self.lock = threading.Lock()
        self.received: list[tuple[str, dict]] = []
        client.event_host = event_host(client.host)
        self.client = gazu.events.init(client=client, reconnection=False)
        for name in WATCHED:
            gazu.events.add_listener(self.client, name, self._handler(name))

    def _handler(self, name):
        def handle(data):
            with self.lock:
                self.received.append((name, data))

        return handle

    def clear(self):
        with self.lock:
            self.received.clear()

    def events(self, name: str) -> list[dict]:
        with self.lock:
            return [d for n, d in self.received if n == name]

    def wait_for(self, name: str, match, timeout: float = 5.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for data in self.events(name):
                if match(data):
                    return data
            time.sleep(0.05)
        with self.lock:
            got = list(self.received)
        pytest.fail(f"no {name} event matching within {timeout}s; received {got}")

    def close(self):
        self.client.disconnect()


@pytest.fixture
def listener(gazu_admin, production):
    listener = Listener(gazu_admin)
    # Let the connection settle (upgrade to WebSocket) before writing.
    time.sleep(0.3)
    yield listener
    listener.close()


def test_events_of_writes_made_through_gazu(listener, production):
    project = production.project
    shot = gazu.shot.new_shot(project, production.sequence, f"EV{int(time.time() * 1000) % 100000}")
    data = listener.wait_for("shot:new", lambda d: d.get("shot_id") == shot["id"])
    assert data == {
        "shot_id": shot["id"],
        "episode_id": production.episode["id"],
        "project_id": project["id"],
    }

    task_type = gazu.task.all_task_types_for_project(project)[0]
    task = gazu.task.new_task(shot, task_type)
    wip = gazu.task.get_task_status_by_short_name("wip")
    todo = gazu.task.get_task_status_by_short_name("todo")
    listener.clear()
    comment = gazu.task.add_comment(task, wip, "started")

    new = listener.wait_for("comment:new", lambda d: d.get("comment_id") == comment["id"])
    assert new == {
        "comment_id": comment["id"],
        "task_id": task["id"],
        "task_status_id": wip["id"],
        "person_id": comment["person_id"],
        "for_client": False,
        "project_id": project["id"],
    }
    update = listener.wait_for("task:update", lambda d: d.get("task_id") == task["id"])
    assert update == {"task_id": task["id"], "project_id": project["id"]}
    changed = listener.wait_for("task:status-changed", lambda d: d.get("task_id") == task["id"])
    assert changed == {
        "task_id": task["id"],
        "new_task_status_id": wip["id"],
        "previous_task_status_id": todo["id"],
        "person_id": comment["person_id"],
        "project_id": project["id"],
    }
    # Zou's order: the comment, then the task's update, then its status.
    names = [n for n, d in listener.received if d.get("task_id") == task["id"]]
    assert names[:3] == ["comment:new", "task:update", "task:status-changed"]

    listener.clear()
    gazu.task.assign_task(task, production.artist)
    assigned = listener.wait_for("task:assign", lambda d: d.get("task_id") == task["id"])
    assert assigned == {
        "task_id": task["id"],
        "person_id": production.artist["id"],
        "project_id": project["id"],
    }
    listener.wait_for("task:update", lambda d: d.get("task_id") == task["id"])


def test_nothing_for_a_refused_write(listener, production, api_url):
    artist = artist_client(api_url, production.artist_email)
    listener.clear()
    # A plain artist may not create shots: 403, and no event.
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.shot.new_shot(production.project, production.sequence, "REFUSED", client=artist)
    # A comment with an unknown status is refused too.
    task_type = gazu.task.all_task_types_for_project(production.project)[0]
    shot = production.shot
    tasks = gazu.task.all_tasks_for_shot(shot)
    task = tasks[0] if tasks else gazu.task.new_task(shot, task_type)
    listener.clear()
    with pytest.raises(Exception):
        gazu.task.add_comment(task, {"id": "00000000-0000-0000-0000-000000000000"}, "nope")
    # A write that succeeds afterwards is seen: the stream is alive.
    seq = gazu.shot.new_sequence(production.project, f"EVSQ{int(time.time() * 1000) % 100000}",
                                 episode=production.episode)
    listener.wait_for("sequence:new", lambda d: d.get("sequence_id") == seq["id"])
    assert listener.events("shot:new") == []
    assert listener.events("comment:new") == []


@pytest.mark.skipif(
    REFERENCE_IS_ZOU,
    reason="Zou 1.0.97's event stream, run by socketio.run under gevent, lets a connection "
    "without any token into /events although its connect handler means to refuse it "
    "(ConnectionRefusedError); Fennec refuses it (CONTRACT.md)",
)
def test_a_connection_without_token_is_refused(gazu_admin):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(event_host(gazu_admin.host), namespaces=["/events"], wait_timeout=5)
    client.disconnect()


def test_a_connection_with_the_token_in_the_auth_payload(gazu_admin, admin):
    # What Kitsu's front end does when it has no cookie to send.
    client = socketio.Client(reconnection=False)
    client.connect(
        event_host(gazu_admin.host),
        namespaces=["/events"],
        auth={"token": admin.access_token},
        wait_timeout=5,
    )
    assert "/events" in client.namespaces
    client.disconnect()


@pytest.mark.skipif(
    REFERENCE_IS_ZOU or not os.environ.get("FENNEC_TEST_DATABASE_URL"),
    reason="two Fennec replicas on one PostgreSQL (Zou runs one event stream)",
)
def test_events_cross_replicas_in_commit_order(tmp_path):
    from conftest import _drop_postgres_database, _fresh_postgres_url, _stop, _wait_until_up
    from support import ADMIN_EMAIL, ADMIN_PASSWORD
    from test_replicas import _start

    maintenance = os.environ["FENNEC_TEST_DATABASE_URL"]
    database_url, name = _fresh_postgres_url(maintenance)
    servers = []
    try:
        servers = [_start(database_url, "s" * 32, tmp_path, n) for n in ("a", "b")]
        for s in servers:
            _wait_until_up(s, 60)
        writer = gazu.client.create_client(servers[0].api_url)
        gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD, client=writer)
        reader = gazu.client.create_client(servers[1].api_url)
        gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD, client=reader)
        listener = Listener(reader)
        time.sleep(0.3)
        try:
            project = gazu.project.new_project("Replicated", client=writer)
            sequence = gazu.shot.new_sequence(project, "SQ01", client=writer)
            started = time.monotonic()
            shots = [gazu.shot.new_shot(project, sequence, f"SH{i:03}", client=writer)
                     for i in range(5)]
            listener.wait_for("shot:new", lambda d: d.get("shot_id") == shots[-1]["id"],
                              timeout=1.0 + (time.monotonic() - started))
            received = [d["shot_id"] for d in listener.events("shot:new")]
            assert received == [s["id"] for s in shots]
            # Refused through the other replica: nothing arrives.
            listener.clear()
            with pytest.raises(gazu.exception.ParameterException):
                gazu.shot.new_shot(project, sequence, "", client=writer)
            time.sleep(1.0)
            assert listener.events("shot:new") == []
        finally:
            listener.close()
    finally:
        for s in servers:
            _stop(s.process)
        _drop_postgres_database(maintenance, name)


def test_the_event_log_lists_a_productions_events(gazu_admin, production, api_url):
    # gazu.sync.get_last_events reads Zou's event log (data/events/last).
    project = production.project
    seq = gazu.shot.new_sequence(project, f"LOG{int(time.time() * 1000) % 100000}",
                                 episode=production.episode)
    logged = gazu.sync.get_last_events(project=project, name="sequence:new", limit=1000)
    mine = [e for e in logged if e["data"].get("sequence_id") == seq["id"]]
    assert len(mine) == 1
    event = mine[0]
    assert list(event) == ["id", "created_at", "name", "user_id", "project_id", "data"]
    assert event["name"] == "sequence:new"
    assert event["project_id"] == project["id"]
    assert event["data"] == {"sequence_id": seq["id"], "project_id": project["id"]}
    assert all(e["name"] == "sequence:new" and e["project_id"] == project["id"] for e in logged)
    # Paging with the cursor: older than the given event.
    older = gazu.client.get(
        "data/events/last",
        params={"project_id": project["id"], "cursor_event_id": logged[0]["id"]},
    )
    assert all(e["created_at"] <= logged[0]["created_at"] for e in older)
    # An artist may not read the log.
    artist = artist_client(api_url, production.artist_email)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.sync.get_last_events(project=project, client=artist)
