"""Issue 11: gazu's casting module (Zou's breakdown blueprint), driven
through gazu and read back: what each call answers, the casting and the
``nb_entities_out`` counters after each write, the episode links Zou
mirrors from its shots, errors (unknown ids, bodies, roles) and that a
forced shot or asset delete leaves no entity link pointing at it.

Every test builds its own production.  The expected answers are those of Zou
1.0.97, checked by running this module against it
(``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique

TIMEOUT = 30

# Keys of one row of get_casting (a shot's or an asset's casting).
CASTING_KEYS = [
    "asset_id", "asset_name", "asset_type_name", "ready_for", "episode_id",
    "preview_file_id", "nb_occurences", "label", "is_shared", "project_id",
]
# Keys of one row of a sequence's (or the production's) shots casting.
SEQUENCE_KEYS = [
    "asset_id", "name", "asset_name", "asset_type_name", "sequence_name",
    "preview_file_id", "nb_occurences", "label", "is_shared", "project_id",
]
EPISODE_KEYS = [
    "asset_id", "name", "asset_name", "asset_type_name", "preview_file_id",
    "nb_occurences", "label", "is_shared", "project_id",
]
ASSET_TYPE_KEYS = [
    "asset_id", "name", "asset_name", "asset_type_name", "preview_file_id",
    "nb_occurences", "label",
]
CAST_IN_SHOT_KEYS = [
    "shot_id", "shot_name", "sequence_name", "episode_id", "episode_name",
    "preview_file_id", "nb_occurences",
]
LINK_KEYS = ["id", "entity_in_id", "entity_out_id", "nb_occurences", "label", "data", "created_at", "type"]


@pytest.fixture
def http(api_url, admin, gazu_admin):
    headers = admin.headers()

    def request(method, path, **kw):
        return requests.request(method, f"{api_url}/{path}", headers=headers, timeout=TIMEOUT, **kw)

    return request


@pytest.fixture
def prod(gazu_admin):
    """A tvshow with one episode, one sequence, two shots and three assets."""
    tag = unique()
    project = gazu.project.new_project(f"CAST {tag}", production_type="tvshow")
    types = {t["name"]: t for t in gazu.asset.all_asset_types()}
    episode = gazu.shot.new_episode(project, "E01")
    sequence = gazu.shot.new_sequence(project, "SQ01", episode=episode)
    shots = [gazu.shot.new_shot(project, sequence, name) for name in ("SH010", "SH020")]
    hero = gazu.asset.new_asset(project, types["Character"], "Hero")
    villain = gazu.asset.new_asset(project, types["Character"], "Villain")
    chair = gazu.asset.new_asset(project, types["Prop"], "Chair")
    return SimpleNamespace(
        project=project, episode=episode, sequence=sequence, shots=shots,
        hero=hero, villain=villain, chair=chair, types=types, tag=tag,
    )


def nb_out(entity):
    return gazu.client.fetch_one("entities", entity["id"])["nb_entities_out"]


def links_of(project):
    links = gazu.casting.all_entity_links_for_project(project)
    return {(link["entity_in_id"], link["entity_out_id"]): link for link in links}


def test_shot_casting_read_back_with_counters_and_episode_mirror(prod):
    shot, other = prod.shots
    casting = [
        {"asset_id": prod.hero["id"], "nb_occurences": 2, "label": "fixed"},
        {"asset_id": prod.chair["id"], "nb_occurences": 1},
    ]
    # Zou answers the casting it was sent, as it was sent.
    assert gazu.casting.update_shot_casting(prod.project, shot, casting) == casting

    read = gazu.casting.get_shot_casting(shot)
    # Ordered by asset type name, then asset name.
    assert [c["asset_name"] for c in read] == ["Hero", "Chair"]
    assert all(list(c) == CASTING_KEYS for c in read)
    hero = read[0]
    assert hero["asset_id"] == prod.hero["id"]
    assert hero["asset_type_name"] == "Character"
    assert hero["nb_occurences"] == 2 and hero["label"] == "fixed"
    assert read[1]["label"] == ""  # no label given: Zou's default
    assert hero["is_shared"] is False and hero["project_id"] == prod.project["id"]
    assert nb_out(shot) == 2

    full = gazu.shot.get_shot(shot["id"])
    assert sorted(full["entities_out"]) == sorted([prod.hero["id"], prod.chair["id"]])
    assert full["nb_entities_out"] == 2

    # Casting a shot casts its assets in the episode too (flagged "auto").
    episode_cast = gazu.casting.get_episode_casting(prod.episode)
    assert [c["asset_name"] for c in episode_cast] == ["Hero", "Chair"]
    assert all(c["nb_occurences"] == 1 for c in episode_cast)
    assert nb_out(prod.episode) == 2
    links = links_of(prod.project)
    assert links[(prod.episode["id"], prod.hero["id"])]["data"] == {"auto": True}
    assert links[(shot["id"], prod.hero["id"])]["data"] is None
    assert all(list(link) == LINK_KEYS for link in links.values())

    # Zou's "episodes casting" joins any entity of the production as the
    # casting side, not only episodes: the shots show up too.
    episodes = gazu.casting.get_episodes_casting(prod.project)
    assert set(episodes) == {prod.episode["id"], shot["id"]}
    assert all(list(c) == EPISODE_KEYS for c in episodes[prod.episode["id"]])

    gazu.casting.update_shot_casting(
        prod.project, other, [{"asset_id": prod.hero["id"], "nb_occurences": 1}])
    seq = gazu.casting.get_sequence_casting(prod.sequence)
    assert set(seq) == {shot["id"], other["id"]}
    assert [c["asset_name"] for c in seq[shot["id"]]] == ["Hero", "Chair"]
    assert all(list(c) == SEQUENCE_KEYS for c in seq[shot["id"]])
    assert seq[shot["id"]][0]["sequence_name"] == "SQ01"
    assert gazu.casting.get_sequence_shots_casting(prod.project, prod.sequence) == seq
    assert gazu.casting.get_project_shots_casting(prod.project) == seq
    assert gazu.casting.get_episode_shots_casting(prod.project, prod.episode) == seq

    cast_in = gazu.casting.get_asset_cast_in(prod.hero)
    assert [c["shot_name"] for c in cast_in] == ["SH010", "SH020"]
    assert all(list(c) == CAST_IN_SHOT_KEYS for c in cast_in)
    assert cast_in[0]["episode_name"] == "E01" and cast_in[0]["episode_id"] == prod.episode["id"]
    assert cast_in[0]["nb_occurences"] == 2

    # A new casting replaces the old one: the chair leaves the shot, and the
    # episode (no other shot has it).
    gazu.casting.update_shot_casting(
        prod.project, shot, [{"asset_id": prod.hero["id"], "nb_occurences": 3}])
    assert [(c["asset_name"], c["nb_occurences"]) for c in gazu.casting.get_shot_casting(shot)] == [("Hero", 3)]
    assert nb_out(shot) == 1
    assert [c["asset_name"] for c in gazu.casting.get_episode_casting(prod.episode)] == ["Hero"]
    assert nb_out(prod.episode) == 1
    # An entry without nb_occurences is ignored.
    gazu.casting.update_shot_casting(prod.project, other, [{"asset_id": prod.chair["id"]}])
    assert gazu.casting.get_shot_casting(other) == []
    assert nb_out(other) == 0
    # The hero is still in the first shot: the episode keeps it.
    assert [c["asset_name"] for c in gazu.casting.get_episode_casting(prod.episode)] == ["Hero"]


def test_cast_and_uncast_leave_the_rest(prod):
    shot, other = prod.shots
    gazu.casting.update_shot_casting(
        prod.project, shot, [{"asset_id": prod.hero["id"], "nb_occurences": 2, "label": "x"}])
    answer = gazu.casting.cast_asset(prod.project, [shot, other], prod.chair, nb_occurences=3)
    assert set(answer) == {shot["id"], other["id"]}
    assert [c["asset_name"] for c in answer[shot["id"]]] == ["Hero", "Chair"]
    assert answer[shot["id"]][1]["nb_occurences"] == 3
    assert nb_out(shot) == 2 and nb_out(other) == 1
    # Without a count, the current one is kept (and the label).
    answer = gazu.casting.cast_asset(prod.project, [shot], prod.hero)
    assert answer[shot["id"]][0]["nb_occurences"] == 2 and answer[shot["id"]][0]["label"] == "x"
    answer = gazu.casting.uncast_asset(prod.project, [shot], prod.chair)
    assert [c["asset_name"] for c in answer[shot["id"]]] == ["Hero"]
    assert nb_out(shot) == 1
    # Still in the other shot: still in the episode.
    assert {c["asset_name"] for c in gazu.casting.get_episode_casting(prod.episode)} == {"Hero", "Chair"}
    gazu.casting.uncast_asset(prod.project, [other], prod.chair)
    assert [c["asset_name"] for c in gazu.casting.get_episode_casting(prod.episode)] == ["Hero"]
    assert nb_out(prod.episode) == 1
    # Uncasting what is not cast changes nothing.
    answer = gazu.casting.uncast_asset(prod.project, [other], prod.chair)
    assert answer == {other["id"]: []}


def test_asset_and_episode_casting(prod):
    # Set dressing: assets cast in an asset.
    gazu.casting.update_asset_casting(
        prod.project, prod.hero, [{"asset_id": prod.chair["id"], "nb_occurences": 4}])
    read = gazu.casting.get_asset_casting(prod.hero)
    assert [(c["asset_name"], c["nb_occurences"]) for c in read] == [("Chair", 4)]
    assert nb_out(prod.hero) == 1
    by_type = gazu.casting.get_asset_type_casting(prod.project, prod.types["Character"])
    assert list(by_type) == [prod.hero["id"]]
    assert all(list(c) == ASSET_TYPE_KEYS for c in by_type[prod.hero["id"]])
    assert gazu.casting.get_asset_type_casting(prod.project, prod.types["Prop"]) == {}
    cast_in = gazu.casting.get_asset_cast_in(prod.chair)
    assert cast_in == [{
        "asset_id": prod.hero["id"], "asset_name": "Hero", "asset_type_name": "Character",
        "preview_file_id": None, "nb_occurences": 4,
    }]

    # An episode's own casting: a link without the "auto" flag.
    shot = prod.shots[0]
    gazu.casting.update_shot_casting(
        prod.project, shot, [{"asset_id": prod.villain["id"], "nb_occurences": 1}])
    gazu.casting.update_episode_casting(
        prod.project, prod.episode, [{"asset_id": prod.hero["id"], "nb_occurences": 1}])
    # The villain left the episode's casting, so it leaves its shots too.
    assert gazu.casting.get_shot_casting(shot) == []
    assert nb_out(shot) == 0
    assert [c["asset_name"] for c in gazu.casting.get_episode_casting(prod.episode)] == ["Hero"]
    assert links_of(prod.project)[(prod.episode["id"], prod.hero["id"])]["data"] is None


def test_delete_entity_link(prod, http):
    shot = prod.shots[0]
    gazu.casting.update_shot_casting(prod.project, shot, [
        {"asset_id": prod.hero["id"], "nb_occurences": 1},
        {"asset_id": prod.chair["id"], "nb_occurences": 1},
    ])
    link = links_of(prod.project)[(shot["id"], prod.chair["id"])]
    response = http("DELETE", f"data/projects/{prod.project['id']}/entity-links/{link['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == link["id"] and body["type"] == "EntityLink"
    assert [c["asset_name"] for c in gazu.casting.get_shot_casting(shot)] == ["Hero"]
    assert nb_out(shot) == 1
    # The episode loses the chair (auto link, no other shot has it).
    assert [c["asset_name"] for c in gazu.casting.get_episode_casting(prod.episode)] == ["Hero"]
    again = http("DELETE", f"data/projects/{prod.project['id']}/entity-links/{link['id']}")
    assert again.status_code == 404
    # gazu's delete_entity_link goes through the generic CRUD resource.
    hero_link = links_of(prod.project)[(shot["id"], prod.hero["id"])]
    gazu.casting.delete_entity_link(hero_link)
    assert gazu.casting.get_shot_casting(shot) == []
    assert (shot["id"], prod.hero["id"]) not in links_of(prod.project)


def test_errors(prod, http, api_url):
    project_id = prod.project["id"]
    shot = prod.shots[0]
    path = f"data/projects/{project_id}/entities/{shot['id']}/casting"
    # Not a list.
    response = http("PUT", path, json={"asset_id": prod.hero["id"]})
    assert response.status_code == 400
    assert response.json()["message"] == "Request body must be a JSON array"
    # Unknown entity, unknown project.
    assert http("GET", f"data/projects/{project_id}/entities/{uuid.uuid4()}/casting").status_code == 404
    # An unknown production: the admin passes the access check, and the shot
    # is not of that production.
    assert http("GET", f"data/projects/{uuid.uuid4()}/entities/{shot['id']}/casting").status_code == 403
    assert http("GET", f"data/projects/{project_id}/sequences/{uuid.uuid4()}/casting").status_code == 404
    assert http("GET", f"data/assets/{uuid.uuid4()}/cast-in").status_code == 404
    assert http("DELETE", f"data/projects/{project_id}/entity-links/{uuid.uuid4()}").status_code == 404
    # An entity of another production.
    other = gazu.project.new_project(f"CAST other {prod.tag}", production_type="short")
    assert http("GET", f"data/projects/{other['id']}/entities/{shot['id']}/casting").status_code == 403
    # Cast in several: validated body.
    response = http("PUT", f"data/projects/{project_id}/entities/casting/assets/{prod.hero['id']}",
                    json={"entity_ids": []})
    assert response.status_code == 400

    # An artist of the team reads the casting but may not change it; a
    # manager may.
    tag = unique()
    artist_email = f"cast.artist.{tag}@example.com"
    artist = gazu.person.new_person("Cast", f"Artist {tag}", artist_email, role="user", password=ARTIST_PASSWORD)
    manager_email = f"cast.manager.{tag}@example.com"
    manager = gazu.person.new_person(
        "Cast", f"Manager {tag}", manager_email, role="manager", password=ARTIST_PASSWORD)
    gazu.project.add_person_to_team(prod.project, artist)
    gazu.project.add_person_to_team(prod.project, manager)
    as_artist = artist_client(api_url, artist_email)
    as_manager = artist_client(api_url, manager_email)
    casting = [{"asset_id": prod.hero["id"], "nb_occurences": 1}]
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.casting.update_shot_casting(prod.project, shot, casting, client=as_artist)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.casting.all_entity_links_for_project(prod.project, client=as_artist)
    assert gazu.casting.update_shot_casting(prod.project, shot, casting, client=as_manager) == casting
    assert [c["asset_name"] for c in gazu.casting.get_shot_casting(shot, client=as_artist)] == ["Hero"]
    assert gazu.casting.get_asset_cast_in(prod.hero, client=as_artist)[0]["shot_id"] == shot["id"]


def test_forced_deletes_take_their_links(prod):
    shot, other = prod.shots
    gazu.casting.update_shot_casting(prod.project, shot, [
        {"asset_id": prod.hero["id"], "nb_occurences": 1},
        {"asset_id": prod.chair["id"], "nb_occurences": 1},
    ])
    gazu.casting.update_shot_casting(
        prod.project, other, [{"asset_id": prod.chair["id"], "nb_occurences": 1}])
    gazu.casting.update_asset_casting(
        prod.project, prod.villain, [{"asset_id": prod.hero["id"], "nb_occurences": 1}])
    gazu.shot.remove_shot(shot, force=True)
    gazu.asset.remove_asset(prod.hero, force=True)
    links = links_of(prod.project)
    gone = {shot["id"], prod.hero["id"]}
    assert not [key for key in links if gone & set(key)]
    assert (other["id"], prod.chair["id"]) in links
    assert gazu.casting.get_asset_casting(prod.villain) == []
    assert [c["shot_name"] for c in gazu.casting.get_asset_cast_in(prod.chair)] == ["SH020"]


def test_scene_shots(prod, http):
    """A layout scene's shots: the scene becomes the shot's source."""
    scene = gazu.scene.new_scene(prod.project, prod.sequence, "SC010")
    shot, other = prod.shots
    answer = gazu.scene.add_shot_to_scene(scene, shot)
    assert answer["id"] == shot["id"] and answer["source_id"] == scene["id"]
    assert answer["type"] == "Entity"  # Zou's plain serialize()
    gazu.scene.add_shot_to_scene(scene, other)
    listed = gazu.scene.all_shots_for_scene(scene)
    assert [s["name"] for s in listed] == ["SH010", "SH020"]
    assert all(s["type"] == "Shot" and s["sequence_name"] == "SQ01" for s in listed)
    assert listed[0]["project_name"] == prod.project["name"]
    gazu.scene.remove_shot_from_scene(scene, shot)
    assert [s["name"] for s in gazu.scene.all_shots_for_scene(scene)] == ["SH020"]
    assert gazu.shot.get_shot(shot["id"])["source_id"] is None
    # Not a scene, not a shot, no shot id.
    assert http("GET", f"data/scenes/{shot['id']}/shots").status_code == 404
    assert http("POST", f"data/scenes/{scene['id']}/shots", json={"shot_id": prod.hero["id"]}).status_code == 404
    assert http("POST", f"data/scenes/{scene['id']}/shots", json={}).status_code == 400


INSTANCE_KEYS = [
    "asset_id", "name", "number", "description", "active", "data", "scene_id",
    "target_asset_id", "entity_id", "entity_type_id", "id", "created_at", "updated_at", "type",
]


def test_asset_instances_of_scenes_and_shots(prod, http):
    scene = gazu.scene.new_scene(prod.project, prod.sequence, "SC020")
    first = gazu.scene.new_scene_asset_instance(scene, prod.hero, description="main")
    assert list(first) == INSTANCE_KEYS
    assert (first["name"], first["number"], first["active"]) == ("Hero_0001", 1, True)
    assert first["scene_id"] == scene["id"] and first["description"] == "main"
    second = gazu.scene.new_scene_asset_instance(scene, prod.hero)
    assert (second["name"], second["number"], second["description"]) == ("Hero_0002", 2, None)
    grouped = gazu.scene.all_asset_instances_for_scene(scene)
    assert list(grouped) == [prod.hero["id"]]
    assert [i["id"] for i in grouped[prod.hero["id"]]] == [first["id"], second["id"]]
    assert gazu.scene.all_camera_instances_for_scene(scene) == {}

    shot = prod.shots[0]
    answer = gazu.shot.add_asset_instance_to_shot(shot, first)
    assert answer["id"] == shot["id"]
    on_shot = gazu.shot.all_asset_instances_for_shot(shot)
    assert [i["id"] for i in on_shot[prod.hero["id"]]] == [first["id"]]
    gazu.shot.remove_asset_instance_from_shot(shot, first)
    assert gazu.shot.all_asset_instances_for_shot(shot) == {}
    assert http("POST", f"data/shots/{shot['id']}/asset-instances",
                json={"asset_instance_id": str(uuid.uuid4())}).status_code == 404
    assert http("POST", f"data/scenes/{scene['id']}/asset-instances", json={}).status_code == 400


def test_asset_instances_by_asset(prod):
    scene = gazu.scene.new_scene(prod.project, prod.sequence, "SC030")
    in_scene = gazu.scene.new_scene_asset_instance(scene, prod.chair)
    inside = gazu.asset.new_asset_asset_instance(prod.hero, prod.chair, description="inside")
    assert list(inside) == INSTANCE_KEYS
    assert (inside["name"], inside["number"], inside["target_asset_id"]) == ("Chair_0001", 1, prod.hero["id"])
    within = gazu.asset.all_asset_instances_for_asset(prod.hero)
    assert {k: [i["id"] for i in v] for k, v in within.items()} == {prod.chair["id"]: [inside["id"]]}
    by_scene = gazu.asset.all_scene_asset_instances_for_asset(prod.chair)
    # Zou keys by str(scene_id): "None" for the instance inside an asset.
    assert {k: [i["id"] for i in v] for k, v in by_scene.items()} == {
        scene["id"]: [in_scene["id"]], "None": [inside["id"]]}
    shot = prod.shots[0]
    gazu.shot.add_asset_instance_to_shot(shot, in_scene)
    by_shot = gazu.asset.all_shot_asset_instances_for_asset(prod.chair)
    assert {k: [i["id"] for i in v] for k, v in by_shot.items()} == {shot["id"]: [in_scene["id"]]}
