"""What Kitsu's own web front end needs beside gazu's calls, with plain
``requests`` (issue 13): the JWT cookies Zou sets for a browser on login,
refresh and logout, cookie-only callers, ``/config``, and the lists its
start-up and production pages read (studios, custom actions, schedule
versions and items, an entity's previews, shared assets used).

Zou 1.0.97 decides "browser" from the User-Agent (ua_parser's family), so
these calls send a desktop Chrome's."""

import re

import pytest
import requests

from support import ADMIN_EMAIL, ADMIN_PASSWORD, unique

TIMEOUT = 15
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
EPOCH = "Expires=Thu, 01 Jan 1970 00:00:00 GMT"


def set_cookies(response):
    """The response's Set-Cookie lines, the future dates replaced."""
    raw = response.raw.headers.getlist("Set-Cookie")
    return [
        re.sub(r"Expires=(?!Thu, 01 Jan 1970)[^;]+", "Expires=<date>", line) for line in raw
    ]


def browser_login(api_url):
    response = requests.post(
        f"{api_url}/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        headers={"User-Agent": CHROME},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return response


def test_login_sets_zous_cookies_for_a_browser_only(api_url):
    response = browser_login(api_url)
    body = response.json()
    assert set_cookies(response) == [
        f"access_token_cookie={body['access_token']}; Expires=<date>; Max-Age=31540000; "
        "HttpOnly; Path=/; SameSite=Lax",
        f"refresh_token_cookie={body['refresh_token']}; Expires=<date>; Max-Age=31540000; "
        "HttpOnly; Path=/auth/refresh-token; SameSite=Lax",
    ]
    script = requests.post(
        f"{api_url}/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        headers={"User-Agent": "python-requests/2.31"},
        timeout=TIMEOUT,
    )
    assert script.status_code == 200
    assert set_cookies(script) == []
    # Headless Chrome is not one of Zou's browser families.
    headless = requests.post(
        f"{api_url}/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        headers={"User-Agent": CHROME.replace("Chrome/", "HeadlessChrome/")},
        timeout=TIMEOUT,
    )
    assert set_cookies(headless) == []


def test_the_access_cookie_alone_authenticates(api_url):
    access = browser_login(api_url).json()["access_token"]
    cookies = {"access_token_cookie": access}
    for path in ("/data/projects", "/data/user/context", "/auth/authenticated", "/data/persons"):
        response = requests.get(
            f"{api_url}{path}", cookies=cookies, headers={"User-Agent": CHROME}, timeout=TIMEOUT
        )
        assert response.status_code == 200, (path, response.text)


def test_refresh_and_logout_in_a_browser(api_url):
    body = browser_login(api_url).json()
    refreshed = requests.get(
        f"{api_url}/auth/refresh-token",
        cookies={"refresh_token_cookie": body["refresh_token"]},
        headers={"User-Agent": CHROME},
        timeout=TIMEOUT,
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json() == {"refresh": True}
    lines = set_cookies(refreshed)
    assert len(lines) == 2
    assert re.fullmatch(
        r"access_token_cookie=ey[\w.-]+; Expires=<date>; Max-Age=31540000; HttpOnly; Path=/; "
        r"SameSite=Lax",
        lines[0],
    )
    assert lines[1] == (
        f"refresh_token_cookie=; {EPOCH}; HttpOnly; Path=/auth/refresh-token; SameSite=Lax"
    )
    new_access = refreshed.cookies["access_token_cookie"]
    ok = requests.get(
        f"{api_url}/data/projects",
        cookies={"access_token_cookie": new_access},
        timeout=TIMEOUT,
    )
    assert ok.status_code == 200

    out = requests.get(
        f"{api_url}/auth/logout",
        cookies={"access_token_cookie": body["access_token"]},
        headers={"User-Agent": CHROME},
        timeout=TIMEOUT,
    )
    assert out.status_code == 200
    assert out.json() == {"logout": True}
    assert set_cookies(out) == [
        f"access_token_cookie=; {EPOCH}; HttpOnly; Path=/; SameSite=Lax",
        f"refresh_token_cookie=; {EPOCH}; HttpOnly; Path=/auth/refresh-token; SameSite=Lax",
    ]
    gone = requests.get(
        f"{api_url}/data/projects",
        cookies={"access_token_cookie": body["access_token"]},
        timeout=TIMEOUT,
    )
    assert gone.status_code == 401


def test_config_needs_no_login(api_url):
    response = requests.get(f"{api_url}/config", timeout=TIMEOUT)
    assert response.status_code == 200
    config = response.json()
    assert list(config) == [
        "is_self_hosted", "crisp_token", "dark_theme_by_default", "indexer_configured",
        "saml_enabled", "saml_idp_name", "oidc_enabled", "oidc_idp_name", "default_locale",
        "default_timezone", "enforce_2fa", "movie_highdef_bitrate", "movie_lowdef_bitrate",
        "preview_accounts_enabled",
    ]
    assert config["is_self_hosted"] is True
    assert config["default_locale"] == "en_US"
    assert config["default_timezone"] == "Europe/Paris"
    assert config["enforce_2fa"] is False
    assert config["saml_enabled"] is False and config["oidc_enabled"] is False
    assert isinstance(config["preview_accounts_enabled"], bool)


@pytest.fixture(scope="module")
def page_data(api_url):
    token = browser_login(api_url).json()["access_token"]
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    tag = unique()
    project = s.post(
        f"{api_url}/data/projects", json={"name": f"UI {tag}", "production_type": "short"},
        timeout=TIMEOUT,
    ).json()
    sequence = s.post(
        f"{api_url}/data/projects/{project['id']}/sequences", json={"name": "SQ01"},
        timeout=TIMEOUT,
    ).json()
    shot = s.post(
        f"{api_url}/data/projects/{project['id']}/shots",
        json={"name": "SH01", "sequence_id": sequence["id"]},
        timeout=TIMEOUT,
    ).json()
    task_type = s.get(f"{api_url}/data/task-types?name=Animation", timeout=TIMEOUT).json()[0]
    return s, project, shot, task_type


def test_start_up_lists_of_a_studio_that_made_none(api_url, page_data):
    s, project, _, _ = page_data
    for path in (
        "/data/studios",
        "/data/custom-actions",
        f"/data/production-schedule-versions?project_id={project['id']}",
        f"/data/projects/{project['id']}/assets/shared-used",
        f"/data/projects/{project['id']}/episodes/all/assets/shared-used",
    ):
        response = s.get(f"{api_url}{path}", timeout=TIMEOUT)
        assert response.status_code == 200, (path, response.text)
        assert response.json() == [], path


def test_schedule_items_of_a_production_without_episodes_or_assets(api_url, page_data):
    s, project, _, task_type = page_data
    base = f"{api_url}/data/projects/{project['id']}/schedule-items"
    for path in ("/task-types", f"/{task_type['id']}/episodes", f"/{task_type['id']}/asset-types"):
        response = s.get(base + path, timeout=TIMEOUT)
        assert response.status_code == 200, (path, response.text)
        assert response.json() == [], path


def test_an_entity_without_previews_for_the_task_page(api_url, page_data):
    s, _, shot, _ = page_data
    response = s.get(f"{api_url}/data/playlists/entities/{shot['id']}/preview-files", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.json() == {}
    missing = s.get(
        f"{api_url}/data/playlists/entities/{'0' * 8}-0000-0000-0000-{'0' * 12}/preview-files",
        timeout=TIMEOUT,
    )
    assert missing.status_code == 404


# Who reads day offs: "other" works in the studio but not on the production.
DAY_OFF_ROLES = (("artist", "user"), ("other", "user"), ("manager", "manager"),
                 ("supervisor", "supervisor"))


def team_by_role(api_url, admin, prefix, roles):
    """A new short production, a person per (name, role) in its team
    (but "other"), and each one's bearer headers."""
    import gazu

    from support import ARTIST_PASSWORD

    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"{prefix} {tag}", production_type="short")
    people, sessions = {}, {}
    for name, role in roles:
        email = f"{prefix.lower()}-{name}-{tag}@example.com"
        people[name] = gazu.person.new_person(
            name.title(), tag, email, password=ARTIST_PASSWORD, role=role)
        if name != "other":
            gazu.project.add_person_to_team(project, people[name])
        r = requests.post(f"{api_url}/auth/login", json={"email": email, "password": ARTIST_PASSWORD},
                          timeout=TIMEOUT)
        sessions[name] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return project, people, sessions


def test_studio_day_offs_of_a_month_by_role(api_url, admin):
    """Kitsu's timesheets and team schedule read the studio's day offs of a
    month or a year: an admin all of them, a manager his productions'
    teams, a supervisor their dates only (for his departments, all when he
    has none), an artist his own."""
    import gazu

    _, people, sessions = team_by_role(api_url, admin, "DO", DAY_OFF_ROLES)
    # Years no other test uses, so the studio-wide lists hold these only.
    mine = gazu.person.new_day_off(people["artist"], "2031-03-06", "2031-03-07",
                                   description="dentist")
    theirs = gazu.person.new_day_off(people["other"], "2031-03-20", "2031-03-20",
                                     description="away")
    gazu.person.new_day_off(people["artist"], "2031-04-01", "2031-04-01")

    def month(who, path="2031/03"):
        headers = sessions[who] if who != "admin" else admin.headers()
        r = requests.get(f"{api_url}/data/persons/day-offs/{path}", headers=headers,
                         timeout=TIMEOUT)
        assert r.status_code == 200, (who, r.text)
        return {d["id"]: d for d in r.json()}

    everything = month("admin")
    assert set(everything) == {mine["id"], theirs["id"]}
    assert everything[mine["id"]]["description"] == "dentist"
    assert len(month("admin", "2031")) == 3
    assert set(month("artist")) == {mine["id"]}
    assert month("artist")[mine["id"]]["description"] == "dentist"
    assert month("other") == {theirs["id"]: month("other")[theirs["id"]]}
    assert set(month("manager")) == {mine["id"]}
    assert month("manager")[mine["id"]]["description"] == "dentist"
    supervised = month("supervisor")
    assert set(supervised) == {mine["id"]}
    assert "description" not in supervised[mine["id"]]


def test_production_day_offs_by_role(api_url, admin):
    """Kitsu's production schedule reads the team's day offs of its date
    range, by person (`GET /data/projects/{id}/day-offs`): whole for an
    admin or a manager and for one's own, without the description for a
    supervisor; people outside the team are not listed; a client of the
    production and a stranger to it are refused; a bad date is a 400."""
    import gazu

    project, people, sessions = team_by_role(
        api_url, admin, "PDO", DAY_OFF_ROLES + (("client", "client"),))
    sessions["admin"] = admin.headers()
    april = gazu.person.new_day_off(people["artist"], "2032-04-01", "2032-04-01")
    march = gazu.person.new_day_off(people["artist"], "2032-03-06", "2032-03-07",
                                    description="dentist")
    own = gazu.person.new_day_off(people["supervisor"], "2032-03-10", "2032-03-10",
                                  description="moving")
    gazu.person.new_day_off(people["other"], "2032-03-20", "2032-03-20", description="away")
    url = f"{api_url}/data/projects/{project['id']}/day-offs"

    def read(who, status=200, **params):
        r = requests.get(url, headers=sessions[who], params=params, timeout=TIMEOUT)
        assert r.status_code == status, (who, r.text)
        return r.json()

    march_range = {"start_date": "2032-03-01", "end_date": "2032-03-31"}
    everything = read("admin", **march_range)
    assert list(everything) == [people["artist"]["id"], people["supervisor"]["id"]]
    assert [d["id"] for d in everything[people["artist"]["id"]]] == [march["id"]]
    assert everything[people["artist"]["id"]][0]["description"] == "dentist"
    # Without bounds: every day off of the team, in date order.
    unbounded = read("admin")
    assert [d["id"] for d in unbounded[people["artist"]["id"]]] == [march["id"], april["id"]]
    assert [d["id"] for d in read("admin", start_date="2032-03-08")[people["artist"]["id"]]] == [
        april["id"]]
    assert read("manager", **march_range) == everything
    supervised = read("supervisor", **march_range)
    assert "description" not in supervised[people["artist"]["id"]][0]
    assert supervised[people["supervisor"]["id"]][0]["description"] == "moving"
    assert supervised[people["supervisor"]["id"]][0]["id"] == own["id"]
    assert read("artist", **march_range)[people["artist"]["id"]][0]["description"] == "dentist"
    read("client", 403, **march_range)
    read("other", 403, **march_range)
    bad = read("admin", 400, start_date="2032-13-01", end_date="2032-03-31")
    assert bad["message"] == "Wrong date format for 2032-13-01 and/or 2032-03-31"


def test_list_pages_writes_with_kitsus_bodies(api_url, page_data):
    """The bodies Kitsu's productions, assets, sequences, people and team
    pages send (as its browser test captured them), and what Zou answers:
    the frame rate typed as a number comes back as Zou's text column, an
    entity's description and data land as sent, a person's departments
    are replaced by the list sent, a person added to the team is in it."""
    s, project, shot, _ = page_data
    pid = project["id"]
    status = s.get(f"{api_url}/data/project-status", timeout=TIMEOUT).json()[0]
    body = {"name": project["name"], "code": "UI", "project_status_id": status["id"],
            "production_type": "short", "production_style": "2d3d", "fps": 24,
            "ratio": "16:9", "resolution": "1920x1080"}
    response = s.put(f"{api_url}/data/projects/{pid}", json=body, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.json()["fps"] == "24"
    assert s.get(f"{api_url}/data/projects/{pid}", timeout=TIMEOUT).json()["fps"] == "24"

    prop = s.get(f"{api_url}/data/asset-types?name=Prop", timeout=TIMEOUT).json()[0]
    response = s.post(
        f"{api_url}/data/projects/{pid}/asset-types/{prop['id']}/assets/new",
        json={"name": "Teapot", "description": "Chipped", "data": {}, "is_shared": False},
        timeout=TIMEOUT,
    )
    assert response.status_code == 201, response.text
    asset = s.get(f"{api_url}/data/assets/{response.json()['id']}", timeout=TIMEOUT).json()
    assert (asset["name"], asset["description"], asset["is_shared"], asset["data"]) == (
        "Teapot", "Chipped", False, {})

    sequence_id = shot["parent_id"]
    response = s.put(f"{api_url}/data/entities/{sequence_id}", timeout=TIMEOUT, json={
        "name": "SQ01", "description": "Night chase", "data": {"resolution": ""}})
    assert response.status_code == 200, response.text
    sequence = s.get(f"{api_url}/data/sequences/{sequence_id}", timeout=TIMEOUT).json()
    assert (sequence["description"], sequence["data"]) == ("Night chase", {"resolution": ""})

    tag = unique()
    person = s.post(f"{api_url}/data/persons", timeout=TIMEOUT, json={
        "first_name": "Bianca", "last_name": tag, "email": f"bianca-{tag}@example.com",
        "role": "manager"}).json()
    departments = s.get(f"{api_url}/data/departments", timeout=TIMEOUT).json()
    first, second = departments[0]["id"], departments[1]["id"]
    for kept in ([first], [second]):
        response = s.put(f"{api_url}/data/persons/{person['id']}", timeout=TIMEOUT, json={
            "first_name": "Bianca", "last_name": tag, "email": person["email"], "phone": None,
            "role": "manager", "contract_type": "open-ended", "active": True,
            "position": "lead", "seniority": "junior", "daily_salary": 0,
            "notifications_enabled": False, "departments": kept, "studio_id": None,
            "country": None, "use_12_hour_clock": False})
        assert response.status_code == 200, response.text
        assert response.json()["departments"] == kept
        read = s.get(f"{api_url}/data/persons/{person['id']}", timeout=TIMEOUT).json()
        assert read["departments"] == kept

    response = s.post(f"{api_url}/data/projects/{pid}/team", json={"person_id": person["id"]},
                      timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    # Zou answers with the project without its relations: the team is read.
    assert response.json()["id"] == pid and "team" not in response.json()
    assert person["id"] in s.get(f"{api_url}/data/projects/{pid}", timeout=TIMEOUT).json()["team"]
