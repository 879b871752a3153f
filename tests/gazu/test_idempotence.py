"""gazu's get-or-create calls: calling new_project / new_person /
new_episode / new_sequence / new_shot / new_asset again finds the existing
object with its GET lookup and sends no POST, so nothing is duplicated.

The second call returns the lookup's first item: a plain list row, which for
projects and persons has fewer keys than the POST answer (no relation lists,
no ``departments``); those rows are compared with the recorded list rows
(077 all_projects, 078 all_persons).
"""

import gazu

from shapes import assert_same_shape, load_recording, recorded_response
from support import unique
from wire import assert_same_exchanges, record_call


def only_get(call):
    assert [e.method for e in call.exchanges] == ["GET"], call.describe()
    assert call.exchanges[0].status == 200


def test_new_project_twice(production, gazu_admin):
    again = record_call(
        gazu.project.new_project,
        production.project["name"],
        production_type="tvshow",
        production_style="3d",
    )
    only_get(again)
    assert again.result["id"] == production.project["id"]
    # The lookup row is the generic list row of recording 077.
    assert_same_shape(again.result, recorded_response(load_recording(77))[0])
    same_name = [p for p in gazu.project.all_projects() if p["name"] == production.project["name"]]
    assert len(same_name) == 1


def test_new_person_twice(production, gazu_admin):
    again = record_call(
        gazu.person.new_person,
        "Walk",
        f"Through {production.tag}",
        production.artist_email,
        role="user",
        desktop_login=f"wt{production.tag}",
        password="artistpassword1",
    )
    only_get(again)
    assert again.result["id"] == production.artist["id"]
    assert_same_shape(again.result, recorded_response(load_recording(78))[0])
    same_email = [p for p in gazu.person.all_persons() if p["email"] == production.artist_email]
    assert len(same_email) == 1


def test_new_episode_creates_then_finds(production, gazu_admin):
    """A name that does not exist yet: GET [] then
    POST /api/data/projects/{id}/episodes -> 201; then found, no POST."""
    name = unique("E")
    first = record_call(gazu.shot.new_episode, production.project, name)
    assert [e.describe() for e in first.exchanges] == [
        "GET /api/data/episodes?name&project_id -> 200",
        "POST /api/data/projects/{id}/episodes -> 201",
    ]
    episode = first.result
    assert episode["type"] == "Episode" and episode["name"] == name
    # Same shape as the recorded E01 (made by the server with the project),
    # down to ``description: ""`` (shots and scenes have null there).
    assert_same_shape(episode, recorded_response(load_recording(9))[0])

    again = record_call(gazu.shot.new_episode, production.project, name)
    assert_same_exchanges(again, load_recording(9))  # one GET, like recording 009
    assert again.result["id"] == episode["id"]
    names = [e["name"] for e in gazu.shot.all_episodes_for_project(production.project)]
    assert names.count(name) == 1


def test_new_episode_e01_twice(production, gazu_admin):
    """E01 (made with the tvshow project) is found every time."""
    again = record_call(gazu.shot.new_episode, production.project, "E01")
    assert_same_exchanges(again, load_recording(9))
    assert again.result["id"] == production.episode["id"]


def test_new_sequence_twice(production, gazu_admin):
    again = record_call(
        gazu.shot.new_sequence, production.project, "E01_SQ010", episode=production.episode
    )
    only_get(again)
    assert again.result["id"] == production.sequence["id"]
    assert_same_shape(again.result, production.sequence)


def test_new_shot_twice(production, gazu_admin):
    again = record_call(
        gazu.shot.new_shot, production.project, production.sequence, "SH0010", nb_frames=48
    )
    only_get(again)
    assert again.result["id"] == production.shot["id"]
    # GET /data/shots/all rows carry project_name and sequence_name, like
    # the rows of all_shots_for_sequence (recording 079).
    assert_same_shape(again.result, recorded_response(load_recording(79))[0])
    names = [s["name"] for s in gazu.shot.all_shots_for_sequence(production.sequence)]
    assert sorted(names) == ["SH0010", "SH0020"]


def test_new_asset_twice(production, gazu_admin):
    again = record_call(
        gazu.asset.new_asset, production.project, production.character, "Hero"
    )
    only_get(again)
    assert again.result["id"] == production.asset["id"]
    assert_same_shape(again.result, production.asset)
    assert [a["name"] for a in gazu.asset.all_assets_for_project(production.project)] == ["Hero"]
