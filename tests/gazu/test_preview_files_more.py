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

