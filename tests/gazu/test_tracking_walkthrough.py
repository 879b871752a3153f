"""Recordings 015-072 and 081-082: the pipeline-tracking walkthrough.

The ``tracking`` fixture replays, on this module's production (recordings
006-014), the recorded gazu calls in the recorded order and with the same
kinds of arguments: task types and statuses, six tasks (asset, two on
SH0010, SH0020, the sequence, the scene), updates, time spents, the task
lists, assignation, status changes, the artist's to-do list.  Each step's
result and HTTP traffic is kept; each test below checks one step against
its recording (requests, statuses, JSON shapes) and what the contract says
about its values.

Task lists are compared row by row *by role*: the recorded ids of the six
tasks are mapped to roles (the answers of recordings 026-031), so that each
of our rows is compared with the recorded row of the same task, whatever
the order (unpaginated lists have no ORDER BY on Zou), and the set of tasks
listed must be the recorded one.
"""

from __future__ import annotations

import datetime
import functools

import gazu
import pytest

from shapes import (
    assert_same_shape,
    kind_of,
    load_recording,
    recorded_response,
    shape_problems,
)
from support import ARTIST_PASSWORD, StepLog, pick_task_types, record_outcome
from wire import assert_same_exchanges, record_call

# Dates relative to the run, like the recorded walkthrough (run on day D:
# start D-3, due D+10, time spent on D-2 and D-1).
TODAY = datetime.date.today()
START = (TODAY - datetime.timedelta(days=3)).isoformat()
DUE = (TODAY + datetime.timedelta(days=10)).isoformat()
DAY1 = (TODAY - datetime.timedelta(days=2)).isoformat()
DAY2 = (TODAY - datetime.timedelta(days=1)).isoformat()

# The six tasks of the walkthrough: role -> the recording that created it.
TASK_ROLES = {
    "asset": "task.new_task",  # Hero / Modeling, created in wip, assigned
    "anim": "task.new_task_shot_default_status",  # SH0010 / Animation
    "layout": "task.new_task_shot_assigner",  # SH0010 / Layout, assigner
    "anim2": "task.new_task_shot2",  # SH0020 / Animation
    "seq": "task.new_task_sequence",  # E01_SQ010 / custom Sequence type
    "scene": "task.new_task_scene",  # SC0010 / custom Scene type
}


@functools.lru_cache(maxsize=None)
def recorded_roles() -> dict[str, str]:
    """Recorded task id -> role."""
    return {recorded_response(load_recording(label))["id"]: role for role, label in TASK_ROLES.items()}


class Walkthrough(StepLog):
    def __init__(self, production):
        super().__init__()
        self.production = production
        self.admin_id: str | None = None
        self.artist_client = None  # the artist's own gazu client (070-072)
        self.types: dict[str, dict] = {}  # modeling, animation, layout
        self.status: dict[str, dict] = {}  # task statuses by short name

    def task(self, role: str) -> dict:
        return self.result(TASK_ROLES[role])

    @property
    def roles(self) -> dict[str, str]:
        """Our task id -> role, for the tasks created so far."""
        roles = {}
        for role, label in TASK_ROLES.items():
            if label in self.calls and isinstance(self.calls[label].result, dict):
                roles[self.calls[label].result["id"]] = role
        return roles


@pytest.fixture(scope="module")
def tracking(production, admin, api_url) -> Walkthrough:
    admin.activate()
    prod = production
    w = Walkthrough(prod)
    w.admin_id = gazu.client.get_current_user()["id"]
    modeling, animation, layout = pick_task_types(gazu.task.all_task_types())
    status = {s["short_name"]: s for s in gazu.task.all_task_statuses()}
    w.types = {"modeling": modeling, "animation": animation, "layout": layout}
    w.status = status
    tag = prod.tag

    # 015-025: task types and statuses.
    w.step("task.all_task_types", lambda: record_call(gazu.task.all_task_types))
    w.step("task.new_task_type", lambda: record_call(
        gazu.task.new_task_type, f"WT Storyboard {tag}", "#AA00FF", "Sequence"))
    w.step("task.new_task_type_scene", lambda: record_call(
        gazu.task.new_task_type, f"WT Scene Layout {tag}", "#00AAFF", "Scene"))
    w.step("task.get_task_type", lambda: record_call(gazu.task.get_task_type, modeling["id"]))
    w.step("task.get_task_type_by_name", lambda: record_call(gazu.task.get_task_type_by_name, "Modeling"))
    w.step("task.get_task_type_by_name_for_entity", lambda: record_call(
        gazu.task.get_task_type_by_name, "Animation", "Shot"))
    w.step("task.get_task_type_by_name_unknown", lambda: record_call(
        gazu.task.get_task_type_by_name, "No Such Type"))
    w.step("task.get_task_status", lambda: record_call(gazu.task.get_task_status, status["wip"]["id"]))
    w.step("task.get_task_status_by_name", lambda: record_call(
        gazu.task.get_task_status_by_name, "Work In Progress"))
    w.step("task.get_task_status_by_name_short", lambda: record_call(gazu.task.get_task_status_by_name, "wip"))
    w.step("task.get_task_status_by_short_name", lambda: record_call(
        gazu.task.get_task_status_by_short_name, "wip"))

    # 026-033: tasks.
    w.step("task.new_task", lambda: record_call(
        gazu.task.new_task, prod.asset, modeling, task_status=status["wip"], assignees=[prod.artist]))
    w.step("task.new_task_shot_default_status", lambda: record_call(gazu.task.new_task, prod.shot, animation))
    w.step("task.new_task_shot_assigner", lambda: record_call(
        gazu.task.new_task, prod.shot, layout, assigner=prod.artist))
    w.step("task.new_task_shot2", lambda: record_call(gazu.task.new_task, prod.shot2, animation))
    w.step("task.new_task_sequence", lambda: record_call(
        gazu.task.new_task, prod.sequence, w.result("task.new_task_type")))
    w.step("task.new_task_scene", lambda: record_call(
        gazu.task.new_task, prod.scene, w.result("task.new_task_type_scene")))
    w.step("task.new_task_existing", lambda: record_call(gazu.task.new_task, prod.asset, modeling))
    w.step("task.new_task_wrong_entity_type", lambda: record_outcome(
        gazu.task.new_task, prod.asset, animation, name="wrong-type"))

    # 034-037: reading and updating.
    w.step("task.get_task", lambda: record_call(gazu.task.get_task, w.task("asset")))
    w.step("task.update_task", lambda: record_call(gazu.task.update_task, {
        "id": w.task("asset")["id"], "start_date": START, "due_date": DUE, "estimation": 1440, "priority": 2,
    }))

    def full_round_trip():
        full = gazu.task.get_task(w.task("anim"))
        full.update(start_date=f"{START}T00:00:00", due_date=DUE, estimation=480, priority=1)
        return record_call(gazu.task.update_task, full)

    w.step("task.update_task_full_roundtrip", full_round_trip)
    w.step("check.anim_after_roundtrip", lambda: record_call(gazu.task.get_task, w.task("anim")))
    w.step("task.update_task_assignees", lambda: record_call(gazu.task.update_task, {
        "id": w.task("anim2")["id"], "assignees": [prod.artist], "priority": 3, "due_date": f"{DUE}T18:00:00",
    }))
    w.step("check.anim2_after_assignees", lambda: record_call(gazu.task.get_task, w.task("anim2")))

    # 038-044: time spents.
    w.step("task.add_time_spent", lambda: record_call(
        gazu.task.add_time_spent, w.task("asset"), prod.artist, DAY1, 120))
    w.step("task.add_time_spent_again", lambda: record_call(
        gazu.task.add_time_spent, w.task("asset"), prod.artist, DAY1, 60))
    w.step("task.set_time_spent", lambda: record_call(
        gazu.task.set_time_spent, w.task("asset"), prod.artist, DAY2, 240))
    w.step("task.set_time_spent_overwrite", lambda: record_call(
        gazu.task.set_time_spent, w.task("asset"), prod.artist, DAY1, 300))
    w.step("task.get_time_spent", lambda: record_call(gazu.task.get_time_spent, w.task("asset")))
    w.step("task.get_time_spent_date", lambda: record_call(gazu.task.get_time_spent, w.task("asset"), DAY1))
    w.step("task.get_task_after_time_spent", lambda: record_call(gazu.task.get_task, w.task("asset")))

    # 045-057: lists and lookups.
    w.step("task.all_tasks_for_shot", lambda: record_call(gazu.task.all_tasks_for_shot, prod.shot))
    w.step("task.all_tasks_for_shot_relations", lambda: record_call(
        gazu.task.all_tasks_for_shot, prod.shot, relations=True))
    w.step("task.all_tasks_for_asset", lambda: record_call(gazu.task.all_tasks_for_asset, prod.asset))
    w.step("task.all_tasks_for_scene", lambda: record_call(gazu.task.all_tasks_for_scene, prod.scene))
    w.step("task.all_tasks_for_sequence", lambda: record_call(gazu.task.all_tasks_for_sequence, prod.sequence))
    w.step("task.all_tasks_for_entity_and_task_type", lambda: record_call(
        gazu.task.all_tasks_for_entity_and_task_type, prod.shot, animation))
    w.step("task.all_tasks_for_task_status", lambda: record_call(
        gazu.task.all_tasks_for_task_status, prod.project, modeling, status["wip"]))
    w.step("task.all_task_types_for_shot", lambda: record_call(gazu.task.all_task_types_for_shot, prod.shot))
    w.step("task.all_task_types_for_scene", lambda: record_call(gazu.task.all_task_types_for_scene, prod.scene))
    w.step("task.all_task_types_for_sequence", lambda: record_call(
        gazu.task.all_task_types_for_sequence, prod.sequence))
    w.step("task.get_task_by_entity", lambda: record_call(
        gazu.task.get_task_by_entity, prod.asset, modeling, "main"))
    w.step("task.get_task_by_entity_none", lambda: record_call(
        gazu.task.get_task_by_entity, prod.asset, modeling, "nope"))

    # 058-063: assignation, status changes, comments.
    w.step("task.assign_tasks_to_person", lambda: record_call(
        gazu.task.assign_tasks_to_person, [w.task("anim"), w.task("layout"), w.task("seq")], prod.artist))
    w.step("task.start_task", lambda: record_call(gazu.task.start_task, w.task("anim")))
    w.step("task.start_task_person", lambda: record_call(
        gazu.task.start_task, w.task("layout"), person=prod.artist))
    w.step("task.get_task_after_start", lambda: record_call(gazu.task.get_task, w.task("anim")))
    w.step("task.add_comment_wfa", lambda: record_call(
        gazu.task.add_comment, w.task("anim"), status["wfa"], "please review"))
    w.step("check.anim_after_wfa", lambda: record_call(gazu.task.get_task, w.task("anim")))
    w.step("task.all_comments_for_task", lambda: record_call(gazu.task.all_comments_for_task, w.task("anim")))

    # 065-072: project lists, open tasks, the to-do lists.
    w.step("task.all_tasks_for_project", lambda: record_call(gazu.task.all_tasks_for_project, prod.project))
    w.step("task.all_tasks_for_project_filtered", lambda: record_call(
        gazu.task.all_tasks_for_project, prod.project, task_type=animation, episode=prod.episode))
    w.step("task.all_open_tasks", lambda: record_call(gazu.task.all_open_tasks))
    w.step("client.fetch_all_tasks", lambda: record_call(
        gazu.client.fetch_all, "tasks", {"project_id": prod.project["id"]}))
    w.step("user.all_tasks_to_do_admin", lambda: record_call(gazu.user.all_tasks_to_do))

    def log_in_artist():
        w.artist_client = gazu.client.create_client(api_url)
        return record_call(gazu.log_in, prod.artist_email, ARTIST_PASSWORD, client=w.artist_client)

    w.step("log_in_artist", log_in_artist)
    w.step("user.all_tasks_to_do", lambda: record_call(gazu.user.all_tasks_to_do, client=w.artist_client))
    w.step("user.all_done_tasks", lambda: record_call(gazu.user.all_done_tasks, client=w.artist_client))

    # 081-082 (recorded after 073-080, which read entities only).
    w.step("task.all_tasks_for_person", lambda: record_call(gazu.task.all_tasks_for_person, prod.artist))
    w.step("task.get_task_time_spent_for_date", lambda: record_call(
        gazu.task.get_task_time_spent_for_date, w.task("asset"), DAY2))
    admin.activate()
    return w


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def check(tracking, label, compare_responses=True, nullable=()):
    """The step's traffic against its recording; returns the Call."""
    call = tracking[label]
    assert_same_exchanges(call, load_recording(label), nullable=nullable, compare_responses=compare_responses)
    return call


def check_result(tracking, label, nullable=()):
    """Traffic, then the result against the recording's last answer (or
    the first row of it, for the lookups returning one row)."""
    call = check(tracking, label, nullable=nullable)
    recorded = recorded_response(load_recording(label))
    if isinstance(recorded, list) and not isinstance(call.result, list):
        recorded = recorded[0]
    assert_same_shape(call.result, recorded, nullable=nullable)
    return call


def check_task_rows(tracking, label, rows=None, recorded_rows=None, nullable=()):
    """Traffic (without the list answer, compared here by role), then: the
    rows list the recorded tasks (same roles), each with the shape of the
    recorded row of the same task.  Returns {role: row}."""
    call = check(tracking, label, compare_responses=False)
    rows = call.result if rows is None else rows
    recorded_rows = recorded_response(load_recording(label)) if recorded_rows is None else recorded_rows
    assert isinstance(rows, list), f"{label}: expected a list, got {kind_of(rows)}"
    ours = tracking.roles
    rec_roles = recorded_roles()
    got = sorted(ours.get(r.get("id"), f"<unknown task {r.get('id')}>") for r in rows)
    want = sorted(rec_roles[r["id"]] for r in recorded_rows)
    assert got == want, f"{label}: tasks listed {got}, recorded {want}"
    recorded_by_role = {rec_roles[r["id"]]: r for r in recorded_rows}
    problems = []
    by_role = {}
    for row in rows:
        role = ours[row["id"]]
        by_role[role] = row
        problems += shape_problems(row, recorded_by_role[role], path=f"[{role}]", nullable=nullable)
    assert not problems, f"{label}: JSON shape differs from the recording:\n  - " + "\n  - ".join(problems)
    return by_role


def ids(items):
    return [i["id"] for i in items]


# --------------------------------------------------------------------------
# 015-025: task types and task statuses
# --------------------------------------------------------------------------


def test_015_all_task_types(tracking):
    """GET /api/data/task-types: every default task type has the shape of
    its recorded row (custom ones of earlier runs are left aside)."""
    call = check(tracking, "task.all_task_types")
    recorded = {(t["name"], t["for_entity"]): t for t in recorded_response(load_recording(15))}
    ours = {(t["name"], t["for_entity"]): t for t in call.result}
    defaults = [k for k, t in recorded.items() if t["department_id"] is not None or k == ("Concept", "Concept")]
    assert len(defaults) == 13
    for key in defaults:
        assert key in ours, f"default task type {key} missing"
        assert_same_shape(ours[key], recorded[key], path=f"{key}")


def test_016_new_task_type(tracking):
    """GET ?name&for_entity -> [] then POST /data/task-types -> 201: a
    TaskType with short_name/department_id null and priority 1."""
    call = check_result(tracking, "task.new_task_type")
    assert call.exchanges[0].response == []
    task_type = call.result
    assert task_type["type"] == "TaskType"
    assert task_type["name"] == f"WT Storyboard {tracking.production.tag}"
    assert task_type["color"] == "#AA00FF"
    assert task_type["for_entity"] == "Sequence"
    assert task_type["short_name"] is None and task_type["department_id"] is None
    assert task_type["priority"] == 1
    assert task_type["allow_timelog"] is True and task_type["archived"] is False


def test_017_new_task_type_scene(tracking):
    call = check_result(tracking, "task.new_task_type_scene")
    assert call.result["for_entity"] == "Scene"
    assert call.result["color"] == "#00AAFF"


def test_016_new_task_type_again_finds_it(tracking, gazu_admin):
    """Get-or-create: the second call only GETs, and finds the same type."""
    first = tracking.result("task.new_task_type")
    again = record_call(gazu.task.new_task_type, first["name"], "#AA00FF", "Sequence")
    assert [e.describe() for e in again.exchanges] == ["GET /api/data/task-types?for_entity&name -> 200"]
    assert again.result["id"] == first["id"]


def test_016_duplicate_task_type_is_refused(tracking, gazu_admin):
    """A raw POST of an existing (name, for_entity) -> 400 "A task type with
    similar name already exists" (gazu: ParameterException)."""
    first = tracking.result("task.new_task_type")
    with pytest.raises(gazu.exception.ParameterException) as raised:
        record_call(
            gazu.client.post, "data/task-types",
            {"name": first["name"], "color": "#AA00FF", "for_entity": "Sequence"},
        )
    exchanges = raised.value.exchanges
    assert [e.describe() for e in exchanges] == ["POST /api/data/task-types -> 400"]
    assert exchanges[0].response["message"] == "A task type with similar name already exists"
    names = [t["name"] for t in gazu.task.all_task_types()]
    assert names.count(first["name"]) == 1


def test_018_get_task_type(tracking):
    """GET /data/task-types/{id} (by id string)."""
    call = check_result(tracking, "task.get_task_type")
    assert call.result["id"] == tracking.types["modeling"]["id"]
    assert call.result["name"] == "Modeling"
    assert call.result["for_entity"] == "Asset"


def test_019_get_task_type_by_name(tracking):
    """GET /data/task-types?name=Modeling -> first row."""
    call = check_result(tracking, "task.get_task_type_by_name")
    assert call.result["id"] == tracking.types["modeling"]["id"]


def test_020_get_task_type_by_name_for_entity(tracking):
    """GET /data/task-types?name=Animation&for_entity=Shot."""
    call = check_result(tracking, "task.get_task_type_by_name_for_entity")
    assert call.result["id"] == tracking.types["animation"]["id"]
    assert call.result["for_entity"] == "Shot"


def test_021_get_task_type_by_name_unknown(tracking):
    """Unknown name -> 200 [] -> None."""
    call = check(tracking, "task.get_task_type_by_name_unknown")
    assert call.exchanges[0].response == []
    assert call.result is None


def test_022_get_task_status(tracking):
    """GET /data/task-status/{id}: Work In Progress."""
    call = check_result(tracking, "task.get_task_status")
    assert call.result["id"] == tracking.status["wip"]["id"]
    assert call.result["is_wip"] is True


def test_023_get_task_status_by_name(tracking):
    """GET /data/task-status?name=Work In Progress (the full name)."""
    call = check_result(tracking, "task.get_task_status_by_name")
    assert call.result["short_name"] == "wip"


def test_024_get_task_status_by_name_short_is_none(tracking):
    """?name=wip matches the full name only -> [] -> None."""
    call = check(tracking, "task.get_task_status_by_name_short")
    assert call.exchanges[0].response == []
    assert call.result is None


def test_025_get_task_status_by_short_name(tracking):
    """GET /data/task-status?short_name=wip."""
    call = check_result(tracking, "task.get_task_status_by_short_name")
    assert call.result["id"] == tracking.status["wip"]["id"]


# --------------------------------------------------------------------------
# 026-033: new_task
# --------------------------------------------------------------------------


def assert_new_task(task, entity, task_type, status):
    assert task["type"] == "Task"
    assert task["name"] == "main"
    assert task["entity_id"] == entity["id"]
    assert task["project_id"] == entity["project_id"]
    assert task["task_type_id"] == task_type["id"]
    assert task["task_status_id"] == status["id"]
    # Defaults.
    assert (task["priority"], task["difficulty"], task["duration"], task["estimation"]) == (0, 3, 0.0, 0.0)
    assert isinstance(task["duration"], float) and isinstance(task["estimation"], float)
    assert task["retake_count"] == 0 and task["completion_rate"] == 0
    assert task["data"] is None and task["description"] is None


def test_026_new_task_on_asset_in_wip_with_assignee(tracking):
    """GET /data/tasks?name&task_type_id&entity_id -> [] then POST /data/tasks
    -> 201 with ``assignees``.  Created directly in wip: no real_start_date."""
    call = check_result(tracking, "task.new_task")
    assert call.exchanges[0].response == []
    prod = tracking.production
    task = call.result
    assert_new_task(task, prod.asset, tracking.types["modeling"], tracking.status["wip"])
    assert task["assignees"] == [prod.artist["id"]]
    assert task["assigner_id"] is None
    assert task["real_start_date"] is None


def test_027_new_task_on_shot_default_status(tracking):
    """No task_status: gazu GETs ?is_default=True first; the task is Todo."""
    call = check_result(tracking, "task.new_task_shot_default_status")
    assert call.exchanges[0].response[0]["name"] == "Todo"
    assert call.exchanges[2].request_json["task_status_id"] == tracking.status["todo"]["id"]
    assert_new_task(call.result, tracking.production.shot, tracking.types["animation"], tracking.status["todo"])
    assert call.result["assignees"] == []


def test_028_new_task_with_assigner(tracking):
    call = check_result(tracking, "task.new_task_shot_assigner")
    assert call.exchanges[2].request_json["assigner_id"] == tracking.production.artist["id"]
    assert_new_task(call.result, tracking.production.shot, tracking.types["layout"], tracking.status["todo"])
    assert call.result["assigner_id"] == tracking.production.artist["id"]


def test_029_new_task_on_second_shot(tracking):
    call = check_result(tracking, "task.new_task_shot2")
    assert_new_task(call.result, tracking.production.shot2, tracking.types["animation"], tracking.status["todo"])


def test_030_new_task_on_sequence(tracking):
    """A Sequence task type (made with new_task_type) on the sequence."""
    call = check_result(tracking, "task.new_task_sequence")
    assert_new_task(
        call.result, tracking.production.sequence, tracking.result("task.new_task_type"), tracking.status["todo"]
    )


def test_031_new_task_on_scene(tracking):
    call = check_result(tracking, "task.new_task_scene")
    assert_new_task(
        call.result, tracking.production.scene, tracking.result("task.new_task_type_scene"), tracking.status["todo"]
    )


def test_032_new_task_existing(tracking):
    """Existing (entity, task type, name): gazu returns the lookup row (no
    ``assignees``: a GET /data/tasks row), no POST."""
    call = check_result(tracking, "task.new_task_existing")
    assert [e.method for e in call.exchanges] == ["GET", "GET"]
    assert call.result["id"] == tracking.task("asset")["id"]
    assert "assignees" not in call.result


def test_033_new_task_wrong_entity_type(tracking, gazu_admin):
    """A Shot task type on an asset: POST /data/tasks -> 400, gazu raises
    ParameterException "Task type of the task does not match entity type."."""
    call = check(tracking, "task.new_task_wrong_entity_type")
    assert isinstance(call.result, gazu.exception.ParameterException), call.result
    assert "Task type of the task does not match entity type." in str(call.result)
    assert call.exchanges[-1].response == recorded_response(load_recording(33))
    # Nothing was created.
    prod = tracking.production
    assert gazu.task.get_task_by_entity(prod.asset, tracking.types["animation"], "wrong-type") is None


# --------------------------------------------------------------------------
# 034-037: get_task, update_task
# --------------------------------------------------------------------------


def test_034_get_task_full(tracking):
    """GET /data/tasks/{id}/full: the task plus assignees, entity,
    entity_type, is_subscribed, persons, project, task_status, task_type
    (an asset task: no sequence/episode; no assigner when none is set)."""
    call = check_result(tracking, "task.get_task")
    task = call.result
    prod = tracking.production
    assert task["id"] == tracking.task("asset")["id"]
    assert task["assignees"] == [prod.artist["id"]]
    assert ids(task["persons"]) == [prod.artist["id"]]
    assert task["project"]["id"] == prod.project["id"]
    assert task["entity"]["id"] == prod.asset["id"]
    assert task["entity"]["type"] == "Entity"
    assert task["entity_type"]["name"] == "Character"
    assert task["task_type"]["id"] == tracking.types["modeling"]["id"]
    assert task["task_status"]["short_name"] == "wip"
    assert task["is_subscribed"] is False
    assert not {"assigner", "sequence", "episode"} & set(task)


def test_035_update_task_partial(tracking):
    """PUT /data/tasks/{id} with a partial dict -> 200, the plain task (no
    ``assignees``): dates YYYY-MM-DD -> YYYY-MM-DDT00:00:00, estimation
    (minutes) as a float, priority an int."""
    call = check_result(tracking, "task.update_task")
    task = call.result
    assert task["start_date"] == f"{START}T00:00:00"
    assert task["due_date"] == f"{DUE}T00:00:00"
    assert task["estimation"] == 1440.0 and isinstance(task["estimation"], float)
    assert task["priority"] == 2
    assert "assignees" not in task


def test_036_update_task_full_round_trip(tracking):
    """The /full dict, modified and PUT back whole -> 200 (nested objects
    and extra keys ignored)."""
    call = check_result(tracking, "task.update_task_full_roundtrip")
    sent = call.exchanges[0].request_json
    assert {"project", "entity", "task_type", "task_status", "persons", "sequence", "episode"} <= set(sent)
    task = call.result
    assert task["due_date"] == f"{DUE}T00:00:00"
    assert task["start_date"] == f"{START}T00:00:00"
    assert task["estimation"] == 480.0 and task["priority"] == 1
    assert task["updated_at"] >= sent["updated_at"]
    # Read back: the change is stored, the relations are untouched.
    after = tracking.result("check.anim_after_roundtrip")
    assert after["due_date"] == f"{DUE}T00:00:00"
    assert after["project"]["id"] == tracking.production.project["id"]
    assert after["entity"]["id"] == tracking.production.shot["id"]
    assert after["sequence"]["id"] == tracking.production.sequence["id"]
    assert after["episode"]["id"] == tracking.production.episode["id"]
    assert after["created_at"] == sent["created_at"]


def test_037_update_task_assignees(tracking):
    """``assignees`` as person dicts: gazu sends ids; stored as the
    assignees (the PUT answer itself has no ``assignees``)."""
    call = check_result(tracking, "task.update_task_assignees")
    assert call.exchanges[0].request_json["assignees"] == [tracking.production.artist["id"]]
    assert call.result["due_date"] == f"{DUE}T18:00:00"
    assert call.result["priority"] == 3
    after = tracking.result("check.anim2_after_assignees")
    assert after["assignees"] == [tracking.production.artist["id"]]
    assert ids(after["persons"]) == [tracking.production.artist["id"]]


# --------------------------------------------------------------------------
# 038-044: time spents
# --------------------------------------------------------------------------


def assert_time_spent(row, tracking, date, duration):
    assert row["type"] == "TimeSpent"
    assert row["task_id"] == tracking.task("asset")["id"]
    assert row["person_id"] == tracking.production.artist["id"]
    assert row["date"] == date
    assert row["duration"] == duration and isinstance(row["duration"], float)


def test_038_add_time_spent(tracking):
    """POST .../time-spents/{date}/persons/{id}/add {"duration": 120} -> 201."""
    call = check_result(tracking, "task.add_time_spent")
    assert call.exchanges[0].request_json == {"duration": 120}
    assert_time_spent(call.result, tracking, DAY1, 120.0)


def test_039_add_time_spent_again_adds(tracking):
    """+60 on the same (task, person, day): the same row, 180.0, 201 again."""
    call = check_result(tracking, "task.add_time_spent_again")
    assert_time_spent(call.result, tracking, DAY1, 180.0)
    assert call.result["id"] == tracking.result("task.add_time_spent")["id"]


def test_040_set_time_spent(tracking):
    """POST .../time-spents/{date}/persons/{id} {"duration": 240} -> 201."""
    call = check_result(tracking, "task.set_time_spent")
    assert_time_spent(call.result, tracking, DAY2, 240.0)


def test_041_set_time_spent_replaces(tracking):
    """set on day 1 replaces the 180 by 300 (same row)."""
    call = check_result(tracking, "task.set_time_spent_overwrite")
    assert_time_spent(call.result, tracking, DAY1, 300.0)
    assert call.result["id"] == tracking.result("task.add_time_spent")["id"]


def test_042_get_time_spent(tracking):
    """GET .../time-spents -> {"total": 540.0, "<person id>": [rows]}."""
    call = check_result(tracking, "task.get_time_spent")
    answer = call.result
    artist_id = tracking.production.artist["id"]
    assert set(answer) == {"total", artist_id}
    assert answer["total"] == 540.0 and isinstance(answer["total"], float)
    assert sorted((r["date"], r["duration"]) for r in answer[artist_id]) == [(DAY1, 300.0), (DAY2, 240.0)]


def test_043_get_time_spent_for_date(tracking):
    call = check_result(tracking, "task.get_time_spent_date")
    artist_id = tracking.production.artist["id"]
    assert call.result["total"] == 300.0
    assert [(r["date"], r["duration"]) for r in call.result[artist_id]] == [(DAY1, 300.0)]


def test_044_get_task_duration_is_the_sum(tracking):
    """The task's duration is the sum of its time spents (540.0); the
    person's last_presence is the latest day with time logged."""
    call = check_result(tracking, "task.get_task_after_time_spent")
    task = call.result
    assert task["duration"] == 540.0 and isinstance(task["duration"], float)
    assert task["estimation"] == 1440.0
    assert task["persons"][0]["last_presence"] == DAY2


# --------------------------------------------------------------------------
# 045-057: lists and lookups
# --------------------------------------------------------------------------

ENTITY_TASK_EXTRAS = ["project_name", "task_type_name", "task_status_name", "entity_type_name", "entity_name"]


def test_045_all_tasks_for_shot(tracking):
    """GET /data/shots/{id}/tasks: the plain task + project_name,
    task_type_name, task_status_name, entity_type_name, entity_name."""
    rows = check_task_rows(tracking, "task.all_tasks_for_shot")
    for row in rows.values():
        assert list(row)[-5:] == ENTITY_TASK_EXTRAS
        assert row["entity_name"] == "SH0010"
        assert row["entity_type_name"] == "Shot"
        assert row["project_name"] == tracking.production.project["name"]
        assert row["task_status_name"] == "Todo"
        assert "assignees" not in row
    assert rows["anim"]["task_type_name"] == "Animation"
    assert rows["layout"]["task_type_name"] == "Layout"


def test_046_all_tasks_for_shot_with_relations(tracking):
    """?relations=True adds ``assignees``."""
    rows = check_task_rows(tracking, "task.all_tasks_for_shot_relations")
    assert tracking["task.all_tasks_for_shot_relations"].exchanges[0].query == {"relations": ["True"]}
    for row in rows.values():
        assert list(row)[-1] == "assignees"
        assert row["assignees"] == []


def test_047_all_tasks_for_asset(tracking):
    rows = check_task_rows(tracking, "task.all_tasks_for_asset")
    assert rows["asset"]["entity_type_name"] == "Character"
    assert rows["asset"]["task_status_name"] == "Work In Progress"
    assert rows["asset"]["duration"] == 540.0


def test_048_all_tasks_for_scene(tracking):
    rows = check_task_rows(tracking, "task.all_tasks_for_scene")
    assert rows["scene"]["entity_type_name"] == "Scene"
    assert rows["scene"]["entity_name"] == "SC0010"


def test_049_all_tasks_for_sequence_only_its_own(tracking):
    """Tasks of the sequence entity itself, not of its shots or scenes."""
    rows = check_task_rows(tracking, "task.all_tasks_for_sequence")
    assert list(rows) == ["seq"]
    assert rows["seq"]["entity_type_name"] == "Sequence"
    assert rows["seq"]["entity_name"] == "E01_SQ010"


def test_050_all_tasks_for_entity_and_task_type(tracking):
    """GET /data/entities/{id}/task-types/{id}/tasks: plain tasks."""
    rows = check_task_rows(tracking, "task.all_tasks_for_entity_and_task_type")
    assert list(rows) == ["anim"]
    assert list(rows["anim"])[-1] == "type"


def test_051_all_tasks_for_task_status(tracking):
    """GET /data/tasks?project_id&task_type_id&task_status_id."""
    rows = check_task_rows(tracking, "task.all_tasks_for_task_status")
    assert list(rows) == ["asset"]


def task_type_names(tracking, call):
    tag = tracking.production.tag
    return sorted(t["name"].replace(tag, "<tag>") for t in call.result)


def check_task_types(tracking, label):
    """Traffic; rows compared by name with the recorded ones."""
    call = check(tracking, label, compare_responses=False)
    rec_tag = load_recording(16)["args"].split("'")[1].rsplit(" ", 1)[1]
    recorded = {t["name"].replace(rec_tag, "<tag>"): t for t in recorded_response(load_recording(label))}
    tag = tracking.production.tag
    ours = {t["name"].replace(tag, "<tag>"): t for t in call.result}
    assert sorted(ours) == sorted(recorded)
    for name, task_type in ours.items():
        assert_same_shape(task_type, recorded[name], path=name)
    return sorted(ours)


def test_052_all_task_types_for_shot(tracking):
    assert check_task_types(tracking, "task.all_task_types_for_shot") == ["Animation", "Layout"]


def test_053_all_task_types_for_scene(tracking):
    assert check_task_types(tracking, "task.all_task_types_for_scene") == ["WT Scene Layout <tag>"]


def test_054_all_task_types_for_sequence(tracking):
    """The task types of the sequence's shots and scenes (not of the
    sequence's own task)."""
    names = check_task_types(tracking, "task.all_task_types_for_sequence")
    assert names == ["Animation", "Layout", "WT Scene Layout <tag>"]


def test_055_get_task_by_name_is_absent_from_gazu():
    assert load_recording(55)["status"] == "missing"
    assert not hasattr(gazu.task, "get_task_by_name")


def test_056_get_task_by_entity(tracking):
    call = check_result(tracking, "task.get_task_by_entity")
    assert call.result["id"] == tracking.task("asset")["id"]


def test_057_get_task_by_entity_none(tracking):
    call = check(tracking, "task.get_task_by_entity_none")
    assert call.result is None


# --------------------------------------------------------------------------
# 058-063: assignation, status changes, comments
# --------------------------------------------------------------------------


def test_058_assign_tasks_to_person(tracking):
    """PUT /actions/persons/{id}/assign {"task_ids"} -> 200, the updated
    tasks with ``assignees``; the assigner becomes the current user."""
    rows = check_task_rows(tracking, "task.assign_tasks_to_person")
    assert sorted(rows) == ["anim", "layout", "seq"]
    for row in rows.values():
        assert row["assignees"] == [tracking.production.artist["id"]]
        assert row["assigner_id"] == tracking.admin_id


def assert_comment(comment, task, status, person_id, text):
    assert comment["type"] == "Comment"
    assert comment["object_id"] == task["id"]
    assert comment["object_type"] == "Task"
    assert comment["task_status_id"] == status["id"]
    assert comment["task_status"]["id"] == status["id"]
    assert comment["person_id"] == person_id
    assert comment["person"]["id"] == person_id
    assert comment["text"] == text


def test_059_start_task(tracking):
    """GET /data/task-status?short_name=wip, then POST
    /actions/tasks/{id}/comment {"task_status_id", "comment": "", ...} ->
    201, the Comment (with task_status, person, mentions, ...)."""
    call = check_result(tracking, "task.start_task")
    assert call.exchanges[1].request_json == {
        "task_status_id": tracking.status["wip"]["id"],
        "comment": "",
        "checklist": [],
        "links": [],
        "for_client": False,
    }
    assert_comment(call.result, tracking.task("anim"), tracking.status["wip"], tracking.admin_id, "")


def test_060_start_task_for_person(tracking):
    """``person=`` adds ``person_id``: the comment is the artist's."""
    call = check_result(tracking, "task.start_task_person")
    assert call.exchanges[1].request_json["person_id"] == tracking.production.artist["id"]
    assert_comment(
        call.result, tracking.task("layout"), tracking.status["wip"], tracking.production.artist["id"], ""
    )


def test_061_get_task_after_start(tracking):
    """The status change set task_status_id, last_comment_date and (first
    move to wip) real_start_date; /full adds ``assigner`` once set, and
    sequence/episode for a shot task."""
    call = check_result(tracking, "task.get_task_after_start")
    task = call.result
    assert task["task_status_id"] == tracking.status["wip"]["id"]
    assert kind_of(task["real_start_date"]) == "datetime"
    assert kind_of(task["last_comment_date"]) == "datetime"
    assert task["end_date"] is None and task["done_date"] is None
    assert task["assigner"]["id"] == tracking.admin_id
    assert task["sequence"]["id"] == tracking.production.sequence["id"]
    assert task["episode"]["id"] == tracking.production.episode["id"]
    assert task["entity"]["type"] == "Entity"
    assert task["sequence"]["type"] == "Sequence" and task["episode"]["type"] == "Episode"


def test_062_add_comment_waiting_for_approval(tracking):
    """add_comment with a feedback-request status -> 201; the task gets the
    status and an end_date; real_start_date is kept."""
    call = check_result(tracking, "task.add_comment_wfa")
    assert call.exchanges[0].request_json["comment"] == "please review"
    assert_comment(call.result, tracking.task("anim"), tracking.status["wfa"], tracking.admin_id, "please review")
    before = tracking.result("task.get_task_after_start")
    after = tracking.result("check.anim_after_wfa")
    assert after["task_status_id"] == tracking.status["wfa"]["id"]
    assert kind_of(after["end_date"]) == "datetime"
    assert after["real_start_date"] == before["real_start_date"]
    assert after["done_date"] is None


def test_063_all_comments_for_task(tracking):
    """GET /data/tasks/{id}/comments: newest first, with short person and
    task_status dicts."""
    call = check(tracking, "task.all_comments_for_task", compare_responses=False)
    recorded = recorded_response(load_recording(63))
    assert len(call.result) == len(recorded) == 2
    for index, (ours, theirs) in enumerate(zip(call.result, recorded)):
        assert_same_shape(ours, theirs, path=f"[{index}]", order="all")
    assert [c["text"] for c in call.result] == ["please review", ""]
    assert [c["task_status"]["short_name"] for c in call.result] == ["wfa", "wip"]


# --------------------------------------------------------------------------
# 064-072: project-wide lists, open tasks, to-do
# --------------------------------------------------------------------------


def test_064_all_tasks_is_absent_from_gazu():
    assert load_recording(64)["status"] == "missing"
    assert not hasattr(gazu.task, "all_tasks")


def test_065_all_tasks_for_project(tracking):
    """GET /data/projects/{id}/tasks: a plain list, tasks + ``assignees``."""
    rows = check_task_rows(tracking, "task.all_tasks_for_project")
    assert len(rows) == 6
    for row in rows.values():
        assert list(row)[-5:] == ["assignees", "id", "created_at", "updated_at", "type"]
    assert rows["asset"]["assignees"] == [tracking.production.artist["id"]]


def test_066_all_tasks_for_project_filtered(tracking):
    """?task_type_id&episode_id: the Animation tasks of E01's shots."""
    rows = check_task_rows(tracking, "task.all_tasks_for_project_filtered")
    assert sorted(rows) == ["anim", "anim2"]


OPEN_TASK_NULLABLE = {"done_date"}


def test_067_all_open_tasks(tracking, gazu_admin, api_url):
    """GET /data/tasks/open-tasks: an envelope {data, stats: {total,
    total_duration, total_estimation, status}, limit, is_more, page}; the
    rows are to-do-like task dicts (open projects only)."""
    call = check(tracking, "task.all_open_tasks", compare_responses=False)
    recorded = recorded_response(load_recording(67))
    answer = call.result
    assert set(answer) == set(recorded)
    assert_same_shape({k: v for k, v in answer.items() if k != "data"}, {k: v for k, v in recorded.items() if k != "data"})
    assert answer["limit"] == 100 and answer["page"] == 1
    rows = {r["id"]: r for r in answer["data"]}
    mine = [tid for tid in tracking.roles if tid in rows]
    if len(mine) < 6 and answer["is_more"]:
        # Other modules' projects come first: look at this project only.
        more = gazu.client.get("data/tasks/open-tasks", params={"project_id": tracking.production.project["id"]})
        rows.update({r["id"]: r for r in more["data"]})
    assert set(tracking.roles) <= set(rows), "the walkthrough's tasks are not all listed"
    anim = rows[tracking.task("anim")["id"]]
    assert_same_shape(anim, recorded["data"][0], path="[anim]", nullable=OPEN_TASK_NULLABLE)
    for task_id, role in tracking.roles.items():
        assert list(rows[task_id]) == list(recorded["data"][0]), f"[{role}] keys differ"
    assert anim["status_short_name"] == "wfa" and anim["type_name"] == "Animation"
    assert anim["project_name"] == tracking.production.project["name"]
    assert anim["sequence_name"] == "E01_SQ010" and anim["episode_name"] == "E01"


def test_068_fetch_all_tasks(tracking):
    """Raw fetch_all("tasks", {"project_id"}) -> GET /data/tasks?project_id:
    plain tasks (no ``assignees``)."""
    rows = check_task_rows(tracking, "client.fetch_all_tasks")
    assert len(rows) == 6
    assert all("assignees" not in row for row in rows.values())


def test_069_all_tasks_to_do_admin(tracking):
    """The admin has nothing assigned: []."""
    call = check(tracking, "user.all_tasks_to_do_admin")
    assert call.result == []


def test_070_artist_log_in_after_time_spent(tracking):
    """The artist logs in (recording 070): last_presence is now a date."""
    call = check_result(tracking, "log_in_artist")
    assert call.result["user"]["last_presence"] == DAY2


TODO_EXTRAS = [
    "project_name", "project_has_avatar", "entity_name", "entity_description", "entity_data",
    "entity_preview_file_id", "entity_source_id", "entity_type_name", "entity_canceled",
    "sequence_name", "episode_id", "episode_name", "task_type_for_entity", "task_estimation",
    "task_duration", "task_start_date", "task_due_date", "task_type_name", "task_status_name",
    "task_type_color", "task_status_color", "task_status_short_name", "assignees", "last_comment",
]


def check_todo_rows(tracking, label):
    rows = check_task_rows(tracking, label)
    assert sorted(rows) == ["anim", "anim2", "asset", "layout", "seq"]
    for role, row in rows.items():
        assert list(row)[-len(TODO_EXTRAS):] == TODO_EXTRAS, role
        assert row["assignees"] == [tracking.production.artist["id"]]
        assert row["entity_preview_file_id"] == "" and row["entity_source_id"] == ""
    # Missing ids come as "" (the asset has no episode).
    assert rows["asset"]["episode_id"] == "" and rows["asset"]["episode_name"] is None
    assert rows["anim"]["episode_id"] == tracking.production.episode["id"]
    assert rows["anim"]["last_comment"] == {
        "text": "please review",
        "date": rows["anim"]["last_comment_date"],
        "person_id": tracking.admin_id,
    }
    assert rows["layout"]["last_comment"]["person_id"] == tracking.production.artist["id"]
    assert rows["asset"]["last_comment"] == {}
    assert rows["asset"]["task_duration"] == 540.0
    return rows


def test_071_all_tasks_to_do_as_the_artist(tracking):
    """GET /data/user/tasks as the artist: his assigned, not-done tasks of
    open projects where he is in the team (the scene task is not his)."""
    check_todo_rows(tracking, "user.all_tasks_to_do")


def test_072_all_done_tasks(tracking):
    call = check(tracking, "user.all_done_tasks")
    assert call.result == []


def test_081_all_tasks_for_person(tracking):
    """GET /data/persons/{id}/tasks (as admin): the artist's to-do rows."""
    check_todo_rows(tracking, "task.all_tasks_for_person")


def test_082_get_task_time_spent_for_date(tracking):
    call = check_result(tracking, "task.get_task_time_spent_for_date")
    artist_id = tracking.production.artist["id"]
    assert call.result["total"] == 240.0
    assert [(r["date"], r["duration"]) for r in call.result[artist_id]] == [(DAY2, 240.0)]
