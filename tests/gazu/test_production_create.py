"""Recordings 006-014: building a production with gazu 1.3.1.

The ``production`` fixture (conftest.py) replays the calls once for this
module, keeping each call's result and HTTP traffic; each test below checks
one call against its recording: the requests gazu made (a GET lookup, then a
POST when nothing was found), their statuses and JSON shapes, and what gazu
returned (for GET-then-POST calls: the POST's answer).
"""

import gazu

from shapes import assert_same_shape, load_recording, recorded_response
from wire import assert_same_exchanges


def check_call(production, label, **kwargs):
    """Traffic and result of one setup call against its recording."""
    recording = load_recording(label)
    call = production[label]
    assert_same_exchanges(call, recording, **kwargs)
    # What gazu returned is the last exchange's answer (or the lookup's first item).
    recorded = recorded_response(recording)
    if isinstance(recorded, list):
        recorded = recorded[0]
    assert_same_shape(call.result, recorded, **kwargs)
    return call


def test_006_new_project(production, gazu_admin):
    """GET /api/data/projects?name -> [] then POST /api/data/projects -> 201.

    The answer has the relation lists (team, asset_types, task_statuses,
    task_types, status_automations, preview_background_files) before ``id``,
    and ``first_episode_id`` after ``type`` (tvshow projects get an E01)."""
    call = check_call(production, "new_project")
    assert call.exchanges[0].response == []
    project = call.result
    assert project["type"] == "Project"
    assert project["name"] == f"WT {production.tag}"
    assert project["production_type"] == "tvshow"
    assert project["production_style"] == "3d"
    assert project["fps"] == "25"
    assert project["team"] == []
    assert project["asset_types"] == [production.character["id"]]
    assert set(project["task_statuses"]) == {s["id"] for s in gazu.task.all_task_statuses()}
    assert set(project["task_types"]) == set(call.exchanges[1].request_json["task_types"])
    assert len(project["task_types"]) == 3
    assert list(project)[-5:] == ["id", "created_at", "updated_at", "type", "first_episode_id"]


def test_006_project_status_is_open(production, gazu_admin):
    """A new project is in the "Open" project status."""
    statuses = gazu.client.fetch_all("project-status")
    open_status = next(s for s in statuses if s["name"] == "Open")
    assert production.project["project_status_id"] == open_status["id"]


def test_007_new_person(production, gazu_admin):
    """GET /api/data/persons?email&is_bot=False -> [] then POST /api/data/persons -> 201.

    Key order quirk: in this answer ``departments`` sits between ``ldap_uid``
    and ``studio_id`` (in the login answer it is the last key)."""
    call = check_call(production, "new_person")
    assert call.exchanges[0].response == []
    person = call.result
    assert person["type"] == "Person"
    assert person["email"] == production.artist_email
    assert person["role"] == "user"
    assert person["desktop_login"] == f"wt{production.tag}"
    assert person["full_name"] == f"Walk Through {production.tag}"
    assert person["active"] is True
    assert person["departments"] == []
    # The password is never sent back.
    assert not {"password", "password_hash"} & set(person)


def test_008_add_person_to_team(production, gazu_admin):
    """POST /api/data/projects/{id}/team {person_id} -> 201 with the project
    (plain columns, no relation lists)."""
    call = check_call(production, "add_person_to_team")
    assert call.exchanges[0].request_json == {"person_id": production.artist["id"]}
    assert call.result["id"] == production.project["id"]
    assert "team" not in call.result


def test_009_new_episode_finds_the_first_episode(production, gazu_admin):
    """GET /api/data/episodes?project_id&name=E01 finds the E01 that the
    server created with the tvshow project: no POST."""
    call = check_call(production, "new_episode")
    episode = call.result
    assert episode["id"] == production.project["first_episode_id"]
    assert episode["name"] == "E01"
    assert episode["type"] == "Episode"
    assert episode["project_id"] == production.project["id"]
    assert episode["parent_id"] is None
    assert episode["status"] == "running"


def test_010_new_sequence(production, gazu_admin):
    """GET /api/data/sequences?episode_id&name -> [] then
    POST /api/data/projects/{id}/sequences -> 201 (type "Sequence", parent = episode)."""
    call = check_call(production, "new_sequence")
    assert call.exchanges[0].response == []
    sequence = call.result
    assert sequence["type"] == "Sequence"
    assert sequence["name"] == "E01_SQ010"
    assert sequence["parent_id"] == production.episode["id"]
    assert sequence["project_id"] == production.project["id"]


def test_011_new_shot(production, gazu_admin):
    """GET /api/data/shots/all?sequence_id&name -> [] then
    POST /api/data/projects/{id}/shots -> 201; frame_in/out go into ``data``."""
    call = check_call(production, "new_shot")
    assert call.exchanges[0].response == []
    shot = call.result
    assert shot["type"] == "Shot"
    assert shot["name"] == "SH0010"
    assert shot["nb_frames"] == 48
    assert shot["data"] == {"frame_in": 1001, "frame_out": 1048}
    assert shot["description"] == "walkthrough shot"
    assert shot["parent_id"] == production.sequence["id"]
    assert shot["created_by"] == gazu.client.get_current_user()["id"]


def test_012_new_shot_with_nb_frames_only(production, gazu_admin):
    """Same calls; no description -> ``description: null``, ``data: {}``."""
    call = check_call(production, "new_shot_2")
    shot = call.result
    assert shot["name"] == "SH0020"
    assert shot["nb_frames"] == 24
    assert shot["data"] == {}
    assert shot["description"] is None


def test_013_new_scene(production, gazu_admin):
    """POST /api/data/projects/{id}/scenes -> 201 (no lookup first)."""
    call = check_call(production, "new_scene")
    scene = call.result
    assert scene["type"] == "Scene"
    assert scene["name"] == "SC0010"
    assert scene["parent_id"] == production.sequence["id"]


def test_014_new_asset(production, gazu_admin):
    """GET /api/data/assets/all?project_id&name&entity_type_id -> [] then
    POST /api/data/projects/{id}/asset-types/{id}/assets/new -> 201."""
    call = check_call(production, "new_asset")
    assert call.exchanges[0].response == []
    asset = call.result
    assert asset["type"] == "Asset"
    assert asset["name"] == "Hero"
    assert asset["description"] == "main character"
    assert asset["entity_type_id"] == production.character["id"]
    assert asset["parent_id"] is None
    assert asset["is_shared"] is False
