"""Live events of Fennec's other writes (issue 15), with Zou's names and payloads.

test_events.py covers the endpoint, commit order and the replicas; this
module checks, for a representative write of each area, that a gazu.events
client receives what Zou 1.0.97 emits for it: the name, and the payload
with its keys and values. It also checks the event log keeps out the live
signals Zou does not persist (``persist=False``: chats, acknowledgements,
a reply's removal, ``notification:new``).

Run first against Zou (its event stream, on the API's port + 1), then Fennec.
"""

from __future__ import annotations

import datetime
import threading
import time

import gazu
import gazu.events
import pytest

import requests

from support import REFERENCE_IS_ZOU, artist_client, unique
from test_events import event_host


def wait_for_event_stream(api_url: str, timeout: float = 60.0) -> None:
    """Zou's event stream is a second process, started beside its API and
    sometimes ready later: wait (bounded) until it answers."""
    if not REFERENCE_IS_ZOU:
        return
    url = event_host(api_url) + "/socket.io/?EIO=4&transport=polling"
    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


class CatchAll:
    """A gazu.events client keeping every event of the /events namespace."""

    def __init__(self, client):
        wait_for_event_stream(client.host)
        self.lock = threading.Lock()
        self.received: list[tuple[str, dict]] = []
        client.event_host = event_host(client.host)
        self.client = gazu.events.init(client=client, reconnection=False)
        # python-socketio's catch-all handler gets the event's name first.
        self.client.on("*", self._keep, namespace="/events")

    def _keep(self, name, data):
        with self.lock:
            self.received.append((name, data))

    def wait_for(self, name: str, timeout: float = 5.0, **match) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for n, d in self.received:
                    if n == name and all(d.get(k) == v for k, v in match.items()):
                        return d
            time.sleep(0.05)
        with self.lock:
            got = [(n, d) for n, d in self.received]
        pytest.fail(f"no {name} event matching {match} within {timeout}s; received {got}")

    def close(self):
        self.client.disconnect()


@pytest.fixture
def events(gazu_admin):
    listener = CatchAll(gazu_admin)
    time.sleep(0.3)
    yield listener
    listener.close()


@pytest.fixture
def task(production):
    task_type = gazu.task.all_task_types_for_project(production.project)[0]
    shot = gazu.shot.new_shot(production.project, production.sequence, unique("EC"))
    return gazu.task.new_task(shot, task_type)


def test_task_writes(events, production, task):
    project_id = production.project["id"]
    # gazu.task.new_task is Zou's generic POST /data/tasks.
    assert events.wait_for("task:new", task_id=task["id"]) == {
        "task_id": task["id"], "project_id": project_id}

    artist = production.artist
    gazu.task.assign_task(task, artist)
    day = datetime.date.today().isoformat()
    spent = gazu.task.set_time_spent(task, artist, day, 60)
    assert events.wait_for("time-spent:new", time_spent_id=spent["id"]) == {
        "time_spent_id": spent["id"], "project_id": project_id}
    gazu.task.add_time_spent(task, artist, day, 30)
    assert events.wait_for("time-spent:update", time_spent_id=spent["id"]) == {
        "time_spent_id": spent["id"], "project_id": project_id}
    events.wait_for("task:update", task_id=task["id"])

    gazu.task.clear_assignations([task], person=artist)
    assert events.wait_for("task:unassign", task_id=task["id"]) == {
        "person_id": artist["id"], "task_id": task["id"], "project_id": project_id}

    # The generic update of a task, assignees included (Zou's post_update).
    gazu.client.put(f"data/tasks/{task['id']}", {"assignees": [artist["id"]]})
    assert events.wait_for("task:assign", task_id=task["id"], person_id=artist["id"]) == {
        "task_id": task["id"], "person_id": artist["id"], "project_id": project_id}
    update = events.wait_for("task:update", task_id=task["id"])
    assert update == {"task_id": task["id"], "project_id": project_id}


def test_comment_replies_acknowledgements_and_notifications(events, production, task, api_url):
    project_id = production.project["id"]
    gazu.task.assign_task(task, production.artist)
    wip = gazu.task.get_task_status_by_short_name("wip")
    comment = gazu.task.add_comment(task, wip, "take a look")
    # The assignee is notified (a live signal only).
    note = events.wait_for("notification:new", person_id=production.artist["id"])
    assert sorted(note) == ["notification_id", "person_id", "project_id"]
    assert note["project_id"] == project_id

    reply = gazu.task.reply_to_comment(task, comment, "done")
    assert events.wait_for("comment:reply", reply_id=reply["id"]) == {
        "task_id": task["id"], "comment_id": comment["id"], "reply_id": reply["id"],
        "project_id": project_id}

    me = gazu.client.get_current_user()
    gazu.task.acknowledge_comment(task, comment)
    assert events.wait_for("comment:acknowledge", comment_id=comment["id"]) == {
        "comment_id": comment["id"], "person_id": me["id"], "project_id": project_id}
    gazu.task.acknowledge_comment(task, comment)
    assert events.wait_for("comment:unacknowledge", comment_id=comment["id"]) == {
        "comment_id": comment["id"], "person_id": me["id"], "project_id": project_id}

    gazu.client.delete(f"data/tasks/{task['id']}/comments/{comment['id']}/reply/{reply['id']}")
    assert events.wait_for("comment:delete-reply", reply_id=reply["id"]) == {
        "task_id": task["id"], "comment_id": comment["id"], "reply_id": reply["id"],
        "project_id": project_id}

    # The artist reads his notification.
    artist = artist_client(api_url, production.artist_email)
    mine = gazu.user.all_notifications(client=artist)
    assert mine
    gazu.client.put(f"data/user/notifications/{mine[0]['id']}", {"read": True}, client=artist)
    assert events.wait_for("notification:read", notification_id=mine[0]["id"]) == {
        "person_id": production.artist["id"], "notification_id": mine[0]["id"]}

    # Zou's log keeps the reply, not the live signals.
    logged = {e["name"] for e in gazu.sync.get_last_events(project=production.project, limit=1000)}
    assert "comment:reply" in logged
    assert not logged & {"comment:acknowledge", "comment:unacknowledge",
                         "comment:delete-reply", "notification:new"}


def test_production_settings_people_and_schedule(events, production):
    project = production.project
    descriptor = gazu.project.add_metadata_descriptor(project, unique("Colour "), "Asset")
    assert events.wait_for("metadata-descriptor:new",
                           metadata_descriptor_id=descriptor["id"]) == {
        "metadata_descriptor_id": descriptor["id"], "project_id": project["id"]}

    person = gazu.person.new_person("Event", unique("Person"), f"{unique('ev')}@example.com")
    gazu.project.add_person_to_team(project, person)
    assert events.wait_for("project:update", project_id=project["id"]) == {
        "project_id": project["id"]}

    department = gazu.person.new_department(unique("Events dept "))
    gazu.person.add_person_to_department(person, department)
    assert events.wait_for("person:update", person_id=person["id"]) == {"person_id": person["id"]}

    task_type = gazu.task.all_task_types_for_project(project)[0]
    item = gazu.client.post("data/schedule-items", {
        "project_id": project["id"], "task_type_id": task_type["id"],
        "object_id": production.sequence["id"]})
    assert events.wait_for("schedule-item:new", schedule_item_id=item["id"]) == {
        "schedule_item_id": item["id"], "project_id": project["id"]}
    gazu.client.put(f"data/schedule-items/{item['id']}", {"man_days": 3})
    assert events.wait_for("schedule-item:update", schedule_item_id=item["id"]) == {
        "schedule_item_id": item["id"], "project_id": project["id"]}


def test_chats(events, production):
    shot = production.shot
    chat = gazu.user.join_chat(shot)
    me = gazu.client.get_current_user()
    assert events.wait_for("chat:joined", chat_id=chat["id"]) == {
        "chat_id": chat["id"], "person_id": me["id"]}
    message = gazu.client.post(f"data/entities/{shot['id']}/chat/messages", {"message": "hi"})
    assert events.wait_for("chat:new-message", chat_message_id=message["id"]) == {
        "chat_id": chat["id"], "chat_message_id": message["id"],
        "last_message": message["created_at"]}
    gazu.client.delete(f"data/entities/{shot['id']}/chat/messages/{message['id']}")
    assert events.wait_for("chat:deleted-message", chat_message_id=message["id"]) == {
        "chat_id": chat["id"], "chat_message_id": message["id"]}
    gazu.user.leave_chat(shot)
    assert events.wait_for("chat:left", chat_id=chat["id"]) == {
        "chat_id": chat["id"], "person_id": me["id"]}
