"""Issue 14 in Kitsu's own front end: a shot's preview, uploaded as gazu
uploads one (a comment, its preview, the picture, the main preview), shows
as the shot's thumbnail on the task-type page and as the picture on the
task page, each image actually loaded by Chromium from Fennec's picture
routes, with no API request failing."""

from __future__ import annotations

import re
import struct
import zlib

from playwright.sync_api import expect

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api
from test_kitsu_front_end import (  # noqa: F401 (kitsu_server is a fixture)
    PROJECT,
    Session,
    kitsu_server,
    project_id,
    seeded_ids,
)


def make_png(width: int, height: int) -> bytes:
    """A striped RGB picture, so that a blank image would not pass."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 7 % 256, y * 5 % 256, 128)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def loaded(image) -> bool:
    return image.evaluate("img => img.complete && img.naturalWidth > 0")


def test_kitsu_shows_the_thumbnail_and_the_task_preview(browser, kitsu_server, artifacts):
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        pid = project_id(session)
        ids = seeded_ids(session, pid)

        # The preview, as gazu's add_preview and set_main_preview send it.
        api = Api(kitsu_server.base_url).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        wip = next(s for s in api.get("/data/task-status") if s["short_name"] == "wip")
        comment = api.post(f"/actions/tasks/{ids['task']}/comment",
                           {"task_status_id": wip["id"], "comment": "First frame"})
        preview = api.post(
            f"/actions/tasks/{ids['task']}/comments/{comment['id']}/add-preview", {})
        upload = session.context.request.post(
            f"{session.base}/api/pictures/preview-files/{preview['id']}",
            headers={"Authorization": f"Bearer {api.token}"},
            multipart={"file": {"name": "frame.png", "mimeType": "image/png",
                                "buffer": make_png(320, 180)}},
        )
        assert upload.status == 201, upload.text()
        api.put(f"/actions/preview-files/{preview['id']}/set-main-preview", {})

        # The task-type page lists the shot with its thumbnail.
        session.failures.clear()
        session.open(
            f"/productions/{pid}/episodes/{ids['ep']}/shots/task-types/{ids['tt']}")
        thumbnail = session.page.locator(
            f"img[src*='pictures/thumbnails/preview-files/{preview['id']}']").first
        expect(thumbnail).to_be_visible(timeout=30_000)
        session.page.wait_for_function(
            "src => [...document.images].some(i => i.src.includes(src) && i.naturalWidth > 0)",
            arg=f"pictures/thumbnails/preview-files/{preview['id']}", timeout=30_000)
        assert loaded(thumbnail)
        session.assert_clean("the task-type page with a thumbnail")
        session.shot("thumbnail")

        # The task page shows the picture itself.
        session.failures.clear()
        session.open(f"/productions/{pid}/episodes/{ids['ep']}/shots/tasks/{ids['task']}")
        expect(session.page.get_by_text("First frame").first).to_be_visible(timeout=30_000)
        picture = re.compile(rf"pictures/(previews|originals)/preview-files/{preview['id']}")
        session.page.wait_for_function(
            "pattern => [...document.images].some("
            "i => new RegExp(pattern).test(i.src) && i.naturalWidth > 0)",
            arg=picture.pattern, timeout=30_000)
        session.assert_clean("the task page with a preview")
        session.shot("task-preview")
    finally:
        session.close()
