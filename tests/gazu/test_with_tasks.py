"""Zou's with-tasks boards (issue 11; what Kitsu's production pages load):
/data/{shots,sequences,episodes,scenes,assets,edits,concepts}/with-tasks and
gazu's all_entities_with_tasks_linked_to_entity, as Zou 1.0.97 answers them
(checked by running this module against it): key order, filters, Kitsu's
compact and stream forms, the board's ETag, and what an artist, a vendor, a
client and an outsider get."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique

TIMEOUT = 30
SETTLE = 4

SHOT_KEYS = ["canceled", "data", "description", "entity_type_id", "episode_id", "episode_name",
             "fps", "frame_in", "frame_out", "id", "name", "nb_frames", "parent_id",
             "preview_file_id", "project_id", "project_name", "sequence_id", "sequence_name",
             "source_id", "nb_entities_out", "is_casting_standby", "tasks", "type"]
SHOT_TASK_KEYS = ["id", "duration", "due_date", "end_date", "done_date", "entity_id", "estimation",
                  "is_subscribed", "last_comment_date", "last_preview_file_id", "nb_assets_ready",
                  "priority", "real_start_date", "retake_count", "start_date", "difficulty",
                  "nb_drawings", "task_status_id", "task_type_id", "assignees", "data"]
ASSET_KEYS = ["id", "name", "preview_file_id", "description", "asset_type_name", "asset_type_id",
              "canceled", "ready_for", "episode_id", "casting_episode_ids", "is_casting_standby",
              "is_shared", "data", "tasks"]
ASSET_TASK_KEYS = ["id", "due_date", "done_date", "duration", "entity_id", "estimation", "end_date",
                   "is_subscribed", "last_comment_date", "last_preview_file_id", "priority",
                   "real_start_date", "retake_count", "start_date", "difficulty", "task_status_id",
                   "task_type_id", "assignees", "data"]
ENTITY_KEYS = ["id", "name", "status", "episode_id", "description", "frame_in", "frame_out", "fps",
               "preview_file_id", "canceled", "data", "tasks"]
ENTITY_TASK_KEYS = ["id", "estimation", "entity_id", "end_date", "due_date", "done_date", "duration",
                    "last_comment_date", "last_preview_file_id", "priority", "real_start_date",
                    "retake_count", "start_date", "difficulty", "task_status_id", "task_type_id",
                    "data", "is_subscribed", "assignees"]
EDIT_KEYS = ["canceled", "data", "description", "entity_type_id", "episode_id", "episode_name", "id",
             "name", "parent_id", "preview_file_id", "project_id", "project_name", "source_id",
             "nb_entities_out", "tasks", "type"]
EDIT_TASK_KEYS = ["id", "duration", "due_date", "entity_id", "end_date", "estimation",
                  "last_comment_date", "last_preview_file_id", "nb_assets_ready", "priority",
                  "real_start_date", "retake_count", "start_date", "task_status_id", "task_type_id",
                  "data", "is_subscribed", "assignees"]
CONCEPT_KEYS = ["canceled", "data", "description", "entity_type_id", "fps", "frame_in", "frame_out",
                "id", "name", "nb_frames", "parent_id", "preview_file_id", "preview_file_status",
                "project_id", "project_name", "source_id", "nb_entities_out", "is_casting_standby",
                "tasks", "entity_concept_links", "type", "updated_at", "created_at", "created_by"]
CONCEPT_TASK_KEYS = ["id", "duration", "due_date", "end_date", "entity_id", "estimation",
                     "last_comment_date", "nb_assets_ready", "priority", "real_start_date",
                     "retake_count", "start_date", "task_status_id", "task_type_id", "data",
                     "is_subscribed", "assignees"]
LINKED_KEYS = ["canceled", "data", "description", "entity_type_id", "fps", "frame_in", "frame_out",
               "id", "name", "nb_frames", "parent_id", "preview_file_id", "project_id",
               "project_name", "source_id", "nb_entities_out", "is_casting_standby", "tasks",
               "entity_concept_links", "type", "updated_at", "created_at", "created_by"]
LINKED_TASK_KEYS = ["id", "duration", "due_date", "end_date", "entity_id", "estimation",
                    "last_comment_date", "nb_assets_ready", "priority", "real_start_date",
                    "retake_count", "start_date", "task_status_id", "task_type_id", "assigner_id",
                    "assignees"]


@pytest.fixture(scope="module")
def prod(admin, api_url):
    admin.activate()
    tag = unique()
    types = {t["name"]: t for t in gazu.asset.all_asset_types()}
    tts = {t["name"]: t for t in gazu.task.all_task_types()}
    project = gazu.project.new_project(f"WT {tag}", production_type="tvshow",
                                       asset_types=[types["Character"], types["Prop"]])
    ep1 = gazu.shot.new_episode(project, "E01")
    ep2 = gazu.shot.new_episode(project, "E02")
    sq1 = gazu.shot.new_sequence(project, "SQ01", episode=ep1)
    sq2 = gazu.shot.new_sequence(project, "SQ02", episode=ep2)
    department = gazu.person.new_department(f"Hidden {tag}")
    descriptor = gazu.project.add_metadata_descriptor(project, "Secret note", "Shot",
                                                      departments=[department])
    sh1 = gazu.shot.new_shot(project, sq1, "SH010", nb_frames=24, frame_in=1, frame_out=24,
                             data={descriptor["field_name"]: "x", "look": "warm"})
    sh2 = gazu.shot.new_shot(project, sq1, "SH020")
    sh3 = gazu.shot.new_shot(project, sq2, "SH030")
    villain = gazu.asset.new_asset(project, types["Character"], "Villain")
    hero = gazu.asset.new_asset(project, types["Character"], "Hero", episode=ep1)
    cup = gazu.asset.new_asset(project, types["Prop"], "Cup")
    gazu.casting.update_shot_casting(project, sh3, [{"asset_id": cup["id"], "nb_occurences": 1}])
    # gazu's new_edit sends the episode as parent_id, which Zou 1.0.97's
    # schema ignores (it reads episode_id).
    cut = gazu.client.post(f"data/projects/{project['id']}/edits",
                           {"name": "Cut", "episode_id": ep1["id"]})
    trailer = gazu.edit.new_edit(project, "Trailer")
    scene = gazu.scene.new_scene(project, sq1, "SC01")
    # gazu 1.3.1 sends a concept's links as ids, which Zou 1.0.97's schema
    # refuses: the links go as dicts.
    concept = gazu.client.post(f"data/projects/{project['id']}/concepts",
                               {"name": "Look", "entity_concept_links": [{"id": hero["id"]}]})

    people = {}
    for role in ("user", "vendor", "client"):
        email = f"wt.{role}.{tag}@example.com"
        person = gazu.person.new_person("WT", f"{role} {tag}", email, role=role,
                                        password=ARTIST_PASSWORD)
        gazu.project.add_person_to_team(project, person)
        people[role] = SimpleNamespace(person=person, client=artist_client(api_url, email))
    outsider_email = f"wt.out.{tag}@example.com"
    gazu.person.new_person("WT", f"out {tag}", outsider_email, role="user", password=ARTIST_PASSWORD)
    outsider = artist_client(api_url, outsider_email)
    artist, vendor = people["user"].person, people["vendor"].person

    anim, layout = tts["Animation"], tts["Layout"]
    # Zou wants a task type made for the entity's kind.
    made_for = {kind: gazu.task.new_task_type(f"WT {kind} {tag}", for_entity=kind)
                for kind in ("Sequence", "Episode", "Edit", "Scene", "Concept")}
    tasks = SimpleNamespace(
        sh1_anim=gazu.task.new_task(sh1, anim, assignees=[artist]),
        sh1_layout=gazu.task.new_task(sh1, layout, assignees=[artist, vendor]),
        sh2_anim=gazu.task.new_task(sh2, anim, assignees=[vendor]),
        hero=gazu.task.new_task(hero, tts["Modeling"], assignees=[artist]),
        cup_model=gazu.task.new_task(cup, tts["Modeling"], assignees=[vendor]),
        cup_shading=gazu.task.new_task(cup, tts["Shading"]),
        sq1=gazu.task.new_task(sq1, made_for["Sequence"], assignees=[artist]),
        ep1=gazu.task.new_task(ep1, made_for["Episode"]),
        cut=gazu.task.new_task(cut, made_for["Edit"], assignees=[artist]),
        scene=gazu.task.new_task(scene, made_for["Scene"]),
        concept=gazu.task.new_task(concept, made_for["Concept"], assignees=[artist]),
    )
    gazu.task.update_task({"id": tasks.sh1_anim["id"], "estimation": 120,
                           "due_date": "2026-03-02T00:00:00"})
    return SimpleNamespace(project=project, ep1=ep1, ep2=ep2, sq1=sq1, sq2=sq2, sh1=sh1, sh2=sh2,
                           sh3=sh3, hero=hero, cup=cup, villain=villain, cut=cut,
                           trailer=trailer, scene=scene, concept=concept, tasks=tasks,
                           descriptor=descriptor, people=people, outsider=outsider, types=types)


def get(path, params=None, client=None):
    kw = {"client": client} if client is not None else {}
    return gazu.client.get(path, params=params or {}, **kw)


def status_of(path, params=None, client=None):
    try:
        get(path, params, client)
    except gazu.exception.NotAllowedException:
        return 403
    except gazu.exception.RouteNotFoundException:
        return 404
    except gazu.exception.ParameterException:
        return 400
    return 200


def raw(api_url, admin, path, params=None, headers=None):
    return requests.get(f"{api_url}/{path}", params=params or {},
                        headers={**admin.headers(), **(headers or {})}, timeout=TIMEOUT)


def by_id(rows):
    return {row["id"]: row for row in rows}


def test_shots_shape_values_and_filters(prod, admin):
    admin.activate()
    rows = get("data/shots/with-tasks", {"project_id": prod.project["id"]})
    assert sorted(r["id"] for r in rows) == sorted([prod.sh1["id"], prod.sh2["id"], prod.sh3["id"]])
    shot = by_id(rows)[prod.sh1["id"]]
    assert list(shot) == SHOT_KEYS
    assert shot["episode_id"] == prod.ep1["id"] and shot["episode_name"] == "E01"
    assert shot["sequence_id"] == prod.sq1["id"] and shot["sequence_name"] == "SQ01"
    assert shot["parent_id"] == prod.sq1["id"] and shot["project_name"] == prod.project["name"]
    assert (shot["fps"], shot["frame_in"], shot["frame_out"]) == (None, 1, 24)
    assert shot["nb_frames"] == 24 and shot["type"] == "Shot"
    assert shot["data"]["look"] == "warm"
    tasks = by_id(shot["tasks"])
    assert set(tasks) == {prod.tasks.sh1_anim["id"], prod.tasks.sh1_layout["id"]}
    anim = tasks[prod.tasks.sh1_anim["id"]]
    assert list(anim) == SHOT_TASK_KEYS
    assert anim["assignees"] == [prod.people["user"].person["id"]]
    assert anim["estimation"] == 120 and anim["due_date"] == "2026-03-02T00:00:00"
    assert anim["is_subscribed"] is False and anim["entity_id"] == prod.sh1["id"]
    assert anim["task_type_id"] == prod.tasks.sh1_anim["task_type_id"]
    assert anim["priority"] == 0
    layout = tasks[prod.tasks.sh1_layout["id"]]
    assert sorted(layout["assignees"]) == sorted(
        [prod.people["user"].person["id"], prod.people["vendor"].person["id"]])

    ep2 = get("data/shots/with-tasks", {"project_id": prod.project["id"],
                                        "episode_id": prod.ep2["id"]})
    assert [r["id"] for r in ep2] == [prod.sh3["id"]]
    every = get("data/shots/with-tasks", {"project_id": prod.project["id"], "episode_id": "all"})
    assert len(every) == 3
    one = get("data/shots/with-tasks", {"id": prod.sh2["id"]})
    assert [r["id"] for r in one] == [prod.sh2["id"]]
    # An admin may list every production's shots.
    assert prod.sh1["id"] in by_id(get("data/shots/with-tasks"))


def test_malformed_ids_are_400(prod, api_url, admin):
    for path, key in [("data/shots/with-tasks", "project_id"), ("data/shots/with-tasks", "id"),
                      ("data/assets/with-tasks", "episode_id"), ("data/edits/with-tasks", "id"),
                      ("data/sequences/with-tasks", "project_id"),
                      ("data/concepts/with-tasks", "id")]:
        answer = raw(api_url, admin, path, {key: "nope"})
        assert answer.status_code == 400, (path, answer.text)
        assert answer.json() == {"error": True, "message": f"Invalid UUID format for {key}: nope",
                                 "data": None}


def test_shots_compact_and_stream(prod, api_url, admin):
    admin.activate()
    params = {"project_id": prod.project["id"]}
    plain = by_id(get("data/shots/with-tasks", params))
    compact = get("data/shots/with-tasks", {**params, "compact": "true"})
    assert list(compact) == ["compact", "shot_fields", "task_fields", "rows"]
    assert compact["compact"] is True
    assert compact["shot_fields"] == SHOT_KEYS[:-2] + ["type", "tasks"]
    assert compact["task_fields"] == SHOT_TASK_KEYS
    assert len(compact["rows"]) == 3
    for row in compact["rows"]:
        shot = dict(zip(compact["shot_fields"], row))
        expected = plain[shot["id"]]
        assert [dict(zip(compact["task_fields"], t)) for t in shot.pop("tasks")] == expected["tasks"]
        assert shot == {k: v for k, v in expected.items() if k != "tasks"}

    answer = raw(api_url, admin, "data/shots/with-tasks", {**params, "stream": "true"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines() if line]
    assert lines[0] == {"compact": False}
    assert by_id(lines[1:]) == plain
    answer = raw(api_url, admin, "data/shots/with-tasks",
                 {**params, "stream": "true", "compact": "true"})
    lines = [json.loads(line) for line in answer.text.splitlines() if line]
    assert lines[0] == {k: v for k, v in compact.items() if k != "rows"}
    id_at = compact["shot_fields"].index("id")
    assert {r[id_at]: r for r in lines[1:]} == {r[id_at]: r for r in compact["rows"]}
    # Only "true" turns an option on.
    assert isinstance(get("data/shots/with-tasks", {**params, "compact": "1"}), list)


def test_board_etag(prod, api_url, admin):
    params = {"project_id": prod.project["id"]}
    # Fennec stores times to the second, so it only trusts a board's
    # signal a few seconds after its last change.
    time.sleep(SETTLE)
    first = raw(api_url, admin, "data/shots/with-tasks", params)
    etag = first.headers.get("ETag")
    assert etag
    assert {p.strip() for p in first.headers["Cache-Control"].split(",")} == {"private", "no-cache"}
    again = raw(api_url, admin, "data/shots/with-tasks", params, {"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers.get("ETag") == etag
    assets = raw(api_url, admin, "data/assets/with-tasks", params)
    assert assets.headers.get("ETag") and "no-cache" in assets.headers["Cache-Control"]
    # Another caller (or role) has his own tag.
    artist = prod.people["user"].client
    other = requests.get(f"{api_url}/data/shots/with-tasks", params=params, timeout=TIMEOUT,
                         headers={"Authorization": f"Bearer {artist.tokens['access_token']}",
                                  "If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag
    # No production named: no tag.
    assert "ETag" not in raw(api_url, admin, "data/shots/with-tasks",
                             {"id": prod.sh1["id"]}).headers
    # A change to the board makes the copy stale.
    admin.activate()
    task = gazu.task.new_task(prod.sh3, gazu.task.get_task_type_by_name("Lighting"))
    changed = raw(api_url, admin, "data/shots/with-tasks", params, {"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert task["id"] in by_id(by_id(changed.json())[prod.sh3["id"]]["tasks"])
    gazu.task.remove_task(task)


def test_assets_shape_order_and_filters(prod, admin):
    admin.activate()
    params = {"project_id": prod.project["id"]}
    rows = get("data/assets/with-tasks", params)
    # By type name, then name.
    assert [r["name"] for r in rows] == ["Hero", "Villain", "Cup"]
    hero = rows[0]
    assert list(hero) == ASSET_KEYS
    assert hero["asset_type_name"] == "Character"
    assert hero["asset_type_id"] == prod.types["Character"]["id"]
    assert hero["episode_id"] == prod.ep1["id"] and hero["casting_episode_ids"] == []
    assert hero["preview_file_id"] == "" and hero["ready_for"] == "None"
    assert [list(t) for t in hero["tasks"]] == [ASSET_TASK_KEYS]
    assert hero["tasks"][0]["assignees"] == [prod.people["user"].person["id"]]
    cup = rows[2]
    assert cup["episode_id"] == "" and cup["casting_episode_ids"] == [prod.ep2["id"]]
    assert {t["id"] for t in cup["tasks"]} == {prod.tasks.cup_model["id"], prod.tasks.cup_shading["id"]}

    def names(**extra):
        return [r["name"] for r in get("data/assets/with-tasks", {**params, **extra})]

    assert names(episode_id=prod.ep1["id"]) == ["Hero"]
    assert names(episode_id=prod.ep2["id"]) == ["Cup"]
    assert names(episode_id="main") == ["Villain", "Cup"]
    assert names(episode_id="all") == ["Hero", "Villain", "Cup"]
    assert names(id=prod.cup["id"]) == ["Cup"]
    # asset_type_id is not one of this board's filters.
    assert names(asset_type_id=prod.types["Prop"]["id"]) == ["Hero", "Villain", "Cup"]
    # Without a production, the casting episodes are not computed.
    alone = get("data/assets/with-tasks", {"id": prod.cup["id"]})
    assert [r["casting_episode_ids"] for r in alone] == [[]]


def test_assets_compact_and_stream(prod, api_url, admin):
    admin.activate()
    params = {"project_id": prod.project["id"]}
    plain = get("data/assets/with-tasks", params)
    answer = raw(api_url, admin, "data/assets/with-tasks",
                 {**params, "stream": "true", "compact": "true"})
    assert answer.headers["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines() if line]
    assert lines[0] == {"compact": True, "asset_fields": ASSET_KEYS, "task_fields": ASSET_TASK_KEYS}
    rebuilt = []
    for row in lines[1:]:
        asset = dict(zip(ASSET_KEYS, row))
        asset["tasks"] = [dict(zip(ASSET_TASK_KEYS, t)) for t in asset["tasks"]]
        rebuilt.append(asset)
    assert rebuilt == plain
    compact = get("data/assets/with-tasks", {**params, "compact": "true"})
    assert list(compact) == ["compact", "asset_fields", "task_fields", "rows"]
    assert compact["rows"] == lines[1:]


def test_sequences_episodes_scenes(prod, admin):
    admin.activate()
    params = {"project_id": prod.project["id"]}
    seqs = by_id(get("data/sequences/with-tasks", params))
    assert set(seqs) == {prod.sq1["id"], prod.sq2["id"]}
    sq1 = seqs[prod.sq1["id"]]
    assert list(sq1) == ENTITY_KEYS
    assert sq1["episode_id"] == prod.ep1["id"] and sq1["status"] == "running"
    assert sq1["preview_file_id"] == ""
    assert [list(t) for t in sq1["tasks"]] == [ENTITY_TASK_KEYS]
    assert sq1["tasks"][0]["assignees"] == [prod.people["user"].person["id"]]
    assert seqs[prod.sq2["id"]]["tasks"] == []
    assert [r["id"] for r in get("data/sequences/with-tasks",
                                 {**params, "episode_id": prod.ep2["id"]})] == [prod.sq2["id"]]
    # "id" is no filter of this board.
    assert len(get("data/sequences/with-tasks", {**params, "id": prod.sq1["id"]})) == 2

    eps = by_id(get("data/episodes/with-tasks", params))
    assert set(eps) == {prod.ep1["id"], prod.ep2["id"]}
    assert list(eps[prod.ep1["id"]]) == ENTITY_KEYS
    assert eps[prod.ep1["id"]]["episode_id"] == "None"
    assert [t["id"] for t in eps[prod.ep1["id"]]["tasks"]] == [prod.tasks.ep1["id"]]

    scenes = get("data/scenes/with-tasks", params)
    assert [s["id"] for s in scenes] == [prod.scene["id"]]
    assert list(scenes[0]) == ENTITY_KEYS
    assert scenes[0]["episode_id"] == prod.sq1["id"]
    assert [t["id"] for t in scenes[0]["tasks"]] == [prod.tasks.scene["id"]]


def test_edits_and_concepts(prod, admin):
    admin.activate()
    params = {"project_id": prod.project["id"]}
    edits = by_id(get("data/edits/with-tasks", params))
    assert set(edits) == {prod.cut["id"], prod.trailer["id"]}
    cut = edits[prod.cut["id"]]
    assert list(cut) == EDIT_KEYS
    assert cut["episode_id"] == prod.ep1["id"] and cut["episode_name"] == "E01"
    assert cut["type"] == "Edit"
    assert [list(t) for t in cut["tasks"]] == [EDIT_TASK_KEYS]
    trailer = edits[prod.trailer["id"]]
    assert trailer["episode_id"] is None and trailer["episode_name"] == ""
    assert [e["id"] for e in get("data/edits/with-tasks", {**params, "episode_id": "main"})] == [
        prod.trailer["id"]]
    assert [e["id"] for e in get("data/edits/with-tasks",
                                 {**params, "episode_id": prod.ep1["id"]})] == [prod.cut["id"]]

    concepts = get("data/concepts/with-tasks", params)
    assert [c["id"] for c in concepts] == [prod.concept["id"]]
    concept = concepts[0]
    assert list(concept) == CONCEPT_KEYS
    assert concept["entity_concept_links"] == [prod.hero["id"]]
    assert concept["type"] == "Concept" and concept["preview_file_status"] is None
    assert [list(t) for t in concept["tasks"]] == [CONCEPT_TASK_KEYS]
    assert get("data/concepts/with-tasks", {**params, "id": prod.sh1["id"]}) == []


def test_entities_linked_with_tasks(prod, admin, api_url):
    admin.activate()
    linked = gazu.entity.all_entities_with_tasks_linked_to_entity(prod.hero)
    assert [e["id"] for e in linked] == [prod.concept["id"]]
    concept = linked[0]
    assert list(concept) == LINKED_KEYS
    assert concept["type"] == "Concept" and concept["entity_concept_links"] == [prod.hero["id"]]
    assert concept["project_name"] == prod.project["name"]
    assert [list(t) for t in concept["tasks"]] == [LINKED_TASK_KEYS]
    assert concept["tasks"][0]["assignees"] == [prod.people["user"].person["id"]]
    assert gazu.entity.all_entities_with_tasks_linked_to_entity(prod.cup) == []
    artist = prod.people["user"].client
    assert [e["id"] for e in gazu.entity.all_entities_with_tasks_linked_to_entity(
        prod.hero, client=artist)] == [prod.concept["id"]]
    # A vendor reaches only the entities he holds a task on.
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.entity.all_entities_with_tasks_linked_to_entity(prod.hero,
                                                             client=prod.people["vendor"].client)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.entity.all_entities_with_tasks_linked_to_entity(prod.hero, client=prod.outsider)
    answer = raw(api_url, admin, f"data/entities/{prod.project['id']}/entities-linked/with-tasks")
    assert answer.status_code == 404


def test_team_artist_and_outsider(prod):
    artist = prod.people["user"].client
    params = {"project_id": prod.project["id"]}
    shots = by_id(get("data/shots/with-tasks", params, artist))
    assert len(shots) == 3 and len(shots[prod.sh1["id"]]["tasks"]) == 2
    # The artist reads the restricted metadata; only vendors lose it.
    assert prod.descriptor["field_name"] in shots[prod.sh1["id"]]["data"]
    assert len(get("data/assets/with-tasks", params, artist)) == 3
    # Without a production: the shot board is refused, the asset board
    # lists his productions' assets only.
    assert status_of("data/shots/with-tasks", {}, artist) == 403
    assert status_of("data/edits/with-tasks", {}, artist) == 403
    everything = get("data/assets/with-tasks", {}, artist)
    assert {r["id"] for r in everything} == {prod.hero["id"], prod.cup["id"], prod.villain["id"]}
    for path in ["shots", "assets", "sequences", "episodes", "scenes", "edits", "concepts"]:
        assert status_of(f"data/{path}/with-tasks", params, prod.outsider) == 403, path
    assert status_of("data/assets/with-tasks", {}, prod.outsider) == 200
    assert get("data/assets/with-tasks", {}, prod.outsider) == []


def test_vendor_sees_only_his_tasks(prod):
    vendor = prod.people["vendor"].client
    me = prod.people["vendor"].person["id"]
    params = {"project_id": prod.project["id"]}
    shots = by_id(get("data/shots/with-tasks", params, vendor))
    assert set(shots) == {prod.sh1["id"], prod.sh2["id"]}
    assert [t["id"] for t in shots[prod.sh1["id"]]["tasks"]] == [prod.tasks.sh1_layout["id"]]
    # His task keeps its other assignees.
    assert sorted(shots[prod.sh1["id"]]["tasks"][0]["assignees"]) == sorted(
        [prod.people["user"].person["id"], me])
    # Metadata restricted to a department he is not in is hidden.
    data = shots[prod.sh1["id"]]["data"]
    assert prod.descriptor["field_name"] not in data and data["look"] == "warm"
    assets = get("data/assets/with-tasks", params, vendor)
    assert [a["id"] for a in assets] == [prod.cup["id"]]
    assert [t["id"] for t in assets[0]["tasks"]] == [prod.tasks.cup_model["id"]]
    seqs = get("data/sequences/with-tasks", params, vendor)
    assert [(s["id"], s["tasks"]) for s in seqs] == [(prod.sq1["id"], [])]
    eps = get("data/episodes/with-tasks", params, vendor)
    assert [(e["id"], e["tasks"]) for e in eps] == [(prod.ep1["id"], [])]
    assert get("data/edits/with-tasks", params, vendor) == []
    assert status_of("data/scenes/with-tasks", params, vendor) == 403
    assert status_of("data/concepts/with-tasks", params, vendor) == 403


def test_client_gets_blank_studio_fields(prod):
    client = prod.people["client"].client
    params = {"project_id": prod.project["id"]}
    shots = by_id(get("data/shots/with-tasks", params, client))
    assert len(shots) == 3
    anim = by_id(shots[prod.sh1["id"]]["tasks"])[prod.tasks.sh1_anim["id"]]
    assert list(anim) == SHOT_TASK_KEYS
    assert (anim["assignees"], anim["estimation"], anim["due_date"], anim["duration"]) == (
        [], 0, None, 0)
    assert anim["task_type_id"] == prod.tasks.sh1_anim["task_type_id"]
    assets = get("data/assets/with-tasks", params, client)
    assert all(t["assignees"] == [] for a in assets for t in a["tasks"])
    compact = get("data/shots/with-tasks", {**params, "compact": "true"}, client)
    tasks = [dict(zip(compact["task_fields"], t)) for row in compact["rows"] for t in row[-1]]
    assert all(t["assignees"] == [] and t["priority"] == 0 for t in tasks)
    assert status_of("data/concepts/with-tasks", params, client) == 403
    assert status_of("data/scenes/with-tasks", params, client) == 200


def test_unknown_production_or_episode(prod, admin):
    missing = "00000000-0000-4000-8000-000000000000"
    artist = prod.people["user"].client
    # An admin lists nothing; anyone else meets the production's 404.
    admin.activate()
    assert get("data/shots/with-tasks", {"project_id": missing}) == []
    assert get("data/sequences/with-tasks", {"project_id": missing}) == []
    assert status_of("data/shots/with-tasks", {"project_id": missing}, artist) == 404
    assert status_of("data/edits/with-tasks", {"project_id": missing}, artist) == 404
    # The asset board resolves the production through the episode.
    assert status_of("data/assets/with-tasks", {"episode_id": missing}) == 404
    assert status_of("data/assets/with-tasks", {"episode_id": prod.sq1["id"]}) == 404
    assert [a["name"] for a in get("data/assets/with-tasks", {"episode_id": prod.ep1["id"]},
                                   artist)] == ["Hero"]
    assert status_of("data/assets/with-tasks", {"episode_id": prod.ep1["id"]},
                     prod.outsider) == 403


def test_board_etag_never_hides_a_change_made_in_the_same_second(prod, api_url, admin):
    params = {"project_id": prod.project["id"]}
    task = prod.tasks.sh2_anim
    admin.activate()
    for priority in (1, 2, 3):
        gazu.task.update_task({"id": task["id"], "priority": priority})
        read = raw(api_url, admin, "data/shots/with-tasks", params)
        gazu.task.update_task({"id": task["id"], "priority": priority + 10})
        again = raw(api_url, admin, "data/shots/with-tasks", params,
                    {"If-None-Match": read.headers["ETag"]})
        assert again.status_code == 200
        shot = by_id(again.json())[prod.sh2["id"]]
        assert by_id(shot["tasks"])[task["id"]]["priority"] == priority + 10
    gazu.task.update_task({"id": task["id"], "priority": 0})
