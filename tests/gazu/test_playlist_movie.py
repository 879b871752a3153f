"""Issue 14: a review playlist's movie, built and downloaded through gazu.

Two shots get movie previews (Debian's ffmpeg makes them: one with sound,
one silent and of another size); a playlist shows both; gazu's
``build_playlist_movie`` builds the movie and ``download_playlist_build``
downloads it. The movie is the two previews end to end, at the
production's size, under Zou's download name. ``full=true`` (the Kitsu
front end's "full" build) re-encodes with the concat filter. Removing the
job removes its movie.

Checked against Zou 1.0.97 (``FENNEC_BIN=tests/gazu/zou_reference/fennec``,
which builds inside the request as it has no job queue).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique
from test_preview_movies import make_movie

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None, reason="needs ffmpeg (scripts/test installs it)")

JOB_KEYS = [
    "status", "job_type", "ended_at", "message", "playlist_id", "id",
    "created_at", "updated_at", "type",
]


def raw_get(api_url, path, **headers):
    client = gazu.client.default_client
    headers["Authorization"] = f"Bearer {client.tokens['access_token']}"
    return requests.get(f"{api_url}/{path}", headers=headers, timeout=120)


def movie_info(path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries",
         "stream=codec_type,width,height:format=duration", "-of", "json", str(path)],
        check=True, capture_output=True, text=True, timeout=30).stdout
    info = json.loads(out)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    return {
        "size": (video["width"], video["height"]),
        "kinds": sorted(s["codec_type"] for s in info["streams"]),
        "duration": float(info["format"]["duration"]),
    }


@pytest.fixture(scope="module")
def reel(admin, api_url, tmp_path_factory):
    admin.activate()
    tmp = tmp_path_factory.mktemp("reel")
    tag = unique()
    project = gazu.project.new_project(f"Reel {tag}")
    project = gazu.project.update_project(
        {"id": project["id"], "resolution": "640x360", "fps": "24"})
    anim = next(t for t in gazu.task.all_task_types()
                if t["name"] == "Animation" and t["for_entity"] == "Shot")
    wip = gazu.task.get_task_status_by_short_name("wip")
    sequence = gazu.shot.new_sequence(project, "SQ01")
    previews = []
    for name, seconds, size, audio in (("SH010", 1, "320x240", True),
                                       ("SH020", 2, "480x270", False)):
        shot = gazu.shot.new_shot(project, sequence, name)
        task = gazu.task.new_task(shot, anim)
        movie = tmp / f"{name}.mp4"
        make_movie(movie, size=size, seconds=seconds, audio=audio)
        comment = gazu.task.add_comment(task, wip, f"{name} cut")
        uploaded = gazu.task.add_preview(task, comment, str(movie))
        preview = gazu.files.wait_for_preview_file(uploaded, timeout=100, poll_interval=0.5)
        assert preview["status"] == "ready"
        previews.append((shot, preview))
    email = f"reel-artist-{tag}@example.com"
    artist = gazu.person.new_person("Reel", tag, email, password=ARTIST_PASSWORD, role="user")
    gazu.project.add_person_to_team(project, artist)
    artist_token = artist_client(api_url, email).tokens["access_token"]
    playlist = gazu.playlist.new_playlist(project, f"Daily {tag}")
    for shot, preview in previews:
        playlist = gazu.playlist.add_entity_to_playlist(playlist, shot, preview_file=preview)
    return SimpleNamespace(project=project, playlist=playlist, previews=previews, tmp=tmp,
                           artist_token=artist_token)


def download_reel(reel, job, name):
    """Downloads a build through gazu and checks it is the two previews:
    normalised to 640x360 with sound, one second then two."""
    target = reel.tmp / name
    gazu.playlist.download_playlist_build(reel.playlist, job, str(target))
    info = movie_info(target)
    assert info["size"] == (640, 360)
    assert info["kinds"] == ["audio", "video"]
    assert info["duration"] == pytest.approx(3.0, abs=0.25)
    return target


def test_build_joins_the_previews_and_downloads(gazu_admin, reel, api_url):
    job = gazu.playlist.build_playlist_movie(reel.playlist)
    assert list(job) == JOB_KEYS
    # The exact concatenation took them: no message.
    assert (job["status"], job["job_type"], job["message"]) == ("succeeded", "movie", None)
    assert job["ended_at"] and job["playlist_id"] == reel.playlist["id"]
    assert gazu.playlist.get_build_job(reel.playlist, job) == job
    assert job["id"] in gazu.playlist.get_playlist(reel.playlist)["build_jobs"]

    target = download_reel(reel, job, "build.mp4")

    path = f"data/playlists/{reel.playlist['id']}/jobs/{job['id']}/build/mp4"
    whole = raw_get(api_url, path)
    assert whole.status_code == 200
    assert whole.headers["Cache-Control"] == "no-cache"
    assert whole.headers["Content-Type"] == "video/mp4"
    assert whole.content == target.read_bytes()
    # Zou's name: the job's creation time, the production, the playlist.
    stamp = re.sub(r"[^0-9t]", "", job["created_at"].lower()).replace("t", "_")
    project_slug = re.sub(r"[^a-z0-9]+", "_", reel.project["name"].lower()).strip("_")
    name = re.sub(r"[^a-z0-9]+", "_", reel.playlist["name"].lower()).strip("_")
    assert whole.headers["Content-Disposition"] == (
        f"attachment; filename={stamp}_{project_slug}_{name}.mp4")
    part = raw_get(api_url, path, Range="bytes=0-99")
    assert part.status_code == 206
    assert part.content == whole.content[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(whole.content)}"

    gazu.playlist.remove_build_job(reel.playlist, job)
    assert raw_get(api_url, path).status_code == 404


def test_full_build_reencodes_with_the_filter(gazu_admin, reel, api_url):
    r = raw_get(api_url, f"data/playlists/{reel.playlist['id']}/build/mp4?full=true")
    assert r.status_code == 200, r.text
    job = r.json()
    assert (job["status"], job["message"]) == ("succeeded", None)
    download_reel(reel, job, "full.mp4")


def stored(root, job_id):
    return [p for p in root.rglob("*") if p.name.startswith(job_id)]


def test_removing_the_playlist_removes_its_build(gazu_admin, reel, api_url, fennec_server):
    playlist = gazu.playlist.new_playlist(reel.project, f"Gone {unique()}")
    shot, preview = reel.previews[0]
    gazu.playlist.add_entity_to_playlist(playlist, shot, preview_file=preview)
    job = gazu.playlist.build_playlist_movie(playlist)
    assert job["status"] == "succeeded"
    path = f"data/playlists/{playlist['id']}/jobs/{job['id']}/build/mp4"
    assert raw_get(api_url, path).status_code == 200
    root = fennec_server.media_root
    assert stored(root, job["id"]), f"no stored movie of build {job['id']} under {root}"
    gazu.playlist.delete_playlist(playlist)
    assert raw_get(api_url, path).status_code == 404
    assert not stored(root, job["id"])


def test_a_build_is_for_managers(gazu_admin, reel, api_url):
    r = requests.get(f"{api_url}/data/playlists/{reel.playlist['id']}/build/mp4",
                     headers={"Authorization": f"Bearer {reel.artist_token}"}, timeout=30)
    assert r.status_code == 403
