"""Issue 14: the files of previews and attachments, and the rest of gazu's
``files`` functions on previews and attachments.

* Deletes: a forced delete of a task, a shot, a sequence, a production or a
  comment takes the files of its previews and comment attachments off the
  media store (after the commit); a refused or soft delete keeps them.
  The files are looked for on disk, by id, under the server's media
  folder (or the S3 server's folder, see conftest's ``media_root``).

Checked against Zou 1.0.97 (``FENNEC_BIN=tests/gazu/zou_reference/fennec``,
which runs Zou with ``REMOVE_FILES=true``, as Fennec removes files at once).
Zou's cascades delete the attachments' rows of a removed task's comments
but leave their files; Fennec removes them (``REFERENCE_IS_ZOU``).
"""

from __future__ import annotations

from types import SimpleNamespace

import gazu
import pytest
import requests

from support import REFERENCE_IS_ZOU, unique
from test_preview_upload import make_png

TIMEOUT = 30


def files_of(root, ids):
    """The stored files whose name carries one of `ids`."""
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file() and any(i in p.name for i in ids)]


class Media:
    def __init__(self, root):
        self.root = root

    def assert_present(self, ids, why=""):
        for i in ids:
            assert files_of(self.root, [i]), f"{why}: no file of {i} under {self.root}"

    def assert_gone(self, ids, why=""):
        left = files_of(self.root, ids)
        assert not left, f"{why}: files left: {left}"


@pytest.fixture
def media(fennec_server):
    return Media(fennec_server.media_root)


def http(api_url, method, path, **kw):
    client = gazu.client.default_client
    headers = {"Authorization": f"Bearer {client.tokens['access_token']}"}
    return requests.request(method, f"{api_url}/{path}", headers=headers, timeout=TIMEOUT, **kw)


@pytest.fixture
def world(gazu_admin, tmp_path):
    tag = unique()
    project = gazu.project.new_project(f"MED {tag}")
    anim = gazu.task.get_task_type_by_name("Animation")
    status = gazu.task.get_task_status_by_short_name("wip")
    picture = tmp_path / "frame.png"
    picture.write_bytes(make_png(64, 36))
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"some notes " + tag.encode())
    sequence = gazu.shot.new_sequence(project, "SQ01")

    def shot_with_media(name):
        shot = gazu.shot.new_shot(project, sequence, name)
        task = gazu.task.new_task(shot, anim)
        comment, preview = gazu.task.publish_preview(
            task, status, comment="take", preview_file_path=str(picture))
        noted = gazu.task.add_comment(task, status, "notes", attachments=[str(notes)])
        return SimpleNamespace(
            shot=shot, task=task, comment=comment, preview=preview, noted=noted,
            previews=[preview["id"]],
            attachments=[f["id"] for f in noted["attachment_files"]],
        )

    return SimpleNamespace(
        project=project, sequence=sequence, status=status, picture=picture,
        notes=notes, shot_with_media=shot_with_media,
    )


def check_attachments_gone(media, ids, why):
    # Zou's cascades leave the files of a removed comment's attachments
    # (only its single-comment delete removes them).
    if REFERENCE_IS_ZOU:
        return
    media.assert_gone(ids, why)


def test_task_delete_removes_files_only_when_it_goes(world, media, api_url):
    one = world.shot_with_media("SH010")
    media.assert_present(one.previews + one.attachments, "after upload")
    # Refused without force (the task has comments and previews).
    response = http(api_url, "DELETE", f"data/tasks/{one.task['id']}")
    assert response.status_code == 400, response.text
    media.assert_present(one.previews + one.attachments, "refused task delete")
    response = http(api_url, "DELETE", f"data/tasks/{one.task['id']}", params={"force": "true"})
    assert response.status_code == 204, response.text
    media.assert_gone(one.previews, "forced task delete")
    check_attachments_gone(media, one.attachments, "forced task delete")


def test_bulk_task_delete_removes_files(world, media, api_url):
    one = world.shot_with_media("SH015")
    response = http(api_url, "POST", f"actions/projects/{world.project['id']}/delete-tasks",
                    json=[one.task["id"]])
    assert response.status_code == 200, response.text
    media.assert_gone(one.previews, "delete-tasks")
    check_attachments_gone(media, one.attachments, "delete-tasks")


def test_shot_and_sequence_deletes(world, media, api_url):
    one = world.shot_with_media("SH020")
    two = world.shot_with_media("SH030")
    # Without force a shot with tasks is only canceled: its files stay.
    response = http(api_url, "DELETE", f"data/shots/{one.shot['id']}")
    assert response.status_code == 204, response.text
    assert gazu.shot.get_shot(one.shot["id"])["canceled"] is True
    media.assert_present(one.previews + one.attachments, "canceled shot")
    response = http(api_url, "DELETE", f"data/shots/{one.shot['id']}", params={"force": "true"})
    assert response.status_code == 204, response.text
    media.assert_gone(one.previews, "forced shot delete")
    check_attachments_gone(media, one.attachments, "forced shot delete")
    media.assert_present(two.previews + two.attachments, "the other shot")
    # A sequence refused without force keeps its shots' files.
    response = http(api_url, "DELETE", f"data/sequences/{world.sequence['id']}")
    assert response.status_code == 400, response.text
    media.assert_present(two.previews + two.attachments, "refused sequence delete")
    response = http(api_url, "DELETE", f"data/sequences/{world.sequence['id']}",
                    params={"force": "true"})
    assert response.status_code == 204, response.text
    media.assert_gone(two.previews, "forced sequence delete")
    check_attachments_gone(media, two.attachments, "forced sequence delete")


def test_project_delete(world, media, api_url):
    one = world.shot_with_media("SH040")
    # An open production is not deleted: everything stays.
    response = http(api_url, "DELETE", f"data/projects/{world.project['id']}",
                    params={"force": "true"})
    assert response.status_code == 400, response.text
    media.assert_present(one.previews + one.attachments, "refused project delete")
    gazu.project.close_project(world.project)
    response = http(api_url, "DELETE", f"data/projects/{world.project['id']}",
                    params={"force": "true"})
    assert response.status_code == 204, response.text
    media.assert_gone(one.previews, "forced project delete")
    check_attachments_gone(media, one.attachments, "forced project delete")


def test_comment_delete_takes_its_preview_and_attachments(world, media, api_url):
    one = world.shot_with_media("SH050")
    # Zou's remove_comment removes the comment's previews with their files.
    gazu.task.remove_comment(one.comment)
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.files.get_preview_file(one.preview["id"])
    media.assert_gone(one.previews, "comment delete")
    assert gazu.task.get_task(one.task["id"])["last_preview_file_id"] is None
    media.assert_present(one.attachments, "the other comment's files")
    gazu.task.remove_comment(one.noted)
    media.assert_gone(one.attachments, "comment delete")


def test_preview_file_crud_delete_removes_files(world, media, api_url):
    one = world.shot_with_media("SH060")
    response = http(api_url, "DELETE", f"data/preview-files/{one.preview['id']}")
    assert response.status_code == 204, response.text
    media.assert_gone(one.previews, "preview-file delete")
    media.assert_present(one.attachments, "the comment's files")


# --------------------------------------------------------------------------
# The rest of gazu's files functions on previews and attachments
# --------------------------------------------------------------------------

ATTACHMENT_ROW_KEYS = {
    "name", "size", "extension", "mimetype", "comment_id", "reply_id", "chat_message_id",
    "id", "created_at", "updated_at", "type", "comment", "chat_message",
}


def objects_at(preview, time):
    return [
        o for a in preview["annotations"] if a["time"] == time
        for o in a["drawing"]["objects"]
    ]


def test_update_annotations(world, api_url):
    from support import ARTIST_PASSWORD, artist_client
    one = world.shot_with_media("SH070")
    preview = one.preview
    first = gazu.files.update_preview_annotations(
        preview, additions=[{"time": 0, "drawing": {"objects": [{"type": "path", "x": 1}]}}])
    assert first["id"] == preview["id"] and first["type"] == "PreviewFile"
    # The preview file without its relations (the read adds its comments).
    assert set(first) | {"comments"} == set(gazu.files.get_preview_file(preview["id"]))
    assert "comments" not in first
    [drawn] = objects_at(first, 0)
    # Zou names every drawing object, so that it can be updated and deleted.
    assert drawn["x"] == 1 and len(drawn["id"]) == 36
    # An addition at an annotated time keeps the objects there and adds
    # only new ids; one at a new time adds the time.
    second = gazu.files.update_preview_annotations(preview, additions=[
        {"time": 0, "drawing": {"objects": [{"id": drawn["id"], "x": 99}, {"id": "b", "x": 2}]}},
        {"time": 1.5, "drawing": {"objects": [{"id": "c", "x": 3}]}},
    ])
    assert [(o["id"], o["x"]) for o in objects_at(second, 0)] == [(drawn["id"], 1), ("b", 2)]
    assert [o["id"] for o in objects_at(second, 1.5)] == ["c"]
    # An update replaces the objects it names (they move last); an unknown
    # id is not added.
    third = gazu.files.update_preview_annotations(preview, updates=[
        {"time": 0, "drawing": {"objects": [{"id": drawn["id"], "x": 5}, {"id": "zz"}]}},
    ])
    assert [(o["id"], o["x"]) for o in objects_at(third, 0)] == [("b", 2), (drawn["id"], 5)]
    # Deletions name objects by time; a time left empty goes.
    fourth = gazu.files.update_preview_annotations(preview, deletions=[
        {"time": 1.5, "objects": ["c"]}, {"time": 0, "objects": ["b"]},
    ])
    assert [a["time"] for a in fourth["annotations"]] == [0]
    assert [o["id"] for o in objects_at(fourth, 0)] == [drawn["id"]]
    assert gazu.files.get_preview_file(preview["id"])["annotations"] == fourth["annotations"]
    # A body that is not a list: Zou's validation error.
    response = http(api_url, "PUT", f"actions/preview-files/{preview['id']}/update-annotations",
                    json={"additions": "nope"})
    assert response.status_code == 400, response.text
    assert response.json()["message"] == "Validation error."
    if not REFERENCE_IS_ZOU:
        # Zou fails (500) on a change without a time; Fennec says why.
        response = http(api_url, "PUT",
                        f"actions/preview-files/{preview['id']}/update-annotations",
                        json={"deletions": ["c"]})
        assert response.status_code == 400, response.text
    missing = "00000000-0000-4000-8000-000000000000"
    response = http(api_url, "PUT", f"actions/preview-files/{missing}/update-annotations", json={})
    assert response.status_code == 404
    # Artists may not annotate, even on their own production.
    tag = unique()
    artist = gazu.person.new_person("Ann", tag, f"ann-{tag}@example.com",
                                    password=ARTIST_PASSWORD, role="user")
    gazu.project.add_person_to_team(world.project, artist)
    client = artist_client(api_url, artist["email"])
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.files.update_preview_annotations(preview, additions=[], client=client)
    # A manager of the production may.
    manager = gazu.person.new_person("Ann", f"M{tag}", f"ann-m-{tag}@example.com",
                                     password=ARTIST_PASSWORD, role="manager")
    gazu.project.add_person_to_team(world.project, manager)
    client = artist_client(api_url, manager["email"])
    out = gazu.files.update_preview_annotations(
        preview, additions=[{"time": 2, "drawing": {"objects": [{"id": "m"}]}}], client=client)
    assert [a["time"] for a in out["annotations"]] == [0, 2]


def test_update_position(world):
    one = world.shot_with_media("SH080")
    task = one.task
    p1 = one.preview
    p2 = gazu.task.add_preview(task, one.comment, str(world.picture))
    p3 = gazu.task.add_preview(task, one.comment, str(world.picture))
    assert [p["position"] for p in (p1, p2, p3)] == [1, 2, 3]
    moved = gazu.files.update_preview_position(p3, 1)
    assert [(p["id"], p["position"]) for p in moved] == [
        (p3["id"], 1), (p1["id"], 2), (p2["id"], 3)]
    assert moved[0]["type"] == "PreviewFile"
    # A position outside the revision's previews changes nothing.
    same = gazu.files.update_preview_position(p2, 7)
    assert [(p["id"], p["position"]) for p in same] == [
        (p3["id"], 1), (p1["id"], 2), (p2["id"], 3)]
    assert gazu.files.get_preview_file(p1["id"])["position"] == 2


def test_attachment_files_of_task_and_project(world, api_url):
    from support import ARTIST_PASSWORD, artist_client
    one = world.shot_with_media("SH090")
    two = world.shot_with_media("SH100")
    of_task = gazu.files.get_all_attachment_files_for_task(one.task)
    assert {f["id"] for f in of_task} == set(one.attachments)
    assert set(of_task[0]) == ATTACHMENT_ROW_KEYS
    assert of_task[0]["comment_id"] == one.noted["id"]
    assert of_task[0]["comment"]["id"] == one.noted["id"]
    assert "attachment_files" not in of_task[0]["comment"]
    assert of_task[0]["chat_message"] is None
    of_project = gazu.files.get_all_attachment_files_for_project(world.project)
    assert {f["id"] for f in of_project} == set(one.attachments + two.attachments)
    # The preview files of a task, through the generic list.
    assert [p["id"] for p in gazu.files.get_all_preview_files_for_task(one.task)] == one.previews
    # Admins only (a synchronisation read).
    tag = unique()
    manager = gazu.person.new_person("Att", tag, f"att-m-{tag}@example.com",
                                     password=ARTIST_PASSWORD, role="manager")
    gazu.project.add_person_to_team(world.project, manager)
    client = artist_client(api_url, manager["email"])
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.files.get_all_attachment_files_for_task(one.task, client=client)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.files.get_all_attachment_files_for_project(world.project, client=client)
