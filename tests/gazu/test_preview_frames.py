"""Issue 14: a movie preview's frames and tile sheet, the running previews,
and the recovery of movies left "processing" by a stopped server.

* gazu's ``extract_frame_from_preview`` and ``extract_tile_from_preview``
  (Zou's ``actions/preview-files/{id}/extract-frame`` and ``extract-tile``),
  the tile sheet the processing stores (``movies/tiles/preview-files``),
  and ``set_main_preview`` with a frame number (the frame becomes the
  preview's pictures);
* gazu's ``get_running_preview_files`` (Zou's
  ``data/playlists/preview-files/running``): admins only, the broken,
  missing and processing previews of open productions, newest first;
* gazu's ``download_attachment_thumbnail`` and ``download_playlist_zip``;
* Fennec only: a preview still "processing" with no update for 150 s when
  the server starts is marked "broken", a recent one is left alone.

The expected answers are those of Zou 1.0.97, checked by running this
module against it (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import sqlite3
import subprocess
import uuid
import zipfile
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, REFERENCE_IS_ZOU, artist_client, unique
from test_preview_movies import make_movie, png_size

TIMEOUT = 60

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None, reason="needs ffmpeg (scripts/test installs it)")


def http(api_url, method, path, client=None, **kw):
    client = client or gazu.client.default_client
    headers = kw.pop("headers", {})
    headers["Authorization"] = f"Bearer {client.tokens['access_token']}"
    return requests.request(method, f"{api_url}/{path}", headers=headers,
                            timeout=TIMEOUT, **kw)


def person(project, role, api_url):
    tag = unique()
    someone = gazu.person.new_person("Fra", f"{role}{tag}", f"fra-{role}-{tag}@example.com",
                                     password=ARTIST_PASSWORD, role=role)
    if project is not None:
        gazu.project.add_person_to_team(project, someone)
    return artist_client(api_url, someone["email"])


@pytest.fixture
def prod(gazu_admin, tmp_path):
    tag = unique()
    project = gazu.project.new_project(f"FRM {tag}")
    project = gazu.project.update_project(
        {"id": project["id"], "resolution": "640x360", "fps": "24"})
    anim = next(t for t in gazu.task.all_task_types()
                if t["name"] == "Animation" and t["for_entity"] == "Shot")
    sequence = gazu.shot.new_sequence(project, "SQ01")
    shot = gazu.shot.new_shot(project, sequence, "SH010")
    movie = tmp_path / "take.mp4"
    # Two seconds at 24 fps: 48 frames, each one different (testsrc's
    # counter), so two frames never give the same picture.
    make_movie(movie, seconds=2)
    return SimpleNamespace(
        project=project, shot=shot, sequence=sequence, anim=anim, movie=str(movie),
        status=gazu.task.get_task_status_by_short_name("wip"),
        task=gazu.task.new_task(shot, anim),
    )


def make_png(tmp_path) -> str:
    png = tmp_path / "still.png"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", "color=c=red:size=64x48", "-frames:v", "1", str(png)], check=True)
    return str(png)


def ready_movie(prod):
    comment = gazu.task.add_comment(prod.task, prod.status, "cut")
    uploaded = gazu.task.add_preview(prod.task, comment, prod.movie)
    preview = gazu.files.wait_for_preview_file(uploaded, timeout=90, poll_interval=0.5)
    assert preview["status"] == "ready"
    return preview


def test_frames_and_tiles(prod, api_url, tmp_path):
    preview = ready_movie(prod)
    pid = preview["id"]

    # A frame of the normalised movie, at its size.
    target = tmp_path / "frame12.png"
    response = gazu.files.extract_frame_from_preview(preview, 12, str(target))
    assert response.headers["Content-Type"] == "image/png"
    frame12 = target.read_bytes()
    assert png_size(frame12) == (640, 360)
    frame40 = http(api_url, "GET", f"actions/preview-files/{pid}/extract-frame",
                   params={"frame_number": 40})
    assert frame40.status_code == 200, frame40.text
    assert png_size(frame40.content) == (640, 360)
    assert frame40.content != frame12
    # Frame numbers count from 1: frame 1 is the movie's first picture,
    # the one the processing kept as the preview's original.
    first = http(api_url, "GET", f"actions/preview-files/{pid}/extract-frame",
                 params={"frame_number": 1})
    original = http(api_url, "GET", f"pictures/originals/preview-files/{pid}.png")
    assert first.status_code == 200 and original.status_code == 200
    assert png_size(first.content) == png_size(original.content)

    # Past the movie's end: Zou's ffmpeg writes nothing and Zou answers a
    # 500; Fennec says why (CONTRACT.md).
    beyond = http(api_url, "GET", f"actions/preview-files/{pid}/extract-frame",
                  params={"frame_number": 500})
    if REFERENCE_IS_ZOU:
        assert beyond.status_code == 500
    else:
        assert beyond.status_code == 400, beyond.text
        assert beyond.json()["message"] == "Frame 500 is beyond the end of the movie."

    # The tile sheet: 8 frames a row, 100 pixels high, as wide as the
    # movie's ratio wants; the processing stored one.
    columns, rows = 8, math.ceil(48 / 8)
    tile_size = (columns * math.ceil(100 * 640 / 360), rows * 100)
    stored = http(api_url, "GET", f"movies/tiles/preview-files/{pid}.png")
    assert stored.status_code == 200, stored.text
    assert stored.headers["Content-Type"] == "image/png"
    assert png_size(stored.content) == tile_size
    target = tmp_path / "tile.png"
    response = gazu.files.extract_tile_from_preview(preview, str(target))
    assert response.headers["Content-Type"] == "image/png"
    assert png_size(target.read_bytes()) == tile_size

    # A picture preview has no frames nor tiles.
    comment = gazu.task.add_comment(prod.task, prod.status, "still")
    still = gazu.task.add_preview(prod.task, comment, make_png(tmp_path))
    response = http(api_url, "GET", f"actions/preview-files/{still['id']}/extract-frame",
                    params={"frame_number": 3})
    assert response.status_code == 404, response.text
    response = http(api_url, "GET", f"actions/preview-files/{still['id']}/extract-tile")
    assert response.status_code == 400
    assert response.json()["message"] == "Preview file is not a movie"
    missing = "00000000-0000-4000-8000-000000000000"
    for action in ("extract-frame", "extract-tile"):
        response = http(api_url, "GET", f"actions/preview-files/{missing}/{action}")
        assert response.status_code == 404, action

    # Rights: frames are for the production's managers; the tile for
    # whoever may see the task, and not for an outsider.
    artist = person(prod.project, "user", api_url)
    response = http(api_url, "GET", f"actions/preview-files/{pid}/extract-frame",
                    client=artist, params={"frame_number": 2})
    assert response.status_code == 403
    response = http(api_url, "GET", f"actions/preview-files/{pid}/extract-tile", client=artist)
    assert response.status_code == 200
    assert http(api_url, "GET", f"movies/tiles/preview-files/{pid}.png",
                client=artist).status_code == 200
    manager = person(prod.project, "manager", api_url)
    response = http(api_url, "GET", f"actions/preview-files/{pid}/extract-frame",
                    client=manager, params={"frame_number": 2})
    assert response.status_code == 200
    outsider = person(None, "user", api_url)
    for path in (f"actions/preview-files/{pid}/extract-tile",
                 f"movies/tiles/preview-files/{pid}.png"):
        assert http(api_url, "GET", path, client=outsider).status_code == 403, path


def test_main_preview_from_a_frame(prod, api_url, tmp_path):
    preview = ready_movie(prod)
    pid = preview["id"]
    before = http(api_url, "GET", f"pictures/thumbnails/preview-files/{pid}.png").content
    original_before = http(api_url, "GET", f"pictures/originals/preview-files/{pid}.png").content
    entity = gazu.task.set_main_preview(preview, frame_number=30)
    assert entity["id"] == prod.shot["id"]
    assert entity["preview_file_id"] == pid
    assert gazu.shot.get_shot(prod.shot["id"])["preview_file_id"] == pid
    # The frame became the preview's pictures, in Zou's sizes.
    after = http(api_url, "GET", f"pictures/thumbnails/preview-files/{pid}.png").content
    assert png_size(after) == (150, 100)
    assert after != before
    original_after = http(api_url, "GET", f"pictures/originals/preview-files/{pid}.png").content
    assert png_size(original_after) == (640, 360)
    assert original_after != original_before
    frame30 = http(api_url, "GET", f"actions/preview-files/{pid}/extract-frame",
                   params={"frame_number": 30}).content
    assert png_size(frame30) == png_size(original_after)
    # A frame past the end: Zou logs its failure, answers the entity and
    # leaves the pictures as they were; Fennec says why (CONTRACT.md).
    response = http(api_url, "PUT", f"actions/preview-files/{pid}/set-main-preview",
                    json={"frame_number": 500})
    if REFERENCE_IS_ZOU:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 400, response.text
        assert response.json()["message"] == "Frame 500 is beyond the end of the movie."
    assert http(api_url, "GET", f"pictures/originals/preview-files/{pid}.png").content \
        == original_after
    # A picture preview has no frames.
    comment = gazu.task.add_comment(prod.task, prod.status, "still")
    still = gazu.task.add_preview(prod.task, comment, make_png(tmp_path))
    response = http(api_url, "PUT", f"actions/preview-files/{still['id']}/set-main-preview",
                    json={"frame_number": 3})
    assert response.status_code == 400
    assert response.json()["message"] == "Can't use a given frame on non movie preview"
    # A client reviews, never picks the thumbnail.
    client = person(prod.project, "client", api_url)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.task.set_main_preview(preview, frame_number=3, client=client)


def test_running_preview_files(prod, api_url):
    comment = gazu.task.add_comment(prod.task, prod.status, "bad file")
    waiting = gazu.task.create_preview(prod.task, comment)
    broken = gazu.task.create_preview(prod.task, comment)
    response = http(api_url, "POST", f"pictures/preview-files/{broken['id']}",
                    files={"file": ("broken.mp4", b"this is no movie at all" * 100)})
    assert response.status_code == 201, response.text
    broken = gazu.files.wait_for_preview_file(broken, timeout=50, poll_interval=0.5)
    assert broken["status"] == "broken"
    ready = ready_movie(prod)

    gazu.cache.disable()
    running = gazu.files.get_running_preview_files()
    ours = [p for p in running if p["task_id"] == prod.task["id"]]
    # Newest first; a ready preview is not running.
    assert [p["id"] for p in ours] == [broken["id"], waiting["id"]]
    assert ready["id"] not in {p["id"] for p in running}
    row = ours[0]
    assert row["status"] == "broken"
    assert row["project_id"] == prod.project["id"]
    assert row["task_type_id"] == prod.anim["id"]
    assert row["full_entity_name"] == "SQ01 / SH010"
    full = gazu.files.get_preview_file(broken["id"])
    for key, value in full.items():
        if key not in ("comments", "updated_at"):
            assert row[key] == value, key
    # Cursor and limit: what is older than the cursor, so many at most.
    page = http(api_url, "GET", "data/playlists/preview-files/running",
                params={"cursor_preview_file_id": broken["id"], "limit": 50}).json()
    assert broken["id"] not in {p["id"] for p in page}
    assert waiting["id"] in {p["id"] for p in page}
    assert len(http(api_url, "GET", "data/playlists/preview-files/running",
                    params={"limit": 1}).json()) == 1
    response = http(api_url, "GET", "data/playlists/preview-files/running",
                    params={"cursor_preview_file_id": "nope"})
    assert response.status_code == 400
    assert response.json()["message"] == "The cursor_preview_file_id parameter is not a valid id"

    # A closed production's previews are not running any more.
    gazu.project.close_project(prod.project)
    running = gazu.files.get_running_preview_files()
    assert not [p for p in running if p["task_id"] == prod.task["id"]]

    # Admins only, even a manager of the production is refused.
    manager = person(prod.project, "manager", api_url)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.files.get_running_preview_files(client=manager)


def test_attachment_thumbnail(prod, api_url, tmp_path):
    """gazu's ``download_attachment_thumbnail`` (Zou's
    ``AttachmentThumbnailResource``): Zou makes thumbnails for chat
    pictures only, so a comment's picture has none (404) for whoever may
    see its task; the others are refused before that, an unknown file
    is a 404."""
    comment = gazu.task.add_comment(prod.task, prod.status, "see attached",
                                    attachments=[make_png(tmp_path)])
    attachment = comment["attachment_files"][0]
    path = f"pictures/thumbnails/attachment-files/{attachment['id']}.png"
    response = http(api_url, "GET", path)
    assert response.status_code == 404, response.text
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.files.download_attachment_thumbnail(attachment, str(tmp_path / "t.png"))
    artist = person(prod.project, "user", api_url)
    assert http(api_url, "GET", path, client=artist).status_code == 404
    outsider = person(None, "user", api_url)
    response = http(api_url, "GET", path, client=outsider)
    assert response.status_code == 403, response.text
    missing = "00000000-0000-4000-8000-000000000000"
    response = http(api_url, "GET", f"pictures/thumbnails/attachment-files/{missing}.png")
    assert response.status_code == 404


def test_playlist_zip(prod, api_url, tmp_path):
    """gazu's ``download_playlist_zip`` (Zou's ``PlaylistZipDownloadResource``):
    every preview file of each entry's revision, in the playlist's order,
    named as Zou's ``get_preview_file_name`` names them (production, entity,
    task type, revision, and the position past the first), each as stored:
    the normalised movie, a picture's PNG original."""
    movie = ready_movie(prod)
    # A picture added to the movie's comment: the same revision, position 2.
    comment = gazu.task.get_last_comment_for_task(prod.task)
    extra = gazu.task.add_preview(prod.task, comment, make_png(tmp_path))
    assert (extra["revision"], extra["position"]) == (1, 2)
    shot2 = gazu.shot.new_shot(prod.project, prod.sequence, "SH020")
    task2 = gazu.task.new_task(shot2, prod.anim)
    still = gazu.task.add_preview(
        task2, gazu.task.add_comment(task2, prod.status, "still"), make_png(tmp_path))
    playlist = gazu.playlist.new_playlist(prod.project, "Daily Review #1")
    playlist = gazu.playlist.add_entity_to_playlist(playlist, prod.shot, preview_file=movie)
    playlist = gazu.playlist.add_entity_to_playlist(playlist, shot2, preview_file=still)

    target = tmp_path / "playlist.zip"
    response = gazu.playlist.download_playlist_zip(playlist, str(target))
    slug = re.sub(r"[^a-z0-9]+", "_", prod.project["name"].lower()).strip("_")
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == \
        f"attachment; filename={slug}_daily_review_1.zip"
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert names == [f"{slug}_sq01_sh010_animation_v1.mp4",
                         f"{slug}_sq01_sh010_animation_v1-2.png",
                         f"{slug}_sq01_sh020_animation_v1.png"]
        assert archive.read(names[0]) == http(
            api_url, "GET", f"movies/originals/preview-files/{movie['id']}.mp4").content
        assert archive.read(names[1]) == http(
            api_url, "GET", f"pictures/originals/preview-files/{extra['id']}.png").content
        assert archive.read(names[2]) == http(
            api_url, "GET", f"pictures/originals/preview-files/{still['id']}.png").content

    # The production's managers and supervisors; not its artists.
    supervisor = person(prod.project, "supervisor", api_url)
    gazu.playlist.download_playlist_zip(playlist, str(tmp_path / "s.zip"), client=supervisor)
    artist = person(prod.project, "user", api_url)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.playlist.download_playlist_zip(playlist, str(tmp_path / "a.zip"), client=artist)
    missing = "00000000-0000-4000-8000-000000000000"
    response = http(api_url, "GET", f"data/playlists/{missing}/download/zip")
    assert response.status_code == 404


# --------------------------------------------------------------------------
# Fennec only: the start-up recovery of previews left "processing".
# --------------------------------------------------------------------------


def _age(server, preview_id, seconds):
    """Makes a preview look untouched for `seconds`, as a server stopped
    mid-encode leaves it."""
    if server.backend == "sqlite":
        path = server.database_url.removeprefix("sqlite://")
        with sqlite3.connect(path) as conn:
            conn.execute(
                "UPDATE preview_files SET updated_at = strftime('%Y-%m-%d %H:%M:%S', "
                "'now', ?) WHERE hex(id) = ?",
                (f"-{seconds} seconds", uuid.UUID(preview_id).hex.upper()))
            assert conn.total_changes == 1
    else:
        out = subprocess.run(
            ["psql", server.database_url, "-v", "ON_ERROR_STOP=1", "-c",
             f"UPDATE preview_files SET updated_at = now() at time zone 'utc' "
             f"- interval '{seconds} seconds' WHERE id = '{preview_id}'"],
            check=True, capture_output=True, text=True)
        assert "UPDATE 1" in out.stdout, out.stdout


@pytest.mark.skipif(REFERENCE_IS_ZOU, reason="Fennec's start-up recovery; Zou has none")
def test_startup_marks_stale_processing_previews_broken(tmp_path):
    from test_durability import _start
    from conftest import _drop_postgres_database, _free_port, _fresh_postgres_url, _stop
    from support import ADMIN_EMAIL, ADMIN_PASSWORD

    backends = ["sqlite"] + (["postgres"] if os.environ.get("FENNEC_TEST_DATABASE_URL") else [])
    for backend in backends:
        dropped = None
        if backend == "sqlite":
            url = f"sqlite://{tmp_path / 'recovery.db'}"
        else:
            base = os.environ["FENNEC_TEST_DATABASE_URL"]
            url, name = _fresh_postgres_url(base)
            dropped = (base, name)
        try:
            server = _start(url, tmp_path, f"{backend}-first", _free_port())
            server.backend = backend
            client = gazu.client.create_client(server.api_url)
            gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD, client=client)
            project = gazu.project.new_project(f"REC {unique()}", client=client)
            shot = gazu.shot.new_shot(
                project, gazu.shot.new_sequence(project, "SQ", client=client), "SH",
                client=client)
            anim = next(t for t in gazu.task.all_task_types(client=client)
                        if t["name"] == "Animation" and t["for_entity"] == "Shot")
            task = gazu.task.new_task(shot, anim, client=client)
            wip = gazu.task.get_task_status_by_short_name("wip", client=client)
            comment = gazu.task.add_comment(task, wip, "cut", client=client)
            stale = gazu.task.create_preview(task, comment, client=client)
            recent = gazu.task.create_preview(task, comment, client=client)
            assert stale["status"] == recent["status"] == "processing"
            _stop(server.process)
            # A movie whose encode stopped 10 minutes ago, and one whose
            # heartbeat was 100 s ago (another replica may still encode it).
            _age(server, stale["id"], 600)
            _age(server, recent["id"], 100)

            restarted = _start(url, tmp_path, f"{backend}-second", _free_port())
            try:
                client = gazu.client.create_client(restarted.api_url)
                gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD, client=client)
                after = gazu.files.get_preview_file(stale["id"], client=client)
                assert after["status"] == "broken", backend
                assert "stopped" in after["data"]["processing_error"], after["data"]
                assert gazu.files.get_preview_file(
                    recent["id"], client=client)["status"] == "processing", backend
            finally:
                _stop(restarted.process)
        finally:
            if dropped:
                _drop_postgres_database(*dropped)
