"""The timeline page on a production written by `fennec seed` (the
realistic one: 3 episodes, 12 sequences, 120 shots, 30 assets, 720 tasks
with a schedule, time logged and late work): it renders a row and bars per
sequence, the risk table, and no script error."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

from playwright.sync_api import expect

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, REPO_ROOT

VIEWPORT = {"width": 1400, "height": 900}


def _api(base: str, path: str, token: str | None = None, body: dict | None = None):
    req = urllib.request.Request(f"{base}/api{path}", method="POST" if body else "GET")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    data = json.dumps(body).encode() if body else None
    with urllib.request.urlopen(req, data, timeout=60) as resp:
        return json.loads(resp.read())


def test_a_seeded_production_renders(browser, fennec_server, artifacts):
    binary = Path(os.environ.get("FENNEC_BIN", REPO_ROOT / "target" / "debug" / "fennec"))
    database = f"sqlite://{fennec_server.log_path.parent / 'fennec.db'}"
    seed = subprocess.run(
        [str(binary), "seed", "--scale", "1", "--project", "Seeded Show", "--database", database],
        capture_output=True, text=True, timeout=300,
    )
    assert seed.returncode == 0, seed.stderr
    base = fennec_server.base_url
    token = _api(base, "/auth/login", body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})[
        "access_token"]
    project = next(p for p in _api(base, "/data/projects", token) if p["name"] == "Seeded Show")
    sequences = _api(base, f"/data/projects/{project['id']}/sequences", token)
    assert len(sequences) == 12

    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/fennec/timeline?project={project['id']}&group_by=sequence")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    groups = page.locator("#gantt-svg [data-kind=group]")
    expect(groups.first).to_be_visible(timeout=30_000)
    # Rows are virtualised: those in view are drawn, each with its bars.
    assert groups.count() >= 8
    assert page.locator("#gantt-svg rect").count() > groups.count()
    assert page.locator("#gantt-svg .asof-line").count() == 1
    # The seeded schedule has late work; the table lists the risks, most
    # severe first (100 rows at a time).
    expect(page.locator("#risk-table tbody tr").first).to_be_visible()
    assert page.locator("#risk-table tbody tr").count() > 0
    risks = _api(base, f"/fennec/projects/{project['id']}/risks", token)
    assert risks["summary"]["late_tasks"] > 0
    page.screenshot(path=str(artifacts / "seeded-timeline.png"), full_page=True)
    assert errors == [], errors
    context.close()
