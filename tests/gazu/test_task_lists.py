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
