"""Kitsu's own web front end on Fennec (issue 13): a build of it
(``../shared/kitsu-ui/dist`` beside the repository, or FENNEC_KITSU_UI)
served by ``fennec serve --ui`` on a ``fennec seed`` production (SQLite, and
PostgreSQL too when FENNEC_TEST_DATABASE_URL is set), driven in
Chromium through Kitsu's login form as an admin, a supervisor and an
artist. Each page must show the seeded data, and no API request may
answer 4xx or 5xx (the only exception is the 401 of
``/api/auth/authenticated`` before logging in, which Zou answers too).

Chromium's headless User-Agent says "HeadlessChrome", which Zou (and so
Fennec) does not count as a browser: it would get no cookie, as on Zou.
The test sends the User-Agent the same Chromium sends with a window."""

from __future__ import annotations

import datetime
import os
import re
import secrets
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import expect

from conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    REPO_ROOT,
    Api,
    FennecServer,
    _free_port,
    _stop,
    _wait_until_up,
)

UI_DIR = Path(os.environ.get("FENNEC_KITSU_UI", REPO_ROOT.parent / "shared" / "kitsu-ui" / "dist"))
PROJECT = "Seeded Show"
SEED_PASSWORD = "fennec-seed"
SLUG = "seeded-show"
VIEWPORT = {"width": 1400, "height": 900}
# Kitsu asks who is logged in before showing its login form: a 401 there
# is how it learns that nobody is.
EXPECTED_BEFORE_LOGIN = re.compile(r"/api/auth/authenticated$")


def _backends():
    # The issue asks for the pages on both databases: PostgreSQL whenever
    # the test command has one (FENNEC_TEST_DATABASE_URL).
    return ["sqlite"] + (["postgres"] if os.environ.get("FENNEC_TEST_DATABASE_URL") else [])


def _fresh_postgres(maintenance: str) -> tuple[str, str]:
    """A new database on the test server, for this module's production."""
    name = f"fennec_kitsu_{secrets.token_hex(6)}"
    parts = urlsplit(maintenance)
    subprocess.run(["psql", maintenance, "-q", "-c", f'CREATE DATABASE "{name}"'],
                   check=True, capture_output=True, timeout=60)
    return urlunsplit(parts._replace(path="/" + name)), name


@pytest.fixture(scope="module", params=_backends())
def kitsu_server(request, tmp_path_factory):
    if not (UI_DIR / "index.html").is_file():
        pytest.skip(
            f"no Kitsu front-end build at {UI_DIR} (its index.html is missing): "
            "build one as ../shared/kitsu-ui/README.md says, or set FENNEC_KITSU_UI"
        )
    binary = Path(os.environ.get("FENNEC_BIN", REPO_ROOT / "target" / "debug" / "fennec"))
    if not binary.is_file():
        pytest.fail(f"fennec binary not found at {binary} (cargo build, or set FENNEC_BIN)")
    tmp = tmp_path_factory.mktemp("kitsu")
    dropped = None
    if request.param == "postgres":
        maintenance = os.environ["FENNEC_TEST_DATABASE_URL"]
        database, name = _fresh_postgres(maintenance)
        dropped = (maintenance, name)
    else:
        database = f"sqlite://{tmp / 'fennec.db'}"
    seed = subprocess.run(
        [str(binary), "seed", "--scale", "1", "--project", PROJECT, "--database", database,
         "--quiet"],
        capture_output=True, text=True, timeout=300,
    )
    assert seed.returncode == 0, seed.stderr
    port = _free_port()
    env = dict(os.environ)
    env.update(
        FENNEC_BIND=f"127.0.0.1:{port}",
        DATABASE_URL=database,
        SECRET_KEY=secrets.token_hex(32),
        FENNEC_ADMIN_EMAIL=ADMIN_EMAIL,
        FENNEC_ADMIN_PASSWORD=ADMIN_PASSWORD,
        FENNEC_UI=str(UI_DIR),
    )
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(binary), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = FennecServer(f"http://127.0.0.1:{port}", log_path, process)
    try:
        _wait_until_up(server, float(os.environ.get("FENNEC_START_TIMEOUT", "60")))
        yield server
    finally:
        _stop(process)
        if dropped:
            subprocess.run(["psql", dropped[0], "-q", "-c",
                            f'DROP DATABASE IF EXISTS "{dropped[1]}" WITH (FORCE)'],
                           capture_output=True, timeout=60)


class Session:
    """A logged-in Kitsu tab that records every failed API answer."""

    def __init__(self, browser, server: FennecServer, artifacts: Path, role: str):
        user_agent = (
            f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{browser.version} Safari/537.36"
        )
        self.context = browser.new_context(viewport=VIEWPORT, user_agent=user_agent)
        self.page = self.context.new_page()
        self.base = server.base_url
        self.server = server
        self.artifacts = artifacts
        self.role = role
        self.failures: list[str] = []
        self.logged_in = False
        self.page.on("response", self._check)

    def _check(self, response):
        path = response.url[len(self.base):] if response.url.startswith(self.base) else ""
        if not path.startswith("/api/") or response.status < 400:
            return
        if not self.logged_in and EXPECTED_BEFORE_LOGIN.search(path.split("?")[0]):
            return
        self.failures.append(f"{response.status} {response.request.method} {path}")

    def login(self, email: str, password: str):
        self.page.goto(self.base + "/")
        self.page.locator("input[type=email]").fill(email)
        self.page.locator("input[type=password]").fill(password)
        self.logged_in = True
        self.page.get_by_role("button", name="Log in").click()
        expect(self.page).not_to_have_url(re.compile(r"/login"), timeout=30_000)
        cookies = {c["name"]: c for c in self.context.cookies()}
        assert cookies["access_token_cookie"]["httpOnly"] is True
        assert cookies["access_token_cookie"]["sameSite"] == "Lax"

    def open(self, path: str):
        self.page.goto(self.base + path)

    def shot(self, name: str):
        self.page.screenshot(path=str(self.artifacts / f"kitsu-{self.role}-{name}.png"))

    def assert_clean(self, where: str):
        # Late answers of the page (its lists load in several rounds).
        self.page.wait_for_load_state("networkidle", timeout=30_000)
        assert not self.failures, (
            f"{self.role} on {where}: API requests failed:\n  " + "\n  ".join(self.failures)
            + f"\nServer log:\n{self.server.log_tail()}"
        )

    def close(self):
        self.context.close()


def project_id(session: Session) -> str:
    """The seeded production's id, from the productions list's link."""
    session.open("/productions")
    link = session.page.get_by_role("link", name=PROJECT).first
    expect(link).to_be_visible(timeout=30_000)
    href = link.get_attribute("href") or ""
    found = re.search(r"/productions/([0-9a-f-]{36})", href)
    assert found, f"no production id in the link {href!r}"
    return found.group(1)


def open_production(session: Session) -> str:
    """Opens the seeded production from the open productions' list; its id.
    Kitsu draws that list in several rounds, and a click on the first
    drawing of the card can be lost: click again until Kitsu moves on."""
    for _ in range(3):
        session.page.get_by_text(PROJECT).first.click()
        for _ in range(40):
            found = re.search(r"/productions/([0-9a-f-]{36})", session.page.url)
            if found:
                return found.group(1)
            session.page.wait_for_timeout(500)
    raise AssertionError(f"opening the production led to {session.page.url}")


ARTIST_EMAIL = f"artist1.{SLUG}@seed.example.com"
SUPERVISOR_EMAIL = f"supervisor1.{SLUG}@seed.example.com"
ROLES = [
    ("admin", ADMIN_EMAIL, ADMIN_PASSWORD),
    ("supervisor", SUPERVISOR_EMAIL, SEED_PASSWORD),
    ("artist", ARTIST_EMAIL, SEED_PASSWORD),
]


@pytest.mark.parametrize("role,email,password", ROLES, ids=[r[0] for r in ROLES])
def test_kitsu_shows_the_seeded_production(browser, kitsu_server, artifacts, role, email, password):
    session = Session(browser, kitsu_server, artifacts, role)
    try:
        session.login(email, password)
        session.assert_clean("login")

        # The productions list: the studio's for an admin; "My productions"
        # (the open ones of their teams) for the others, whom Kitsu does not
        # show the studio's.
        if role != "admin":
            session.open("/open-productions")
            expect(session.page.get_by_text(PROJECT).first).to_be_visible(timeout=30_000)
            session.shot("productions")
            session.assert_clean("the open productions")
            pid = open_production(session)
        else:
            session.open("/productions")
            expect(session.page.get_by_text(PROJECT).first).to_be_visible(timeout=30_000)
            expect(session.page.get_by_text("1 production")).to_be_visible()
            session.shot("productions")
            session.assert_clean("the productions list")
            pid = project_id(session)

        # A production's shots, by sequence, with their tasks' statuses.
        session.open(f"/productions/{pid}/shots")
        expect(session.page.get_by_text(re.compile(r"^\s*SQ01\s*$")).first).to_be_visible(
            timeout=30_000
        )
        # The first episode of the seed holds 4 sequences of 10 shots.
        expect(session.page.get_by_text(re.compile(r"\b40 shots\b"))).to_be_visible(
            timeout=30_000
        )
        if role == "admin":
            # The task types' columns (the others see those of their
            # departments only, Kitsu's default filter).
            expect(session.page.get_by_text("Animation").first).to_be_visible()
        session.assert_clean("the shots page")
        # Kitsu moves a TV show's page to its first episode's address and
        # draws it again: the shots must still be there once it settles.
        expect(session.page.get_by_text(re.compile(r"\b40 shots\b"))).to_be_visible(
            timeout=30_000
        )
        expect(session.page.get_by_text("SH0010").first).to_be_visible(timeout=30_000)
        session.shot("shots")

        if role == "admin":
            # More of a production, for the studio's supervisors.
            session.open(f"/productions/{pid}/assets")
            assets = session.page.get_by_text(re.compile(r"\b\d+ assets?\b")).first
            expect(assets).to_be_visible(timeout=30_000)
            session.assert_clean("the assets page")
            expect(assets).to_be_visible(timeout=30_000)
            session.shot("assets")
            session.open(f"/productions/{pid}/sequences")
            expect(session.page.get_by_text(re.compile(r"^\s*SQ02\s*$")).first).to_be_visible(
                timeout=30_000
            )
            session.assert_clean("the sequences page")
            session.open(f"/productions/{pid}/schedule")
            session.page.wait_for_timeout(1500)
            session.shot("schedule")
            session.assert_clean("the production schedule")
    finally:
        session.close()


# The pages of the list (path templates filled with the seeded
# production `{pid}`, its first episode `{ep}`, a shot task `{task}` and
# its task type `{tt}`, and the month of the timesheet's day checked), each
# with a text that shows the seeded data once the page has loaded; the
# pages whose data differs by role are checked by DATA_SHOWN instead.
PAGES = {
    "my tasks": ("/my-tasks", None),
    "my checks": ("/my-checks", None),
    "timesheets": ("/timesheets/day/{ts_year}/{ts_month}", None),
    "people": ("/people", "Tanaka"),
    "team schedule": ("/team-schedule", None),
    "main schedule": ("/main-schedule", None),
    "notifications": ("/notifications", None),
    "team": ("/productions/{pid}/team", "Tanaka"),
    "production schedule": ("/productions/{pid}/episodes/{ep}/schedule", "Shot / Animation"),
    "news feed": ("/productions/{pid}/news-feed", None),
    "quota": ("/productions/{pid}/episodes/{ep}/quota", "Tanaka"),
    "task type page": ("/productions/{pid}/episodes/{ep}/shots/task-types/{tt}", "SH0010"),
    "task page": ("/productions/{pid}/episodes/{ep}/shots/tasks/{task}", "Current status:"),
    # The seeded artist has tasks of his own (the admin has none).
    "my tasks with tasks": ("/my-tasks", re.compile(r"\b\d+ tasks \(")),
}
# Every role opens every page, but for two: an admin has no tasks of his
# own (the artist's My Tasks shows his), and Kitsu shows the studio's People
# page to admins only (it sends the others back to their home page, without
# a call to the server).
PAGES_OF = {
    "admin": [p for p in PAGES if p != "my tasks with tasks"],
    "supervisor": [p for p in PAGES if p not in ("my tasks with tasks", "people")],
    "artist": [p for p in PAGES if p not in ("my tasks", "people")],
}
# What shows the seeded data for one role only: the studio's schedules
# list everyone's work and productions to an admin; a supervisor's and an
# artist's show their own departments' (the seed's may hold nobody else).
SHOWN_TO = {("admin", "team schedule"): "Tanaka", ("admin", "main schedule"): PROJECT}
# Zou answers a supervisor's team schedule `GET /data/day-offs` with 403
# (its DayOffsResource keeps the generic list's right: admins only); Kitsu
# shows the page without the day offs.
ZOU_REFUSES = {("supervisor", "team schedule"): re.compile(r"^403 GET /api/data/day-offs$")}


def full_entity_name(kind: str, entity: dict) -> str:
    """The name Kitsu's lists give an entity: episode / sequence / shot of
    a TV show's shot, asset type / asset of an asset."""
    if kind == "shots":
        return f"{entity['episode_name']} / {entity['sequence_name']} / {entity['name']}"
    return f"{entity['asset_type_name']} / {entity['name']}"


def production_tasks(api: Api, pid: str) -> dict:
    """Every task of the production, with its entity's full name (from the
    with-tasks lists, not from the routes the checked pages call)."""
    tasks = {}
    for kind in ("shots", "assets"):
        for entity in api.get(f"/data/{kind}/with-tasks?project_id={pid}"):
            for task in entity["tasks"]:
                tasks[task["id"]] = {**task, "entity": full_entity_name(kind, entity)}
    return tasks


class Facts:
    """What the seeded production holds, read as the admin through the API,
    and what the test adds to it before opening the pages: the admin and
    the first supervisor follow a task of the first artist, in the
    supervisor's department, and the artist comments on it (Zou notifies
    a task's followers: that is how a supervisor and an admin, who are
    assigned nothing, get notifications)."""

    def __init__(self, server: FennecServer):
        self.base = server.base_url
        self.admin = Api(self.base).login(ADMIN_EMAIL, ADMIN_PASSWORD)
        self.pid = next(p["id"] for p in self.admin.get("/data/projects") if p["name"] == PROJECT)
        self.persons = {p["id"]: p for p in self.admin.get("/data/persons?relations=true")}
        by_email = {p["email"]: p for p in self.persons.values()}
        self.artist = by_email[ARTIST_EMAIL]
        self.supervisor = by_email[SUPERVISOR_EMAIL]
        self.statuses = {s["id"]: s for s in self.admin.get("/data/task-status")}
        self.task_types = {t["id"]: t for t in self.admin.get("/data/task-types")}
        tasks = production_tasks(self.admin, self.pid)
        followed = next(
            t for t in sorted(tasks.values(), key=lambda t: t["entity"])
            if self.artist["id"] in t["assignees"]
            and self.task_types[t["task_type_id"]]["department_id"] in self.supervisor["departments"]
        )
        self.followed = followed
        supervisor = Api(self.base).login(SUPERVISOR_EMAIL, SEED_PASSWORD)
        for follower in (self.admin, supervisor):
            follower.post(f"/actions/user/tasks/{followed['id']}/subscribe", {})
        artist = Api(self.base).login(ARTIST_EMAIL, SEED_PASSWORD)
        self.followed_text = f"Ready for another look ({secrets.token_hex(3)})"
        artist.post(f"/actions/tasks/{followed['id']}/comment", {
            "task_status_id": followed["task_status_id"], "comment": self.followed_text,
        })

    def departments_of(self, role: str) -> set | None:
        """The departments a role's lists are narrowed to (Zou narrows a
        supervisor's to-check list and timesheets to his), None for all."""
        return set(self.supervisor["departments"]) if role == "supervisor" else None

    def in_departments(self, task: dict, departments: set | None) -> bool:
        return departments is None or self.task_types[task["task_type_id"]]["department_id"] in departments


@pytest.fixture(scope="module")
def facts(kitsu_server) -> Facts:
    return Facts(kitsu_server)


def timesheet_day(facts: Facts, role: str) -> dict:
    """The first artist's last day of logged time, as the role's timesheets
    count it: the day, its month's page, and the hours Kitsu shows."""
    tasks = production_tasks(facts.admin, facts.pid)
    departments = facts.departments_of(role)
    logged = [
        t for t in facts.admin.get(f"/data/time-spents?person_id={facts.artist['id']}")
        if t["task_id"] in tasks and facts.in_departments(tasks[t["task_id"]], departments)
    ]
    assert logged, f"the seed logged no time of {ARTIST_EMAIL} that a {role} sees"
    day = max(t["date"][:10] for t in logged)
    hours = sum(t["duration"] for t in logged if t["date"][:10] == day) / 60
    # Kitsu prints the hours as JavaScript prints a number.
    shown = f"{hours:.2f}".rstrip("0").rstrip(".")
    date = datetime.date.fromisoformat(day)
    return {"ts_year": date.year, "ts_month": date.month, "ts_day": date.day, "ts_hours": shown}


def waiting_for_approval(facts: Facts, role: str) -> list:
    """The tasks waiting for approval that the role checks: all of the
    production's for an admin, those of his departments for a supervisor,
    none for an artist (from the boards' lists, not from the to-check
    route My Checks calls)."""
    if role == "artist":
        return []
    departments = facts.departments_of(role)
    return [
        t for t in production_tasks(facts.admin, facts.pid).values()
        if facts.statuses[t["task_status_id"]]["is_feedback_request"]
        and facts.in_departments(t, departments)
    ]


def shows_my_checks(session: Session, role: str, facts: Facts, ids: dict):
    """The count and rows of the tasks the role checks."""
    waiting = waiting_for_approval(facts, role)
    count = len(waiting)
    # (Kitsu prints "0 Tasks to check" while the list loads: the caller
    # waits for the page's calls to end first.)
    heading = session.page.get_by_text(re.compile(rf"^\s*{count} Tasks? to check\s*$"))
    expect(heading).to_be_visible(timeout=30_000)
    rows = session.page.locator("tbody.datatable-body tr.datatable-row")
    expect(rows).to_have_count(count)
    if role != "artist":
        assert count > 0, f"the seed left nothing waiting for approval for a {role}"
        for task in waiting[:3]:
            expect(rows.filter(has_text=task["entity"]).first).to_be_visible()


def shows_timesheets(session: Session, role: str, facts: Facts, ids: dict):
    """The first artist's row, with his hours of his last day worked."""
    name = f"{facts.artist['first_name']} {facts.artist['last_name']}"
    row = session.page.locator("tbody tr.datatable-row").filter(has_text=name)
    expect(row).to_have_count(1, timeout=30_000)
    cell = row.locator("td.daytime").nth(ids["ts_day"] - 1)
    expect(cell).to_have_text(re.compile(rf"^\s*{re.escape(ids['ts_hours'])}\s*$"))


def shows_notifications(session: Session, role: str, facts: Facts, ids: dict):
    """The role's notifications: the artist's from the seeded reviews of his
    tasks, the others' from the followed task's comment, newest first."""
    listed = session.context.request.get(f"{session.base}/api/data/user/notifications").json()
    assert listed, f"no notification for the {role}"
    if role != "artist":
        assert listed[0]["task_id"] == facts.followed["id"], listed[0]
    else:
        assert all(n["author_id"] != facts.artist["id"] for n in listed)
    shown = session.page.locator(".notification")
    expect(shown).to_have_count(len(listed), timeout=30_000)
    tasks = production_tasks(facts.admin, facts.pid)
    expect(shown.first).to_contain_text(tasks[listed[0]["task_id"]]["entity"])


def shows_news(session: Session, role: str, facts: Facts, ids: dict):
    """A first page of 50 entries (the seed's comments are news), the
    newest being the followed task's comment."""
    entries = session.page.locator(".news-entry")
    expect(entries).to_have_count(50, timeout=30_000)
    expect(entries.first).to_contain_text(facts.followed["entity"])


DATA_SHOWN = {
    "my checks": shows_my_checks,
    "timesheets": shows_timesheets,
    "notifications": shows_notifications,
    "news feed": shows_news,
}


def seeded_ids(session: Session, pid: str) -> dict:
    """The ids the page paths need, read through the logged-in browser."""
    api = session.context.request
    episodes = api.get(f"{session.base}/api/data/projects/{pid}/episodes").json()
    episodes.sort(key=lambda e: e["name"])
    shots = api.get(f"{session.base}/api/data/shots/with-tasks?project_id={pid}").json()
    shot = next(s for s in shots if s["tasks"] and s["episode_id"] == episodes[0]["id"])
    shot_task = shot["tasks"][0]
    return {
        "pid": pid,
        "ep": episodes[0]["id"],
        "task": shot_task["id"],
        "tt": shot_task["task_type_id"],
        "shot": shot["name"],
        "sequence": shot["sequence_name"],
    }


@pytest.mark.parametrize("role,email,password", ROLES, ids=[r[0] for r in ROLES])
def test_kitsu_pages_load_with_no_failed_call(browser, kitsu_server, facts, artifacts, role, email,
                                              password):
    session = Session(browser, kitsu_server, artifacts, role)
    try:
        session.login(email, password)
        session.open("/open-productions")
        expect(session.page.get_by_text(PROJECT).first).to_be_visible(timeout=30_000)
        pid = project_id(session) if role == "admin" else None
        if pid is None:
            pid = open_production(session)
        ids = seeded_ids(session, pid)
        ids.update(timesheet_day(facts, role))
        for name in PAGES_OF[role]:
            path, shows = PAGES[name]
            shows = SHOWN_TO.get((role, name), shows)
            session.failures.clear()
            session.open(path.format(**ids))
            if shows is not None:
                expect(session.page.get_by_text(shows).first).to_be_visible(timeout=30_000)
            session.page.wait_for_load_state("networkidle", timeout=30_000)
            if name in DATA_SHOWN:
                DATA_SHOWN[name](session, role, facts, ids)
            if name in DATA_SHOWN or name == "my tasks with tasks":
                session.shot(name.replace(" ", "-"))
            allowed = ZOU_REFUSES.get((role, name))
            if allowed:
                session.failures[:] = [f for f in session.failures if not allowed.match(f)]
            session.assert_clean(f"the {name}")
        session.shot("task-page")
    finally:
        session.close()


def test_kitsu_status_change_by_comment_lands(browser, kitsu_server, artifacts):
    """A supervisor's daily write: on the task page, a comment that moves
    the task to another status, posted through Kitsu's comment form; the
    API then holds the comment and the task's new status."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        pid = project_id(session)
        ids = seeded_ids(session, pid)
        api = session.context.request
        statuses = {s["short_name"]: s for s in api.get(f"{session.base}/api/data/task-status").json()}
        before = api.get(f"{session.base}/api/data/tasks/{ids['task']}").json()
        target = "retake" if before["task_status_id"] != statuses["retake"]["id"] else "done"
        session.open(PAGES["task page"][0].format(**ids))
        expect(session.page.get_by_text("Current status:")).to_be_visible(timeout=30_000)
        text = f"Please fix the timing ({secrets.token_hex(3)})"
        session.page.get_by_placeholder(re.compile("Leave a comment")).fill(text)
        form = session.page.locator(".add-comment")
        form.locator(".status-selector [role=combobox]").click()
        form.locator(".status-selector").get_by_text(target, exact=True).last.click()
        form.locator(".post-button").click()
        expect(session.page.get_by_text(text)).to_be_visible(timeout=30_000)
        session.assert_clean("the task page after the comment")
        after = api.get(f"{session.base}/api/data/tasks/{ids['task']}").json()
        assert after["task_status_id"] == statuses[target]["id"]
        comments = api.get(f"{session.base}/api/data/tasks/{ids['task']}/comments").json()
        assert comments[0]["text"] == text
        assert comments[0]["task_status_id"] == statuses[target]["id"]
        session.shot("comment")
    finally:
        session.close()


def test_kitsu_time_logged_by_an_artist_lands(browser, kitsu_server, artifacts):
    """An artist's daily write: 4 hours on his first task of the day, with
    the Timelog tab's quick button; the API then holds his time spent."""
    _, email, password = ROLES[2]
    session = Session(browser, kitsu_server, artifacts, "artist")
    try:
        session.login(email, password)
        api = session.context.request
        day = session.page.evaluate("new Date().toISOString().slice(0, 10)")
        before = api.get(f"{session.base}/api/data/user/time-spents/{day}").json()
        session.open("/my-tasks?section=timesheets")
        expect(session.page.get_by_text("Time spent (hours)", exact=False).first).to_be_visible(
            timeout=30_000
        )
        row = session.page.locator("tbody tr").first
        row.get_by_role("button", name="4", exact=True).click()
        expect(session.page.get_by_text(re.compile(r"^\s*-?\s*4 hours\s*$")).first).to_be_visible(
            timeout=30_000
        )
        session.assert_clean("the timelog after logging time")
        after = api.get(f"{session.base}/api/data/user/time-spents/{day}").json()
        # The button sets the day's time of the task (Zou keeps minutes).
        was = {t["id"]: t["duration"] for t in before}
        assert any(t["duration"] == 240 and was.get(t["id"]) != 240 for t in after), (before, after)
        session.shot("timelog")
    finally:
        session.close()


def test_kitsu_estimate_changed_on_the_estimation_tab_lands(browser, kitsu_server, artifacts):
    """A supervisor's planning write: a new estimate typed in the task type
    page's Estimation tab (in days); the API then holds it in minutes of
    the studio's working day."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        pid = project_id(session)
        ids = seeded_ids(session, pid)
        api = session.context.request
        day_hours = api.get(f"{session.base}/api/data/organisations").json()[0]["hours_by_day"]
        session.open(PAGES["task type page"][0].format(**ids))
        expect(session.page.get_by_text(ids["shot"]).first).to_be_visible(timeout=30_000)
        session.page.locator(".tabs").get_by_text("Estimation", exact=True).click()
        row = session.page.locator("tr.task-line").filter(
            has=session.page.locator("td.name", has_text=re.compile(f"^{ids['shot']}$"))
        ).filter(
            has=session.page.locator("td.sequence", has_text=re.compile(f"^{ids['sequence']}$"))
        )
        cell = row.locator("td.estimation input")
        expect(cell).to_be_visible(timeout=30_000)
        cell.fill("3.5")
        cell.press("Tab")
        expected = round(3.5 * day_hours * 60)
        for _ in range(40):
            task = api.get(f"{session.base}/api/data/tasks/{ids['task']}").json()
            if round(task["estimation"]) == expected:
                break
            session.page.wait_for_timeout(250)
        assert round(task["estimation"]) == expected, task["estimation"]
        session.assert_clean("the estimation tab after the change")
        session.shot("estimation")
    finally:
        session.close()


def test_kitsu_assignment_from_the_shots_page_lands(browser, kitsu_server, artifacts):
    """A production manager's daily write: on the shots page, a task cell
    selected, then Kitsu's action bar assigns a person picked by name
    (Kitsu sends `PUT /api/actions/persons/{id}/assign`); the API then
    lists the person among that task's assignees, and only that task's."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        pid = project_id(session)
        ids = seeded_ids(session, pid)
        api = session.context.request

        def shot_tasks():
            shots = api.get(f"{session.base}/api/data/shots/with-tasks?project_id={pid}").json()
            shot = next(s for s in shots if s["name"] == ids["shot"] and s["episode_id"] == ids["ep"]
                        and s["sequence_name"] == ids["sequence"])
            return {t["id"]: set(t["assignees"]) for t in shot["tasks"]}

        before = shot_tasks()
        # Kitsu offers the production's team only: someone of the team who
        # works on none of this shot's tasks.
        team = api.get(f"{session.base}/api/data/projects/{pid}").json()["team"]
        busy = set().union(*before.values())
        people = {p["id"]: p for p in api.get(f"{session.base}/api/data/persons").json()}
        person = next(people[i] for i in team if i not in busy and people[i]["role"] == "user")
        session.open(f"/productions/{pid}/episodes/{ids['ep']}/shots")
        row = session.page.locator("tbody tr").filter(
            has=session.page.get_by_text(ids["shot"], exact=True)
        ).first
        expect(row.locator("td.validation").first).to_be_visible(timeout=30_000)
        row.locator("td.validation").first.click()
        session.page.locator(".menu-item[title='Assign tasks']").first.click()
        session.page.locator(".assignation-field .multiselect").first.click()
        session.page.locator(".assignation-field input").first.press_sequentially(
            person["last_name"]
        )
        session.page.locator(".assignation-field .multiselect__option:visible").filter(
            has_text=person["first_name"]
        ).first.click()
        session.page.locator(".action-topbar .confirm-button", has_text="Assign").first.click()
        for _ in range(40):
            after = shot_tasks()
            if any(person["id"] in a for a in after.values()):
                break
            session.page.wait_for_timeout(250)
        gained = [t for t, a in after.items() if a - before[t]]
        assert len(gained) == 1, (before, after)
        assert after[gained[0]] == before[gained[0]] | {person["id"]}
        assert all(after[t] == before[t] for t in before if t != gained[0])
        session.assert_clean("the shots page after the assignment")
        session.shot("assignment")
    finally:
        session.close()


def drag_until_saved(session: Session, box: dict, distance: int, saved_path: str):
    """Drags from the middle of `box` to the right, 10 px at a time as a
    hand does (Kitsu's schedules follow the mouse step by step), and
    answers Kitsu's `PUT` to `saved_path` that the drop sends."""
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def saved(response):
        return response.request.method == "PUT" and saved_path in response.url

    with session.page.expect_response(saved, timeout=30_000) as answer:
        session.page.mouse.move(x, y)
        session.page.mouse.down()
        for dx in range(10, distance + 10, 10):
            session.page.mouse.move(x + dx, y)
            session.page.wait_for_timeout(30)
        session.page.mouse.up()
    return answer.value


def test_kitsu_dates_dragged_in_the_production_schedule_land(browser, kitsu_server, artifacts):
    """A producer's planning write: in the production schedule, the end of
    a task type's bar dragged a few days to the right (Kitsu sends
    `PUT /api/data/schedule-items/{id}` with the new dates); the API then
    holds the later end date."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        pid = project_id(session)
        ids = seeded_ids(session, pid)
        api = session.context.request
        items_url = f"{session.base}/api/data/projects/{pid}/schedule-items/task-types"
        session.open(PAGES["production schedule"][0].format(**ids))
        hand = session.page.locator(".timebar-right-hand").first
        expect(hand).to_be_attached(timeout=30_000)
        session.page.wait_for_load_state("networkidle", timeout=30_000)
        before = {i["id"]: i for i in api.get(items_url).json()}
        hand.scroll_into_view_if_needed()
        box = hand.bounding_box()
        # Kitsu follows the mouse column by column (20 px a day here).
        response = drag_until_saved(session, box, 120, "/api/data/schedule-items/")
        assert response.status == 200, response.text()
        sent = response.request.post_data_json
        item_id = response.url.rstrip("/").rsplit("/", 1)[1]
        item = next(i for i in api.get(items_url).json() if i["id"] == item_id)
        assert item["end_date"][:10] == sent["end_date"], (item, sent)
        assert sent["end_date"] > before[item_id]["end_date"][:10], (before[item_id], sent)
        assert sent["end_date"] > sent["start_date"], sent
        session.assert_clean("the production schedule after the drag")
        session.shot("schedule-drag")
    finally:
        session.close()


def test_kitsu_shows_a_change_made_elsewhere_without_reload(browser, kitsu_server, artifacts):
    """Issue 15: a status change made by someone else shows in an open
    Kitsu page without a reload (Kitsu's Socket.IO `/events` namespace):
    the admin keeps the task page open while the production manager's
    browser comments with a new status through Kitsu's own form."""
    watcher = Session(browser, kitsu_server, artifacts, "admin")
    writer = Session(browser, kitsu_server, artifacts, "manager")
    try:
        watcher.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        pid = project_id(watcher)
        ids = seeded_ids(watcher, pid)
        task_page = PAGES["task page"][0].format(**ids)
        watcher.open(task_page)
        expect(watcher.page.get_by_text("Current status:")).to_be_visible(timeout=30_000)
        watcher.page.wait_for_load_state("networkidle", timeout=30_000)
        api = watcher.context.request
        statuses = {s["short_name"]: s for s in api.get(f"{watcher.base}/api/data/task-status").json()}
        before = api.get(f"{watcher.base}/api/data/tasks/{ids['task']}").json()
        target = "wip" if before["task_status_id"] != statuses["wip"]["id"] else "wfa"
        writer.login(f"manager1.{SLUG}@seed.example.com", SEED_PASSWORD)
        writer.open(task_page)
        expect(writer.page.get_by_text("Current status:")).to_be_visible(timeout=30_000)
        text = f"Seen live ({secrets.token_hex(3)})"
        writer.page.get_by_placeholder(re.compile("Leave a comment")).fill(text)
        form = writer.page.locator(".add-comment")
        form.locator(".status-selector [role=combobox]").click()
        form.locator(".status-selector").get_by_text(target, exact=True).last.click()
        form.locator(".post-button").click()
        expect(writer.page.get_by_text(text)).to_be_visible(timeout=30_000)
        # No reload of the watcher's page: the comment comes by the event.
        expect(watcher.page.get_by_text(text)).to_be_visible(timeout=20_000)
        assert api.get(f"{watcher.base}/api/data/tasks/{ids['task']}").json()["task_status_id"] == (
            statuses[target]["id"]
        )
        watcher.assert_clean("the task page, watching")
        writer.assert_clean("the task page, writing")
        watcher.shot("live-comment")
    finally:
        writer.close()
        watcher.close()


def test_kitsu_approval_from_my_checks_lands(browser, kitsu_server, facts, artifacts):
    """A supervisor's daily write: in My Checks, a task waiting for approval
    selected, then approved (Done) with a comment from the side panel; the
    API then holds the comment and the status, and the list counts one
    task fewer."""
    session = Session(browser, kitsu_server, artifacts, "supervisor")
    try:
        session.login(SUPERVISOR_EMAIL, SEED_PASSWORD)
        api = session.context.request
        done = next(s for s in facts.statuses.values() if s["short_name"] == "done")
        before = len(waiting_for_approval(facts, "supervisor"))
        assert before > 0, "nothing to check for the supervisor"
        session.open("/my-checks")
        expect(session.page.get_by_text(
            re.compile(rf"^\s*{before} Tasks? to check\s*$")
        )).to_be_visible(timeout=30_000)
        rows = session.page.locator("tbody.datatable-body tr.datatable-row")
        expect(rows).to_have_count(before)
        rows.first.locator("td.duration").click()
        side = session.page.locator(".side-column")
        text = f"Approved, thanks ({secrets.token_hex(3)})"
        side.get_by_placeholder(re.compile("Leave a comment")).fill(text)
        form = side.locator(".add-comment")
        form.locator(".status-selector [role=combobox]").click()
        form.locator(".status-selector").get_by_text("done", exact=True).last.click()

        def posted(response):
            return response.request.method == "POST" and response.url.endswith("/comment")

        with session.page.expect_response(posted, timeout=30_000) as answer:
            form.locator(".post-button").click()
        assert answer.value.status == 201, answer.value.text()
        task_id = answer.value.url.rsplit("/", 2)[1]
        expect(session.page.get_by_text(
            re.compile(rf"^\s*{before - 1} Tasks? to check\s*$")
        )).to_be_visible(timeout=30_000)
        task = api.get(f"{session.base}/api/data/tasks/{task_id}").json()
        assert task["task_status_id"] == done["id"]
        comments = api.get(f"{session.base}/api/data/tasks/{task_id}/comments").json()
        assert comments[0]["text"] == text and comments[0]["task_status_id"] == done["id"]
        session.assert_clean("my checks after the approval")
        session.shot("my-checks-approval")
    finally:
        session.close()


def test_kitsu_task_moved_in_the_team_schedule_lands(browser, kitsu_server, facts, artifacts):
    """A production manager's planning write: in the team schedule, the
    first artist's line unfolded and one of his task bars dragged a few
    days later (Kitsu sends `PUT /api/data/tasks/{id}` with the new start
    and due dates); the API then holds them."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        api = session.context.request
        name = f"{facts.artist['first_name']} {facts.artist['last_name']}"
        session.open("/team-schedule")
        person = session.page.locator(".entity-line.root").filter(has_text=name)
        expect(person).to_be_visible(timeout=30_000)
        session.page.wait_for_load_state("networkidle", timeout=30_000)
        person.locator(".expand").click()
        bars = session.page.locator(".child-line .timebar-center")
        expect(bars.first).to_be_attached(timeout=30_000)
        session.page.wait_for_load_state("networkidle", timeout=30_000)
        # A bar wholly in the visible part of the chart (Kitsu opens it on
        # today, so the artist's current tasks).
        box = None
        for i in range(bars.count()):
            found = bars.nth(i).bounding_box()
            if found and 400 < found["x"] and found["x"] + found["width"] < 1300 \
                    and 200 < found["y"] < 800:
                box = found
                break
        assert box, "no task bar of the artist in view"
        before = production_tasks(facts.admin, facts.pid)
        response = drag_until_saved(session, box, 60, "/api/data/tasks/")
        assert response.status == 200, response.text()
        sent = response.request.post_data_json
        task_id = response.url.rstrip("/").rsplit("/", 1)[1]
        task = api.get(f"{session.base}/api/data/tasks/{task_id}").json()
        assert task["start_date"][:10] == sent["start_date"], (task, sent)
        assert task["due_date"][:10] == sent["due_date"], (task, sent)
        assert facts.artist["id"] in task["assignees"]
        assert sent["start_date"] > before[task_id]["start_date"][:10], (before[task_id], sent)
        session.assert_clean("the team schedule after the move")
        session.shot("team-schedule-move")
    finally:
        session.close()


def test_kitsu_notification_marked_read_lands(browser, kitsu_server, facts, artifacts):
    """An artist's daily write: his supervisor's new note (written through
    the API) shows as an unread notification, which he marks read in the
    notifications page; the API then holds it read."""
    supervisor = Api(kitsu_server.base_url).login(SUPERVISOR_EMAIL, SEED_PASSWORD)
    text = f"A few notes on the shading ({secrets.token_hex(3)})"
    note = supervisor.post(f"/actions/tasks/{facts.followed['id']}/comment", {
        "task_status_id": facts.followed["task_status_id"], "comment": text,
    })
    session = Session(browser, kitsu_server, artifacts, "artist")
    try:
        session.login(ARTIST_EMAIL, SEED_PASSWORD)
        api = session.context.request
        listed = api.get(f"{session.base}/api/data/user/notifications").json()
        mine = next(n for n in listed if n["comment_id"] == note["id"])
        assert mine["read"] is False
        session.open("/notifications")
        unread = session.page.locator(".notification.unread")
        expect(unread.first).to_contain_text(facts.followed["entity"], timeout=30_000)
        count = unread.count()

        def saved(response):
            return response.request.method == "PUT" and "/api/data/user/notifications/" in response.url

        with session.page.expect_response(saved, timeout=30_000) as answer:
            unread.first.locator(".selector").click()
        assert answer.value.status == 200, answer.value.text()
        assert answer.value.url.endswith(mine["id"])
        expect(unread).to_have_count(count - 1, timeout=30_000)
        after = api.get(f"{session.base}/api/data/user/notifications/{mine['id']}").json()
        assert after["read"] is True
        session.assert_clean("the notifications after marking one read")
        session.shot("notification-read")
    finally:
        session.close()


def test_kitsu_comment_from_the_news_feed_lands(browser, kitsu_server, facts, artifacts):
    """A supervisor's write from the news feed: the newest entry opened in
    the side panel, and a comment posted there; the API then holds the
    comment on that task, and the production's news starts with it."""
    session = Session(browser, kitsu_server, artifacts, "supervisor")
    try:
        session.login(SUPERVISOR_EMAIL, SEED_PASSWORD)
        api = session.context.request
        session.open(f"/productions/{facts.pid}/news-feed")
        entry = session.page.locator(".news-entry").first
        expect(entry).to_be_visible(timeout=30_000)
        session.page.wait_for_load_state("networkidle", timeout=30_000)
        newest = api.get(f"{session.base}/api/data/projects/{facts.pid}/news").json()["data"][0]
        entry.locator("> div").first.click()
        side = session.page.locator("#side-column")
        text = f"Good progress ({secrets.token_hex(3)})"
        side.get_by_placeholder(re.compile("Leave a comment")).fill(text)

        def posted(response):
            return response.request.method == "POST" and response.url.endswith("/comment")

        with session.page.expect_response(posted, timeout=30_000) as answer:
            side.locator(".post-button").click()
        assert answer.value.status == 201, answer.value.text()
        assert f"/actions/tasks/{newest['task_id']}/" in answer.value.url
        comment = answer.value.json()
        expect(side.get_by_text(text)).to_be_visible(timeout=30_000)
        comments = api.get(f"{session.base}/api/data/tasks/{newest['task_id']}/comments").json()
        assert comments[0]["id"] == comment["id"] and comments[0]["text"] == text
        news = api.get(f"{session.base}/api/data/projects/{facts.pid}/news").json()["data"]
        assert news[0]["comment_id"] == comment["id"], news[0]
        session.assert_clean("the news feed after the comment")
        session.shot("news-feed-comment")
    finally:
        session.close()


def edit_row(session: Session, row):
    """Opens the edit modal of a list's row (Kitsu shows the row's Edit
    button on hover) and returns the modal."""
    expect(row).to_be_visible(timeout=30_000)
    session.page.wait_for_load_state("networkidle", timeout=30_000)
    row.hover()
    row.locator("[data-test=button-edit]").click()
    modal = session.page.locator(".modal.is-active")
    expect(modal).to_be_visible(timeout=30_000)
    return modal


def test_kitsu_production_edited_from_the_productions_list_lands(browser, kitsu_server, facts,
                                                                  artifacts):
    """An admin's write on the productions list: the production's frame
    rate changed in its Edit modal (Kitsu sends `PUT /api/data/projects/{id}`);
    the API then holds it, and the list shows it."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        api = session.context.request
        url = f"{session.base}/api/data/projects/{facts.pid}"
        fps = "24" if api.get(url).json()["fps"] != "24" else "30"
        session.open("/productions")
        row = session.page.locator("tr.datatable-row").filter(has_text=PROJECT)
        modal = edit_row(session, row)
        modal.get_by_label("FPS").fill(fps)

        def saved(response):
            return response.request.method == "PUT" and response.url == url

        with session.page.expect_response(saved, timeout=30_000) as answer:
            modal.get_by_role("button", name="Confirm", exact=True).click()
        assert answer.value.status == 200, answer.value.text()
        expect(modal).to_be_hidden(timeout=30_000)
        # Zou keeps a production's fps as text.
        assert api.get(url).json()["fps"] == fps
        expect(row.locator("td.fps")).to_have_text(fps)
        session.assert_clean("the productions list after the edit")
        session.shot("production-edit")
    finally:
        session.close()


def fill_until_kept(session: Session, values: dict, tries: int = 5):
    """Fills a modal's fields and waits until they still hold the values a
    moment later. Kitsu's Create-assets modal re-renders when its asset
    types and task types finish loading, and a re-render resets fields
    filled before it; confirming then would send the reset values."""
    for _ in range(tries):
        for field, value in values.items():
            field.fill(value)
        session.page.wait_for_timeout(500)
        if all(field.input_value() == value for field, value in values.items()):
            return
    for field, value in values.items():
        expect(field).to_have_value(value)


def test_kitsu_asset_created_from_the_assets_page_lands(browser, kitsu_server, facts, artifacts):
    """A supervisor's breakdown write on the assets page: a new asset with
    a description, from the Create assets modal (Kitsu sends
    `POST .../asset-types/{id}/assets/new`, then creates its tasks); the
    API then holds the asset and those tasks, and the list shows it."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        api = session.context.request
        name = f"Teapot {secrets.token_hex(2)}"
        session.open(f"/productions/{facts.pid}/assets")
        session.page.get_by_text("Create assets").first.click()
        modal = session.page.locator(".modal.is-active")
        expect(modal).to_be_visible(timeout=30_000)
        session.page.wait_for_load_state("networkidle", timeout=30_000)
        fill_until_kept(session, {
            modal.get_by_label("Name"): name,
            modal.get_by_label("Description"): "Chipped, on the kitchen shelf",
        })

        def created(response):
            return response.request.method == "POST" and response.url.endswith("/assets/new")

        def tasks_created(response):
            return response.request.method == "POST" and re.search(
                r"/api/data/entities/[0-9a-f-]{36}/tasks$", response.url)

        with session.page.expect_response(tasks_created, timeout=30_000) as tasks_answer:
            with session.page.expect_response(created, timeout=30_000) as answer:
                modal.get_by_role("button", name="Confirm", exact=True).click()
        assert answer.value.status == 201, answer.value.text()
        assert tasks_answer.value.status == 201, tasks_answer.value.text()
        asset_id = answer.value.json()["id"]
        asset = api.get(f"{session.base}/api/data/assets/{asset_id}").json()
        assert (asset["name"], asset["description"], asset["project_id"]) == (
            name, "Chipped, on the kitchen shelf", facts.pid), (
            "Kitsu sent", answer.value.request.post_data, "Fennec holds", asset)
        made = {t["id"] for t in tasks_answer.value.json()}
        assert made, "Kitsu created no task for the new asset"
        listed = api.get(f"{session.base}/api/data/assets/{asset_id}/tasks").json()
        assert {t["id"] for t in listed} == made
        expect(session.page.get_by_text(name, exact=True).first).to_be_visible(timeout=30_000)
        session.assert_clean("the assets page after the creation")
        session.shot("asset-created")
    finally:
        session.close()


def test_kitsu_descriptions_edited_on_the_sequences_and_episodes_pages_land(
        browser, kitsu_server, facts, artifacts):
    """A supervisor's write on the sequences page and the episodes page: a
    sequence's and an episode's description changed in their Edit modals
    (Kitsu sends `PUT /api/data/entities/{id}`); the API then holds them."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        api = session.context.request
        for kind, name in (("sequences", "SQ02"), ("episodes", "E02")):
            entity = next(e for e in api.get(
                f"{session.base}/api/data/projects/{facts.pid}/{kind}").json()
                if e["name"] == name)
            text = f"Night chase in the rain ({secrets.token_hex(2)})"
            session.open(f"/productions/{facts.pid}/{kind}")
            row = session.page.locator("tr.datatable-row").filter(
                has=session.page.get_by_text(name, exact=True)).first
            modal = edit_row(session, row)
            modal.get_by_label("Description").fill(text)

            def saved(response):
                return (response.request.method == "PUT"
                        and response.url.endswith(f"/api/data/entities/{entity['id']}"))

            with session.page.expect_response(saved, timeout=30_000) as answer:
                modal.get_by_role("button", name="Confirm", exact=True).click()
            assert answer.value.status == 200, answer.value.text()
            expect(modal).to_be_hidden(timeout=30_000)
            after = api.get(f"{session.base}/api/data/{kind}/{entity['id']}").json()
            assert (after["name"], after["description"]) == (name, text), after
            session.assert_clean(f"the {kind} page after the edit")
        session.shot("episode-edited")
    finally:
        session.close()


def test_kitsu_due_date_set_on_the_task_type_page_lands(browser, kitsu_server, facts, artifacts):
    """A supervisor's planning write on the task type page: a task selected,
    then a later due date picked in its Due date cell (Kitsu sends
    `PUT /api/data/tasks/{id}` with the dates); the API then holds them."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        ids = seeded_ids(session, facts.pid)
        api = session.context.request
        url = f"{session.base}/api/data/tasks/{ids['task']}"
        before = api.get(url).json()
        session.open(PAGES["task type page"][0].format(**ids))
        row = session.page.locator("tr.task-line").filter(
            has=session.page.locator("td.name", has_text=re.compile(f"^{ids['shot']}$"))
        ).filter(
            has=session.page.locator("td.sequence", has_text=re.compile(f"^{ids['sequence']}$"))
        )
        expect(row).to_be_visible(timeout=30_000)
        session.page.wait_for_load_state("networkidle", timeout=30_000)
        # Selecting the task turns its dates into date pickers.
        row.locator("td.name").click()
        picker = row.locator("td.due-date input")
        expect(picker).to_be_visible(timeout=30_000)
        shown = datetime.date.fromisoformat(picker.input_value())
        picker.click()
        # A few days later, in the month the picker opens on.
        later = shown + datetime.timedelta(days=3 if shown.day < 25 else -3)
        day = session.page.locator(f"[data-test-id='dp-{later.isoformat()}']")

        def saved(response):
            return response.request.method == "PUT" and response.url == url

        with session.page.expect_response(saved, timeout=30_000) as answer:
            day.click()
        assert answer.value.status == 200, answer.value.text()
        sent = answer.value.request.post_data_json
        after = api.get(url).json()
        assert after["due_date"][:10] == sent["due_date"][:10], (after, sent)
        assert after["due_date"][:10] != (before["due_date"] or "")[:10], (before, sent)
        if "start_date" in sent:
            assert (after["start_date"] or "")[:10] == (sent["start_date"] or "")[:10], (after, sent)
        session.assert_clean("the task type page after the due date")
        session.shot("task-type-due-date")
    finally:
        session.close()


def test_kitsu_department_added_on_the_people_page_lands(browser, kitsu_server, facts, artifacts):
    """An admin's write on the people page: a department added to the
    production manager in his Edit modal (Kitsu sends
    `PUT /api/data/persons/{id}` with the departments); the API then lists
    it among his departments."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        api = session.context.request
        manager = next(p for p in facts.persons.values()
                       if p["email"] == f"manager1.{SLUG}@seed.example.com")
        url = f"{session.base}/api/data/persons/{manager['id']}"
        had = set(api.get(url).json()["departments"])
        departments = api.get(f"{session.base}/api/data/departments").json()
        added = next(d for d in sorted(departments, key=lambda d: d["name"]) if d["id"] not in had)
        session.open("/people")
        row = session.page.locator("tr.datatable-row").filter(
            has_text=f"{manager['first_name']} {manager['last_name']}").first
        modal = edit_row(session, row)
        modal.locator(".department-combo [role=combobox]").click()
        modal.locator(".department-combo").get_by_text(added["name"], exact=True).last.click()
        modal.locator(".departments").get_by_role("button", name="add").click()

        def saved(response):
            return response.request.method == "PUT" and response.url == url

        with session.page.expect_response(saved, timeout=30_000) as answer:
            modal.get_by_role("button", name="Save user changes").click()
        assert answer.value.status == 200, answer.value.text()
        expect(modal).to_be_hidden(timeout=30_000)
        assert set(api.get(url).json()["departments"]) == had | {added["id"]}
        session.assert_clean("the people page after the edit")
        session.shot("people-department")
    finally:
        session.close()


def test_kitsu_person_added_to_the_team_lands(browser, kitsu_server, facts, artifacts):
    """A production manager's write on the team page: a studio member who
    is not in the production's team (the admin, whom the seed leaves out)
    clicked in the list of people to add (Kitsu sends
    `POST /api/data/projects/{id}/team`); the API then lists him in the
    team, and the page no longer offers him."""
    session = Session(browser, kitsu_server, artifacts, "admin")
    try:
        session.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        api = session.context.request
        url = f"{session.base}/api/data/projects/{facts.pid}"
        admin = api.get(f"{session.base}/api/auth/authenticated").json()["user"]
        assert admin["id"] not in api.get(url).json()["team"]
        session.open(f"/productions/{facts.pid}/team")
        name = f"{admin['first_name']} {admin['last_name']}"
        offered = session.page.locator(".person-to-add").filter(has_text=name)
        expect(offered).to_be_visible(timeout=30_000)
        session.page.wait_for_load_state("networkidle", timeout=30_000)

        def added(response):
            return response.request.method == "POST" and response.url == url + "/team"

        with session.page.expect_response(added, timeout=30_000) as answer:
            offered.click()
        assert answer.value.status == 201, answer.value.text()
        expect(offered).to_have_count(0, timeout=30_000)
        assert admin["id"] in api.get(url).json()["team"]
        session.assert_clean("the team page after adding a person")
        session.shot("team-added")
    finally:
        session.close()
