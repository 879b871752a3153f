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
