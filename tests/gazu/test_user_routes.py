"""Issue 12: Zou's user blueprint, for the caller (gazu's user module and
the routes Kitsu's front end calls at start-up): what an artist, a vendor, a
supervisor, a manager and an admin each get back — the entities, tasks and
task types of their assigned work, their open productions, the tasks
waiting for their feedback, their time, their saved searches (filters and
filter groups), their desktop logins and the start-up context. Shapes and
key order, filters, errors and each role's reach, as Zou 1.0.97 answers.

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, REFERENCE_IS_ZOU, unique

TIMEOUT = 30
DAY = "2025-03-04"
OTHER_DAY = "2025-03-05"

# Zou's serialisations, in key order.
TASK_KEYS = [
    "name", "description", "priority", "difficulty", "duration", "estimation",
    "completion_rate", "retake_count", "sort_order", "start_date", "due_date",
    "real_start_date", "end_date", "done_date", "last_comment_date",
    "nb_assets_ready", "data", "nb_drawings", "shotgun_id",
    "last_preview_file_id", "project_id", "task_type_id", "task_status_id",
    "entity_id", "assigner_id", "id", "created_at", "updated_at", "type",
]
ENTITY_TYPE_KEYS = [
    "name", "short_name", "description", "archived", "id", "created_at",
    "updated_at", "type",
]
FILTER_KEYS = [
    "list_type", "entity_type", "name", "search_query", "is_shared",
    "department_id", "search_filter_group_id", "person_id", "project_id",
    "id", "created_at", "updated_at", "type",
]
FILTER_GROUP_KEYS = [
    "list_type", "entity_type", "name", "color", "is_shared", "person_id",
    "project_id", "department_id", "id", "created_at", "updated_at", "type",
]
LOGIN_LOG_KEYS = ["person_id", "date", "id", "created_at", "updated_at", "type"]
TIME_SPENT_KEYS = ["duration", "date", "task_id", "person_id", "id", "created_at", "updated_at", "type"]
CONTEXT_KEYS = [
    "asset_types", "custom_actions", "status_automations", "departments",
    "studios", "notification_count", "persons", "project_status",
    "project_roles", "projects", "task_types", "task_status",
    "search_filters", "search_filter_groups", "preview_background_files",
    "plugins",
]
MINIMAL_PERSON_KEYS = [
    "id", "type", "first_name", "last_name", "full_name", "has_avatar",
    "active", "departments", "studio_id", "role", "desktop_login", "is_bot",
]
TO_CHECK_ENVELOPE = ["data", "stats", "page", "limit", "is_more"]
TO_CHECK_ROW_KEYS = [
    "name", "description", "priority", "difficulty", "duration", "estimation",
    "completion_rate", "retake_count", "sort_order", "start_date", "due_date",
    "real_start_date", "end_date", "done_date", "last_comment_date",
    "nb_assets_ready", "data", "nb_drawings", "shotgun_id",
    "last_preview_file_id", "project_id", "task_type_id", "task_status_id",
    "entity_id", "assigner_id", "id", "created_at", "updated_at", "type",
    "project_name", "project_has_avatar", "entity_name", "entity_description",
    "entity_data", "entity_preview_file_id", "entity_source_id",
    "entity_type_name", "entity_canceled", "sequence_name", "episode_id",
    "episode_name", "task_type_for_entity", "task_estimation",
    "task_duration", "task_start_date", "task_due_date", "task_type_name",
    "task_status_name", "task_type_color", "task_status_color",
    "task_status_short_name", "assignees", "last_comment",
]
CONTEXT_ASSET_TYPE_KEYS = [
    "name", "short_name", "description", "task_types", "archived", "id",
    "created_at", "updated_at", "type",
]
FULL_PERSON_KEYS = [
    "first_name", "last_name", "email", "phone", "country", "contract_type",
    "active", "archived", "last_presence", "desktop_login", "totp_enabled",
    "email_otp_enabled", "fido_enabled",
    "preferred_two_factor_authentication", "shotgun_id", "timezone", "locale",
    "use_12_hour_clock", "display_date_format", "data", "role", "position",
    "seniority", "daily_salary", "has_avatar", "notifications_enabled",
    "notifications_slack_enabled", "notifications_slack_userid",
    "notifications_mattermost_enabled", "notifications_mattermost_userid",
    "notifications_discord_enabled", "notifications_discord_userid", "is_bot",
    "is_guest", "preview_project_id", "preview_opened_at",
    "preview_open_until", "expiration_date", "is_generated_from_ldap",
    "ldap_uid", "departments", "studio_id", "full_name", "id", "created_at",
    "updated_at", "type",
]
CLIENT_PERSON_KEYS = [
    "id", "type", "first_name", "last_name", "full_name", "has_avatar",
    "active", "role", "is_bot",
]
OPEN_PROJECT_KEYS = [
    "name", "code", "description", "shotgun_id", "file_tree", "data",
    "has_avatar", "fps", "ratio", "resolution", "production_type",
    "production_style", "start_date", "end_date", "man_days", "nb_episodes",
    "episode_span", "max_retakes", "is_clients_isolated",
    "is_client_stats_visible", "is_client_task_list_visible",
    "is_client_task_panel_visible", "is_preview_download_allowed",
    "is_set_preview_automated", "homepage", "is_publish_default_for_artists",
    "is_bot_collaboration_enabled", "is_single_preview_per_revision",
    "is_frame_in_numbering", "revision_padding", "hd_bitrate_compression",
    "ld_bitrate_compression", "project_status_id",
    "default_preview_background_file_id", "from_schedule_version_id", "team",
    "asset_types", "task_statuses", "task_types", "status_automations",
    "preview_background_files", "id", "created_at", "updated_at", "type",
    "descriptors", "task_type_links", "task_types_priority",
    "task_statuses_link", "first_episode_id",
]


class Http:
    def __init__(self, api_url: str, token: str, person: dict | None = None):
        self.api_url = api_url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.person = person

    def call(self, method: str, path: str, body=None, params=None) -> requests.Response:
        return requests.request(
            method, f"{self.api_url}/{path}", json=body, params=params,
            headers=self.headers, timeout=TIMEOUT,
        )

    def get(self, path: str, params=None):
        r = self.call("GET", path, params=params)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()


def login(api_url: str, email: str, person: dict) -> Http:
    r = requests.post(
        f"{api_url}/auth/login", json={"email": email, "password": ARTIST_PASSWORD}, timeout=TIMEOUT
    )
    r.raise_for_status()
    return Http(api_url, r.json()["access_token"], person)


def ids(rows) -> list:
    return sorted(r["id"] for r in rows)


@pytest.fixture(scope="module")
def world(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"UR {tag}", production_type="tvshow")
    elsewhere = gazu.project.new_project(f"UR other {tag}", production_type="short")
    lighting = gazu.person.new_department(f"Lighting {tag}")
    compositing = gazu.person.new_department(f"Compo {tag}")
    people = {}
    for name, role, departments in (
        ("artist", "user", []),
        ("other", "user", []),
        ("vendor", "vendor", []),
        ("supervisor", "supervisor", [lighting]),
        ("outsider", "supervisor", [compositing]),
        ("manager", "manager", []),
        ("client", "client", []),
    ):
        email = f"ur-{name}-{tag}@example.com"
        person = gazu.person.new_person(
            name.title(), tag, email, password=ARTIST_PASSWORD, role=role,
            departments=departments,
        )
        gazu.project.add_person_to_team(project, person)
        people[name] = (email, person)
    gazu.project.add_person_to_team(elsewhere, people["artist"][1])

    character = gazu.asset.get_asset_type_by_name("Character")
    prop = gazu.asset.get_asset_type_by_name("Prop")
    hero = gazu.asset.new_asset(project, character, f"Hero {tag}")
    chair = gazu.asset.new_asset(project, prop, f"Chair {tag}")
    episode = gazu.shot.new_episode(project, f"E{tag}")
    sequence = gazu.shot.new_sequence(project, f"SQ{tag}", episode=episode)
    shot = gazu.shot.new_shot(project, sequence, f"SH{tag}")
    scene = gazu.scene.new_scene(project, sequence, f"SC{tag}")
    other_shot = gazu.shot.new_shot(project, sequence, f"SH2{tag}")

    modeling = gazu.task.get_task_type_by_name("Modeling")
    animation = gazu.task.get_task_type_by_name("Animation")
    layout = gazu.task.get_task_type_by_name("Layout")
    light_type = gazu.task.new_task_type(f"Light {tag}", for_entity="Shot")
    scene_type = gazu.task.new_task_type(f"Staging {tag}", for_entity="Scene")
    gazu.client.put(f"data/task-types/{light_type['id']}", {"department_id": lighting["id"]})
    for priority, tt in enumerate((modeling, animation, layout, light_type, scene_type), start=1):
        gazu.project.add_task_type(project, tt, priority)

    artist = people["artist"][1]
    other = people["other"][1]
    vendor = people["vendor"][1]
    tasks = SimpleNamespace(
        hero=gazu.task.new_task(hero, modeling, assignees=[artist]),
        chair=gazu.task.new_task(chair, modeling, assignees=[vendor]),
        shot=gazu.task.new_task(shot, animation, assignees=[artist]),
        shot_other=gazu.task.new_task(shot, layout, assignees=[other]),
        scene=gazu.task.new_task(scene, scene_type, assignees=[artist]),
        light=gazu.task.new_task(other_shot, light_type, assignees=[other]),
        light_unassigned=gazu.task.new_task(shot, light_type),
    )
    # Two tasks wait for feedback: a lighting one (the lighting supervisor's)
    # and an animation one (no department).
    wfa = gazu.task.get_task_status_by_short_name("wfa")
    for t in (tasks.light, tasks.shot):
        gazu.client.put(f"data/tasks/{t['id']}", {"task_status_id": wfa["id"]})
    gazu.task.set_time_spent(tasks.hero, artist, DAY, 120)
    gazu.task.set_time_spent(tasks.shot, artist, OTHER_DAY, 60)

    sessions = {name: login(api_url, email, person) for name, (email, person) in people.items()}
    return SimpleNamespace(
        tag=tag, project=project, elsewhere=elsewhere, lighting=lighting,
        character=character, prop=prop, hero=hero, chair=chair, episode=episode,
        sequence=sequence, shot=shot, scene=scene, other_shot=other_shot,
        animation=animation, light_type=light_type, tasks=tasks,
        admin=Http(api_url, admin.access_token), **sessions,
    )


def test_assigned_entities_for_an_artist(world):
    a = world.artist
    p = world.project["id"]
    asset_types = a.get(f"data/user/projects/{p}/asset-types")
    assert [t["id"] for t in asset_types] == [world.character["id"]]
    assert list(asset_types[0]) == ENTITY_TYPE_KEYS and asset_types[0]["type"] == "AssetType"
    assets = a.get(f"data/user/projects/{p}/asset-types/{world.character['id']}/assets")
    assert ids(assets) == [world.hero["id"]] and assets[0]["type"] == "Asset"
    # No task of his on a prop.
    assert a.get(f"data/user/projects/{p}/asset-types/{world.prop['id']}/assets") == []
    sequences = a.get(f"data/user/projects/{p}/sequences")
    assert ids(sequences) == [world.sequence["id"]] and sequences[0]["type"] == "Sequence"
    episodes = a.get(f"data/user/projects/{p}/episodes")
    assert ids(episodes) == [world.episode["id"]] and episodes[0]["type"] == "Episode"
    shots = a.get(f"data/user/sequences/{world.sequence['id']}/shots")
    # The second shot holds no task of his.
    assert ids(shots) == [world.shot["id"]] and shots[0]["type"] == "Shot"
    scenes = a.get(f"data/user/sequences/{world.sequence['id']}/scenes")
    assert ids(scenes) == [world.scene["id"]] and scenes[0]["type"] == "Scene"
    assert list(shots[0]) == list(sequences[0]) == list(assets[0])


def test_tasks_and_task_types_are_the_callers_own(world):
    a, o = world.artist, world.other
    shot = world.shot["id"]
    mine = a.get(f"data/user/shots/{shot}/tasks")
    # The shot's layout task is another artist's, its lighting one nobody's.
    assert ids(mine) == [world.tasks.shot["id"]]
    assert list(mine[0]) == TASK_KEYS
    types = a.get(f"data/user/shots/{shot}/task-types")
    assert [t["id"] for t in types] == [world.animation["id"]]
    assert types[0]["type"] == "TaskType" and "department_id" in types[0]
    assert ids(o.get(f"data/user/shots/{shot}/tasks")) == [world.tasks.shot_other["id"]]
    assert ids(a.get(f"data/user/assets/{world.hero['id']}/tasks")) == [world.tasks.hero["id"]]
    assert len(a.get(f"data/user/assets/{world.hero['id']}/task-types")) == 1
    assert ids(a.get(f"data/user/scenes/{world.scene['id']}/tasks")) == [world.tasks.scene["id"]]
    assert len(a.get(f"data/user/scenes/{world.scene['id']}/task-types")) == 1
    assert a.get(f"data/user/sequences/{world.sequence['id']}/tasks") == []
    assert a.get(f"data/user/sequences/{world.sequence['id']}/task-types") == []
    # An admin with no task assigned gets nothing either.
    assert world.admin.get(f"data/user/shots/{shot}/tasks") == []
    # The route's kind is checked: a shot is no asset, an unknown id is a 404.
    assert a.call("GET", f"data/user/assets/{shot}/tasks").status_code == 404
    missing = "00000000-0000-4000-8000-000000000000"
    assert a.call("GET", f"data/user/shots/{missing}/tasks").status_code == 404
    assert a.call("GET", f"data/user/projects/{missing}/sequences").status_code == 404


def test_vendor_sees_what_he_holds_a_task_on(world):
    v = world.vendor
    p = world.project["id"]
    assert [t["id"] for t in v.get(f"data/user/projects/{p}/asset-types")] == [world.prop["id"]]
    assert ids(v.get(f"data/user/projects/{p}/asset-types/{world.prop['id']}/assets")) == [
        world.chair["id"]
    ]
    assert v.get(f"data/user/projects/{p}/sequences") == []
    assert v.get(f"data/user/shots/{world.shot['id']}/tasks") == []


def test_open_projects_per_role(world):
    mine = world.artist.get("data/user/projects/open")
    names = {p["name"] for p in mine}
    assert {world.project["name"], world.elsewhere["name"]} <= names
    assert all(p["type"] == "Project" for p in mine)
    # The other artist is not in the second production's team.
    other = {p["id"] for p in world.other.get("data/user/projects/open")}
    assert world.project["id"] in other and world.elsewhere["id"] not in other
    one = world.artist.get("data/user/projects/open", params={"name": world.elsewhere["name"]})
    assert [p["id"] for p in one] == [world.elsewhere["id"]]
    detail = next(p for p in mine if p["id"] == world.project["id"])
    assert list(detail) == OPEN_PROJECT_KEYS
    # A TV show starts with an episode of its own (E01); the first is the
    # first by name.
    episodes = world.admin.get(f"data/projects/{world.project['id']}/episodes")
    assert detail["first_episode_id"] == min(episodes, key=lambda e: e["name"])["id"]
    # An admin lists every open production, his team or not.
    every = {p["id"] for p in world.admin.get("data/user/projects/open")}
    assert {world.project["id"], world.elsewhere["id"]} <= every
    # A closed production drops out of the list.
    closed = next(
        s for s in world.admin.get("data/project-status") if s["name"] == "Closed"
    )
    gazu.client.put(f"data/projects/{world.elsewhere['id']}", {"project_status_id": closed["id"]})
    try:
        again = {p["id"] for p in world.artist.get("data/user/projects/open")}
        assert world.elsewhere["id"] not in again
    finally:
        open_status = next(
            s for s in world.admin.get("data/project-status") if s["name"] == "Open"
        )
        gazu.client.put(
            f"data/projects/{world.elsewhere['id']}", {"project_status_id": open_status["id"]}
        )


def test_open_projects_as_the_projects_blueprint_lists_them(world):
    # Both routes are Zou's get_open_projects: the same rows, field by field,
    # for each role (descriptors narrowed for a client and a vendor).
    gazu.project.add_metadata_descriptor(world.project, f"Mood {world.tag}", "Asset")
    gazu.project.add_metadata_descriptor(
        world.project, f"Public {world.tag}", "Shot", for_client=True
    )
    for session in (world.admin, world.artist, world.vendor, world.client, world.manager):
        mine = {p["id"]: p for p in session.get("data/user/projects/open")}
        theirs = {p["id"]: p for p in session.get("data/projects/open")}
        assert mine == theirs
        assert [list(p) for p in mine.values()] == [list(p) for p in theirs.values()]
    client_view = next(
        p for p in world.client.get("data/user/projects/open") if p["id"] == world.project["id"]
    )
    assert [d["name"] for d in client_view["descriptors"]] == [f"Public {world.tag}"]


def test_tasks_to_check_per_role(world):
    light, shot_task = world.tasks.light["id"], world.tasks.shot["id"]

    def checked(session, **params):
        return {t["id"] for t in session.get("data/user/tasks-to-check", params=params or None)}

    assert {light, shot_task} <= checked(world.manager)
    # A supervisor checks his departments' tasks only.
    sup = checked(world.supervisor)
    assert light in sup and shot_task not in sup
    assert checked(world.outsider) == set()
    # Artists, vendors and clients check nothing.
    assert checked(world.artist) == set()
    assert checked(world.vendor) == set()
    assert checked(world.client) == set()
    row = next(t for t in world.manager.get("data/user/tasks-to-check") if t["id"] == light)
    assert list(row) == TO_CHECK_ROW_KEYS
    assert row["entity_name"] == world.other_shot["name"]
    assert row["sequence_name"] == world.sequence["name"]
    assert row["episode_id"] == world.episode["id"]
    assert row["task_status_short_name"] == "wfa"
    assert row["assignees"] == [world.other.person["id"]]
    # The filters narrow the list.
    assert checked(world.manager, task_type_id=world.light_type["id"]) == {light}
    assert checked(world.manager, person_id=world.artist.person["id"]) == {shot_task}
    assert checked(world.manager, project_id=world.elsewhere["id"]) == set()
    # With a page, Zou's envelope and its stats.
    page = world.manager.get(
        "data/user/tasks-to-check", params={"page": 1, "limit": 1, "project_id": world.project["id"]}
    )
    assert list(page) == TO_CHECK_ENVELOPE
    assert list(page["stats"]) == ["total", "total_duration", "total_estimation"]
    assert page["stats"]["total"] == 2 and page["is_more"] is True
    # Zou's `sum(...) or 0`: a total of 0.0 is the integer 0.
    assert page["stats"]["total_duration"] == 60.0
    assert page["stats"]["total_estimation"] == 0
    assert isinstance(page["stats"]["total_estimation"], int)
    empty = world.artist.get("data/user/tasks-to-check", params={"page": 2, "limit": 0})
    assert empty == {
        "data": [], "stats": {"total": 0, "total_duration": 0, "total_estimation": 0},
        "page": 2, "limit": 1, "is_more": False,
    }
    ordered = world.manager.get(
        "data/user/tasks-to-check", params={"order_by": "priority", "project_id": world.project["id"]}
    )
    assert [t["entity_name"] for t in ordered] == sorted(t["entity_name"] for t in ordered)
    assert len(page["data"]) == 1 and page["page"] == 1 and page["limit"] == 1
    # The values Kitsu offers as filters, from the same tasks.
    values = world.manager.get("data/user/tasks-to-check/filter-values")
    assert list(values) == ["project_ids", "task_type_ids", "task_status_ids", "episode_ids",
                            "person_ids"]
    assert world.project["id"] in values["project_ids"]
    assert {world.animation["id"], world.light_type["id"]} <= set(values["task_type_ids"])
    assert world.episode["id"] in values["episode_ids"]
    assert {world.artist.person["id"], world.other.person["id"]} <= set(values["person_ids"])
    assert all(v == sorted(v) for v in values.values())
    sup_values = world.supervisor.get("data/user/tasks-to-check/filter-values")
    assert sup_values["task_type_ids"] == [world.light_type["id"]]
    assert sup_values["person_ids"] == [world.other.person["id"]]
    assert world.artist.get("data/user/tasks-to-check/filter-values") == {
        "project_ids": [], "task_type_ids": [], "task_status_ids": [], "episode_ids": [],
        "person_ids": [],
    }
    # Malformed arguments are Zou's 400s.
    r = world.manager.call("GET", "data/user/tasks-to-check", params={"project_id": "nope"})
    assert r.status_code == 400 and r.json()["message"] == "Wrong UUID format."
    r = world.manager.call("GET", "data/user/tasks-to-check", params={"page": "x"})
    assert r.status_code == 400 and r.json()["message"] == "Wrong value for parameter page."


def test_tasks_to_check_orderings(world):
    light, shot_task = world.tasks.light, world.tasks.shot
    m = world.manager

    def order(**params):
        params.update({"project_id": world.project["id"]})
        answer = m.get("data/user/tasks-to-check", params=params)
        return [t["id"] for t in (answer["data"] if "page" in params else answer)]

    # By names: both are shots of the same sequence, so the shot's name decides.
    by_name = sorted([(world.other_shot["name"], light["id"]), (world.shot["name"], shot_task["id"])])
    assert order(page=1) == [i for _, i in by_name]
    gazu.client.put(f"data/tasks/{light['id']}", {"estimation": 5})
    gazu.client.put(f"data/tasks/{shot_task['id']}", {"due_date": "2025-06-01T00:00:00"})
    try:
        # Largest estimation first; a due date before none.
        assert order(order_by="estimation") == [light["id"], shot_task["id"]]
        assert order(order_by="due_date") == [shot_task["id"], light["id"]]
        page = m.get("data/user/tasks-to-check", params={"page": 1, "project_id": world.project["id"]})
        assert page["stats"]["total_estimation"] == 5
        # Due dates narrow the list.
        since = m.get("data/user/tasks-to-check", params={"due_date_since": "2025-05-01"})
        assert [t["id"] for t in since] == [shot_task["id"]]
        until = m.get("data/user/tasks-to-check", params={"due_date_until": "2025-05-01T00:00:00"})
        assert shot_task["id"] not in [t["id"] for t in until]
    finally:
        gazu.client.put(f"data/tasks/{light['id']}", {"estimation": 0})
        gazu.client.put(f"data/tasks/{shot_task['id']}", {"due_date": None})


def test_time_spents(world):
    a = world.artist
    day = a.get(f"data/user/time-spents/{DAY}")
    assert len(day) == 1 and list(day[0]) == TIME_SPENT_KEYS
    assert day[0]["duration"] == 120 and day[0]["task_id"] == world.tasks.hero["id"]
    one = a.get(f"data/user/tasks/{world.tasks.hero['id']}/time-spents/{DAY}")
    assert one["id"] == day[0]["id"]
    if not REFERENCE_IS_ZOU:
        # Zou's view returns None there, which Flask turns into a 500;
        # Fennec answers null.
        assert a.get(f"data/user/tasks/{world.tasks.hero['id']}/time-spents/{OTHER_DAY}") is None
    # Another artist's days are his own.
    assert world.other.get(f"data/user/time-spents/{DAY}") == []
    spans = a.get("data/user/time-spents", params={"start_date": DAY, "end_date": OTHER_DAY})
    assert sorted(t["date"] for t in spans) == [DAY, OTHER_DAY]
    assert list(spans[0]) == TIME_SPENT_KEYS + ["project_id", "task_type_id"]
    assert {t["project_id"] for t in spans} == {world.project["id"]}
    assert a.get("data/user/time-spents", params={"start_date": OTHER_DAY, "end_date": OTHER_DAY})[0][
        "task_type_id"
    ] == world.animation["id"]
    # Without a range Zou compares the date with nothing.
    assert a.get("data/user/time-spents") == []
    r = a.call("GET", "data/user/time-spents", params={"start_date": DAY})
    assert r.status_code == 400
    assert r.json()["message"] == (
        "If querying for a range of dates, both a `start_date` and an `end_date` must be given."
    )
    r = a.call("GET", "data/user/time-spents", params={"start_date": "x", "end_date": DAY})
    assert r.status_code == 400 and r.json()["message"] == f"Wrong date format for x and/or {DAY}"
    # What PostgreSQL casts to a day, Zou reads: unpadded and compact forms.
    assert ids(a.get("data/user/time-spents/2025-3-4")) == ids(day)
    assert ids(a.get("data/user/time-spents/20250304")) == ids(day)
    assert a.get("data/user/time-spents", params={"start_date": OTHER_DAY, "end_date": DAY}) == []
    r = a.call("GET", "data/user/time-spents/2025-13-45")
    assert r.status_code == 400 and r.json()["message"] == "Wrong date format."


def test_filters_are_the_callers_own(world):
    a, o, m = world.artist, world.other, world.manager
    p = world.project["id"]
    r = a.call("POST", "data/user/filters", {
        "name": "Heroes", "query": "hero", "list_type": "asset", "project_id": p,
        "entity_type": "Asset", "is_shared": True,
    })
    assert r.status_code == 201, r.text
    mine = r.json()
    assert list(mine) == FILTER_KEYS
    # An artist may not share a filter: it is kept private.
    assert mine["is_shared"] is False and mine["person_id"] == a.person["id"]
    assert mine["search_query"] == "hero" and mine["type"] == "SearchFilter"
    listed = a.get("data/user/filters")
    assert [f["id"] for f in listed["asset"][p]] == [mine["id"]]
    assert mine["id"] not in str(o.get("data/user/filters"))
    # Someone else's filter is not found for him.
    assert o.call("PUT", f"data/user/filters/{mine['id']}", {"name": "x"}).status_code == 404
    assert o.call("DELETE", f"data/user/filters/{mine['id']}").status_code == 404
    # A filter of no production goes under "all".
    r = a.call("POST", "data/user/filters", {"name": "Todo", "query": "wip"})
    assert r.status_code == 201 and r.json()["list_type"] == "todo"
    assert [f["name"] for f in a.get("data/user/filters")["todo"]["all"]] == ["Todo"]
    # A manager of the production shares his, which his team then reads.
    r = m.call("POST", "data/user/filters", {
        "name": "Team", "query": "all", "list_type": "shot", "project_id": p, "is_shared": True,
    })
    assert r.status_code == 201 and r.json()["is_shared"] is True
    shared = r.json()
    assert shared["id"] in [f["id"] for f in o.get("data/user/filters")["shot"][p]]
    r = a.call("PUT", f"data/user/filters/{mine['id']}", {"name": "Heroes only", "id": mine["id"]})
    assert r.status_code == 200 and r.json()["name"] == "Heroes only"
    assert list(r.json()) == FILTER_KEYS
    assert a.call("DELETE", f"data/user/filters/{mine['id']}").status_code == 204
    assert mine["id"] not in str(a.get("data/user/filters"))
    # A closed production's filters drop out of the list (Zou's query).
    elsewhere = world.elsewhere["id"]
    r = a.call("POST", "data/user/filters", {"name": "Away", "query": "q", "project_id": elsewhere})
    assert r.status_code == 201
    assert elsewhere in a.get("data/user/filters")["todo"]
    statuses = {st["name"]: st["id"] for st in world.admin.get("data/project-status")}
    gazu.client.put(f"data/projects/{elsewhere}", {"project_status_id": statuses["Closed"]})
    try:
        if not REFERENCE_IS_ZOU:
            # Zou memoizes the list for two minutes and closing a
            # production does not clear it: there the filter stays until
            # the cache expires. Fennec keeps no such cache.
            assert elsewhere not in a.get("data/user/filters").get("todo", {})
    finally:
        gazu.client.put(f"data/projects/{elsewhere}", {"project_status_id": statuses["Open"]})
    # The schema's errors, and unknown references.
    r = a.call("PUT", f"data/user/filters/{shared['id']}", {"name": 3})
    assert r.status_code == 400 and r.json()["data"]["errors"] == [
        {"field": "name", "message": "Input should be a valid string"}
    ]
    missing = "00000000-0000-4000-8000-000000000000"
    r = a.call("POST", "data/user/filters", {"name": "F", "query": "q", "department_id": missing})
    assert r.status_code == 404
    assert a.call("GET", f"data/user/filters/{shared['id']}").status_code == 405
    r = a.call("POST", "data/user/filter-groups", {})
    assert r.status_code == 400 and r.json()["data"]["errors"] == [
        {"field": "name", "message": "Field required"}
    ]
    r = a.call("POST", "data/user/filters", {"name": ""})
    assert r.status_code == 400
    assert r.json()["data"]["errors"] == [
        {"field": "name", "message": "String should have at least 1 character"},
        {"field": "query", "message": "Field required"},
    ]


def test_filter_groups(world):
    a, o, m = world.artist, world.other, world.manager
    p = world.project["id"]
    r = a.call("POST", "data/user/filter-groups", {"name": "Reviews", "project_id": p, "color": "#fff"})
    assert r.status_code == 201, r.text
    group = r.json()
    assert list(group) == FILTER_GROUP_KEYS and group["list_type"] == "todo"
    assert group["type"] == "SearchFilterGroup" and group["is_shared"] is False
    assert a.get(f"data/user/filter-groups/{group['id']}") == group
    assert o.call("GET", f"data/user/filter-groups/{group['id']}").status_code == 404
    assert [g["id"] for g in a.get("data/user/filter-groups")["todo"][p]] == [group["id"]]
    # Sharing a group carries over to its filters (a manager's own group).
    r = m.call("POST", "data/user/filter-groups", {"name": "To share", "project_id": p})
    later = r.json()
    assert later["is_shared"] is False
    r = m.call("POST", "data/user/filters", {
        "name": "Later", "query": "q", "project_id": p, "search_filter_group_id": later["id"],
    })
    later_filter = r.json()
    r = m.call("PUT", f"data/user/filter-groups/{later['id']}", {"is_shared": True, "project_id": p})
    assert r.status_code == 200 and r.json()["is_shared"] is True
    shared_now = m.get("data/user/filters")["todo"][p]
    assert next(f for f in shared_now if f["id"] == later_filter["id"])["is_shared"] is True
    # An artist's request to share is turned down silently.
    r = a.call("PUT", f"data/user/filter-groups/{group['id']}", {"is_shared": True, "project_id": p})
    assert r.status_code == 200 and r.json()["is_shared"] is False
    r = a.call("PUT", f"data/user/filter-groups/{group['id']}", {"name": "Mine too"})
    assert r.status_code == 200 and r.json()["name"] == "Mine too"
    # A filter must be as shared as its group.
    r = a.call("POST", "data/user/filters", {
        "name": "In group", "query": "q", "project_id": p, "search_filter_group_id": group["id"],
    })
    assert r.status_code == 201 and r.json()["search_filter_group_id"] == group["id"]
    grouped = r.json()
    r = m.call("POST", "data/user/filter-groups", {"name": "Shared", "project_id": p, "is_shared": True})
    shared_group = r.json()
    assert shared_group["is_shared"] is True
    r = a.call("POST", "data/user/filters", {
        "name": "Mismatch", "query": "q", "project_id": p,
        "search_filter_group_id": shared_group["id"],
    })
    assert r.status_code == 400
    assert r.json()["message"] == (
        "A search filter should have the same value for is_shared than its search filter group."
    )
    # A filter leaves its group with a null group; an unknown group is a 404.
    r = a.call("POST", "data/user/filters", {
        "name": "Leaving", "query": "q", "project_id": p, "search_filter_group_id": group["id"],
    })
    leaving = r.json()
    missing = "00000000-0000-4000-8000-000000000000"
    r = a.call("PUT", f"data/user/filters/{leaving['id']}", {"search_filter_group_id": missing})
    assert r.status_code == 404
    r = a.call("PUT", f"data/user/filters/{leaving['id']}", {"search_filter_group_id": None})
    assert r.status_code == 200 and r.json()["search_filter_group_id"] is None
    # Removing a group takes its filters with it.
    assert a.call("DELETE", f"data/user/filter-groups/{group['id']}").status_code == 204
    assert grouped["id"] not in str(a.get("data/user/filters"))
    assert a.call("GET", f"data/user/filter-groups/{group['id']}").status_code == 404


def test_desktop_login_logs(world):
    a = world.artist
    first = a.call("POST", "data/user/desktop-login-logs", {"date": "2025-03-04T09:00:00.123456"})
    assert first.status_code == 201, first.text
    assert list(first.json()) == LOGIN_LOG_KEYS
    assert first.json()["person_id"] == a.person["id"]
    assert first.json()["date"] == "2025-03-04T09:00:00"
    # Without a date, now.
    r = world.other.call("POST", "data/user/desktop-login-logs")
    assert r.status_code == 201 and r.json()["person_id"] == world.other.person["id"]
    a.call("POST", "data/user/desktop-login-logs", {"date": "2025-03-06T09:00:00"})
    logs = a.get("data/user/desktop-login-logs")
    assert [log["date"][:10] for log in logs] == ["2025-03-06", "2025-03-04"]
    assert list(logs[0]) == LOGIN_LOG_KEYS
    assert len(world.other.get("data/user/desktop-login-logs")) == 1
    # The login counts as presence: the later of it and the last time spent.
    person = world.admin.get(f"data/persons/{a.person['id']}")
    assert person["last_presence"] == "2025-03-06"


def test_context(world):
    a = world.artist
    # Filters of his own, to find in the context.
    a.call("POST", "data/user/filters", {"name": "Ctx", "query": "ctx", "list_type": "edit"})
    ctx = a.get("data/user/context")
    assert list(ctx) == CONTEXT_KEYS
    assert {p["id"] for p in ctx["projects"]} >= {world.project["id"], world.elsewhere["id"]}
    assert all(t["type"] == "AssetType" for t in ctx["asset_types"])
    assert list(ctx["asset_types"][0]) == CONTEXT_ASSET_TYPE_KEYS
    for asset_type in ctx["asset_types"]:
        one = world.admin.get(f"data/asset-types/{asset_type['id']}")
        assert asset_type["task_types"] == one["task_types"]
    assert world.character["id"] in {t["id"] for t in ctx["asset_types"]}
    assert world.animation["id"] in {t["id"] for t in ctx["task_types"]}
    assert any(s["short_name"] == "wfa" for s in ctx["task_status"])
    assert world.lighting["id"] in {d["id"] for d in ctx["departments"]}
    assert {s["name"] for s in ctx["project_status"]} >= {"Open", "Closed"}
    assert [f["name"] for f in ctx["search_filters"]["edit"]["all"]] == ["Ctx"]
    assert isinstance(ctx["notification_count"], int)
    assert ctx["project_roles"] == {}
    # An artist reads people in Zou's minimal form.
    me = next(p for p in ctx["persons"] if p["id"] == a.person["id"])
    assert list(me) == MINIMAL_PERSON_KEYS
    # A manager reads them in full; an admin also gets the user limit.
    full = world.manager.get("data/user/context")
    assert "user_limit" not in full
    person = next(p for p in full["persons"] if p["id"] == a.person["id"])
    assert list(person) == FULL_PERSON_KEYS
    assert person["email"] == f"ur-artist-{world.tag}@example.com"
    admin_ctx = world.admin.get("data/user/context")
    assert list(admin_ctx) == CONTEXT_KEYS + ["user_limit"]
    assert isinstance(admin_ctx["user_limit"], int)
    # A client meets his productions' teams only, by name.
    client_ctx = world.client.get("data/user/context")
    names = [p["full_name"] for p in client_ctx["persons"]]
    assert names == sorted(names)
    assert a.person["id"] in {p["id"] for p in client_ctx["persons"]}
    assert list(client_ctx["persons"][0]) == CLIENT_PERSON_KEYS


def test_a_persons_saved_searches_and_logins_hold_his_removal(world, api_url):
    # Zou keeps a person with saved searches or desktop logins unless the
    # removal is forced, which takes them (and his groups' filters) along.
    tag = unique()
    email = f"ur-leaving-{tag}@example.com"
    person = gazu.person.new_person("Leaving", tag, email, password=ARTIST_PASSWORD)
    gazu.project.add_person_to_team(world.project, person)
    leaving = login(api_url, email, person)
    group = leaving.call("POST", "data/user/filter-groups", {"name": "Mine"}).json()
    r = leaving.call("POST", "data/user/filters", {
        "name": "Gone", "query": "q", "search_filter_group_id": group["id"],
    })
    assert r.status_code == 201
    assert leaving.call("POST", "data/user/desktop-login-logs").status_code == 201
    gazu.project.remove_person_from_team(world.project, person)
    r = world.admin.call("DELETE", f"data/persons/{person['id']}")
    assert r.status_code == 400
    assert r.json()["message"] == "Some data are still linked to given person."
    r = world.admin.call("DELETE", f"data/persons/{person['id']}", params={"force": "true"})
    assert r.status_code == 204
    assert world.admin.call("GET", f"data/persons/{person['id']}").status_code == 404


def test_context_project_roles(world):
    # A team link may set a role on one production: the context names it.
    outsider = world.outsider
    r = world.admin.call(
        "POST", f"data/projects/{world.project['id']}/team",
        {"person_id": outsider.person["id"], "role": "manager"},
    )
    assert r.status_code in (200, 201), r.text
    ctx = outsider.get("data/user/context")
    assert ctx["project_roles"] == {world.project["id"]: "manager"}
    # My Checks follow the global role (a supervisor of another department).
    assert outsider.get("data/user/tasks-to-check") == []
