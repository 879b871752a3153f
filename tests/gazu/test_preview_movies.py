"""Issue 14: movie previews, through the real gazu.

A movie made with Debian's ffmpeg is published as a comment's preview
(``task.add_preview``), processed (normalised high and low definition
versions, its first frame as the thumbnails) and read back through the
movie routes Kitsu's player reads, whole and by byte range; a file that is
no movie ends "broken", never a 500.

Zou without a job queue (the reference harness) processes the movie inside
the upload and answers it ready; Fennec answers it "processing", as Zou
does with its job queue, and ``wait_for_preview_file`` sees it turn ready.
The expected answers are those of Zou 1.0.97, checked by running this
module against it (``FENNEC_BIN=tests/gazu/zou_reference/fennec``); both
need ``ffmpeg`` (scripts/test installs it).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import REFERENCE_IS_ZOU, unique

TIMEOUT = 60

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None, reason="needs ffmpeg (scripts/test installs it)")


def make_movie(path, size="320x240", seconds=1, audio=False) -> None:
    args = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size={size}:rate=24"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    args += ["-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(path)]
    subprocess.run(args, check=True, timeout=60)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:40]
    return struct.unpack(">II", data[16:24])


def probe(data: bytes, tmp_path, name: str) -> dict:
    target = tmp_path / name
    target.write_bytes(data)
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries",
         "stream=codec_type,codec_name,width,height", "-of", "default=nw=1", str(target)],
        check=True, capture_output=True, text=True, timeout=30).stdout
    return {"video": "codec_name=h264" in out, "audio": "codec_type=audio" in out,
            "text": out}


@pytest.fixture
def prod(gazu_admin, tmp_path):
    tag = unique()
    # A small production resolution keeps the encoding fast.
    project = gazu.project.new_project(f"MOV {tag}")
    project = gazu.project.update_project(
        {"id": project["id"], "resolution": "640x360", "fps": "24"})
    anim = next(t for t in gazu.task.all_task_types()
                if t["name"] == "Animation" and t["for_entity"] == "Shot")
    sequence = gazu.shot.new_sequence(project, "SQ01")
    shot = gazu.shot.new_shot(project, sequence, "SH010")
    movie = tmp_path / "take.mp4"
    make_movie(movie)
    return SimpleNamespace(
        project=project, shot=shot, movie=str(movie),
        status=gazu.task.get_task_status_by_short_name("wip"),
        task=gazu.task.new_task(shot, anim),
    )


def raw_get(api_url, path, **headers):
    client = gazu.client.default_client
    headers["Authorization"] = f"Bearer {client.tokens['access_token']}"
    return requests.get(f"{api_url}/{path}", headers=headers, timeout=TIMEOUT)


def test_movie_upload_is_processed_then_served(prod, api_url, tmp_path):
    comment = gazu.task.add_comment(prod.task, prod.status, "first cut")
    uploaded = gazu.task.add_preview(prod.task, comment, prod.movie)
    assert uploaded["extension"] == "mp4"
    assert uploaded["original_name"] == "take"
    if REFERENCE_IS_ZOU:
        assert uploaded["status"] == "ready"
    else:
        # Off the request path: the upload answers before ffmpeg is done.
        assert uploaded["status"] == "processing"
        movie = f"movies/originals/preview-files/{uploaded['id']}.mp4"
        early = raw_get(api_url, movie, Accept="application/json")
        if early.status_code == 202:
            assert early.json() == {"status": "processing", "preview_file_id": uploaded["id"]}
            assert early.headers["Retry-After"] == "5"
    preview = gazu.files.wait_for_preview_file(uploaded, timeout=50, poll_interval=0.5)
    assert preview["status"] == "ready"
    # The normalised movie's fields: the production's 640x360, the upload's
    # second (24 frames at 24 fps), the stored high definition file's size.
    assert (preview["width"], preview["height"]) == (640, 360)
    assert preview["duration"] == pytest.approx(1.0, abs=0.1)
    assert preview["file_size"] > 0
    assert preview["data"]["original_width"] == 320
    assert preview["data"]["original_height"] == 240
    assert preview["data"]["original_duration"] == pytest.approx(1.0, abs=0.1)
    assert preview["data"]["movie_prefixes"] == ["previews", "lowdef"]
    assert gazu.task.get_task(prod.task["id"])["last_preview_file_id"] == preview["id"]

    pid = preview["id"]
    high = raw_get(api_url, f"movies/originals/preview-files/{pid}.mp4")
    assert high.status_code == 200, high.text
    assert high.headers["Content-Type"] == "video/mp4"
    assert high.headers["Accept-Ranges"] == "bytes"
    assert len(high.content) == preview["file_size"]
    facts = probe(high.content, tmp_path, "high.mp4")
    assert facts["video"] and "width=640" in facts["text"] and "height=360" in facts["text"]
    # Zou gives every normalised movie a sound track (a silent one here).
    assert facts["audio"], facts["text"]

    low = raw_get(api_url, f"movies/low/preview-files/{pid}.mp4")
    assert low.status_code == 200
    assert low.headers["Content-Type"] == "video/mp4"
    assert "width=1280" in probe(low.content, tmp_path, "low.mp4")["text"]
    assert low.content != high.content

    # One byte range, as a movie player asks: 206 and the bytes asked.
    part = raw_get(api_url, f"movies/originals/preview-files/{pid}.mp4", Range="bytes=100-299")
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-299/{len(high.content)}"
    assert part.content == high.content[100:300]
    tail = raw_get(api_url, f"movies/low/preview-files/{pid}.mp4", Range="bytes=-10")
    assert tail.status_code == 206
    assert tail.content == low.content[-10:]
    assert tail.headers["Content-Range"] == f"bytes {len(low.content) - 10}-{len(low.content) - 1}/{len(low.content)}"
    beyond = raw_get(api_url, f"movies/originals/preview-files/{pid}.mp4",
                     Range=f"bytes={len(high.content) + 10}-")
    assert beyond.status_code == 416
    if not REFERENCE_IS_ZOU:
        # Zou's error handler drops werkzeug's header; RFC 9110 wants it.
        assert beyond.headers["Content-Range"] == f"bytes */{len(high.content)}"

    download = raw_get(api_url, f"movies/originals/preview-files/{pid}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.content == high.content
    # The generic download of a movie preview is its movie too.
    generic = raw_get(api_url, f"pictures/originals/preview-files/{pid}/download")
    assert generic.headers["Content-Type"] == "video/mp4"
    assert generic.content == high.content
    target = tmp_path / "downloaded.mp4"
    gazu.files.download_preview_file(preview, str(target))
    assert target.read_bytes() == high.content

    # The thumbnails come from the first frame, in Zou's sizes.
    for prefix, size in {"thumbnails": (150, 100), "thumbnails-square": (100, 100),
                         "previews": (1200, 675), "originals": (640, 360)}.items():
        picture = raw_get(api_url, f"pictures/{prefix}/preview-files/{pid}.png")
        assert picture.status_code == 200, (prefix, picture.text)
        assert picture.headers["Content-Type"] == "image/png"
        assert png_size(picture.content) == size, prefix
    thumb = tmp_path / "thumb.png"
    gazu.files.download_preview_file_thumbnail(preview, str(thumb))
    assert png_size(thumb.read_bytes()) == (150, 100)

    entity = gazu.task.set_main_preview(preview)
    assert entity["preview_file_id"] == pid

    # Zou's events: the file is added to the comment, and the preview
    # tells its clients when it is ready (Zou without a job queue: ready
    # already when the file is added).
    added = [e for e in gazu.sync.get_last_events(
        project=prod.project, name="preview-file:add-file", limit=1000)
        if e["data"].get("preview_file_id") == pid]
    assert len(added) == 1
    assert added[0]["data"] == {
        "comment_id": comment["id"], "task_id": prod.task["id"], "preview_file_id": pid,
        "revision": 1, "extension": "mp4",
        "status": "ready" if REFERENCE_IS_ZOU else "processing",
        "project_id": prod.project["id"]}
    updates = [e["data"] for e in gazu.sync.get_last_events(
        project=prod.project, name="preview-file:update", limit=1000)
        if e["data"].get("preview_file_id") == pid]
    assert {"preview_file_id": pid, "status": "ready",
            "project_id": prod.project["id"]} in updates


def test_broken_movie(prod, api_url):
    comment = gazu.task.add_comment(prod.task, prod.status, "bad file")
    preview = gazu.task.create_preview(prod.task, comment)
    client = gazu.client.default_client
    response = requests.post(
        f"{api_url}/pictures/preview-files/{preview['id']}",
        headers={"Authorization": f"Bearer {client.tokens['access_token']}"},
        files={"file": ("broken.mp4", b"this is no movie at all" * 100)}, timeout=TIMEOUT)
    # Never a 500: the upload is accepted, the processing fails.
    assert response.status_code == 201, response.text
    assert response.json()["extension"] == "mp4"
    preview = gazu.files.wait_for_preview_file(preview, timeout=50, poll_interval=0.5)
    assert preview["status"] == "broken"
    if not REFERENCE_IS_ZOU:
        # Zou only logs why; Fennec keeps the reason on the preview.
        assert "ffprobe" in preview["data"]["processing_error"]
    movie = raw_get(api_url, f"movies/originals/preview-files/{preview['id']}.mp4")
    assert movie.status_code == 404
    thumb = raw_get(api_url, f"pictures/thumbnails/preview-files/{preview['id']}.png")
    assert thumb.status_code == 404
    # The task shows no broken preview.
    assert gazu.task.get_task(prod.task["id"])["last_preview_file_id"] is None

    # An empty movie is refused at once, and its row goes.
    empty = gazu.task.create_preview(prod.task, comment)
    response = requests.post(
        f"{api_url}/pictures/preview-files/{empty['id']}",
        headers={"Authorization": f"Bearer {client.tokens['access_token']}"},
        files={"file": ("empty.mov", b"")}, timeout=TIMEOUT)
    assert response.status_code == 400, response.text
    assert "empty" in response.json()["message"]
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.files.get_preview_file(empty["id"])


def test_movie_without_normalisation_keeps_the_upload(prod, api_url, tmp_path):
    comment = gazu.task.add_comment(prod.task, prod.status, "raw")
    preview = gazu.task.add_preview(prod.task, comment, prod.movie, normalize_movie=False)
    # Zou stores a raw movie inside the request.
    assert preview["status"] == "ready"
    assert (preview["width"], preview["height"]) == (320, 240)
    movie = raw_get(api_url, f"movies/originals/preview-files/{preview['id']}.mp4")
    assert movie.status_code == 200
    with open(prod.movie, "rb") as f:
        assert movie.content == f.read()
    # The low definition route falls back on the only version there is.
    low = raw_get(api_url, f"movies/low/preview-files/{preview['id']}.mp4")
    assert low.content == movie.content
