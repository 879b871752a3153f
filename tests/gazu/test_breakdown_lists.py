"""gazu's shot and asset lists of issue 11: an episode's shots, a
production's asset types and its assets of one type, as Zou 1.0.97 answers
them (checked by running this module against it)."""

from __future__ import annotations

from types import SimpleNamespace

import gazu
import pytest
import requests

from support import unique


@pytest.fixture(scope="module")
def prod(admin):
    admin.activate()
    tag = unique()
    types = {t["name"]: t for t in gazu.asset.all_asset_types()}
    project = gazu.project.new_project(f"BL {tag}", production_type="tvshow",
                                       asset_types=[types["Character"], types["Prop"]])
    ep1 = gazu.shot.new_episode(project, f"E1{tag}")
    ep2 = gazu.shot.new_episode(project, f"E2{tag}")
    sq1 = gazu.shot.new_sequence(project, f"S1{tag}", episode=ep1)
    sq2 = gazu.shot.new_sequence(project, f"S2{tag}", episode=ep1)
    sq3 = gazu.shot.new_sequence(project, f"S3{tag}", episode=ep2)
    shots = [gazu.shot.new_shot(project, sq, f"SH{i}{tag}") for i, sq in enumerate([sq1, sq1, sq2, sq3])]
    hero = gazu.asset.new_asset(project, types["Character"], f"Hero{tag}")
    cup = gazu.asset.new_asset(project, types["Prop"], f"Cup{tag}")
    villain = gazu.asset.new_asset(project, types["Character"], f"Villain{tag}")
    return SimpleNamespace(project=project, ep1=ep1, ep2=ep2, shots=shots, types=types,
                           hero=hero, cup=cup, villain=villain)


def test_all_shots_for_episode(prod):
    got = gazu.shot.all_shots_for_episode(prod.ep1)
    assert sorted(s["id"] for s in got) == sorted(s["id"] for s in prod.shots[:3])
    assert {s["type"] for s in got} == {"Shot"}
    assert [s["id"] for s in gazu.shot.all_shots_for_episode(prod.ep2)] == [prod.shots[3]["id"]]


def test_all_asset_types_for_project(prod):
    got = gazu.asset.all_asset_types_for_project(prod.project)
    assert sorted(t["name"] for t in got) == ["Character", "Prop"]
    assert {t["type"] for t in got} == {"AssetType"}
    assert "task_types" not in got[0]
    assert sorted(got[0]) == sorted(["id", "name", "short_name", "description", "archived",
                                     "created_at", "updated_at", "type"])


def test_all_assets_for_project_and_type(prod):
    got = gazu.asset.all_assets_for_project_and_type(prod.project, prod.types["Character"])
    assert sorted(a["id"] for a in got) == sorted([prod.hero["id"], prod.villain["id"]])
    got = gazu.asset.all_assets_for_project_and_type(prod.project, prod.types["Prop"])
    assert [a["id"] for a in got] == [prod.cup["id"]]


def test_an_unknown_episode_is_404(prod, api_url, admin):
    answer = requests.get(f"{api_url}/data/episodes/{prod.project['id']}/shots",
                          headers=admin.headers(), timeout=10)
    assert answer.status_code == 404


@pytest.mark.parametrize("path", [
    "data/persons/task-dates", "data/projects/news", "data/departments/hardware-items",
    "data/sequences/with-tasks", "data/entities/guess-from-path",
])
def test_a_zou_route_is_never_taken_for_a_malformed_id(path, api_url, admin):
    """Zou has these routes; where Fennec has not yet, it answers the unknown
    route's 404 (gazu's RouteNotFoundException), never the generic
    resource's 400 "Malformed ID." (a ParameterException)."""
    answer = requests.get(f"{api_url}/{path}", headers=admin.headers(), timeout=10)
    assert answer.status_code in (200, 404), answer.text
    if answer.status_code == 404:
        assert answer.json()["message"].startswith("404 Not Found"), answer.text


def test_get_edit_is_zous_full_edit(prod):
    """GET /data/edits/{id}: the edit's row of Zou's edits-with-tasks view,
    keys in Zou's order (gazu's get_edit_url reads its episode_id)."""
    edit = gazu.edit.new_edit(prod.project, f"ED{unique()}")
    edit_type = [t for t in gazu.task.all_task_types() if t["for_entity"] == "Edit"][0]
    me = gazu.client.get_current_user()
    task = gazu.task.new_task(edit, edit_type, assignees=[me])
    full = gazu.edit.get_edit(edit["id"])
    assert list(full) == [
        "canceled", "data", "description", "entity_type_id", "episode_id", "episode_name",
        "id", "name", "parent_id", "preview_file_id", "project_id", "project_name",
        "source_id", "nb_entities_out", "tasks", "type",
    ]
    assert (full["episode_id"], full["episode_name"], full["type"]) == (None, "", "Edit")
    assert full["project_name"] == prod.project["name"]
    [short] = full["tasks"]
    assert list(short) == [
        "id", "duration", "due_date", "entity_id", "end_date", "estimation",
        "last_comment_date", "last_preview_file_id", "nb_assets_ready", "priority",
        "real_start_date", "retake_count", "start_date", "task_status_id", "task_type_id",
        "data", "is_subscribed", "assignees",
    ]
    assert (short["id"], short["assignees"]) == (task["id"], [me["id"]])
    assert gazu.edit.get_edit_url(edit).endswith(
        f"/productions/{prod.project['id']}/edits/{edit['id']}/")


def test_get_scene_by_name(prod):
    sequence = gazu.shot.all_sequences_for_episode(prod.ep1)[0]
    scene = gazu.scene.new_scene(prod.project, sequence, f"SC{unique()}")
    found = gazu.scene.get_scene_by_name(sequence, scene["name"])
    assert found["id"] == scene["id"]
    assert (found["project_name"], found["sequence_name"]) == (prod.project["name"], sequence["name"])
    assert gazu.scene.get_scene_by_name(sequence, "no such scene") is None


def test_a_shots_assets_and_their_types(prod):
    """GET /data/shots/{id}/assets and /asset-types read the shot's casting."""
    shot = prod.shots[1]
    assert gazu.asset.all_assets_for_shot(shot) == []
    assert gazu.asset.all_asset_types_for_shot(shot) == []
    gazu.casting.update_shot_casting(prod.project, shot, [
        {"asset_id": prod.hero["id"], "nb_occurences": 2},
        {"asset_id": prod.cup["id"], "nb_occurences": 1},
    ])
    assets = gazu.asset.all_assets_for_shot(shot)
    assert sorted(a["id"] for a in assets) == sorted([prod.hero["id"], prod.cup["id"]])
    assert {a["type"] for a in assets} == {"Asset"}
    hero = next(a for a in assets if a["id"] == prod.hero["id"])
    assert hero["entity_type_id"] == prod.types["Character"]["id"]
    assert "tasks" not in hero
    types = gazu.asset.all_asset_types_for_shot(shot)
    assert sorted(t["name"] for t in types) == ["Character", "Prop"]
    assert {t["type"] for t in types} == {"AssetType"}
    assert "task_types" not in types[0]
