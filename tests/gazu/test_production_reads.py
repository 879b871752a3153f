"""Recordings 073-080 and the by-name lookups: reading the production back.

This module gets its own production (conftest.py ``production`` fixture,
same data as recordings 006-014), then reads it with gazu and compares the
traffic and results with the recordings.
"""

import gazu
import pytest

from shapes import (
    assert_items_same_shape,
    assert_same_shape,
    load_recording,
    recorded_request,
    recorded_response,
)
from wire import assert_same_exchanges, exchange_problems, record_call


def test_073_project_all_episodes_is_absent_from_gazu():
    """Recording 073: the seed's ``gazu.project.all_episodes`` does not exist
    in gazu 1.3.1; ``gazu.shot.all_episodes_for_project`` stands in (074)."""
    assert load_recording(73)["status"] == "missing"
    assert not hasattr(gazu.project, "all_episodes")
    assert callable(gazu.shot.all_episodes_for_project)


def test_074_all_episodes_for_project(production, gazu_admin):
    """GET /api/data/projects/{id}/episodes -> [E01] (type "Episode")."""
    recording = load_recording(74)
    call = record_call(gazu.shot.all_episodes_for_project, production.project)
    assert_same_exchanges(call, recording)
    assert_items_same_shape(call.result, recorded_response(recording))
    assert [e["id"] for e in call.result] == [production.episode["id"]]


def test_075_all_sequences_for_episode(production, gazu_admin):
    """GET /api/data/episodes/{id}/sequences -> [E01_SQ010] (type "Sequence")."""
    recording = load_recording(75)
    call = record_call(gazu.shot.all_sequences_for_episode, production.episode)
    assert_same_exchanges(call, recording)
    assert_items_same_shape(call.result, recorded_response(recording))
    assert [s["id"] for s in call.result] == [production.sequence["id"]]


def test_076_get_project(production, gazu_admin):
    """GET /api/data/projects/{id} (by id string) -> the project with its
    relation lists and, after ``type``: descriptors, task_type_links,
    task_types_priority, task_statuses_link (maps keyed by id),
    first_episode_id and project_status_name."""
    recording = load_recording(76)
    call = record_call(gazu.project.get_project, production.project["id"])
    assert_same_exchanges(call, recording)
    project = call.result
    assert_same_shape(project, recorded_response(recording))
    assert project["team"] == [production.artist["id"]]
    assert project["project_status_name"] == "Open"
    assert project["first_episode_id"] == production.episode["id"]
    assert set(project["task_type_links"]) == set(project["task_types"])
    assert set(project["task_types_priority"]) == set(project["task_types"])
    assert set(project["task_statuses_link"]) == set(project["task_statuses"])


def test_077_all_projects(production, gazu_admin):
    """GET /api/data/projects -> plain Project dicts (no relation lists)."""
    recording = load_recording(77)
    call = record_call(gazu.project.all_projects)
    assert_same_exchanges(call, recording)
    ours = [p for p in call.result if p["id"] == production.project["id"]]
    assert len(ours) == 1
    assert_same_shape(ours[0], recorded_response(recording)[0])


def test_078_all_persons(production, gazu_admin):
    """GET /api/data/persons -> safe Person dicts, without ``departments``."""
    recording = load_recording(78)
    call = record_call(gazu.person.all_persons)
    assert_same_exchanges(call, recording)
    by_email = {p["email"]: p for p in call.result}
    recorded = recorded_response(recording)[0]
    for email in ("admin@example.com", production.artist_email):
        assert email in by_email
        assert_same_shape(by_email[email], recorded, path=email)


def test_079_all_shots_for_sequence(production, gazu_admin):
    """GET /api/data/sequences/{id}/shots -> [SH0010, SH0020] with
    ``project_name`` and ``sequence_name`` after ``type``."""
    recording = load_recording(79)
    call = record_call(gazu.shot.all_shots_for_sequence, production.sequence)
    assert_same_exchanges(call, recording)
    assert_items_same_shape(call.result, recorded_response(recording))
    assert [s["name"] for s in call.result] == ["SH0010", "SH0020"]
    assert {s["project_name"] for s in call.result} == {production.project["name"]}
    assert {s["sequence_name"] for s in call.result} == {"E01_SQ010"}


def test_080_all_assets_for_project(production, gazu_admin):
    """GET /api/data/projects/{id}/assets -> [Hero] (type "Asset")."""
    recording = load_recording(80)
    call = record_call(gazu.asset.all_assets_for_project, production.project)
    assert_same_exchanges(call, recording)
    assert_items_same_shape(call.result, recorded_response(recording))
    assert [a["id"] for a in call.result] == [production.asset["id"]]


# --------------------------------------------------------------------------
# By-name lookups: the GET half of the new_* calls (recordings 009-014), now
# finding the object. Their request is the recorded lookup; their answer has
# the shape of the created object.
# --------------------------------------------------------------------------


def check_lookup(call, recording_label, expected, like=None):
    """One GET, like the recording's lookup request, finding ``expected``;
    its rows have the shape of ``like`` (default: the created object)."""
    recording = load_recording(recording_label)
    assert len(call.exchanges) == 1, call.describe()
    lookup = recorded_request(recording, "GET", 0)
    problems = exchange_problems(call.exchanges[0], lookup, compare_response=False)
    assert not problems, problems
    assert call.result is not None, "lookup found nothing"
    assert call.result["id"] == expected["id"]
    assert_same_shape(call.exchanges[0].response, [like or expected], path="lookup")


def test_get_episode_by_name(production, gazu_admin):
    """GET /api/data/episodes?project_id&name (recording 009)."""
    call = record_call(gazu.shot.get_episode_by_name, production.project, "E01")
    check_lookup(call, "new_episode", production.episode)
    # Recorded answer of that very request.
    assert_same_shape(call.result, recorded_response(load_recording(9))[0])


def test_get_sequence_by_name_in_episode(production, gazu_admin):
    """GET /api/data/sequences?episode_id&name (recording 010)."""
    call = record_call(
        gazu.shot.get_sequence_by_name, production.project, "E01_SQ010", episode=production.episode
    )
    check_lookup(call, "new_sequence", production.sequence)


def test_get_sequence_by_name_in_project(production, gazu_admin):
    """GET /api/data/sequences?project_id&name (no episode given)."""
    call = record_call(gazu.shot.get_sequence_by_name, production.project, "E01_SQ010")
    assert [e.describe() for e in call.exchanges] == ["GET /api/data/sequences?name&project_id -> 200"]
    assert call.result is not None and call.result["id"] == production.sequence["id"]
    assert_same_shape(call.result, production.sequence)


def test_get_shot_by_name(production, gazu_admin):
    """GET /api/data/shots/all?sequence_id&name (recording 011)."""
    call = record_call(gazu.shot.get_shot_by_name, production.sequence, "SH0010")
    # Rows of /data/shots/all add project_name and sequence_name after
    # ``type``, like all_shots_for_sequence (recording 079).
    check_lookup(call, "new_shot", production.shot, like=recorded_response(load_recording(79))[0])
    assert call.result["data"] == {"frame_in": 1001, "frame_out": 1048}


def test_get_asset_by_name_with_type(production, gazu_admin):
    """GET /api/data/assets/all?project_id&name&entity_type_id (recording 014)."""
    call = record_call(
        gazu.asset.get_asset_by_name, production.project, "Hero", production.character
    )
    check_lookup(call, "new_asset", production.asset)


def test_get_asset_by_name(production, gazu_admin):
    """GET /api/data/assets/all?project_id&name."""
    call = record_call(gazu.asset.get_asset_by_name, production.project, "Hero")
    assert [e.describe() for e in call.exchanges] == ["GET /api/data/assets/all?name&project_id -> 200"]
    assert call.result is not None and call.result["id"] == production.asset["id"]
    assert_same_shape(call.result, production.asset)


@pytest.mark.parametrize(
    "lookup",
    [
        lambda p: gazu.shot.get_episode_by_name(p.project, "E99"),
        lambda p: gazu.shot.get_sequence_by_name(p.project, "NOPE", episode=p.episode),
        lambda p: gazu.shot.get_shot_by_name(p.sequence, "SH9999"),
        lambda p: gazu.asset.get_asset_by_name(p.project, "Nobody"),
    ],
    ids=["episode", "sequence", "shot", "asset"],
)
def test_lookup_of_unknown_name_is_none(production, gazu_admin, lookup):
    """An unknown name -> 200 [] -> gazu returns None."""
    assert lookup(production) is None


def test_lookups_are_case_insensitive(production, gazu_admin):
    """``name`` filters are ILIKE on Zou: case does not matter."""
    assert gazu.shot.get_shot_by_name(production.sequence, "sh0010")["id"] == production.shot["id"]
    assert gazu.asset.get_asset_by_name(production.project, "HERO")["id"] == production.asset["id"]
