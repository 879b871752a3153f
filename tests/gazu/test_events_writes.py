"""Live events of the casting, breakdown, import and deletion writes (issue 15).

Each test makes a write through gazu and checks, with a gazu.events
client, the events Zou 1.0.97 emits for it: their names, their payloads
(keys and values) and, where a pipeline script depends on it, their order.
The last tests pin the event log's object, action and author filters and
its list of names.

Run first against Zou (its event stream, on the API's port + 1), then Fennec.
"""

from __future__ import annotations

import datetime
import time

import gazu
import pytest
import requests

from support import artist_client, unique
from test_events_coverage import CatchAll

TIMEOUT = 30


@pytest.fixture
def events(gazu_admin):
    listener = CatchAll(gazu_admin)
    time.sleep(0.3)
    yield listener
    listener.close()


def mark(events) -> int:
    with events.lock:
        return len(events.received)


def since(events, start: int, names: set[str] | None = None, settle: float = 1.0):
    """The events received from `start` on (after a short settle), in order."""
    time.sleep(settle)
    with events.lock:
        got = list(events.received[start:])
    return [(n, d) for n, d in got if names is None or n in names]


def new_asset(production, name=None):
    return gazu.asset.new_asset(production.project, production.character, name or unique("EvA"))


def new_shot(production, sequence=None):
    return gazu.shot.new_shot(production.project, sequence or production.sequence, unique("EvS"))


def link_id(project, entity_in, entity_out):
    links = gazu.casting.all_entity_links_for_project(project)
    return next(
        link["id"] for link in links
        if link["entity_in_id"] == entity_in["id"] and link["entity_out_id"] == entity_out["id"]
    )


CASTING_EVENTS = {
    "entity-link:new", "entity-link:update", "asset:update",
    "shot:casting-update", "episode:casting-update", "asset:casting-update",
}


# --------------------------------------------------------------------------
# Casting
# --------------------------------------------------------------------------


def test_shot_casting_events_in_order(events, production):
    project_id = production.project["id"]
    shot = new_shot(production)
    asset = new_asset(production)
    episode = production.episode

    start = mark(events)
    gazu.casting.update_shot_casting(
        production.project, shot, [{"asset_id": asset["id"], "nb_occurences": 2}])
    first = since(events, start, CASTING_EVENTS)
    link = link_id(production.project, shot, asset)
    # The asset joins the shot's episode (a mirror link, announced as an
    # asset update), then the shot's link, then the shot's casting.
    assert first == [
        ("asset:update", {"asset_id": asset["id"], "project_id": project_id}),
        ("entity-link:new", {
            "entity_link_id": link, "entity_in_id": shot["id"], "entity_out_id": asset["id"],
            "nb_occurences": 2, "project_id": project_id}),
        ("shot:casting-update", {
            "shot_id": shot["id"], "nb_entities_out": 1, "added_asset_ids": [asset["id"]],
            "removed_asset_ids": [], "project_id": project_id}),
    ]

    # A new casting replaces the links: a new link, nothing added.
    start = mark(events)
    gazu.casting.update_shot_casting(
        production.project, shot, [{"asset_id": asset["id"], "nb_occurences": 3}])
    again = since(events, start, CASTING_EVENTS)
    link = link_id(production.project, shot, asset)
    assert again == [
        ("entity-link:new", {
            "entity_link_id": link, "entity_in_id": shot["id"], "entity_out_id": asset["id"],
            "nb_occurences": 3, "project_id": project_id}),
        ("shot:casting-update", {
            "shot_id": shot["id"], "nb_entities_out": 1, "added_asset_ids": [],
            "removed_asset_ids": [], "project_id": project_id}),
    ]

    # Emptied: the shot loses it, and so does the episode (no other shot of
    # it has the asset, and its link was the mirror).
    start = mark(events)
    gazu.casting.update_shot_casting(production.project, shot, [])
    emptied = since(events, start, CASTING_EVENTS)
    episode_count = gazu.shot.get_episode(episode["id"])["nb_entities_out"]
    assert emptied == [
        ("shot:casting-update", {
            "shot_id": shot["id"], "nb_entities_out": 0, "added_asset_ids": [],
            "removed_asset_ids": [asset["id"]], "project_id": project_id}),
        ("episode:casting-update", {
            "episode_id": episode["id"], "nb_entities_out": episode_count,
            "added_asset_ids": [], "removed_asset_ids": [asset["id"]], "project_id": project_id}),
        ("asset:update", {"asset_id": asset["id"], "project_id": project_id}),
    ]
    # The casting events are in Zou's log, under the caller's name.
    me = gazu.client.get_current_user()
    logged = gazu.sync.get_last_events(project=production.project, name="shot:casting-update",
                                       limit=50)
    mine = [e for e in logged if e["data"].get("shot_id") == shot["id"]]
    assert len(mine) == 3 and all(e["user_id"] == me["id"] for e in mine)


def test_cast_one_asset_in_entities_and_asset_casting(events, production):
    project_id = production.project["id"]
    shot = new_shot(production)
    holder = new_asset(production)
    prop = new_asset(production)
    path = f"data/projects/{project_id}/entities/casting/assets/{prop['id']}"

    gazu.client.put(path, {"entity_ids": [shot["id"], holder["id"]], "nb_occurences": 2})
    shot_link = link_id(production.project, shot, prop)
    holder_link = link_id(production.project, holder, prop)
    events.wait_for("entity-link:new", entity_link_id=shot_link)
    assert events.wait_for("entity-link:new", entity_link_id=holder_link) == {
        "entity_link_id": holder_link, "entity_in_id": holder["id"], "entity_out_id": prop["id"],
        "nb_occurences": 2, "project_id": project_id}
    assert events.wait_for("shot:casting-update", shot_id=shot["id"]) == {
        "shot_id": shot["id"], "nb_entities_out": 1, "added_asset_ids": [prop["id"]],
        "removed_asset_ids": [], "project_id": project_id}
    # An asset's casting is announced as the asset's.
    assert events.wait_for("asset:casting-update", asset_id=holder["id"]) == {
        "asset_id": holder["id"], "nb_entities_out": 1, "added_asset_ids": [prop["id"]],
        "removed_asset_ids": [], "project_id": project_id}

    # Cast again: the link is updated, nothing is added.
    start = mark(events)
    gazu.client.put(path, {"entity_ids": [shot["id"]], "nb_occurences": 4})
    assert since(events, start, CASTING_EVENTS) == [
        ("entity-link:update", {
            "entity_link_id": shot_link, "nb_occurences": 4, "project_id": project_id}),
        ("shot:casting-update", {
            "shot_id": shot["id"], "nb_entities_out": 1, "added_asset_ids": [],
            "removed_asset_ids": [], "project_id": project_id}),
    ]

    # Zero occurrences uncasts.
    start = mark(events)
    gazu.client.put(path, {"entity_ids": [holder["id"]], "nb_occurences": 0})
    assert since(events, start, CASTING_EVENTS) == [
        ("asset:casting-update", {
            "asset_id": holder["id"], "nb_entities_out": 0, "added_asset_ids": [],
            "removed_asset_ids": [prop["id"]], "project_id": project_id}),
    ]

    # gazu's update_asset_casting.
    start = mark(events)
    gazu.casting.update_asset_casting(
        production.project, holder, [{"asset_id": prop["id"], "nb_occurences": 1}])
    got = since(events, start, CASTING_EVENTS)
    assert [n for n, _ in got] == ["entity-link:new", "asset:casting-update"]
    assert got[1][1]["added_asset_ids"] == [prop["id"]]


def test_episode_casting_and_entity_link_removal(events, production):
    project_id = production.project["id"]
    episode = gazu.shot.new_episode(production.project, unique("EvE"))
    sequence = gazu.shot.new_sequence(production.project, unique("EvQ"), episode=episode)
    shot = new_shot(production, sequence)
    asset = new_asset(production)
    other = new_asset(production)
    gazu.casting.update_shot_casting(
        production.project, shot, [{"asset_id": asset["id"], "nb_occurences": 1}])
    events.wait_for("shot:casting-update", shot_id=shot["id"])

    # The episode's own casting: each asset it keeps is announced; the
    # asset it drops leaves its shots (recounted, then announced).
    start = mark(events)
    gazu.casting.update_episode_casting(
        production.project, episode, [{"asset_id": other["id"], "nb_occurences": 1}])
    got = since(events, start, CASTING_EVENTS)
    link = link_id(production.project, episode, other)
    assert got == [
        ("shot:casting-update", {
            "shot_id": shot["id"], "nb_entities_out": 0, "added_asset_ids": [],
            "removed_asset_ids": [], "project_id": project_id}),
        ("shot:casting-update", {
            "shot_id": shot["id"], "nb_entities_out": 0, "added_asset_ids": [],
            "removed_asset_ids": [asset["id"]], "project_id": project_id}),
        ("entity-link:new", {
            "entity_link_id": link, "entity_in_id": episode["id"], "entity_out_id": other["id"],
            "nb_occurences": 1, "project_id": project_id}),
        ("asset:update", {"asset_id": other["id"], "project_id": project_id}),
        ("episode:casting-update", {
            "episode_id": episode["id"], "nb_entities_out": 1, "added_asset_ids": [other["id"]],
            "removed_asset_ids": [asset["id"]], "project_id": project_id}),
    ]

    # Removing one entity link uncasts without touching the shots.
    start = mark(events)
    gazu.client.delete(f"data/projects/{project_id}/entity-links/{link}")
    assert since(events, start, CASTING_EVENTS) == [
        ("episode:casting-update", {
            "episode_id": episode["id"], "nb_entities_out": 0, "added_asset_ids": [],
            "removed_asset_ids": [other["id"]], "project_id": project_id}),
    ]


def test_casting_stats(events, production):
    """Zou's refresh_shot_casting_stats: each shot task's nb_assets_ready
    counts the cast assets whose ready_for step comes at or after the task's
    step (the production's task-type priorities), live only (not logged)."""
    project = production.project
    project_id = project["id"]
    early, late = (gazu.task.new_task_type(unique("EvTT"), for_entity="Shot") for _ in range(2))
    gazu.project.add_task_type(project, early, 1)
    gazu.project.add_task_type(project, late, 2)
    shot = new_shot(production)
    t_early, t_late = gazu.task.new_task(shot, early), gazu.task.new_task(shot, late)
    a_late, a_early, a_none = (new_asset(production) for _ in range(3))
    gazu.asset.update_asset({"id": a_late["id"], "ready_for": late["id"]})
    gazu.asset.update_asset({"id": a_early["id"], "ready_for": early["id"]})

    def stats(*counts):
        return [
            ("task:update-casting-stats",
             {"task_id": t["id"], "nb_assets_ready": n, "project_id": project_id})
            for t, n in zip((t_early, t_late), counts)
        ]

    def casting_update(nb, added=(), removed=()):
        return ("shot:casting-update", {
            "shot_id": shot["id"], "nb_entities_out": nb,
            "added_asset_ids": sorted(added), "removed_asset_ids": sorted(removed),
            "project_id": project_id})

    names = {"task:update-casting-stats", "shot:casting-update", "asset:update", "asset:delete"}
    time.sleep(1)  # the setup's own events arrive first
    start = mark(events)
    cast = [a_late, a_early, a_none]
    gazu.casting.update_shot_casting(
        project, shot, [{"asset_id": a["id"], "nb_occurences": 1} for a in cast])
    # The tasks' stats come before the casting's own event (the assets'
    # asset:update of the episode's mirrored casting aside).
    shot_names = {"task:update-casting-stats", "shot:casting-update"}
    assert since(events, start, shot_names) == stats(2, 1) + [
        casting_update(3, added=[a["id"] for a in cast])]
    assert gazu.task.get_task(t_early["id"])["nb_assets_ready"] == 2

    # An asset's ready_for moved by a generic update: stats, then its update.
    time.sleep(1)  # the setup's own events arrive first
    start = mark(events)
    gazu.asset.update_asset({"id": a_none["id"], "ready_for": late["id"]})
    assert since(events, start, names) == stats(3, 2) + [
        ("asset:update", {"asset_id": a_none["id"], "project_id": project_id})]
    # The same value again changes nothing.
    time.sleep(1)  # the setup's own events arrive first
    start = mark(events)
    gazu.asset.update_asset({"id": a_none["id"], "ready_for": late["id"]})
    assert since(events, start, names) == [
        ("asset:update", {"asset_id": a_none["id"], "project_id": project_id})]

    # An asset with tasks is only canceled: the shot's live count moves (an
    # empty casting diff) and the asset no longer counts.
    modeling = next(t for t in gazu.task.all_task_types_for_project(project)
                    if t["for_entity"] == "Asset")
    gazu.task.new_task(a_early, modeling)
    time.sleep(1)  # the setup's own events arrive first
    start = mark(events)
    gazu.asset.remove_asset(a_early)
    assert since(events, start, names) == [
        ("asset:update", {"asset_id": a_early["id"], "project_id": project_id}),
        casting_update(2)] + stats(2, 2)
    # An asset without tasks goes, with its links.
    time.sleep(1)  # the setup's own events arrive first
    start = mark(events)
    gazu.asset.remove_asset(a_late)
    assert since(events, start, names) == [
        ("asset:delete", {"asset_id": a_late["id"], "project_id": project_id}),
        casting_update(1)] + stats(1, 1)
    assert gazu.task.get_task(t_late["id"])["nb_assets_ready"] == 1

    logged = gazu.sync.get_last_events(project=project, name="task:update-casting-stats")
    assert logged == []


def test_asset_instances_and_scene_shots(events, production):
    project_id = production.project["id"]
    scene = production.scene
    shot = new_shot(production)
    asset = new_asset(production)
    prop = new_asset(production)

    instance = gazu.scene.new_scene_asset_instance(scene, asset)
    # Zou sends the instance events without a production.
    assert events.wait_for("asset_instance:new", asset_instance_id=instance["id"]) == {
        "scene_id": scene["id"], "asset_id": asset["id"], "asset_instance_id": instance["id"]}
    inside = gazu.asset.new_asset_asset_instance(asset, prop)
    assert events.wait_for("asset_instance:new", asset_instance_id=inside["id"]) == {
        "asset_id": asset["id"], "asset_instantiated": prop["id"],
        "asset_instance_id": inside["id"]}

    gazu.shot.add_asset_instance_to_shot(shot, instance)
    assert events.wait_for("asset_instance:add-to-shot", shot_id=shot["id"]) == {
        "shot_id": shot["id"], "asset_instance_id": instance["id"]}
    gazu.shot.remove_asset_instance_from_shot(shot, instance)
    assert events.wait_for("asset_instance:remove-from-shot", shot_id=shot["id"]) == {
        "shot_id": shot["id"], "asset_instance_id": instance["id"]}

    start = mark(events)
    gazu.scene.add_shot_to_scene(scene, shot)
    names = {"shot:update", "shot:add-to-scene", "shot:remove-from-scene"}
    assert since(events, start, names) == [
        ("shot:update", {"shot_id": shot["id"], "project_id": project_id}),
        ("shot:add-to-scene", {
            "scene_id": scene["id"], "shot_id": shot["id"], "project_id": project_id}),
    ]
    start = mark(events)
    gazu.scene.remove_shot_from_scene(scene, shot)
    assert since(events, start, names) == [
        ("shot:update", {"shot_id": shot["id"], "project_id": project_id}),
        ("shot:remove-from-scene", {
            "scene_id": scene["id"], "shot_id": shot["id"], "project_id": project_id}),
    ]


# --------------------------------------------------------------------------
# Imports
# --------------------------------------------------------------------------


def test_casting_csv_import(events, production, api_url, admin):
    project_id = production.project["id"]
    shot = new_shot(production)
    asset = new_asset(production)
    content = ("Episode;Parent;Name;Asset Type;Asset;Occurences;Label\r\n"
               f"{production.episode['name']};{production.sequence['name']};{shot['name']};"
               f"Character;{asset['name']};2;fixed\r\n")
    response = requests.post(
        f"{api_url}/import/csv/projects/{project_id}/casting", headers=admin.headers(),
        files={"file": ("casting.csv", content.encode("utf-8"), "text/csv")}, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    link = link_id(production.project, shot, asset)
    assert events.wait_for("entity-link:new", entity_link_id=link) == {
        "entity_link_id": link, "entity_in_id": shot["id"], "entity_out_id": asset["id"],
        "nb_occurences": 2, "project_id": project_id}
    # The import announces the casting without its diff.
    assert events.wait_for("shot:casting-update", shot_id=shot["id"]) == {
        "shot_id": shot["id"], "nb_entities_out": 1, "project_id": project_id}
    # The asset joined the shot's episode.
    events.wait_for("asset:update", asset_id=asset["id"])


def upload(api_url, admin, path, content):
    response = requests.post(
        f"{api_url}/{path}", headers=admin.headers(),
        files={"file": ("import.csv", content.encode("utf-8"), "text/csv")}, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    return response.json()


def test_shot_and_asset_csv_imports(events, production, api_url, admin):
    project_id = production.project["id"]
    episode = production.episode
    sequence_name, shot_name = unique("CsvQ"), unique("CsvS")
    content = f"Episode;Sequence;Name;Description\r\n{episode['name']};{sequence_name};{shot_name};first\r\n"
    [shot] = upload(api_url, admin, f"import/csv/projects/{project_id}/shots", content)
    assert events.wait_for("sequence:new", sequence_id=shot["parent_id"]) == {
        "sequence_id": shot["parent_id"], "project_id": project_id}
    assert events.wait_for("shot:new", shot_id=shot["id"]) == {
        "shot_id": shot["id"], "episode_id": episode["id"], "project_id": project_id}
    # The new shot's tasks, one per shot task type of the production.
    tasks = gazu.task.all_tasks_for_shot(shot)
    assert tasks
    for task in tasks:
        assert events.wait_for("task:new", task_id=task["id"]) == {
            "task_id": task["id"], "project_id": project_id}

    content = content.replace("first", "second")
    upload(api_url, admin, f"import/csv/projects/{project_id}/shots?update=true", content)
    assert events.wait_for("shot:update", shot_id=shot["id"]) == {
        "shot_id": shot["id"], "project_id": project_id}

    # A task column sets a status with a comment and assigns: Zou's
    # create_comment and assign_task events.
    task = tasks[0]
    name = gazu.task.get_task_type(task["task_type_id"])["name"]
    wip = gazu.task.get_task_status_by_short_name("wip")
    content = (f"Episode;Sequence;Name;{name};{name} comment;{name} assignations\r\n"
               f"{episode['name']};{sequence_name};{shot_name};wip;from csv;"
               f"{production.artist_email}\r\n")
    upload(api_url, admin, f"import/csv/projects/{project_id}/shots?update=true", content)
    assert events.wait_for("task:assign", task_id=task["id"]) == {
        "task_id": task["id"], "person_id": production.artist["id"], "project_id": project_id}
    comment = events.wait_for("comment:new", task_id=task["id"])
    me = gazu.client.get_current_user()
    assert comment == {
        "comment_id": comment["comment_id"], "task_id": task["id"],
        "task_status_id": wip["id"], "person_id": me["id"], "for_client": False,
        "project_id": project_id}
    assert events.wait_for("task:status-changed", task_id=task["id"]) == {
        "task_id": task["id"], "new_task_status_id": wip["id"],
        "previous_task_status_id": task["task_status_id"], "person_id": me["id"],
        "project_id": project_id}

    asset = new_asset(production)
    content = f"Type;Name;Description\r\nCharacter;{asset['name']};changed\r\n"
    upload(api_url, admin, f"import/csv/projects/{project_id}/assets?update=true", content)
    # Zou's update_asset sends the values it wrote.
    assert events.wait_for("asset:update", asset_id=asset["id"]) == {
        "asset_id": asset["id"], "project_id": project_id,
        "data": {"name": asset["name"], "project_id": project_id,
                 "entity_type_id": production.character["id"], "source_id": None,
                 "description": "changed", "data": {}}}


def test_otio_import(events, gazu_admin, tmp_path):
    import json

    from test_csv_import_export import clip, task_type, timeline

    tag = unique()
    project = gazu.project.new_project(f"EvOTIO{tag}")
    gazu.project.add_task_type(project, task_type("Animation", "Shot"), 1)
    path = tmp_path / "cut.otio"
    path.write_text(json.dumps(timeline([clip(f"EvOTIO{tag}_SQ01-SH010", 0, 24)])),
                    encoding="utf-8")
    [shot] = gazu.shot.import_otio(project, str(path))["created_shots"]
    assert events.wait_for("sequence:new", sequence_id=shot["parent_id"]) == {
        "sequence_id": shot["parent_id"], "project_id": project["id"]}
    assert events.wait_for("shot:new", shot_id=shot["id"]) == {
        "shot_id": shot["id"], "episode_id": None, "project_id": project["id"]}
    [task] = gazu.task.all_tasks_for_shot(shot)
    assert events.wait_for("task:new", task_id=task["id"]) == {
        "task_id": task["id"], "project_id": project["id"]}
    path.write_text(json.dumps(timeline([clip(f"EvOTIO{tag}_SQ01-SH010", 0, 30)])),
                    encoding="utf-8")
    gazu.shot.import_otio(project, str(path))
    assert events.wait_for("shot:update", shot_id=shot["id"]) == {
        "shot_id": shot["id"], "project_id": project["id"]}


# --------------------------------------------------------------------------
# Deletions
# --------------------------------------------------------------------------


def task_delete(task):
    return {"task_id": task["id"], "entity_id": task["entity_id"],
            "task_type_id": task["task_type_id"], "project_id": task["project_id"]}


def test_task_deletions(events, production):
    project = production.project
    task_types = gazu.task.all_task_types_for_project(project)
    task_type = task_types[0]
    shot = new_shot(production)

    task = gazu.task.new_task(shot, task_type)
    events.wait_for("task:new", task_id=task["id"])
    start = mark(events)
    gazu.task.remove_task(task)
    assert events.wait_for("task:delete", task_id=task["id"]) == task_delete(task)
    # Only Zou's remove_task event: no second, generic one.
    assert [n for n, d in since(events, start) if d.get("task_id") == task["id"]] == ["task:delete"]

    batch = [gazu.task.new_task(new_shot(production), task_type) for _ in range(2)]
    gazu.task.remove_tasks_batch(project, batch)
    for t in batch:
        assert events.wait_for("task:delete", task_id=t["id"]) == task_delete(t)

    # Every task of a type in the production.
    kind = gazu.task.new_task_type(unique("EvType"), for_entity="Shot")
    gazu.project.add_task_type(project, kind, 1)
    typed = [gazu.task.new_task(new_shot(production), kind) for _ in range(2)]
    gazu.task.remove_tasks_for_type(project, kind)
    for t in typed:
        assert events.wait_for("task:delete", task_id=t["id"]) == task_delete(t)

    # A forced shot delete takes its tasks, each announced.
    doomed = new_shot(production)
    doomed_task = gazu.task.new_task(doomed, task_type)
    gazu.shot.remove_shot(doomed, force=True)
    assert events.wait_for("task:delete", task_id=doomed_task["id"]) == task_delete(doomed_task)


def test_entity_deletions_and_generic_entity_update(events, production):
    project_id = production.project["id"]
    task_type = gazu.task.all_task_types_for_project(production.project)[0]
    shot = new_shot(production)
    task = gazu.task.new_task(shot, task_type)
    gazu.client.put(f"data/entities/{shot['id']}", {"description": "changed"})
    # An entity's generic events are named after its kind.
    assert events.wait_for("shot:update", shot_id=shot["id"]) == {
        "shot_id": shot["id"], "project_id": project_id}

    # A shot with tasks is only canceled: announced as updated.
    start = mark(events)
    gazu.shot.remove_shot(shot)
    names = {"shot:update", "shot:delete", "task:delete"}
    assert since(events, start, names) == [
        ("shot:update", {"shot_id": shot["id"], "project_id": project_id})]
    # Forced: its tasks, then the shot.
    start = mark(events)
    gazu.shot.remove_shot(shot, force=True)
    assert since(events, start, names) == [
        ("task:delete", task_delete(task)),
        ("shot:delete", {"shot_id": shot["id"], "project_id": project_id})]

    asset = new_asset(production)
    gazu.asset.remove_asset(asset)
    assert events.wait_for("asset:delete", asset_id=asset["id"]) == {
        "asset_id": asset["id"], "project_id": project_id}

    # The bulk removal announces each entity as its own delete does.
    shots = [new_shot(production) for _ in range(2)]
    gazu.entity.remove_entities(production.project, shots)
    for s in shots:
        assert events.wait_for("shot:delete", shot_id=s["id"]) == {
            "shot_id": s["id"], "project_id": project_id}


def test_forced_sequence_removal_announces_what_went_with_it(events, production):
    project_id = production.project["id"]
    task_type = gazu.task.all_task_types_for_project(production.project)[0]
    sequence = gazu.shot.new_sequence(production.project, unique("EvSQ"),
                                      episode=production.episode)
    first, second = new_shot(production, sequence), new_shot(production, sequence)
    task = gazu.task.new_task(first, task_type)
    scene = gazu.scene.new_scene(production.project, sequence, unique("EvSC"))
    events.wait_for("task:new", task_id=task["id"])
    start = mark(events)
    gazu.shot.remove_sequence(sequence, force=True)
    events.wait_for("sequence:delete", sequence_id=sequence["id"])
    names = {"task:delete", "shot:delete", "scene:delete", "sequence:delete"}
    assert since(events, start, names) == [
        ("task:delete", task_delete(task)),
        ("shot:delete", {"shot_id": first["id"], "project_id": project_id}),
        ("shot:delete", {"shot_id": second["id"], "project_id": project_id}),
        ("scene:delete", {"scene_id": scene["id"], "project_id": project_id}),
        ("sequence:delete", {"sequence_id": sequence["id"], "project_id": project_id}),
    ]


def test_generic_time_spent_delete(events, production):
    task_type = gazu.task.all_task_types_for_project(production.project)[0]
    task = gazu.task.new_task(new_shot(production), task_type)
    gazu.task.assign_task(task, production.artist)
    day = datetime.date.today().isoformat()
    spent = gazu.task.set_time_spent(task, production.artist, day, 60)
    events.wait_for("time-spent:new", time_spent_id=spent["id"])
    start = mark(events)
    gazu.task.remove_time_spent(spent)
    got = since(events, start, {"time-spent:delete", "task:update"})
    # The set's own task:update may still be on its way when `start` is
    # taken: what counts is what follows the delete's event.
    got = got[[n for n, _ in got].index("time-spent:delete"):]
    assert got == [
        ("time-spent:delete", {"time_spent_id": spent["id"]}),
        ("task:update", {"task_id": task["id"], "project_id": production.project["id"]}),
    ]


# --------------------------------------------------------------------------
# The event log's filters and names
# --------------------------------------------------------------------------


def last(params, client=None):
    return gazu.client.get("data/events/last", params=params, **({"client": client} if client else {}))


def test_event_log_filters_by_object_action_and_author(production, api_url, admin, gazu_admin):
    project = production.project
    task_type = gazu.task.all_task_types_for_project(project)[0]
    shot = new_shot(production)
    task = gazu.task.new_task(shot, task_type)
    gazu.task.assign_task(task, production.artist)
    artist = artist_client(api_url, production.artist_email)
    wip = gazu.task.get_task_status_by_short_name("wip")
    gazu.task.add_comment(task, wip, "by the artist", client=artist)
    me = gazu.client.get_current_user()
    base = {"project_id": project["id"], "limit": 1000}

    tasks_and_comments = last({**base, "name_prefixes": ["task", "comment"]})
    names = {e["name"] for e in tasks_and_comments}
    assert {"task:new", "task:assign", "comment:new"} <= names
    assert all(n.split(":")[0] in ("task", "comment") for n in names)

    news = last({**base, "name_suffixes": "new"})
    assert {"task:new", "comment:new", "shot:new"} <= {e["name"] for e in news}
    assert all(e["name"].endswith(":new") for e in news)

    both = last({**base, "name_prefixes": "task", "name_suffixes": ["new", "assign"]})
    assert {e["name"] for e in both} == {"task:new", "task:assign"}

    by_artist = last({**base, "person_ids": production.artist["id"]})
    assert by_artist and {e["user_id"] for e in by_artist} == {production.artist["id"]}
    assert "comment:new" in {e["name"] for e in by_artist}
    # Any of the authors, with the object filter.
    by_both = last({**base, "person_ids": [production.artist["id"], me["id"]],
                    "name_prefixes": "comment"})
    assert {e["user_id"] for e in by_both} <= {production.artist["id"], me["id"]}
    assert all(e["name"].startswith("comment:") for e in by_both)
    assert any(e["data"].get("task_id") == task["id"] and e["user_id"] == production.artist["id"]
               for e in by_both)
    all_comments = last({**base, "name_prefixes": "comment"})
    assert len(by_both) == len([e for e in all_comments
                                if e["user_id"] in (production.artist["id"], me["id"])])

    # A prefix is a whole object: "tas" matches nothing.
    assert last({**base, "name_prefixes": "tas"}) == []

    for params, message in [
        ({"name_prefixes": "Task"}, "The name_prefixes parameter contains an invalid value"),
        ({"name_suffixes": "new%"}, "The name_suffixes parameter contains an invalid value"),
        ({"person_ids": "nobody"}, "The person_ids parameter contains an invalid id"),
    ]:
        response = requests.get(f"{api_url}/data/events/last", params=params,
                                headers=admin.headers(), timeout=TIMEOUT)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["message"] == message


def test_event_names(production, api_url, admin, gazu_admin):
    task_type = gazu.task.all_task_types_for_project(production.project)[0]
    task = gazu.task.new_task(new_shot(production), task_type)
    gazu.task.assign_task(task, production.artist)
    names = gazu.client.get("data/events/names")
    assert names == sorted(set(names))
    assert {"shot:new", "task:new", "task:assign", "task:update"} <= set(names)
    # Live signals Zou does not persist are not logged, so not named.
    assert "notification:new" not in names
    # Managers' tool: an artist is refused.
    artist = artist_client(api_url, production.artist_email)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.client.get("data/events/names", client=artist)


# --------------------------------------------------------------------------
# Budgets, settings lists, a production's removal
# --------------------------------------------------------------------------


def test_budgets(events, production):
    p = production.project
    project_id = p["id"]
    budget = gazu.project.create_budget(p, unique("Budget "))
    assert events.wait_for("budget:create", budget_id=budget["id"]) == {
        "budget_id": budget["id"], "project_id": project_id}
    gazu.project.update_budget(p, budget, {"name": unique("Budget ")})
    assert events.wait_for("budget:update", budget_id=budget["id"]) == {
        "budget_id": budget["id"], "project_id": project_id}
    department = gazu.person.all_departments()[0]
    entry = gazu.client.post(f"data/projects/{project_id}/budgets/{budget['id']}/entries", {
        "department_id": department["id"], "start_date": "2025-02-01",
        "months_duration": 3, "daily_salary": 300.0})
    both = {"budget_id": budget["id"], "budget_entry_id": entry["id"], "project_id": project_id}
    assert events.wait_for("budget-entry:create", budget_entry_id=entry["id"]) == both
    # (Zou 1.0.97 nulls the fields not sent: all are sent.)
    gazu.project.update_budget_entry(p, budget, entry, {
        "department_id": department["id"], "person_id": None, "start_date": "2025-02-01",
        "months_duration": 4, "daily_salary": 320.0, "position": "artist", "seniority": "mid"})
    assert events.wait_for("budget-entry:update", budget_entry_id=entry["id"]) == both
    gazu.project.remove_budget_entry(p, budget, entry)
    assert events.wait_for("budget-entry:delete", budget_entry_id=entry["id"]) == both
    gazu.project.remove_budget(p, budget)
    assert events.wait_for("budget:delete", budget_id=budget["id"]) == {
        "budget_id": budget["id"], "project_id": project_id}


def test_status_automation_and_background_settings(events, production):
    p = production.project
    project_id = p["id"]
    modeling = gazu.task.get_task_type_by_name("Modeling")
    done = gazu.task.get_task_status_by_short_name("done")
    wip = gazu.task.get_task_status_by_short_name("wip")
    automation = gazu.client.create("status-automations", {
        "entity_type": "asset", "in_task_type_id": modeling["id"],
        "in_task_status_id": done["id"], "out_field_type": "status",
        "out_task_type_id": modeling["id"], "out_task_status_id": wip["id"]})
    assert events.wait_for("status-automation:new", status_automation_id=automation["id"]) == {
        "status_automation_id": automation["id"]}
    background = gazu.client.create("preview-background-files", {"name": unique("bg ")})
    assert events.wait_for(
        "preview-background-file:new", preview_background_file_id=background["id"]) == {
        "preview_background_file_id": background["id"]}

    update = {"project:update"}
    for add, remove in [
        (lambda: gazu.project.add_status_automation(p, {"status_automation_id": automation["id"]}),
         lambda: gazu.project.remove_status_automation(p, automation)),
        (lambda: gazu.project.add_preview_background_file(
            p, {"preview_background_file_id": background["id"]}),
         lambda: gazu.project.remove_preview_background_file(p, background)),
    ]:
        start = mark(events)
        add()
        assert since(events, start, update) == [("project:update", {"project_id": project_id})]
        # Already listed: nothing saved, nothing announced.
        start = mark(events)
        add()
        assert since(events, start, update) == []
        start = mark(events)
        remove()
        assert since(events, start, update) == [("project:update", {"project_id": project_id})]

    gazu.client.delete(f"data/preview-background-files/{background['id']}")
    assert events.wait_for(
        "preview-background-file:delete", preview_background_file_id=background["id"]) == {
        "preview_background_file_id": background["id"]}


def test_project_removal_announces_tasks_and_playlists(events, gazu_admin):
    project = gazu.project.new_project(unique("EvDoomed "))
    task_type = gazu.task.get_task_type_by_name("Animation")
    gazu.project.add_task_type(project, task_type, 1)
    sequence = gazu.shot.new_sequence(project, "SQ01")
    shot = gazu.shot.new_shot(project, sequence, "SH01")
    task = gazu.task.new_task(shot, task_type)
    playlist = gazu.playlist.new_playlist(project, unique("EvPl"))
    closed = gazu.project.get_project_status_by_name("Closed")
    gazu.client.put(f"data/projects/{project['id']}", {"project_status_id": closed["id"]})
    start = mark(events)
    gazu.project.remove_project(project, force=True)
    got = since(events, start, {"task:delete", "playlist:delete", "project:delete"}, settle=2.0)
    assert got == [
        ("task:delete", task_delete(task)),
        ("playlist:delete", {"playlist_id": playlist["id"], "project_id": project["id"]}),
        ("project:delete", {"project_id": project["id"]}),
    ]
