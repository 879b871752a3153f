"""The producer's timeline page (/fennec/timeline) in a real Chromium.

A producer logs in through the form, picks the project, and sees one SVG row
per sequence with the late one marked (in words, not only in colour), the
late task in the risk table, the milestones; the view survives a reload of
its deep link; API refusals (403, 401) read as sentences.
"""

from __future__ import annotations

import re
import urllib.request

from playwright.sync_api import expect

from conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ARTIST_EMAIL,
    ARTIST_PASSWORD,
    AS_OF,
)

VIEWPORT = {"width": 1400, "height": 900}
TIMEOUT_MS = 15_000


# The page's CSP forbids eval, so waits use locators (Playwright's own
# isolated world), not wait_for_function (which evals in the page).
expect.set_options(timeout=TIMEOUT_MS)


def watch_console(page) -> list[str]:
    """Console errors and uncaught exceptions of `page`, as they happen."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    return errors


def group_rows(page) -> list[dict]:
    return page.eval_on_selector_all(
        "#gantt-svg [data-kind=group]",
        """rows => rows.map(r => ({
            key: r.dataset.key,
            state: r.dataset.state,
            name: r.querySelector('.group-name').textContent,
            text: r.textContent,
            label: r.getAttribute('aria-label'),
        }))""",
    )


def log_in(page, email: str, password: str) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_the_page_is_served_without_auth_with_a_strict_policy(fennec_server):
    for path in ("/fennec/timeline", "/api/fennec/timeline", "/api/fennec/timeline/"):
        with urllib.request.urlopen(fennec_server.base_url + path, timeout=10) as res:
            assert res.status == 200, path
            assert res.headers["Content-Type"].startswith("text/html")
            csp = res.headers["Content-Security-Policy"]
            assert "default-src 'none'" in csp and "connect-src 'self'" in csp
            html = res.read().decode()
        assert 'id="login-form"' in html and "<svg" in html


def test_producer_sees_groups_late_work_and_risks(browser, fennec_server, production, artifacts, api):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = watch_console(page)
    base = fennec_server.base_url

    page.goto(f"{base}/fennec/timeline?group_by=sequence&as_of={AS_OF}")
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    page.screenshot(path=str(artifacts / "login.png"))
    log_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)

    # Two projects are visible to the admin: the producer picks one.
    page.wait_for_selector(f"#project option[value='{production.project}']", state="attached")
    page.select_option("#project", production.project)
    expect(page.locator("#gantt-svg [data-kind=group]")).to_have_count(4)

    rows = group_rows(page)
    assert [r["name"] for r in rows] == ["SQ010", "No sequence", "SQ020", "SQ030"], rows
    seqs = production.sequences
    assert [r["key"] for r in rows[:1] + rows[2:]] == [seqs["SQ010"], seqs["SQ020"], seqs["SQ030"]]
    sq010 = rows[0]
    assert sq010["state"] == "late", sq010
    assert "1 late" in sq010["text"], "the late state is written, not only coloured"
    assert "1 late" in sq010["label"] and "1 of 3 tasks done" in sq010["label"], sq010
    assert all(r["state"] != "late" for r in rows[1:]), rows
    assert page.locator("#gantt-svg .asof-line").count() == 1
    assert "as of 2024-03-04" in page.locator("#gantt-svg").text_content()

    # The risk table lists the late task, most severe risks first.
    late = page.locator(f"#risk-table tbody tr[data-kind=late][data-task='{production.late_task}']")
    assert late.count() == 1
    cells = late.locator("td").all_text_contents()
    assert cells[1] == "Late"
    assert "SH010 / Animation" in cells[2]
    assert cells[3] == "Ada Lovelace"
    assert cells[4] == "2024-03-01"
    severities = page.eval_on_selector_all(
        "#risk-table tbody tr td:first-child", "cells => cells.map(c => c.textContent)"
    )
    rank = {"High": 2, "Medium": 1, "Low": 0}
    assert [rank[s] for s in severities] == sorted((rank[s] for s in severities), reverse=True)
    unassigned = page.locator("#risk-table tbody tr[data-kind=unassigned]")
    assert "Lamp / Modeling" in unassigned.first.text_content()
    milestones = page.locator("#milestone-table tbody tr").all_text_contents()
    assert any("Animatic" in m and "2024-03-15" in m for m in milestones), milestones
    assert any("Browser Show end" in m and "2024-03-29" in m for m in milestones), milestones

    # Opening the late group shows its three tasks, the late one labelled.
    page.locator(f"#gantt-svg [data-kind=group][data-key='{seqs['SQ010']}']").click()
    expect(page.locator("#gantt-svg [data-kind=task]")).to_have_count(3)
    task = page.locator(f"#gantt-svg [data-kind=task][data-key='{production.late_task}']")
    assert task.get_attribute("data-state") == "late"
    assert "LATE" in task.text_content()
    assert page.locator(f"#gantt-svg [data-key='{seqs['SQ010']}']").get_attribute("aria-expanded") == "true"
    # The project end's critical path (the API's first target) is what the
    # rows mark, task by task.
    path = api.get(f"/fennec/projects/{production.project}/critical-path?as_of={AS_OF}")
    on_path = {p["task_id"] for p in path["targets"][0]["path"]}
    shown = page.eval_on_selector_all(
        "#gantt-svg [data-kind=task]", "rows => rows.map(r => [r.dataset.key, r.dataset.critical])")
    assert len(shown) == 3
    assert all((crit == "true") == (key in on_path) for key, crit in shown), (shown, on_path)
    assert on_path and page.locator("#gantt-svg [data-kind=group][data-critical=true]").count() >= 1
    # Keyboard: Enter on the focused group closes it again.
    page.keyboard.press("Enter")
    expect(page.locator("#gantt-svg [data-kind=task]")).to_have_count(0)
    page.locator(f"#gantt-svg [data-kind=group][data-key='{seqs['SQ010']}']").click()
    expect(page.locator("#gantt-svg [data-kind=task]")).to_have_count(3)

    # Hundreds of groups: narrow them to the late or slipping ones, or by name.
    page.get_by_label("Only late or slipping groups").check()
    expect(page.locator("#gantt-svg [data-kind=group]")).to_have_count(1)
    assert "only_late=1" in page.url
    page.get_by_label("Only late or slipping groups").uncheck()
    page.get_by_label("Find group").fill("sq03")
    expect(page.locator("#gantt-svg [data-kind=group]")).to_have_count(1)
    assert group_rows(page)[0]["name"] == "SQ030"
    page.get_by_label("Find group").fill("")
    expect(page.locator("#gantt-svg [data-kind=group]")).to_have_count(4)

    # The URL is a deep link to this view.
    assert f"project={production.project}" in page.url
    assert "group_by=sequence" in page.url and f"as_of={AS_OF}" in page.url

    shot = artifacts / "timeline-by-sequence.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000

    # A deep link restores another view (the token is kept for the tab).
    page.goto(f"{base}/fennec/timeline?project={production.project}&group_by=task_type&as_of={AS_OF}")
    expect(page.locator("#gantt-svg [data-kind=group]")).to_have_count(3)
    assert sorted(r["name"] for r in group_rows(page)) == ["Animation", "Layout", "Modeling"]
    assert page.input_value("#group-by") == "task_type"
    assert page.input_value("#as-of") == AS_OF
    assert page.input_value("#project") == production.project
    page.screenshot(path=str(artifacts / "timeline-by-task-type.png"), full_page=True)

    assert errors == [], errors
    context.close()


def test_refusals_read_as_sentences(browser, fennec_server, production, artifacts):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = watch_console(page)
    base = fennec_server.base_url

    # A stale token: back to the form, saying why.
    page.goto(f"{base}/api/fennec/timeline")
    page.evaluate("sessionStorage.setItem('fennec.access_token', 'not-a-token')")
    page.goto(f"{base}/api/fennec/timeline?project={production.project}")
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#message")).to_contain_text("log in again")

    # Wrong password.
    log_in(page, ARTIST_EMAIL, "wrong")
    expect(page.locator("#login-error")).to_contain_text("Wrong e-mail or password")

    # The artist is not in the other project's team.
    page.goto(f"{base}/api/fennec/timeline?project={production.other_project}&as_of={AS_OF}")
    log_in(page, ARTIST_EMAIL, ARTIST_PASSWORD)
    expect(page.locator("#message")).to_contain_text("not in this project's team")
    assert page.locator("#gantt-svg [data-kind=group]").count() == 0
    page.screenshot(path=str(artifacts / "timeline-forbidden.png"), full_page=True)

    # Only the refused requests themselves were logged by the browser.
    refused = re.compile(r"Failed to load resource: .*status of (400|401|403|422)\b")
    unexpected = [e for e in errors if not refused.search(e)]
    assert unexpected == [], errors
    context.close()
