"""Comment attachments as Zou 1.0.97 serves them: gazu's add_comment with
attachments (a multipart form), add_attachment_files_to_comment,
delete_comment_attachment, batch_comments with attachment files,
files.get_attachment_file and files.download_attachment_file (the bytes
come back as sent); the comment reads list them (ids on the comment, short
entries on the task's comment list); removing a comment removes its
files. Rights: the comment's author or the production's managers change
its files; someone outside the production cannot read them. Wrong ids get
Zou's answers.

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique

TIMEOUT = 30
MISSING = "00000000-0000-4000-8000-000000000000"
PRESENT_KEYS = ["id", "name", "extension", "size"]
LIST_KEYS = ["id", "name", "extension", "reply_id", "size"]
ROW_KEYS = {
    "name", "size", "extension", "mimetype", "comment_id", "reply_id", "chat_message_id",
    "id", "created_at", "updated_at", "type", "comment", "chat_message",
}


def raises(status: int, fn, *args, **kwargs):
    with pytest.raises(Exception) as info:
        fn(*args, **kwargs)
    got = info.value
    code = {
        gazu.exception.NotAllowedException: 403,
        gazu.exception.RouteNotFoundException: 404,
        gazu.exception.ParameterException: 400,
    }.get(type(got))
    assert code == status, f"{type(got).__name__}: {got}"
    return got


@pytest.fixture(scope="module")
def w(api_url, admin, tmp_path_factory):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"ATT {tag}", production_type="short")
    people, clients, tokens = {}, {}, {}
    for name, role in (("artist", "user"), ("other", "user"), ("manager", "manager"), ("outsider", "user")):
        email = f"att-{name}-{tag}@example.com"
        people[name] = gazu.person.new_person(name.title(), tag, email, password=ARTIST_PASSWORD, role=role)
        if name != "outsider":
            gazu.project.add_person_to_team(project, people[name])
        clients[name] = artist_client(api_url, email)
        r = requests.post(
            f"{api_url}/auth/login", json={"email": email, "password": ARTIST_PASSWORD}, timeout=TIMEOUT,
        )
        tokens[name] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    seq = gazu.shot.new_sequence(project, "SQ01")
    shot = gazu.shot.new_shot(project, seq, "SH010")
    anim = gazu.task.get_task_type_by_name("Animation")
    layout = gazu.task.get_task_type_by_name("Layout")
    task = gazu.task.new_task(shot, anim)
    other_task = gazu.task.new_task(shot, layout)
    for t in (task, other_task):
        gazu.task.assign_task(t, people["artist"])
    wip = gazu.task.get_task_status_by_short_name("wip")
    folder = tmp_path_factory.mktemp("attachments")
    files = {}
    for name, content in (
        ("notes.txt", b"first notes\n"),
        ("frame.PNG", b"\x89PNG\r\n\x1a\n" + os.urandom(300)),
        ("data.json", b'{"a": 1}'),
        ("mesh.obj", b"v 0 0 0\n" * 50),
        ("batch.txt", b"from the batch"),
    ):
        path = folder / name
        path.write_bytes(content)
        files[name] = (str(path), content)
    return SimpleNamespace(
        tag=tag, project=project, people=people, clients=clients, tokens=tokens, task=task,
        other_task=other_task, wip=wip, files=files, folder=folder, api_url=api_url, admin=admin,
    )


def ids_of(comment):
    return sorted(f["id"] for f in comment["attachment_files"])


def download(w, attachment, client):
    target = w.folder / f"dl-{unique()}"
    gazu.files.download_attachment_file(attachment, str(target), client=client)
    return target.read_bytes()


def test_comment_with_attachments_round_trip(w):
    path, content = w.files["notes.txt"]
    png_path, png = w.files["frame.PNG"]
    c = gazu.task.add_comment(
        w.task, w.wip, "with files", attachments=[path, png_path], client=w.clients["artist"],
    )
    files = c["attachment_files"]
    assert [list(f) for f in files] == [PRESENT_KEYS, PRESENT_KEYS]
    by_name = {f["name"]: f for f in files}
    w.comment = c
    w.first_files = by_name
    assert set(by_name) == {"notes.txt", "frame.PNG"}
    assert by_name["notes.txt"]["extension"] == "txt"
    assert by_name["notes.txt"]["size"] == len(content)
    assert by_name["frame.PNG"]["extension"] == "png"
    assert by_name["frame.PNG"]["size"] == len(png)
    # The comment read presents the files; the task's list adds reply_id.
    read = gazu.task.get_comment(c["id"], client=w.clients["artist"])
    assert sorted(map(list, read["attachment_files"])) == [PRESENT_KEYS, PRESENT_KEYS]
    assert ids_of(read) == sorted(f["id"] for f in files)
    listed = [x for x in gazu.task.all_comments_for_task(w.task, client=w.clients["artist"]) if x["id"] == c["id"]]
    assert len(listed) == 1
    assert [list(f) for f in listed[0]["attachment_files"]] == [LIST_KEYS, LIST_KEYS]
    assert {f["id"] for f in listed[0]["attachment_files"]} == {f["id"] for f in files}
    assert all(f["reply_id"] is None for f in listed[0]["attachment_files"])
    # The row, then the bytes, for the author and for a team mate.
    row = gazu.files.get_attachment_file(by_name["notes.txt"]["id"], client=w.clients["other"])
    assert set(row) == ROW_KEYS, repr(sorted(row.items()))
    assert row["type"] == "AttachmentFile"
    assert row["comment_id"] == c["id"]
    assert row["chat_message_id"] is None
    # Zou serialises the relations too: the comment whole, no chat message.
    assert row["comment"]["id"] == c["id"] and row["comment"]["text"] == "with files"
    assert "attachment_files" not in row["comment"]
    assert row["chat_message"] is None
    # requests sends no Content-Type for a file part: Werkzeug reads "".
    assert row["mimetype"] == ""
    assert download(w, by_name["notes.txt"], w.clients["artist"]) == content
    assert download(w, by_name["frame.PNG"]["id"], w.clients["other"]) == png


def test_download_headers(w):
    png = w.first_files["frame.PNG"]
    txt = w.first_files["notes.txt"]
    r = requests.get(
        f"{w.api_url}/data/attachment-files/{txt['id']}/file/{txt['name']}",
        headers=w.tokens["artist"], timeout=TIMEOUT,
    )
    assert r.status_code == 200
    assert r.headers["Content-Disposition"].startswith("attachment")
    r = requests.get(
        f"{w.api_url}/data/attachment-files/{png['id']}/file/anything.png",
        headers=w.tokens["artist"], timeout=TIMEOUT,
    )
    assert r.status_code == 200


def test_add_more_files_and_delete_one(w):
    json_path, json_content = w.files["data.json"]
    obj_path, obj_content = w.files["mesh.obj"]
    added = gazu.task.add_attachment_files_to_comment(
        w.task, w.comment, [json_path, obj_path], client=w.clients["artist"],
    )
    # Only the new files are answered.
    assert sorted(f["name"] for f in added) == ["data.json", "mesh.obj"]
    assert [list(f) for f in added] == [PRESENT_KEYS, PRESENT_KEYS]
    read = gazu.task.get_comment(w.comment["id"], client=w.clients["artist"])
    assert len(read["attachment_files"]) == 4
    mesh = next(f for f in added if f["name"] == "mesh.obj")
    assert download(w, mesh, w.clients["manager"]) == obj_content
    gazu.task.delete_comment_attachment(w.task, w.comment, mesh, client=w.clients["artist"])
    read = gazu.task.get_comment(w.comment["id"], client=w.clients["artist"])
    assert len(read["attachment_files"]) == 3
    assert mesh["id"] not in ids_of(read)
    raises(404, gazu.files.get_attachment_file, mesh["id"], client=w.clients["artist"])
    r = requests.get(
        f"{w.api_url}/data/attachment-files/{mesh['id']}/file/mesh.obj",
        headers=w.tokens["artist"], timeout=TIMEOUT,
    )
    assert r.status_code == 404
    # A manager of the production may remove the artist's file.
    data = next(f for f in added if f["name"] == "data.json")
    gazu.task.delete_comment_attachment(w.task, w.comment, data, client=w.clients["manager"])
    read = gazu.task.get_comment(w.comment["id"], client=w.clients["artist"])
    assert ids_of(read) == sorted(f["id"] for f in w.first_files.values())


def test_rights(w):
    path, _ = w.files["notes.txt"]
    txt = w.first_files["notes.txt"]
    # A team mate who did not write the comment changes nothing.
    raises(403, gazu.task.add_attachment_files_to_comment, w.task, w.comment, [path], client=w.clients["other"])
    raises(403, gazu.task.delete_comment_attachment, w.task, w.comment, txt, client=w.clients["other"])
    # Someone outside the production reads nothing.
    raises(403, gazu.files.get_attachment_file, txt["id"], client=w.clients["outsider"])
    r = requests.get(
        f"{w.api_url}/data/attachment-files/{txt['id']}/file/notes.txt",
        headers=w.tokens["outsider"], timeout=TIMEOUT,
    )
    assert r.status_code == 403
    read = gazu.task.get_comment(w.comment["id"], client=w.clients["artist"])
    assert len(read["attachment_files"]) == 2


def test_wrong_ids(w):
    path, _ = w.files["notes.txt"]
    txt = w.first_files["notes.txt"]
    client = w.clients["artist"]
    # The comment must be on the route's task.
    raises(403, gazu.task.add_attachment_files_to_comment, w.other_task, w.comment, [path], client=client)
    raises(403, gazu.task.delete_comment_attachment, w.other_task, w.comment, txt, client=client)
    raises(404, gazu.task.add_attachment_files_to_comment, w.task, MISSING, [path], client=client)
    raises(404, gazu.task.delete_comment_attachment, w.task, MISSING, txt, client=client)
    raises(404, gazu.task.delete_comment_attachment, w.task, w.comment, MISSING, client=client)
    raises(404, gazu.files.get_attachment_file, MISSING, client=client)
    r = requests.get(
        f"{w.api_url}/data/attachment-files/{MISSING}/file/x.txt", headers=w.tokens["artist"], timeout=TIMEOUT,
    )
    assert r.status_code == 404
    # A file of another comment cannot be removed through one's own.
    own = gazu.task.add_comment(w.other_task, w.wip, "mine", client=client)
    raises(403, gazu.task.delete_comment_attachment, w.other_task, own, txt, client=client)
    read = gazu.task.get_comment(w.comment["id"], client=client)
    assert txt["id"] in ids_of(read)


def test_batch_comments_with_files(w):
    path, content = w.files["batch.txt"]
    notes, _ = w.files["notes.txt"]
    out = gazu.task.batch_comments(
        [
            {"task_status_id": w.wip["id"], "text": "batch one", "attachment_files": [path, notes]},
            {"task_status_id": w.wip["id"], "text": "batch two"},
        ],
        task=w.task,
        client=w.clients["artist"],
    )
    assert len(out) == 2
    assert sorted(f["name"] for f in out[0]["attachment_files"]) == ["batch.txt", "notes.txt"]
    assert out[1]["attachment_files"] == []
    batch_file = next(f for f in out[0]["attachment_files"] if f["name"] == "batch.txt")
    assert download(w, batch_file, w.clients["artist"]) == content
    out = gazu.task.batch_comments(
        [{"task_id": w.other_task["id"], "task_status_id": w.wip["id"], "text": "elsewhere",
          "attachment_files": [path]}],
        client=w.clients["artist"],
    )
    assert [f["name"] for f in out[0]["attachment_files"]] == ["batch.txt"]
    w.batch_comment = out[0]


def test_removing_the_comment_removes_its_files(w):
    ids = [f["id"] for f in w.first_files.values()]
    gazu.task.remove_comment(w.comment, client=w.clients["artist"])
    for attachment_id in ids:
        raises(404, gazu.files.get_attachment_file, attachment_id, client=w.clients["manager"])
    w.admin.activate()
    batch_file = w.batch_comment["attachment_files"][0]
    gazu.task.remove_comment(w.batch_comment)
    raises(404, gazu.files.get_attachment_file, batch_file["id"])
