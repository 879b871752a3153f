"""Issue 12: the comment functions of gazu's task module as Zou 1.0.97
serves them: mentions of people and departments stored with a comment,
replies (gazu's reply_to_comment, delete_comment_reply), acknowledgements
(acknowledge_comment, a toggle), moving a comment to another task of the
entity (move_comment_to_task), batch comments (batch_comments without
files, add_tasks_batch_comments), create_multiple_comments (gazu's
multipart is refused, the JSON array is served) and a production's
comments (all_comments_for_project, with Zou's paging); for an artist and
a manager, with Zou's errors for wrong ids.

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique

TIMEOUT = 30
MISSING = "00000000-0000-4000-8000-000000000000"
COMMENT_KEYS = [
    "shotgun_id", "object_id", "object_type", "text", "data", "replies", "checklist", "pinned",
    "for_client", "links", "task_status_id", "person_id", "editor_id", "preview_file_id",
    "previews", "id", "created_at", "updated_at", "type",
    "mentions", "department_mentions", "acknowledgements", "attachment_files",
]
# The production's list has its relation lists after the columns.
PLAIN_COMMENT_KEYS = [k for k in COMMENT_KEYS[:19] if k != "previews"]
PROJECT_COMMENT_KEYS = PLAIN_COMMENT_KEYS + [
    "previews", "mentions", "department_mentions", "acknowledgements", "attachment_files",
]
STORED_REPLY_KEYS = [
    "id", "date", "text", "mentions", "person_id", "created_at", "department_mentions", "person",
]
SHORT_PERSON_KEYS = ["id", "first_name", "last_name", "full_name", "has_avatar", "role"]
REPLY_KEYS = ["id", "date", "person_id", "text", "mentions", "department_mentions", "created_at", "person"]


def status_of(exc) -> int:
    return getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)


def raises(status: int, fn, *args, **kwargs):
    with pytest.raises(Exception) as info:
        fn(*args, **kwargs)
    got = info.value
    code = {
        gazu.exception.NotAllowedException: 403,
        gazu.exception.RouteNotFoundException: 404,
        gazu.exception.ParameterException: 400,
        gazu.exception.MethodNotAllowedException: 405,
    }.get(type(got))
    assert code == status, f"{type(got).__name__}: {got}"
    return got


class Http:
    def __init__(self, api_url: str, email: str, password: str = ARTIST_PASSWORD):
        r = requests.post(f"{api_url}/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT)
        r.raise_for_status()
        self.api_url = api_url
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def get(self, path, params=None):
        return requests.get(f"{self.api_url}/{path}", params=params, headers=self.headers, timeout=TIMEOUT)

    def post(self, path, **kwargs):
        return requests.post(f"{self.api_url}/{path}", headers=self.headers, timeout=TIMEOUT, **kwargs)


@pytest.fixture(scope="module")
def w(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"CA {tag}", production_type="short")
    department = gazu.person.new_department(f"CADept{tag}")
    people, clients, http = {}, {}, {}
    for name, role in (("artist", "user"), ("other", "user"), ("manager", "manager")):
        email = f"ca-{name}-{tag}@example.com"
        people[name] = gazu.person.new_person(
            name.title(), tag, email, password=ARTIST_PASSWORD, role=role,
        )
        gazu.project.add_person_to_team(project, people[name])
        clients[name] = artist_client(api_url, email)
        http[name] = Http(api_url, email)
    seq = gazu.shot.new_sequence(project, "SQ01")
    shot = gazu.shot.new_shot(project, seq, "SH010")
    character = gazu.asset.get_asset_type_by_name("Character")
    asset = gazu.asset.new_asset(project, character, f"Hero {tag}")
    anim = gazu.task.get_task_type_by_name("Animation")
    layout = gazu.task.get_task_type_by_name("Layout")
    modeling = gazu.task.get_task_type_by_name("Modeling")
    shot_task = gazu.task.new_task(shot, anim)
    layout_task = gazu.task.new_task(shot, layout)
    asset_task = gazu.task.new_task(asset, modeling)
    for t in (shot_task, layout_task, asset_task):
        gazu.task.assign_task(t, people["artist"])
    wip = gazu.task.get_task_status_by_short_name("wip")
    todo = gazu.task.get_task_status_by_short_name("todo")
    return SimpleNamespace(
        tag=tag, project=project, department=department, people=people, clients=clients, http=http,
        shot=shot, shot_task=shot_task, layout_task=layout_task, asset_task=asset_task, wip=wip, todo=todo,
        api_url=api_url, admin=admin,
    )


def test_comment_stores_its_mentions(w):
    w.admin.activate()
    text = f"Look @Artist {w.tag} and @CADept{w.tag} please"
    c = gazu.task.add_comment(w.shot_task, w.wip, text, client=w.clients["manager"])
    assert c["mentions"] == [w.people["artist"]["id"]]
    assert c["department_mentions"] == [w.department["id"]]
    read = gazu.task.get_comment(c["id"])
    assert read["mentions"] == [w.people["artist"]["id"]]
    assert read["department_mentions"] == [w.department["id"]]
    # A name must end with a space or the text: "@Artist tagX" is no one.
    c2 = gazu.task.add_comment(w.shot_task, w.wip, f"@Artist {w.tag}x and @Nobody", client=w.clients["manager"])
    assert c2["mentions"] == [] and c2["department_mentions"] == []
    listed = {x["id"]: x for x in gazu.task.all_comments_for_task(w.shot_task)}
    assert c["id"] in listed
    assert listed[c["id"]]["mentions"] == [w.people["artist"]["id"]]


def test_reply_and_delete_reply(w):
    w.admin.activate()
    c = gazu.task.add_comment(w.shot_task, w.wip, "Please fix", client=w.clients["manager"])
    reply = gazu.task.reply_to_comment(
        w.shot_task, c, f"On it @Manager {w.tag}", person=w.people["manager"], client=w.clients["artist"])
    assert list(reply) == REPLY_KEYS
    # Zou's route ignores the person sent: the reply is the caller's.
    assert reply["person_id"] == w.people["artist"]["id"]
    assert reply["mentions"] == [w.people["manager"]["id"]]
    assert reply["person"]["id"] == w.people["artist"]["id"]
    assert list(reply["person"]) == SHORT_PERSON_KEYS
    assert len(reply["date"]) == 19 and reply["date"] == reply["created_at"]
    read = gazu.task.get_comment(c["id"])
    assert [r["id"] for r in read["replies"]] == [reply["id"]]
    # Stored as JSONB (key order by length), the author embedded on read.
    assert list(read["replies"][0]) == STORED_REPLY_KEYS
    assert list(read["replies"][0]["person"]) == SHORT_PERSON_KEYS

    # Someone neither assigned nor mentioned may not answer.
    raises(403, gazu.task.reply_to_comment, w.shot_task, c, "me too", client=w.clients["other"])
    # The comment must be on the task named.
    raises(403, gazu.task.reply_to_comment, w.layout_task, c, "wrong task", client=w.clients["artist"])
    raises(404, gazu.task.reply_to_comment, w.shot_task, MISSING, "nothing", client=w.clients["artist"])
    r = w.http["artist"].post(f"data/tasks/{w.shot_task['id']}/comments/not-an-id/reply", json={"text": "x"})
    assert r.status_code == 404
    r = w.http["artist"].post(f"data/tasks/{w.shot_task['id']}/comments/{c['id']}/reply", json={"text": 3})
    assert r.status_code == 400

    # The author manages his reply; others than admins may not.
    raises(403, gazu.task.delete_comment_reply, w.shot_task, c, reply, client=w.clients["manager"])
    raises(404, gazu.task.delete_comment_reply, w.shot_task, c, MISSING, client=w.clients["artist"])
    raises(404, gazu.task.delete_comment_reply, w.shot_task, MISSING, reply, client=w.clients["artist"])
    r = w.http["artist"].post(f"data/tasks/{w.shot_task['id']}/comments/{c['id']}/reply", json={"text": "second"})
    assert r.status_code == 200
    second = r.json()
    # gazu answers the body as text.
    out = json.loads(gazu.task.delete_comment_reply(w.shot_task, c, reply, client=w.clients["artist"]))
    assert list(out) == PLAIN_COMMENT_KEYS
    assert [x["id"] for x in out["replies"]] == [second["id"]]
    out = json.loads(gazu.task.delete_comment_reply(w.shot_task, c, second))  # the admin
    assert out["replies"] == []


def test_acknowledge_toggles(w):
    w.admin.activate()
    c = gazu.task.add_comment(w.shot_task, w.wip, "Ack me", client=w.clients["manager"])
    out = gazu.task.acknowledge_comment(w.shot_task, c, client=w.clients["artist"])
    assert list(out) == COMMENT_KEYS
    assert out["acknowledgements"] == [w.people["artist"]["id"]]
    out = gazu.task.acknowledge_comment(w.shot_task, c, client=w.clients["manager"])
    assert sorted(out["acknowledgements"]) == sorted([w.people["artist"]["id"], w.people["manager"]["id"]])
    out = gazu.task.acknowledge_comment(w.shot_task, c, client=w.clients["artist"])
    assert out["acknowledgements"] == [w.people["manager"]["id"]]
    assert gazu.task.get_comment(c["id"])["acknowledgements"] == [w.people["manager"]["id"]]
    raises(404, gazu.task.acknowledge_comment, w.shot_task, MISSING, client=w.clients["artist"])
    raises(404, gazu.task.acknowledge_comment, MISSING, c, client=w.clients["artist"])
    # Removing a comment takes its acknowledgements and mentions along.
    m = gazu.task.add_comment(w.shot_task, w.wip, f"@Artist {w.tag}", client=w.clients["manager"])
    gazu.task.acknowledge_comment(w.shot_task, m, client=w.clients["artist"])
    gazu.task.remove_comment(m)
    raises(404, gazu.task.get_comment, m["id"])


def test_move_comment(w):
    w.admin.activate()
    c = gazu.task.add_comment(w.shot_task, w.todo, "Move me", client=w.clients["manager"])
    raises(403, gazu.task.move_comment_to_task, w.shot_task, c, w.layout_task, client=w.clients["artist"])
    with pytest.raises(gazu.exception.ParameterException) as info:
        gazu.task.move_comment_to_task(w.layout_task, c, w.shot_task, client=w.clients["manager"])
    assert "does not belong" in str(info.value)
    with pytest.raises(gazu.exception.ParameterException) as info:
        gazu.task.move_comment_to_task(w.shot_task, c, w.asset_task, client=w.clients["manager"])
    assert "same entity" in str(info.value)
    with pytest.raises(gazu.exception.ParameterException):
        gazu.task.move_comment_to_task(w.shot_task, c, w.shot_task, client=w.clients["manager"])
    raises(404, gazu.task.move_comment_to_task, w.shot_task, c, MISSING, client=w.clients["manager"])
    raises(404, gazu.task.move_comment_to_task, w.shot_task, MISSING, w.layout_task, client=w.clients["manager"])
    moved = gazu.task.move_comment_to_task(w.shot_task, c, w.layout_task, client=w.clients["manager"])
    assert list(moved) == COMMENT_KEYS
    assert moved["object_id"] == w.layout_task["id"]
    assert moved["created_at"] == c["created_at"]
    assert c["id"] in [x["id"] for x in gazu.task.all_comments_for_task(w.layout_task)]
    assert c["id"] not in [x["id"] for x in gazu.task.all_comments_for_task(w.shot_task)]
    # The target task takes the status the comment carries.
    assert gazu.task.get_task(w.layout_task["id"])["task_status_id"] == w.todo["id"]


def test_batch_comments(w):
    w.admin.activate()
    out = gazu.task.add_tasks_batch_comments(
        [w.shot_task, w.asset_task], {"task_status_id": w.wip["id"], "text": f"batch @CADept{w.tag}"},
        client=w.clients["manager"])
    assert [c["object_id"] for c in out] == [w.shot_task["id"], w.asset_task["id"]]
    assert list(out[0]) == COMMENT_KEYS + ["task_status", "person", "preview_files"]
    assert out[0]["preview_files"] == [] and out[0]["department_mentions"] == [w.department["id"]]
    assert out[0]["person_id"] == w.people["manager"]["id"]
    # An artist comments only on his tasks.
    mine = gazu.task.batch_comments([{"task_status_id": w.wip["id"], "text": "mine"}], task=w.shot_task,
                                    client=w.clients["artist"])
    assert [c["text"] for c in mine] == ["mine"]
    assert mine[0]["person_id"] == w.people["artist"]["id"]
    raises(403, gazu.task.batch_comments, [{"task_status_id": w.wip["id"], "text": "no"}], task=w.shot_task,
           client=w.clients["other"])
    raises(403, gazu.task.add_tasks_batch_comments, [w.shot_task], {"task_status_id": w.wip["id"], "text": "no"},
           client=w.clients["other"])
    raises(404, gazu.task.batch_comments, [{"task_status_id": w.wip["id"], "text": "no"}], task=MISSING,
           client=w.clients["manager"])
    r = w.http["manager"].post(f"actions/tasks/{w.shot_task['id']}/batch-comment", json={})
    assert r.status_code == 400 and r.json()["message"] == "Missing required parameter: comments"


def test_create_multiple_comments(w):
    w.admin.activate()
    # gazu posts a multipart form; Zou wants a JSON array.
    raises(400, gazu.task.create_multiple_comments, w.project, [
        {"object_id": w.asset_task["id"], "task_status_id": w.wip["id"], "comment": "many"}],
        client=w.clients["manager"])
    path = f"actions/projects/{w.project['id']}/tasks/comment-many"
    body = [
        {"object_id": w.asset_task["id"], "task_status_id": w.wip["id"], "comment": "many"},
        {"object_id": w.shot_task["id"], "task_status_id": w.wip["id"]},  # no text: skipped
    ]
    r = w.http["manager"].post(path, json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert [c["text"] for c in out] == ["many"]
    assert list(out[0]) == COMMENT_KEYS + ["task_status", "person"]
    # Not assigned: the comment is skipped, not refused.
    r = w.http["other"].post(path, json=body[:1])
    assert r.status_code == 201 and r.json() == []
    r = w.http["artist"].post(path, json=body[:1])
    assert r.status_code == 201 and [c["person_id"] for c in r.json()] == [w.people["artist"]["id"]]
    r = w.http["manager"].post(path, json={"object_id": w.asset_task["id"]})
    assert r.status_code == 400 and r.json()["message"] == "Request body must be a JSON array."
    # Zou's schema errors, item by item.
    r = w.http["manager"].post(path, json=[{"object_id": "bad"}])
    assert r.status_code == 400 and r.json()["data"]["errors"] == [{
        "field": "0.object_id",
        "message": "Input should be a valid UUID, invalid length: expected length 32 for simple format, found 3",
    }]
    r = w.http["manager"].post(path, json=[5, {"object_id": 5, "comment": 3, "links": "x"}])
    assert r.json()["data"]["errors"] == [
        {"field": "0", "message": "Input should be a valid dictionary or instance of BatchCommentItemSchema"},
        {"field": "1.object_id", "message": "UUID input should be a string, bytes or UUID object"},
        {"field": "1.comment", "message": "Input should be a valid string"},
        {"field": "1.links", "message": "Input should be a valid list"},
    ]
    r = w.http["manager"].post(path, json=[{"object_id": MISSING, "task_status_id": w.wip["id"], "comment": "x"}])
    assert r.status_code == 404


def test_all_comments_for_project(w):
    w.admin.activate()
    first = gazu.task.add_comment(w.asset_task, w.wip, "project one", client=w.clients["manager"])
    last = gazu.task.add_comment(w.asset_task, w.wip, "project two", client=w.clients["manager"])
    listed = gazu.task.all_comments_for_project(w.project, client=w.clients["manager"])
    ids = [c["id"] for c in listed]
    assert ids.index(last["id"]) < ids.index(first["id"])
    assert list(listed[0]) == PROJECT_COMMENT_KEYS
    assert all(c["object_id"] in (w.shot_task["id"], w.layout_task["id"], w.asset_task["id"]) for c in listed)
    # An artist of the team reads them too.
    assert len(gazu.task.all_comments_for_project(w.project, client=w.clients["artist"])) == len(listed)
    page = w.http["manager"].get(f"data/projects/{w.project['id']}/comments", params={"page": 1, "limit": 2}).json()
    assert list(page) == ["data", "total", "nb_pages", "limit", "offset", "page"]
    assert page["total"] == len(listed) and page["limit"] == 2 and len(page["data"]) == 2
    assert [c["id"] for c in page["data"]] == ids[:2]
    r = w.http["manager"].get(f"data/projects/{w.project['id']}/comments", params={"page": "x"})
    assert r.status_code == 400
    raises(404, gazu.task.all_comments_for_project, MISSING, client=w.clients["manager"])
    outsider = gazu.project.new_project(f"CA out {w.tag}", production_type="short")
    raises(403, gazu.task.all_comments_for_project, outsider, client=w.clients["manager"])


def test_comment_as_multipart_form(w):
    """gazu posts a comment with files as a multipart form: its text parts
    are the fields (the checklist as JSON text)."""
    path = f"actions/tasks/{w.shot_task['id']}/comment"
    fields = {
        "task_status_id": (None, w.wip["id"]),
        "comment": (None, f"form @Artist {w.tag}"),
        "checklist": (None, json.dumps([{"text": "hair", "checked": False}])),
    }
    r = w.http["artist"].post(path, files=fields)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["text"] == f"form @Artist {w.tag}" and c["checklist"] == [{"text": "hair", "checked": False}]
    assert c["mentions"] == [w.people["artist"]["id"]]
    # A file part is an attachment, with the part's content type as its
    # mimetype (test_comment_attachments checks them further).
    r = w.http["artist"].post(path, files={**fields, "file": ("a.png", b"\x89PNG", "image/png")})
    assert r.status_code == 201, r.text
    [attached] = r.json()["attachment_files"]
    assert attached["name"] == "a.png" and attached["size"] == 4 and attached["extension"] == "png"
    row = gazu.files.get_attachment_file(attached["id"], client=w.clients["artist"])
    assert row["mimetype"] == "image/png"


def test_mentioned_person_may_answer(w):
    """Zou lets someone mentioned in a task's conversation comment on it,
    without changing its status."""
    w.admin.activate()
    task = gazu.task.new_task(w.shot, gazu.task.new_task_type(f"CA Mention {w.tag}", for_entity="Shot"))
    raises(403, gazu.task.add_comment, task, w.wip, "not yet", client=w.clients["other"])
    gazu.task.add_comment(task, w.wip, f"What do you think @Other {w.tag}", client=w.clients["manager"])
    c = gazu.task.add_comment(task, w.wip, "I think so", client=w.clients["other"])
    assert c["person_id"] == w.people["other"]["id"]
    raises(403, gazu.task.add_comment, task, w.todo, "and a status", client=w.clients["other"])
    # Batches keep to the task action access.
    raises(403, gazu.task.batch_comments, [{"task_status_id": w.wip["id"], "text": "batch"}], task=task,
           client=w.clients["other"])


def test_retake_capping(w):
    """Zou refuses a retake past the production's (or the entity's) cap."""
    w.admin.activate()
    retake = gazu.task.get_task_status_by_short_name("retake")
    task = gazu.task.new_task(w.shot, gazu.task.new_task_type(f"CA Retake {w.tag}", for_entity="Shot"))
    gazu.project.update_project({"id": w.project["id"], "max_retakes": 1})
    try:
        gazu.task.add_comment(task, retake, "once", client=w.clients["manager"])
        gazu.task.add_comment(task, w.wip, "fixing", client=w.clients["manager"])
        with pytest.raises(gazu.exception.ParameterException) as info:
            gazu.task.add_comment(task, retake, "twice", client=w.clients["manager"])
        assert "No more retakes allowed on this task" in str(info.value)
        assert gazu.task.get_task(task["id"])["retake_count"] == 1
        # The entity's own cap wins over the production's.
        gazu.shot.update_shot_data(w.shot, {"max_retakes": 2})
        gazu.task.add_comment(task, retake, "twice now", client=w.clients["manager"])
        assert gazu.task.get_task(task["id"])["retake_count"] == 2
    finally:
        gazu.project.update_project({"id": w.project["id"], "max_retakes": 0})


def test_hashtags_copy_the_comment(w):
    """Zou posts a comment whose text tags other task types (#animation,
    #all) on the entity's tasks of those types, keeping their status."""
    w.admin.activate()
    seq = gazu.shot.get_sequence(w.shot["parent_id"])
    shot = gazu.shot.new_shot(w.project, seq, f"SH{w.tag[:3]}")
    anim = gazu.task.new_task(shot, gazu.task.get_task_type_by_name("Animation"))
    layout = gazu.task.new_task(shot, gazu.task.get_task_type_by_name("Layout"))
    lighting = gazu.task.new_task(shot, gazu.task.get_task_type_by_name("Lighting"))
    gazu.task.add_comment(layout, w.wip, "Timing is off #Animation #nothing", client=w.clients["manager"])
    copied = gazu.task.all_comments_for_task(anim)
    assert [c["text"] for c in copied] == ["Timing is off #Animation #nothing\n\n____\nFrom Layout task"]
    assert copied[0]["task_status"]["id"] == anim["task_status_id"]
    assert copied[0]["person"]["id"] == w.people["manager"]["id"]
    assert gazu.task.get_task(anim["id"])["task_status_id"] == anim["task_status_id"]
    assert gazu.task.all_comments_for_task(lighting) == []
    gazu.task.add_comment(anim, w.todo, "For everyone #all", client=w.clients["manager"])
    assert [c["text"] for c in gazu.task.all_comments_for_task(lighting)] == [
        "For everyone #all\n\n____\nFrom Animation task"]
    assert [c["text"] for c in gazu.task.all_comments_for_task(layout)][0] == (
        "For everyone #all\n\n____\nFrom Animation task")
