"""Pipeline tracking beyond the recorded walkthrough: what CONTRACT.md says
about dates, status changes (done, retake, first move to wip), the to-do
lists, assignation errors, pagination, duplicates, time-spent errors, and
the two places where Fennec deliberately differs from Zou.

This module gets its own production (conftest.py) and makes its own tasks,
so it depends on no other module.  Assertions on Fennec's deliberate
differences are skipped when the suite runs against the real Zou
(``support.REFERENCE_IS_ZOU``).
"""

from __future__ import annotations

import datetime
import time
import uuid

import gazu
import pytest
import requests

from shapes import kind_of
from support import REFERENCE_IS_ZOU, artist_client, pick_task_types, unique

TIMEOUT = 15
YESTERDAY = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()

zou_differs = pytest.mark.skipif(
    REFERENCE_IS_ZOU, reason="Fennec deliberately differs from Zou here (CONTRACT.md)"
)


@pytest.fixture(scope="module")
def setup(production, admin, api_url):
    """Task types and statuses by short name, four tasks, the artist's client."""
    admin.activate()
    modeling, animation, layout = pick_task_types(gazu.task.all_task_types())
    status = {s["short_name"]: s for s in gazu.task.all_task_statuses()}
    tasks = {
        "anim": gazu.task.new_task(production.shot, animation),
        "layout": gazu.task.new_task(production.shot, layout),
        "anim2": gazu.task.new_task(production.shot2, animation),
        # Assigned to the artist: time can only be logged for an assignee.
        "model": gazu.task.new_task(production.asset, modeling, assignees=[production.artist]),
    }
    return {
        "prod": production,
        "types": {"modeling": modeling, "animation": animation, "layout": layout},
        "status": status,
        "tasks": tasks,
        "artist": artist_client(api_url, production.artist_email),
    }


def raw(api_url, admin, method, path, **kwargs):
    return requests.request(method, f"{api_url}/{path}", headers=admin.headers(), timeout=TIMEOUT, **kwargs)


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------


def test_update_task_offset_is_dropped(setup, gazu_admin):
    """A datetime with an offset is accepted and the offset dropped:
    "...T12:00:00+02:00" is stored as 12:00:00 (not converted)."""
    task = setup["tasks"]["anim"]
    updated = gazu.task.update_task({"id": task["id"], "due_date": "2030-01-15T12:00:00+02:00"})
    assert updated["due_date"] == "2030-01-15T12:00:00"
    assert gazu.task.get_task(task)["due_date"] == "2030-01-15T12:00:00"


def test_update_task_dates_and_numbers(setup, gazu_admin):
    """Date -> midnight datetime, datetime kept, null clears; estimation a
    float; priority an int."""
    task = setup["tasks"]["anim2"]
    updated = gazu.task.update_task(
        {"id": task["id"], "start_date": "2030-02-01", "due_date": "2030-02-10T18:30:00",
         "estimation": 90, "priority": 3}
    )
    assert updated["start_date"] == "2030-02-01T00:00:00"
    assert updated["due_date"] == "2030-02-10T18:30:00"
    assert updated["estimation"] == 90.0 and isinstance(updated["estimation"], float)
    assert updated["priority"] == 3 and kind_of(updated["priority"]) == "int"
    cleared = gazu.task.update_task({"id": task["id"], "start_date": None})
    assert cleared["start_date"] is None
    assert cleared["due_date"] == "2030-02-10T18:30:00"


def test_update_task_bad_date_is_400(setup, gazu_admin, api_url, admin):
    task = setup["tasks"]["anim2"]
    response = raw(api_url, admin, "PUT", f"data/tasks/{task['id']}", json={"start_date": "not-a-date"})
    assert response.status_code == 400, response.text
    assert response.json()["message"] == (
        "Invalid date format for 'start_date': 'not-a-date'. Expected an ISO 8601 date or datetime."
    )


# --------------------------------------------------------------------------
# Status changes
# --------------------------------------------------------------------------


def test_real_start_date_is_set_on_the_first_move_to_wip_only(setup, gazu_admin):
    """start_task sets real_start_date the first time the task goes to wip;
    a later move back to wip keeps it."""
    task = setup["tasks"]["anim2"]
    assert gazu.task.get_task(task)["real_start_date"] is None
    gazu.task.start_task(task)
    first = gazu.task.get_task(task)
    assert first["task_status"]["short_name"] == "wip"
    assert kind_of(first["real_start_date"]) == "datetime"
    time.sleep(1.1)  # a reset would then give another second
    gazu.task.add_comment(task, setup["status"]["wfa"], "check")
    gazu.task.start_task(task)
    again = gazu.task.get_task(task)
    assert again["task_status"]["short_name"] == "wip"
    assert again["real_start_date"] == first["real_start_date"]
    assert again["last_comment_date"] > first["last_comment_date"]


def test_done_then_retake(setup, gazu_admin):
    """add_comment to Done sets done_date; then Retake clears it and counts
    one retake.  Meanwhile the artist's to-do drops the done task and his
    done list has it."""
    prod, status = setup["prod"], setup["status"]
    task = setup["tasks"]["layout"]
    artist = setup["artist"]
    gazu.task.assign_tasks_to_person([task], prod.artist)
    gazu.task.start_task(task)
    assert task["id"] in [t["id"] for t in gazu.user.all_tasks_to_do(client=artist)]
    assert task["id"] not in [t["id"] for t in gazu.user.all_done_tasks(client=artist)]

    comment = gazu.task.add_comment(task, status["done"], "approved")
    assert comment["task_status_id"] == status["done"]["id"]
    done = gazu.task.get_task(task)
    assert done["task_status_id"] == status["done"]["id"]
    assert kind_of(done["done_date"]) == "datetime"
    assert done["retake_count"] == 0
    assert task["id"] not in [t["id"] for t in gazu.user.all_tasks_to_do(client=artist)]
    done_rows = gazu.user.all_done_tasks(client=artist)
    assert task["id"] in [t["id"] for t in done_rows]
    assert task["id"] not in [t["id"] for t in gazu.task.all_tasks_for_person(prod.artist)]

    gazu.task.add_comment(task, status["retake"], "one more pass")
    retake = gazu.task.get_task(task)
    assert retake["task_status_id"] == status["retake"]["id"]
    assert retake["done_date"] is None
    assert retake["retake_count"] == 1
    assert task["id"] in [t["id"] for t in gazu.user.all_tasks_to_do(client=artist)]
    assert task["id"] not in [t["id"] for t in gazu.user.all_done_tasks(client=artist)]


def test_all_comments_for_task_newest_first(setup, gazu_admin):
    task = setup["tasks"]["model"]
    texts = [unique("first "), unique("second ")]
    for text in texts:
        gazu.task.add_comment(task, setup["status"]["todo"], text)
    comments = gazu.task.all_comments_for_task(task)
    assert [c["text"] for c in comments][:2] == texts[::-1]


# --------------------------------------------------------------------------
# Assignation
# --------------------------------------------------------------------------


def test_assign_to_unknown_person_is_400(setup, gazu_admin, api_url, admin):
    """Unknown person -> 400 {"error": "Assignee doesn't exist in database."}
    (``error`` is a string here)."""
    task = setup["tasks"]["anim"]
    response = raw(api_url, admin, "PUT", f"actions/persons/{uuid.uuid4()}/assign", json={"task_ids": [task["id"]]})
    assert response.status_code == 400, response.text
    assert response.json() == {"error": "Assignee doesn't exist in database."}
    with pytest.raises(gazu.exception.ParameterException):
        gazu.task.assign_tasks_to_person([task], str(uuid.uuid4()))


def test_assign_skips_unknown_tasks(setup, gazu_admin, api_url, admin):
    """Unknown task ids are silently skipped: 200 []."""
    person = setup["prod"].artist
    response = raw(api_url, admin, "PUT", f"actions/persons/{person['id']}/assign",
                   json={"task_ids": [str(uuid.uuid4())]})
    assert response.status_code == 200, response.text
    assert response.json() == []


def test_assign_returns_the_updated_tasks(setup, gazu_admin):
    prod = setup["prod"]
    task = setup["tasks"]["anim"]
    updated = gazu.task.assign_tasks_to_person([task], prod.artist)
    assert [t["id"] for t in updated] == [task["id"]]
    assert prod.artist["id"] in updated[0]["assignees"]
    assert prod.artist["id"] in gazu.task.get_task(task)["assignees"]


# --------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------


def test_all_tasks_for_project_page_envelope(setup, gazu_admin, api_url, admin):
    """?page=1 on /data/projects/{id}/tasks: the envelope {data, total,
    nb_pages, limit, offset, page}, 100 per page."""
    project = setup["prod"].project
    response = raw(api_url, admin, "GET", f"data/projects/{project['id']}/tasks", params={"page": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"data", "total", "nb_pages", "limit", "offset", "page"}
    assert (body["total"], body["nb_pages"], body["limit"], body["offset"], body["page"]) == (4, 1, 100, 0, 1)
    assert sorted(t["id"] for t in body["data"]) == sorted(t["id"] for t in setup["tasks"].values())
    plain = gazu.task.all_tasks_for_project(project)
    assert isinstance(plain, list) and len(plain) == 4


def test_all_tasks_for_project_filtered(setup, gazu_admin):
    prod, types = setup["prod"], setup["types"]
    by_type = gazu.task.all_tasks_for_project(prod.project, task_type=types["animation"])
    assert sorted(t["id"] for t in by_type) == sorted([setup["tasks"]["anim"]["id"], setup["tasks"]["anim2"]["id"]])
    by_episode = gazu.task.all_tasks_for_project(prod.project, episode=prod.episode)
    # The asset task is not in an episode.
    assert setup["tasks"]["model"]["id"] not in [t["id"] for t in by_episode]
    assert setup["tasks"]["layout"]["id"] in [t["id"] for t in by_episode]


def test_all_tasks_for_sequence_excludes_shot_tasks(setup, gazu_admin):
    assert gazu.task.all_tasks_for_sequence(setup["prod"].sequence) == []


def test_fetch_all_tasks_filters_by_project(setup, gazu_admin):
    rows = gazu.client.fetch_all("tasks", {"project_id": setup["prod"].project["id"]})
    assert sorted(t["id"] for t in rows) == sorted(t["id"] for t in setup["tasks"].values())
    assert all("assignees" not in row for row in rows)


def test_get_task_unknown_is_404(setup, gazu_admin):
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.task.get_task(str(uuid.uuid4()))


# --------------------------------------------------------------------------
# Creation
# --------------------------------------------------------------------------


def test_duplicate_task_is_400(setup, gazu_admin, api_url, admin):
    task = setup["tasks"]["anim"]
    body = {k: task[k] for k in ("project_id", "entity_id", "task_type_id", "task_status_id", "name")}
    response = raw(api_url, admin, "POST", "data/tasks", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["message"] == "Task already exists."


@zou_differs
def test_post_task_without_status_or_project_fills_defaults(setup, gazu_admin, api_url, admin):
    """Fennec fills the default status (Todo) and the entity's project when
    POST /data/tasks omits them (Zou stores nulls)."""
    prod = setup["prod"]
    body = {"entity_id": prod.shot2["id"], "task_type_id": setup["types"]["layout"]["id"], "name": unique("bare ")}
    response = raw(api_url, admin, "POST", "data/tasks", json=body)
    assert response.status_code == 201, response.text
    task = response.json()
    assert task["task_status_id"] == setup["status"]["todo"]["id"]
    assert task["project_id"] == prod.project["id"]
    raw(api_url, admin, "DELETE", f"data/tasks/{task['id']}")


# --------------------------------------------------------------------------
# Time spents
# --------------------------------------------------------------------------


def test_time_spent_bad_date_in_path_is_400(setup, gazu_admin, api_url, admin):
    task, person = setup["tasks"]["model"], setup["prod"].artist
    response = raw(api_url, admin, "POST",
                   f"actions/tasks/{task['id']}/time-spents/2024-13-45/persons/{person['id']}/add",
                   json={"duration": 10})
    assert response.status_code == 400, response.text
    assert response.json() == {"error": True, "message": "Invalid date format.", "data": None}


@zou_differs
def test_get_time_spents_bad_date_is_400(setup, gazu_admin, api_url, admin):
    """Zou answers 500 here; Fennec 400, the message Zou uses elsewhere."""
    task = setup["tasks"]["model"]
    response = raw(api_url, admin, "GET", f"actions/tasks/{task['id']}/time-spents/notadate")
    assert response.status_code == 400, response.text
    assert response.json() == {"error": True, "message": "Invalid date format.", "data": None}


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "Field required"),
        ({"duration": "abc"}, "Input should be a valid number, unable to parse string as a number"),
        ({"duration": -30}, "Input should be greater than 0"),
    ],
    ids=["missing", "not-a-number", "negative"],
)
def test_time_spent_validation(setup, gazu_admin, api_url, admin, body, message):
    task, person = setup["tasks"]["model"], setup["prod"].artist
    response = raw(api_url, admin, "POST",
                   f"actions/tasks/{task['id']}/time-spents/{YESTERDAY}/persons/{person['id']}/add", json=body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["message"] == "Validation error."
    assert answer["data"]["errors"][0]["field"] == "duration"
    assert answer["data"]["errors"][0]["message"] == message


def test_artist_logs_time_on_his_task(setup, gazu_admin):
    """An artist may log time for himself on his task (201); the task's
    duration follows."""
    prod = setup["prod"]
    task = setup["tasks"]["model"]
    row = gazu.task.set_time_spent(task, prod.artist, YESTERDAY, 45, client=setup["artist"])
    assert row["duration"] == 45.0 and row["person_id"] == prod.artist["id"]
    spent = gazu.task.get_time_spent(task, YESTERDAY)
    assert spent["total"] == 45.0
    assert gazu.task.get_task(task)["duration"] == 45.0
