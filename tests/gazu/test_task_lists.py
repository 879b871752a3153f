"""Issue 12: gazu's task lists by production, concept, episode, sequence
and person, as Zou 1.0.97 answers them: which rows, which keys, and who may
read them (an artist and a vendor of the team, an artist outside it).

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, unique

TIMEOUT = 30


class Http:
    def __init__(self, api_url: str, token: str):
        self.api_url = api_url
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.api_url}/{path}", headers=self.headers, timeout=TIMEOUT)


def login(api_url: str, email: str) -> Http:
    r = requests.post(
        f"{api_url}/auth/login", json={"email": email, "password": ARTIST_PASSWORD}, timeout=TIMEOUT
    )
    r.raise_for_status()
    return Http(api_url, r.json()["access_token"])


@pytest.fixture(scope="module")
def world(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"TL {tag}", production_type="tvshow")
    people = {}
    for key, role, in_team in (
        ("artist", "user", True),
        ("vendor", "vendor", True),
        ("outsider", "user", False),
    ):
        email = f"tl-{key}-{tag}@example.com"
        person = gazu.person.new_person("TL", key, email, password=ARTIST_PASSWORD, role=role)
        if in_team:
            gazu.project.add_person_to_team(project, person)
        people[key] = SimpleNamespace(person=person, http=login(api_url, email))
    task_types = {t["name"]: t for t in gazu.task.all_task_types()}
    return SimpleNamespace(
        tag=tag,
        project=project,
        task_types=task_types,
        admin=Http(api_url, admin.access_token),
        **people,
    )


def test_task_types_for_project(world, gazu_admin):
    """The production's task types are its settings, not its tasks' types."""
    p = world.project
    assert gazu.task.all_task_types_for_project(p) == []
    linked = [world.task_types["Modeling"], world.task_types["Animation"]]
    for i, tt in enumerate(linked):
        gazu.project.add_task_type(p, tt, i + 1)
    # A task of a type the production does not list changes nothing.
    asset_type = gazu.asset.get_asset_type_by_name("Character")
    asset = gazu.asset.new_asset(p, asset_type, f"Hero {world.tag}")
    gazu.task.new_task(asset, world.task_types["Rigging"])

    got = gazu.task.all_task_types_for_project(p)
    assert [t["name"] for t in got] == ["Animation", "Modeling"]
    for t in got:
        # The same serialisation as the task type's own read, keys in order.
        own = world.admin.get(f"data/task-types/{t['id']}").json()
        assert list(t) == list(own) and t == own

    path = f"data/projects/{p['id']}/task-types"
    for who in (world.artist, world.vendor):
        r = who.http.get(path)
        assert r.status_code == 200
        assert sorted(t["id"] for t in r.json()) == sorted(t["id"] for t in linked)
    assert world.outsider.http.get(path).status_code == 403
    missing = "data/projects/00000000-0000-0000-0000-000000000000/task-types"
    assert world.admin.get(missing).status_code == 404


def test_tasks_and_task_types_for_concept(world, gazu_admin):
    """A concept's tasks, as an asset's are presented, and their types."""
    p = world.project
    concept = gazu.concept.new_concept(p, f"Sketch {world.tag}")
    other = gazu.concept.new_concept(p, f"Other {world.tag}")
    tt = gazu.task.new_task_type(f"Concept TL {world.tag}", for_entity="Concept")
    task = gazu.task.new_task(concept, tt, assignees=[world.artist.person])
    gazu.task.new_task(other, tt)

    rows = gazu.task.all_tasks_for_concept(concept)
    assert [r["id"] for r in rows] == [task["id"]]
    row = rows[0]
    assert row["entity_id"] == concept["id"] and row["task_type_id"] == tt["id"]
    assert row["task_type_name"] == tt["name"] and row["entity_name"] == concept["name"]
    assert row["entity_type_name"] == "Concept" and row["project_name"] == p["name"]
    assert row["task_status_name"] == "Todo" and "assignees" not in row
    # The same presentation as an asset's tasks (one Zou function), key order included.
    asset_type = gazu.asset.get_asset_type_by_name("Prop")
    asset = gazu.asset.new_asset(p, asset_type, f"Cup {world.tag}")
    gazu.task.new_task(asset, world.task_types["Modeling"])
    asset_row = gazu.task.all_tasks_for_asset(asset)[0]
    assert list(row) == list(asset_row)
    with_rel = gazu.task.all_tasks_for_concept(concept, relations=True)
    assert with_rel[0]["assignees"] == [world.artist.person["id"]]

    types = gazu.task.all_task_types_for_concept(concept)
    own = world.admin.get(f"data/task-types/{tt['id']}").json()
    assert types == [own] and list(types[0]) == list(own)

    for path in (f"data/concepts/{concept['id']}/tasks", f"data/concepts/{concept['id']}/task-types"):
        r = world.artist.http.get(path)
        assert r.status_code == 200 and len(r.json()) == 1
        # A vendor reads only the entities of his own tasks; an outsider nothing.
        assert world.vendor.http.get(path).status_code == 403
        assert world.outsider.http.get(path).status_code == 403
    # Another kind's id, or no entity at all, is no concept.
    for bad in (asset["id"], "00000000-0000-0000-0000-000000000000"):
        assert world.admin.get(f"data/concepts/{bad}/tasks").status_code == 404
        assert world.admin.get(f"data/concepts/{bad}/task-types").status_code == 404


def zou_order(rows):
    """Zou sorts these lists in Python: task name, production, task type,
    entity type, entity name, case-folded (ties in database order)."""
    keys = ("name", "project_name", "task_type_name", "entity_type_name", "entity_name")
    return sorted(rows, key=lambda r: tuple(r[k].casefold() for k in keys))


def test_tasks_below_sequences_and_episodes(world, gazu_admin):
    """Shot tasks of a sequence or an episode, asset tasks of an episode."""
    p = world.project
    ep1 = gazu.shot.new_episode(p, f"E1 {world.tag}")
    ep2 = gazu.shot.new_episode(p, f"E2 {world.tag}")
    sq1 = gazu.shot.new_sequence(p, f"SQ1 {world.tag}", episode=ep1)
    sq2 = gazu.shot.new_sequence(p, f"SQ2 {world.tag}", episode=ep2)
    sh_b = gazu.shot.new_shot(p, sq1, "sh_b")
    sh_a = gazu.shot.new_shot(p, sq1, "SH_A")
    sh_c = gazu.shot.new_shot(p, sq2, "sh_c")
    anim, layout = world.task_types["Animation"], world.task_types["Layout"]
    mine = [
        gazu.task.new_task(sh_b, anim, assignees=[world.artist.person]),
        gazu.task.new_task(sh_a, anim),
        gazu.task.new_task(sh_a, layout),
        gazu.task.new_task(sh_b, layout, name="a-first"),
    ]
    gazu.task.new_task(sh_c, anim)
    prop = gazu.asset.get_asset_type_by_name("Prop")
    cup = gazu.asset.new_asset(p, prop, f"mug {world.tag}", episode=ep1)
    gazu.asset.new_asset(p, prop, f"plate {world.tag}", episode=ep2)
    cup_task = gazu.task.new_task(cup, world.task_types["Modeling"])
    other_asset = gazu.asset.all_assets_for_project(p)
    for a in other_asset:
        if a["name"] == f"plate {world.tag}":
            gazu.task.new_task(a, world.task_types["Modeling"])

    rows = gazu.task.all_shot_tasks_for_sequence(sq1)
    assert [r["id"] for r in rows] == [r["id"] for r in zou_order(rows)]
    assert sorted(r["id"] for r in rows) == sorted(t["id"] for t in mine)
    assert rows[0]["name"] == "a-first"
    # Each row as the shot's own task list presents it, keys in order.
    for r in rows:
        own = {t["id"]: t for t in gazu.task.all_tasks_for_shot(r["entity_id"])}[r["id"]]
        assert list(r) == list(own) and r == own
    assert {r["entity_type_name"] for r in rows} == {"Shot"}

    ep_rows = gazu.task.all_shot_tasks_for_episode(ep1)
    assert ep_rows == rows
    with_rel = gazu.task.all_shot_tasks_for_episode(ep1, relations=True)
    assert [r["id"] for r in with_rel] == [r["id"] for r in rows]
    assert list(with_rel[0])[-1] == "assignees"
    assigned = {r["id"]: r["assignees"] for r in with_rel}
    assert assigned[mine[0]["id"]] == [world.artist.person["id"]]
    assert assigned[mine[1]["id"]] == []

    assets = gazu.task.all_assets_tasks_for_episode(ep1)
    assert [r["id"] for r in assets] == [cup_task["id"]]
    assert assets[0]["entity_name"] == cup["name"] and assets[0]["entity_type_name"] == "Prop"
    assert gazu.task.all_assets_tasks_for_episode(ep1, relations=True)[0]["assignees"] == []

    paths = (
        f"data/sequences/{sq1['id']}/shot-tasks",
        f"data/episodes/{ep1['id']}/shot-tasks",
        f"data/episodes/{ep1['id']}/asset-tasks",
    )
    for path in paths:
        r = world.artist.http.get(path)
        assert r.status_code == 200 and len(r.json()) >= 1
        assert world.vendor.http.get(path).status_code == 403
        assert world.outsider.http.get(path).status_code == 403
    # An id of another kind is not found.
    for path in (
        f"data/sequences/{ep1['id']}/shot-tasks",
        f"data/episodes/{sq1['id']}/shot-tasks",
        f"data/episodes/{sh_a['id']}/asset-tasks",
    ):
        assert world.admin.get(path).status_code == 404


def test_tasks_for_person_and_type(world, gazu_admin, api_url):
    """The tasks of one type on the entities where a person has a task."""
    p = world.project
    email = f"tl-rel-{world.tag}@example.com"
    person = gazu.person.new_person("TL", "rel", email, password=ARTIST_PASSWORD, role="user")
    gazu.project.add_person_to_team(p, person)
    sq = gazu.shot.new_sequence(p, f"SQ3 {world.tag}", episode=gazu.shot.new_episode(p, f"E3 {world.tag}"))
    x, y = gazu.shot.new_shot(p, sq, "x"), gazu.shot.new_shot(p, sq, "y")
    anim, layout = world.task_types["Animation"], world.task_types["Layout"]
    x_anim = gazu.task.new_task(x, anim, assignees=[person])
    x_layout = gazu.task.new_task(x, layout)
    gazu.task.new_task(y, layout)

    got = gazu.task.all_tasks_for_person_and_type(person, layout)
    assert [t["id"] for t in got] == [x_layout["id"]]
    assert [t["id"] for t in gazu.task.all_tasks_for_person_and_type(person, anim)] == [x_anim["id"]]
    assert gazu.task.all_tasks_for_person_and_type(person, world.task_types["Modeling"]) == []
    # The plain serialisation: the task's own read, without its assignees.
    own = world.admin.get(f"data/tasks/{x_layout['id']}").json()
    own.pop("assignees", None)
    assert list(got[0]) == list(own)
    assert got[0]["entity_id"] == x["id"] and got[0]["task_type_id"] == layout["id"]

    path = f"data/persons/{person['id']}/related-tasks/{layout['id']}"
    # Zou narrows neither by the caller's teams: an outsider reads them too.
    for who in (world.artist, world.outsider):
        r = who.http.get(path)
        assert r.status_code == 200 and [t["id"] for t in r.json()] == [x_layout["id"]]
    # A vendor asks about himself only.
    assert world.vendor.http.get(path).status_code == 403
    mine = f"data/persons/{world.vendor.person['id']}/related-tasks/{layout['id']}"
    r = world.vendor.http.get(mine)
    assert r.status_code == 200 and r.json() == []
    missing = f"data/persons/00000000-0000-0000-0000-000000000000/related-tasks/{layout['id']}"
    assert world.admin.get(missing).status_code == 404
