"""Issue 14: picture previews with their files, through the real gazu.

A PNG published
as a comment's preview (``task.publish_preview``, ``add_preview``,
``upload_preview_file``), read back through gazu's ``files`` functions
(``get_preview_file``, ``wait_for_preview_file``, ``download_preview_file``,
``download_preview_file_thumbnail``, ``download_preview_file_cover``) and
the picture routes Kitsu reads, in Zou's sizes and content types; revisions
and positions as Zou numbers them; ``set_main_preview``; a broken file and
a wrong extension; who may upload and read.

The expected answers are those of Zou 1.0.97, checked by running this
module against it (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).

The same module runs with the media on S3-compatible storage when the
``FENNEC_S3_*`` variables are set for the server, e.g. against ``s3s-fs``
(crates.io, ``--features binary``): ``s3s-fs --access-key K --secret-key S
--port 8014 DIR``, then ``FENNEC_S3_BUCKET=media
FENNEC_S3_ENDPOINT=http://127.0.0.1:8014 FENNEC_S3_ACCESS_KEY_ID=K
FENNEC_S3_SECRET_ACCESS_KEY=S``.
"""

from __future__ import annotations

import struct
import zlib
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique

TIMEOUT = 30


def make_png(width: int, height: int) -> bytes:
    """A small RGB PNG with a gradient (no imaging library needed)."""
    raw = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 128)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:40]
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def prod(gazu_admin, tmp_path):
    tag = unique()
    project = gazu.project.new_project(f"UPL {tag}")
    tts = {(t["name"], t["for_entity"]): t for t in gazu.task.all_task_types()}
    anim, layout = tts[("Animation", "Shot")], tts[("Layout", "Shot")]
    sequence = gazu.shot.new_sequence(project, "SQ01")
    shot = gazu.shot.new_shot(project, sequence, "SH010")
    artist = gazu.person.new_person(
        "Upl", f"Artist {tag}", f"upl.artist.{tag}@example.com", role="user",
        password=ARTIST_PASSWORD)
    other = gazu.person.new_person(
        "Upl", f"Other {tag}", f"upl.other.{tag}@example.com", role="user",
        password=ARTIST_PASSWORD)
    outsider = gazu.person.new_person(
        "Upl", f"Outsider {tag}", f"upl.outsider.{tag}@example.com", role="user",
        password=ARTIST_PASSWORD)
    gazu.project.add_person_to_team(project, artist)
    gazu.project.add_person_to_team(project, other)
    status = gazu.task.get_task_status_by_short_name("wip")
    picture = tmp_path / "frame.png"
    picture.write_bytes(make_png(640, 360))
    return SimpleNamespace(
        project=project, shot=shot, artist=artist, other=other, outsider=outsider,
        status=status, picture=str(picture), tmp=tmp_path,
        anim=gazu.task.new_task(shot, anim, assignees=[artist]),
        layout=gazu.task.new_task(shot, layout),
    )


def raw_get(api_url, client, path, **kw):
    headers = {"Authorization": f"Bearer {client.tokens['access_token']}"}
    return requests.get(f"{api_url}/{path}", headers=headers, timeout=TIMEOUT, **kw)


def raw_post(api_url, client, path, **kw):
    headers = {"Authorization": f"Bearer {client.tokens['access_token']}"}
    return requests.post(f"{api_url}/{path}", headers=headers, timeout=TIMEOUT, **kw)


def test_publish_png_then_read_it_back(prod, api_url, admin, tmp_path):
    comment, preview = gazu.task.publish_preview(
        prod.anim, prod.status, comment="first take", preview_file_path=prod.picture)
    assert preview["status"] == "ready"
    assert preview["extension"] == "png"
    assert preview["original_name"] == "frame"
    assert (preview["width"], preview["height"]) == (640, 360)
    assert preview["revision"] == 1 and preview["position"] == 1
    assert preview["task_id"] == prod.anim["id"]
    assert preview["file_size"] > 0

    assert gazu.files.get_preview_file(preview["id"])["status"] == "ready"
    assert gazu.files.wait_for_preview_file(preview)["id"] == preview["id"]
    # A ready main preview becomes the task's last preview.
    assert gazu.task.get_task(prod.anim["id"])["last_preview_file_id"] == preview["id"]

    client = gazu.client.default_client
    sizes = {
        "thumbnails": (150, 100),
        "thumbnails-square": (100, 100),
        "previews": (1200, 675),
        "originals": (640, 360),
    }
    for prefix, size in sizes.items():
        response = raw_get(api_url, client, f"pictures/{prefix}/preview-files/{preview['id']}.png")
        assert response.status_code == 200, (prefix, response.text)
        assert response.headers["Content-Type"] == "image/png", prefix
        assert png_size(response.content) == size, prefix
    original = raw_get(api_url, client, f"pictures/originals/preview-files/{preview['id']}.png")
    # Zou keeps the original as the PNG it re-encoded, file_size its size.
    assert len(original.content) == preview["file_size"]

    download = raw_get(api_url, client, f"pictures/originals/preview-files/{preview['id']}/download")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.content == original.content

    target = tmp_path / "original.png"
    gazu.files.download_preview_file(preview, str(target))
    assert target.read_bytes() == original.content
    thumb = tmp_path / "thumb.png"
    gazu.files.download_preview_file_thumbnail(preview, str(thumb))
    assert png_size(thumb.read_bytes()) == (150, 100)
    cover = tmp_path / "cover.png"
    gazu.files.download_preview_file_cover(preview, str(cover))
    assert cover.read_bytes() == original.content

    entity = gazu.task.set_main_preview(preview)
    assert entity["id"] == prod.shot["id"]
    assert entity["preview_file_id"] == preview["id"]
    assert entity["preview_file_status"] == "ready"
    assert gazu.shot.get_shot(prod.shot["id"])["preview_file_id"] == preview["id"]


def test_comments_carry_their_previews(prod, api_url):
    """Kitsu's task page shows a task's previews from its comments: each
    comment of the task's list carries its previews in short, and the
    comment and the preview name each other in their relations."""
    comment, preview = gazu.task.publish_preview(
        prod.anim, prod.status, comment="take one", preview_file_path=prod.picture)
    extra = gazu.task.add_preview(prod.anim, comment, prod.picture)
    plain = gazu.task.add_comment(prod.anim, prod.status, "no picture")
    listed = {c["id"]: c for c in gazu.task.all_comments_for_task(prod.anim)}
    assert listed[plain["id"]]["previews"] == []
    shown = listed[comment["id"]]["previews"]
    assert [p["id"] for p in shown] == [preview["id"], extra["id"]]
    assert shown[0] == {
        "id": preview["id"], "task_id": prod.anim["id"], "revision": 1,
        "extension": "png", "width": 640, "height": 360, "duration": 0.0,
        "status": "ready", "validation_status": "neutral", "original_name": "frame",
        "position": 1, "annotations": None,
    }
    assert shown[1]["position"] == 2
    one = gazu.client.get(f"data/comments/{comment['id']}")
    assert one["previews"] == [preview["id"], extra["id"]]
    assert gazu.client.get(f"data/preview-files/{preview['id']}")["comments"] == [comment["id"]]
    project = gazu.client.get(f"data/projects/{prod.project['id']}/comments")
    assert next(c for c in project if c["id"] == comment["id"])["previews"] == [
        preview["id"], extra["id"]]

    # A client of the production sees the studio's revision, not its words.
    tag = unique()
    email = f"upl.client.{tag}@example.com"
    client_person = gazu.person.new_person(
        "Upl", f"Client {tag}", email, role="client", password=ARTIST_PASSWORD)
    gazu.project.add_person_to_team(prod.project, client_person)
    client = artist_client(api_url, email)
    seen = raw_get(api_url, client, f"data/tasks/{prod.anim['id']}/comments")
    assert seen.status_code == 200, seen.text
    seen = {c["id"]: c for c in seen.json()}
    assert plain["id"] not in seen
    assert seen[comment["id"]]["text"] == ""
    assert [p["id"] for p in seen[comment["id"]]["previews"]] == [preview["id"], extra["id"]]


def test_revisions_and_positions(prod):
    first = gazu.task.add_comment(prod.anim, prod.status, "v1")
    p1 = gazu.task.add_preview(prod.anim, first, prod.picture)
    extra = gazu.task.add_preview(prod.anim, first, prod.picture)
    assert (p1["revision"], p1["position"]) == (1, 1)
    assert (extra["revision"], extra["position"]) == (1, 2)
    second = gazu.task.add_comment(prod.anim, prod.status, "v2")
    p2 = gazu.task.add_preview(prod.anim, second, prod.picture)
    assert (p2["revision"], p2["position"]) == (2, 1)
    # An extra preview of a revision, then its removal from the comment.
    extra2 = gazu.task.add_extra_preview(prod.anim, second, p2, prod.picture)
    assert (extra2["revision"], extra2["position"]) == (2, 2)
    assert extra2["status"] == "ready"
    gazu.task.remove_preview_from_comment(prod.anim, second, extra2)
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.files.get_preview_file(extra2["id"])
    # A preview of another comment is not this comment's to remove.
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.task.remove_preview_from_comment(prod.anim, second, p1)
    # The task's previews, newest revision first.
    listed = gazu.task.all_previews_for_task(prod.anim)
    assert [p["id"] for p in listed] == [p2["id"], p1["id"], extra["id"]]
    assert listed[0]["type"] == "PreviewFile" and "comments" not in listed[0]
    # The row as add-preview makes it, before the upload.
    third = gazu.task.add_comment(prod.anim, prod.status, "v5")
    created = gazu.task.create_preview(prod.anim, third, revision=5)
    assert created["revision"] == 5 and created["status"] == "processing"
    assert created["comments"] == [third["id"]]
    # A revision a main preview holds already is refused.
    fourth = gazu.task.add_comment(prod.anim, prod.status, "again")
    with pytest.raises(gazu.exception.ParameterException):
        gazu.task.create_preview(prod.anim, fourth, revision=2)


def test_broken_and_unknown_files(prod, api_url, tmp_path):
    client = gazu.client.default_client
    comment = gazu.task.add_comment(prod.anim, prod.status, "broken")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"this is not a picture at all")
    preview = gazu.task.create_preview(prod.anim, comment)
    response = raw_post(api_url, client, f"pictures/preview-files/{preview['id']}",
                        files={"file": ("broken.png", broken.read_bytes())})
    assert response.status_code == 400, response.text
    assert response.json()["message"] == "Uploaded file is not a readable picture."
    with pytest.raises(gazu.exception.ParameterException):
        gazu.task.upload_preview_file(preview, str(broken))
    # The row stays, still processing: it has no picture to show.
    assert gazu.files.get_preview_file(preview["id"])["status"] == "processing"
    thumb = raw_get(api_url, client, f"pictures/thumbnails/preview-files/{preview['id']}.png")
    assert thumb.status_code == 404

    unknown = gazu.task.create_preview(prod.anim, comment)
    response = raw_post(api_url, client, f"pictures/preview-files/{unknown['id']}",
                        files={"file": ("notes.xyz", b"some bytes")})
    assert response.status_code == 400, response.text
    assert response.json()["message"] == "Wrong file format, extension: xyz"
    # A wrong format takes its row away.
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.files.get_preview_file(unknown["id"])

    empty = gazu.task.create_preview(prod.anim, comment)
    response = raw_post(api_url, client, f"pictures/preview-files/{empty['id']}", data={"x": "1"})
    assert response.status_code == 400
    assert response.json()["message"] == "File not provided."

    done = gazu.task.add_preview(prod.anim, comment, prod.picture)
    again = raw_post(api_url, client, f"pictures/preview-files/{done['id']}",
                     files={"file": ("frame.png", open(prod.picture, "rb").read())})
    assert again.status_code == 400


def test_artist_rights(prod, api_url):
    artist = artist_client(api_url, prod.artist["email"])
    other = artist_client(api_url, prod.other["email"])
    outsider = artist_client(api_url, prod.outsider["email"])
    comment = gazu.task.add_comment(prod.anim, prod.status, "by admin")

    # The assignee adds and uploads a preview on his task.
    preview = gazu.task.add_preview(prod.anim, comment, prod.picture, client=artist)
    assert preview["status"] == "ready"
    assert preview["person_id"] == prod.artist["id"]
    # A team member not assigned to the task may not.
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.task.add_preview(prod.anim, comment, prod.picture, client=other)
    # The team reads it; someone off the team does not.
    path = f"pictures/thumbnails/preview-files/{preview['id']}.png"
    assert raw_get(api_url, other, path).status_code == 200
    assert raw_get(api_url, other, f"pictures/previews/preview-files/{preview['id']}.png").status_code == 200
    assert raw_get(api_url, outsider, path).status_code == 403
    assert raw_get(api_url, outsider, f"pictures/originals/preview-files/{preview['id']}/download").status_code == 403
    # An artist sets the main preview of his production's entity.
    entity = gazu.task.set_main_preview(preview, client=other)
    assert entity["preview_file_id"] == preview["id"]
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.task.set_main_preview(preview, client=outsider)


def test_missing_preview_and_bad_ids(prod, api_url):
    client = gazu.client.default_client
    missing = "00000000-0000-4000-8000-000000000000"
    assert raw_get(api_url, client, f"pictures/thumbnails/preview-files/{missing}.png").status_code == 404
    response = requests.put(
        f"{api_url}/actions/preview-files/{missing}/set-main-preview",
        headers={"Authorization": f"Bearer {client.tokens['access_token']}"},
        json={}, timeout=TIMEOUT)
    assert response.status_code == 404


def test_person_avatar(prod, api_url, tmp_path):
    artist = artist_client(api_url, prod.artist["email"])
    other = artist_client(api_url, prod.other["email"])
    path = f"pictures/thumbnails/persons/{prod.artist['id']}.png"
    # No avatar yet: not found.
    assert raw_get(api_url, other, path).status_code == 404
    answer = gazu.person.set_avatar(prod.artist, prod.picture, client=artist)
    assert answer == {"thumbnail_path": f"pictures/thumbnails/persons/{prod.artist['id']}.png"}
    assert gazu.person.get_person(prod.artist["id"])["has_avatar"] is True
    response = raw_get(api_url, other, path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert png_size(response.content) == (400, 400)
    target = tmp_path / "avatar.png"
    gazu.files.download_person_avatar(prod.artist, str(target), client=other)
    assert target.read_bytes() == response.content
    # Someone else's avatar is the admin's to change.
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.person.set_avatar(prod.artist, prod.picture, client=other)
    gazu.person.set_avatar(prod.artist, prod.picture)
