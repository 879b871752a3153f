"""Issue 18: Zou's deletion rules, driven through gazu (and plain HTTP where
gazu has no function), each answer and what remains afterwards read back
through the API as admin.

* shots, assets, edits: with tasks and without force they are only
  canceled (a second delete cancels again); with force they go with their
  tasks, comments and time spents; without tasks they go for real;
* sequences and episodes: refused while something hangs off them, unless
  forced, which takes everything below them;
* comments: removing one recomputes the task from the remaining comments
  (status, retake count, start, end, done and last comment dates);
* time spents: the task's duration follows every create, update and delete;
* tasks: forced removal takes comments and time spents; unforced removal
  is refused while time spents or comments (through the news row each
  comment makes) point at the task;
* task types, task statuses, asset types refused while in use;
* persons (with and without force), day offs, milestones, projects (only
  closed ones, with force everything they own).

Every test builds its own production (unique names), so the tests depend on
no other module and on no order.  The expected answers are those of Zou
1.0.97, checked by running this module against it
(``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import REFERENCE_IS_ZOU, ARTIST_PASSWORD, artist_client, pick_task_types, unique
from wire import record_call

TIMEOUT = 30
TODAY = datetime.date.today()

# Zou's answers to a delete that a database foreign key refuses
# (blueprints/crud/base.py turns the IntegrityError into a sanitized 400).
FK_REFUSAL = {"message": "The change conflicts with records referencing this one."}


def day(offset: int) -> str:
    return (TODAY - datetime.timedelta(days=offset)).isoformat()


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


@dataclass
class Http:
    """Plain HTTP as admin, for the routes gazu has no function for and for
    the exact status codes."""

    api_url: str
    headers: dict

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(
            method, f"{self.api_url}/{path}", headers=self.headers, timeout=TIMEOUT, **kwargs
        )

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def json(self, path, **kw):
        response = self.get(path, **kw)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def status(self, path) -> int:
        return self.get(path).status_code


@dataclass
class Work:
    """A task with comments and time spents."""

    task: dict
    comments: list[dict] = field(default_factory=list)
    time_spents: list[dict] = field(default_factory=list)

    @property
    def minutes(self) -> float:
        return sum(t["duration"] for t in self.time_spents)


@pytest.fixture(scope="module")
def kit(admin):
    """Task types, statuses by short name, the Character asset type, the
    admin's person."""
    admin.activate()
    modeling, animation, layout = pick_task_types(gazu.task.all_task_types())
    statuses = gazu.task.all_task_statuses()
    return SimpleNamespace(
        modeling=modeling,
        animation=animation,
        layout=layout,
        statuses=statuses,
        status={s["short_name"]: s for s in statuses},
        # Zou's get_default_task_status: "todo" (is_default; "neutral" is
        # the default of concepts only).
        default_status=next(s for s in statuses if s["short_name"] == "todo"),
        character=next(a for a in gazu.asset.all_asset_types() if a["name"] == "Character"),
        # Whom the tasks are assigned to and whose time is logged: a person
        # of this module's own, not the admin the other modules share (time
        # logged for him would change his `last_presence` in their
        # recorded answers).
        me=gazu.person.new_person("Del", f"Worker {unique()}", f"del.worker.{unique()}@example.com"),
    )


@pytest.fixture
def http(api_url, admin, gazu_admin) -> Http:
    return Http(api_url, admin.headers())


def new_production(kit, *, task_types=None):
    """A tvshow project with an episode, a sequence and a shot."""
    tag = unique()
    project = gazu.project.new_project(
        f"DEL {tag}",
        production_type="tvshow",
        asset_types=[kit.character],
        task_statuses=kit.statuses,
        task_types=task_types if task_types is not None else [kit.modeling, kit.animation, kit.layout],
    )
    episode = gazu.shot.new_episode(project, f"EP{tag}")
    sequence = gazu.shot.new_sequence(project, f"SQ{tag}", episode=episode)
    shot = gazu.shot.new_shot(project, sequence, f"SH{tag}", nb_frames=24)
    return SimpleNamespace(tag=tag, project=project, episode=episode, sequence=sequence, shot=shot)


def add_time(http: Http, task: dict, person: dict, date: str, minutes: float) -> dict:
    response = http.post(
        "data/time-spents",
        json={"task_id": task["id"], "person_id": person["id"], "date": date, "duration": minutes},
    )
    assert response.status_code == 201, response.text
    return response.json()


def add_work(http: Http, kit, entity: dict, task_type: dict, minutes=(30, 15)) -> Work:
    """A task assigned to the admin (time is only logged for an assignee),
    a wip then a wfa comment, one time spent per entry of ``minutes``."""
    task = gazu.task.new_task(entity, task_type, assignees=[kit.me])
    work = Work(task)
    work.comments.append(gazu.task.add_comment(task, kit.status["wip"], "started"))
    work.comments.append(gazu.task.add_comment(task, kit.status["wfa"], "please check"))
    for offset, duration in enumerate(minutes):
        work.time_spents.append(add_time(http, task, kit.me, day(offset + 1), duration))
    return work


def time_spents_of(http: Http, task_id: str) -> list[dict]:
    return http.json("data/time-spents", params={"task_id": task_id})


def assert_work_intact(http: Http, work: Work, *, read_comments: bool = True) -> None:
    """The task, its comments and its time spents are all there, and the
    task's duration is the sum of its time spents.  Zou caches a comment
    once read and its task removals leave that cache in place, so a test
    that later checks the comment is gone passes ``read_comments=False``."""
    task_id = work.task["id"]
    task = http.json(f"data/tasks/{task_id}")
    comments = gazu.task.all_comments_for_task(work.task)
    assert sorted(c["id"] for c in comments) == sorted(c["id"] for c in work.comments)
    for comment in work.comments if read_comments else []:
        assert http.status(f"data/comments/{comment['id']}") == 200
    spents = time_spents_of(http, task_id)
    assert sorted(t["id"] for t in spents) == sorted(t["id"] for t in work.time_spents)
    assert task["duration"] == work.minutes


def assert_work_gone(http: Http, work: Work) -> None:
    """The task, its comments and its time spents all answer 404."""
    assert http.status(f"data/tasks/{work.task['id']}") == 404
    for comment in work.comments:
        assert http.status(f"data/comments/{comment['id']}") == 404, comment["id"]
    for spent in work.time_spents:
        assert http.status(f"data/time-spents/{spent['id']}") == 404, spent["id"]
    assert time_spents_of(http, work.task["id"]) == []


def deleted(call, expected_force: bool):
    """The single DELETE a gazu removal made answered 204 (an empty body),
    with ``force`` in its query exactly when expected."""
    assert [e.method for e in call.exchanges] == ["DELETE"], call.describe()
    exchange = call.exchanges[0]
    assert exchange.status == 204, f"{exchange.describe()}: {exchange.text}"
    assert exchange.text == ""
    assert ("force" in exchange.query) == expected_force, exchange.query
    return exchange


def refused(response: requests.Response, status: int, body: dict) -> None:
    assert (response.status_code, response.json()) == (status, body), response.text


# --------------------------------------------------------------------------
# 1-3. Shots, assets, edits: cancel without force, delete with force
# --------------------------------------------------------------------------


def _edit_task_type(kit):
    found = [t for t in gazu.task.all_task_types() if t["for_entity"] == "Edit"]
    if found:
        return found[0]
    return gazu.task.new_task_type(f"Edit {unique()}", for_entity="Edit")


def _make_shot(kit, prod):
    return prod.shot, kit.animation, kit.layout


def _make_asset(kit, prod):
    asset = gazu.asset.new_asset(prod.project, kit.character, f"AS{prod.tag}")
    return asset, kit.modeling, None


def _make_edit(kit, prod):
    edit = gazu.edit.new_edit(prod.project, f"ED{prod.tag}")
    return edit, _edit_task_type(kit), None


KINDS = {
    # kind: (make, gazu removal, read path)
    "shot": (_make_shot, gazu.shot.remove_shot, "data/shots"),
    "asset": (_make_asset, gazu.asset.remove_asset, "data/assets"),
    # Fennec: edits are created through POST /data/projects/{id}/edits
    # (gazu.edit.new_edit); if that route is missing there, these fail at
    # the creation step.
    "edit": (_make_edit, gazu.edit.remove_edit, "data/edits"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_remove_entity_with_tasks_only_cancels_it(kind, kit, http):
    make, remove, path = KINDS[kind]
    prod = new_production(kit)
    entity, task_type, second_type = make(kit, prod)
    works = [add_work(http, kit, entity, task_type)]
    if second_type is not None:
        works.append(add_work(http, kit, entity, second_type, minutes=(45,)))

    deleted(record_call(remove, entity), expected_force=False)

    read = http.json(f"{path}/{entity['id']}")
    assert read["canceled"] is True
    task_ids = sorted(t["id"] for t in http.json(f"{path}/{entity['id']}/tasks"))
    assert task_ids == sorted(w.task["id"] for w in works)
    for work in works:
        assert_work_intact(http, work)

    # A second delete without force (remove_shot/asset/edit): the entity
    # is canceled again, not deleted, and its work stays.
    deleted(record_call(remove, entity), expected_force=False)
    assert http.json(f"{path}/{entity['id']}")["canceled"] is True
    for work in works:
        assert_work_intact(http, work)


@pytest.mark.parametrize("kind", list(KINDS))
def test_remove_entity_with_force_takes_its_work(kind, kit, http):
    make, remove, path = KINDS[kind]
    prod = new_production(kit)
    entity, task_type, second_type = make(kit, prod)
    works = [add_work(http, kit, entity, task_type)]
    if second_type is not None:
        works.append(add_work(http, kit, entity, second_type, minutes=(45,)))
    # Another entity's work in the same project is left alone.
    other = gazu.shot.new_shot(prod.project, prod.sequence, f"SHO{prod.tag}")
    bystander = add_work(http, kit, other, kit.animation, minutes=(10,))

    deleted(record_call(remove, entity, force=True), expected_force=True)

    assert http.status(f"{path}/{entity['id']}") == 404
    for work in works:
        assert_work_gone(http, work)
    assert_work_intact(http, bystander)


@pytest.mark.parametrize("kind", list(KINDS))
def test_remove_canceled_entity_with_force_deletes_it(kind, kit, http):
    make, remove, path = KINDS[kind]
    prod = new_production(kit)
    entity, task_type, _ = make(kit, prod)
    work = add_work(http, kit, entity, task_type)
    deleted(record_call(remove, entity), expected_force=False)
    assert http.json(f"{path}/{entity['id']}")["canceled"] is True

    deleted(record_call(remove, entity, force=True), expected_force=True)
    assert http.status(f"{path}/{entity['id']}") == 404
    assert_work_gone(http, work)


@pytest.mark.parametrize("kind", list(KINDS))
def test_remove_entity_without_tasks_deletes_it(kind, kit, http):
    make, remove, path = KINDS[kind]
    prod = new_production(kit)
    entity, _, _ = make(kit, prod)
    assert http.json(f"{path}/{entity['id']}")["canceled"] is False

    deleted(record_call(remove, entity), expected_force=False)
    assert http.status(f"{path}/{entity['id']}") == 404


NOT_FOUND = {
    "error": True,
    "message": "404 Not Found: The requested URL was not found on the server. "
    "If you entered the URL manually please check your spelling and try again.",
}


def test_remove_missing_shot_is_404(kit, http):
    prod = new_production(kit)
    gazu.shot.remove_shot(prod.shot, force=True)
    refused(http.delete(f"data/shots/{prod.shot['id']}"), 404, NOT_FOUND)
    refused(http.delete(f"data/shots/{prod.shot['id']}", params={"force": "true"}), 404, NOT_FOUND)
    # Not a 400 "Malformed ID": the shot route looks the id up as it is.
    refused(http.delete("data/shots/not-an-id"), 404, NOT_FOUND)


# --------------------------------------------------------------------------
# 4. Sequences and episodes
# --------------------------------------------------------------------------


def test_remove_sequence_with_shots_without_force_is_refused(kit, http):
    prod = new_production(kit)
    work = add_work(http, kit, prod.shot, kit.animation)

    response = http.delete(f"data/sequences/{prod.sequence['id']}")
    refused(response, 400, {"error": True, "message": "Some data are still linked to this sequence."})
    # Through gazu: its ParameterException.
    with pytest.raises(gazu.exception.ParameterException):
        gazu.shot.remove_sequence(prod.sequence)

    assert http.status(f"data/sequences/{prod.sequence['id']}") == 200
    shot = http.json(f"data/shots/{prod.shot['id']}")
    assert shot["canceled"] is False
    assert_work_intact(http, work)


def test_remove_sequence_with_force_takes_everything_below(kit, http):
    prod = new_production(kit)
    shot2 = gazu.shot.new_shot(prod.project, prod.sequence, f"SH2{prod.tag}")
    works = [
        add_work(http, kit, prod.shot, kit.animation),
        add_work(http, kit, prod.shot, kit.layout, minutes=(20,)),
        add_work(http, kit, shot2, kit.animation, minutes=(5, 6, 7)),
    ]
    # A shot of another sequence stays.
    other_seq = gazu.shot.new_sequence(prod.project, f"SQO{prod.tag}", episode=prod.episode)
    other_shot = gazu.shot.new_shot(prod.project, other_seq, f"SHO{prod.tag}")
    bystander = add_work(http, kit, other_shot, kit.animation, minutes=(10,))

    deleted(record_call(gazu.shot.remove_sequence, prod.sequence, force=True), expected_force=True)

    assert http.status(f"data/sequences/{prod.sequence['id']}") == 404
    assert http.status(f"data/shots/{prod.shot['id']}") == 404
    assert http.status(f"data/shots/{shot2['id']}") == 404
    for work in works:
        assert_work_gone(http, work)
    assert http.status(f"data/sequences/{other_seq['id']}") == 200
    assert_work_intact(http, bystander)


def test_remove_empty_sequence_without_force_deletes_it(kit, http):
    prod = new_production(kit)
    empty = gazu.shot.new_sequence(prod.project, f"SQE{prod.tag}", episode=prod.episode)
    deleted(record_call(gazu.shot.remove_sequence, empty), expected_force=False)
    assert http.status(f"data/sequences/{empty['id']}") == 404


def test_remove_episode_with_sequences_without_force_is_refused(kit, http):
    prod = new_production(kit)
    work = add_work(http, kit, prod.shot, kit.animation)

    response = http.delete(f"data/episodes/{prod.episode['id']}")
    refused(response, 400, {"error": True, "message": "Some data are still linked to this episode."})
    with pytest.raises(gazu.exception.ParameterException):
        gazu.shot.remove_episode(prod.episode)

    assert http.status(f"data/episodes/{prod.episode['id']}") == 200
    assert http.status(f"data/sequences/{prod.sequence['id']}") == 200
    assert http.status(f"data/shots/{prod.shot['id']}") == 200
    assert_work_intact(http, work)


def test_remove_episode_with_force_takes_everything_below(kit, http):
    prod = new_production(kit)
    seq2 = gazu.shot.new_sequence(prod.project, f"SQ2{prod.tag}", episode=prod.episode)
    shot2 = gazu.shot.new_shot(prod.project, seq2, f"SH2{prod.tag}")
    works = [
        add_work(http, kit, prod.shot, kit.animation),
        add_work(http, kit, shot2, kit.layout, minutes=(12,)),
    ]
    other_ep = gazu.shot.new_episode(prod.project, f"EPO{prod.tag}")
    other_seq = gazu.shot.new_sequence(prod.project, f"SQO{prod.tag}", episode=other_ep)
    other_shot = gazu.shot.new_shot(prod.project, other_seq, f"SHO{prod.tag}")
    bystander = add_work(http, kit, other_shot, kit.animation, minutes=(10,))

    deleted(record_call(gazu.shot.remove_episode, prod.episode, force=True), expected_force=True)

    assert http.status(f"data/episodes/{prod.episode['id']}") == 404
    for sequence in (prod.sequence, seq2):
        assert http.status(f"data/sequences/{sequence['id']}") == 404
    for shot in (prod.shot, shot2):
        assert http.status(f"data/shots/{shot['id']}") == 404
    for work in works:
        assert_work_gone(http, work)
    assert http.status(f"data/episodes/{other_ep['id']}") == 200
    assert_work_intact(http, bystander)


def test_remove_empty_episode_without_force_deletes_it(kit, http):
    prod = new_production(kit)
    empty = gazu.shot.new_episode(prod.project, f"EPE{prod.tag}")
    deleted(record_call(gazu.shot.remove_episode, empty), expected_force=False)
    assert http.status(f"data/episodes/{empty['id']}") == 404


# --------------------------------------------------------------------------
# 5. Removing a comment recomputes the task
# --------------------------------------------------------------------------


def _comment(task, status, text):
    # The dates compared below are on the wire to the second: one comment
    # per second keeps them apart.
    time.sleep(1.05)
    return gazu.task.add_comment(task, status, text)


def _created_at(task, comment) -> str:
    """The comment's created_at as the comment list answers it."""
    return next(c for c in gazu.task.all_comments_for_task(task) if c["id"] == comment["id"])["created_at"]


def _derived(http, task) -> dict:
    row = http.json(f"data/tasks/{task['id']}")
    keys = ("task_status_id", "retake_count", "real_start_date", "end_date", "done_date",
            "last_comment_date", "duration")
    return {k: row[k] for k in keys}


def test_remove_last_comment_recomputes_the_task(kit, http):
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.animation, assignees=[kit.me])
    add_time(http, task, kit.me, day(1), 25)
    wip = _comment(task, kit.status["wip"], "started")
    wfa = _comment(task, kit.status["wfa"], "please check")
    before = _derived(http, task)
    assert before["task_status_id"] == kit.status["wfa"]["id"]
    wip_at = _created_at(task, wip)

    deleted(record_call(gazu.task.remove_comment, wfa), expected_force=False)

    assert http.status(f"data/comments/{wfa['id']}") == 404
    assert [c["id"] for c in gazu.task.all_comments_for_task(task)] == [wip["id"]]
    assert _derived(http, task) == {
        "task_status_id": kit.status["wip"]["id"],
        "retake_count": 0,
        "real_start_date": wip_at,
        "end_date": None,
        "done_date": None,
        "last_comment_date": wip_at,
        "duration": 25.0,
    }


def test_remove_only_comment_returns_the_task_to_the_default_status(kit, http):
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.animation)
    comment = gazu.task.add_comment(task, kit.status["wip"], "started")
    assert http.json(f"data/tasks/{task['id']}")["real_start_date"] is not None

    deleted(record_call(gazu.task.remove_comment, comment), expected_force=False)

    assert gazu.task.all_comments_for_task(task) == []
    assert _derived(http, task) == {
        "task_status_id": kit.default_status["id"],
        "retake_count": 0,
        "real_start_date": None,
        "end_date": None,
        "done_date": None,
        "last_comment_date": None,
        "duration": 0.0,
    }
    assert kit.default_status["is_default"] is True


def test_remove_last_retake_counts_one_retake_less(kit, http):
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.animation)
    status = kit.status
    first = _comment(task, status["wip"], "go")
    _comment(task, status["retake"], "no")
    second_wip = _comment(task, status["wip"], "again")
    last_retake = _comment(task, status["retake"], "still no")
    assert http.json(f"data/tasks/{task['id']}")["retake_count"] == 2

    gazu.task.remove_comment(last_retake)

    assert _derived(http, task) == {
        "task_status_id": status["wip"]["id"],
        "retake_count": 1,
        "real_start_date": _created_at(task, first),
        "end_date": None,
        "done_date": None,
        "last_comment_date": _created_at(task, second_wip),
        "duration": 0.0,
    }


def test_remove_done_comment_keeps_the_first_feedback_request_date(kit, http):
    """wip, wfa, retake, wfa, done: end_date is the first wfa, done_date the
    done comment; removing the done comment clears done_date only."""
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.layout)
    status = kit.status
    wip = _comment(task, status["wip"], "go")
    first_wfa = _comment(task, status["wfa"], "check")
    _comment(task, status["retake"], "no")
    last_wfa = _comment(task, status["wfa"], "check again")
    done = _comment(task, status["done"], "ok")

    gazu.task.remove_comment(done)

    assert _derived(http, task) == {
        "task_status_id": status["wfa"]["id"],
        "retake_count": 1,
        "real_start_date": _created_at(task, wip),
        "end_date": _created_at(task, first_wfa),
        "done_date": None,
        "last_comment_date": _created_at(task, last_wfa),
        "duration": 0.0,
    }


def test_remove_middle_comment_recomputes_from_the_others(kit, http):
    """Removing a comment that is not the last one: the status stays the
    last comment's, the retake it made is no longer counted."""
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.layout)
    status = kit.status
    _comment(task, status["wip"], "go")
    retake = _comment(task, status["retake"], "no")
    last = _comment(task, status["wip"], "again")
    assert http.json(f"data/tasks/{task['id']}")["retake_count"] == 1

    gazu.task.remove_comment(retake)

    derived = _derived(http, task)
    assert derived["task_status_id"] == status["wip"]["id"]
    assert derived["retake_count"] == 0
    assert derived["last_comment_date"] == _created_at(task, last)


# --------------------------------------------------------------------------
# 6. Time spents and the task's duration
# --------------------------------------------------------------------------


def _assert_duration(http, task, expected):
    row = http.json(f"data/tasks/{task['id']}")
    spents = time_spents_of(http, task["id"])
    assert row["duration"] == expected
    assert sum(t["duration"] for t in spents) == expected


def test_time_spent_crud_keeps_the_task_duration(kit, http):
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.animation, assignees=[kit.me])
    gazu.task.add_time_spent(task, kit.me, day(2), 30)
    _assert_duration(http, task, 30)

    created = add_time(http, task, kit.me, day(1), 600)
    _assert_duration(http, task, 630)

    response = http.put(f"data/time-spents/{created['id']}", json={"duration": 60})
    assert response.status_code == 200, response.text
    assert response.json()["duration"] == 60
    _assert_duration(http, task, 90)

    gazu.task.set_time_spent(task, kit.me, day(2), 45)
    _assert_duration(http, task, 105)

    response = http.delete(f"data/time-spents/{created['id']}")
    assert (response.status_code, response.text) == (204, "")
    assert http.status(f"data/time-spents/{created['id']}") == 404
    _assert_duration(http, task, 45)

    [remaining] = time_spents_of(http, task["id"])
    deleted(record_call(gazu.task.remove_time_spent, remaining), expected_force=False)
    _assert_duration(http, task, 0)


def test_removing_a_days_time_keeps_the_task_duration(kit, http):
    """DELETE /actions/tasks/{id}/time-spents/{date}/persons/{person}: Zou
    answers the removed time spent, its duration zeroed, with a 201."""
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.animation, assignees=[kit.me])
    gazu.task.add_time_spent(task, kit.me, day(1), 30)
    gazu.task.add_time_spent(task, kit.me, day(2), 20)
    path = f"actions/tasks/{task['id']}/time-spents/{day(1)}/persons/{kit.me['id']}"

    response = http.delete(path)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["duration"], body["date"], body["task_id"]) == (0, day(1), task["id"])
    _assert_duration(http, task, 20)
    assert [t["date"] for t in time_spents_of(http, task["id"])] == [day(2)]

    # Nothing left that day: Zou's TimeSpentNotFound, a 404.
    assert http.delete(path).status_code == 404
    refused(http.delete(f"actions/tasks/{task['id']}/time-spents/2026-13-45/persons/{kit.me['id']}"),
            400, {"error": True, "message": "Invalid date format.", "data": None})
    _assert_duration(http, task, 20)


# --------------------------------------------------------------------------
# 7. Tasks
# --------------------------------------------------------------------------


def test_remove_task_takes_its_comments_and_time(kit, http):
    prod = new_production(kit)
    work = add_work(http, kit, prod.shot, kit.animation)
    sibling = add_work(http, kit, prod.shot, kit.layout, minutes=(9,))
    assert http.json(f"data/tasks/{work.task['id']}")["assignees"] == [kit.me["id"]]

    deleted(record_call(gazu.task.remove_task, work.task), expected_force=True)

    assert_work_gone(http, work)
    assert [t["id"] for t in gazu.task.all_tasks_for_shot(prod.shot)] == [sibling.task["id"]]
    assert_work_intact(http, sibling)
    assert http.json(f"data/shots/{prod.shot['id']}")["canceled"] is False


def _assert_raw_integrity_refusal(response) -> None:
    """Zou's task route answers the IntegrityError's own text (the SQL
    statement and its parameters) in ``{"message": ...}``: only the status
    and the presence of a message are asserted."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert list(body) == ["message"] and body["message"]


def test_remove_task_with_time_without_force_is_refused(kit, http):
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.animation, assignees=[kit.me])
    work = Work(task, time_spents=[add_time(http, task, kit.me, day(1), 40)])

    _assert_raw_integrity_refusal(http.delete(f"data/tasks/{task['id']}"))

    assert_work_intact(http, work)


def test_remove_task_with_comments_only_without_force_is_refused(kit, http):
    """A comment also makes a news row that points at the task with a
    foreign key: the unforced delete is refused, and the comments stay."""
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.animation)
    work = Work(task, comments=[gazu.task.add_comment(task, kit.status["wip"], "started")])

    _assert_raw_integrity_refusal(http.delete(f"data/tasks/{task['id']}"))

    assert_work_intact(http, work)
    assert http.json(f"data/tasks/{task['id']}")["task_status_id"] == kit.status["wip"]["id"]


def test_remove_task_without_anything_without_force(kit, http):
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.animation, assignees=[kit.me])
    response = http.delete(f"data/tasks/{task['id']}")
    assert (response.status_code, response.text) == (204, "")
    assert http.status(f"data/tasks/{task['id']}") == 404


# --------------------------------------------------------------------------
# 8. Task types, task statuses, asset types in use
# --------------------------------------------------------------------------


def test_remove_task_type_linked_to_a_project(kit, http):
    task_type = gazu.task.new_task_type(f"TT {unique()}", for_entity="Shot")
    prod = new_production(kit, task_types=[kit.animation, task_type])
    assert task_type["id"] in http.json(f"data/projects/{prod.project['id']}")["task_types"]

    response = http.delete(f"data/task-types/{task_type['id']}")
    refused(response, 400, {
        "error": True,
        "message": "Task type is attached to projects. Re-issue the request with force=true to detach.",
        "data": None,
    })
    assert http.status(f"data/task-types/{task_type['id']}") == 200
    assert task_type["id"] in http.json(f"data/projects/{prod.project['id']}")["task_types"]

    # With force: detached from the project, then deleted.
    response = http.delete(f"data/task-types/{task_type['id']}", params={"force": "true"})
    assert (response.status_code, response.text) == (204, "")
    assert http.status(f"data/task-types/{task_type['id']}") == 404
    assert task_type["id"] not in http.json(f"data/projects/{prod.project['id']}")["task_types"]


def test_remove_task_type_with_tasks_is_refused_even_with_force(kit, http):
    task_type = gazu.task.new_task_type(f"TT {unique()}", for_entity="Shot")
    prod = new_production(kit, task_types=[kit.animation, task_type])
    work = add_work(http, kit, prod.shot, task_type)

    response = http.delete(f"data/task-types/{task_type['id']}", params={"force": "true"})
    refused(response, 400, FK_REFUSAL)

    assert http.status(f"data/task-types/{task_type['id']}") == 200
    # The detachment was rolled back with the refused delete.
    assert task_type["id"] in http.json(f"data/projects/{prod.project['id']}")["task_types"]
    assert_work_intact(http, work)


def test_remove_task_type_with_tasks_not_linked_is_refused(kit, http):
    task_type = gazu.task.new_task_type(f"TT {unique()}", for_entity="Shot")
    prod = new_production(kit)  # the type is not one of the project's
    task = gazu.task.new_task(prod.shot, task_type)

    response = http.delete(f"data/task-types/{task_type['id']}")
    refused(response, 400, FK_REFUSAL)
    assert http.status(f"data/task-types/{task_type['id']}") == 200
    assert http.status(f"data/tasks/{task['id']}") == 200


def test_remove_unused_task_type(kit, http):
    task_type = gazu.task.new_task_type(f"TT {unique()}", for_entity="Shot")
    response = http.delete(f"data/task-types/{task_type['id']}")
    assert (response.status_code, response.text) == (204, "")
    assert http.status(f"data/task-types/{task_type['id']}") == 404


def test_remove_task_status_in_use_is_refused(kit, http):
    tag = unique()
    task_status = gazu.task.new_task_status(f"TS {tag}", f"ts{tag[:4]}", "#112233")
    prod = new_production(kit)
    task = gazu.task.new_task(prod.shot, kit.animation)
    response = http.put(f"data/tasks/{task['id']}", json={"task_status_id": task_status["id"]})
    assert response.status_code == 200, response.text

    response = http.delete(f"data/task-status/{task_status['id']}")
    refused(response, 400, FK_REFUSAL)
    assert http.status(f"data/task-status/{task_status['id']}") == 200
    assert http.json(f"data/tasks/{task['id']}")["task_status_id"] == task_status["id"]

    # No longer used: deleted.
    response = http.put(f"data/tasks/{task['id']}", json={"task_status_id": kit.default_status["id"]})
    assert response.status_code == 200, response.text
    response = http.delete(f"data/task-status/{task_status['id']}")
    assert (response.status_code, response.text) == (204, "")
    assert http.status(f"data/task-status/{task_status['id']}") == 404


def test_remove_asset_type_with_assets_is_refused(kit, http):
    asset_type = gazu.asset.new_asset_type(f"AT {unique()}")
    prod = new_production(kit)
    asset = gazu.asset.new_asset(prod.project, asset_type, f"AS{prod.tag}")

    response = http.delete(f"data/entity-types/{asset_type['id']}")
    refused(response, 400, FK_REFUSAL)
    assert http.status(f"data/entity-types/{asset_type['id']}") == 200
    assert http.json(f"data/assets/{asset['id']}")["entity_type_id"] == asset_type["id"]

    # Once its asset is gone, the type goes.
    gazu.asset.remove_asset(asset)
    deleted(record_call(gazu.asset.remove_asset_type, asset_type), expected_force=False)
    assert http.status(f"data/entity-types/{asset_type['id']}") == 404


# --------------------------------------------------------------------------
# 9. Persons, day offs, milestones
# --------------------------------------------------------------------------


def _artist_with_work(kit, http, api_url, prod):
    tag = unique()
    email = f"del.artist.{tag}@example.com"
    artist = gazu.person.new_person("Del", f"Artist {tag}", email, role="user", password=ARTIST_PASSWORD)
    gazu.project.add_person_to_team(prod.project, artist)
    task = gazu.task.new_task(prod.shot, kit.animation, assignees=[artist, kit.me])
    client = artist_client(api_url, email)
    comment = gazu.task.add_comment(task, kit.status["wip"], "my work", client=client)
    mine = add_time(http, task, artist, day(1), 120)
    admins = add_time(http, task, kit.me, day(1), 30)
    return artist, task, comment, mine, admins


def test_remove_person_with_work_without_force_is_refused(kit, http, api_url):
    prod = new_production(kit)
    artist, task, comment, mine, admins = _artist_with_work(kit, http, api_url, prod)

    response = http.delete(f"data/persons/{artist['id']}")
    refused(response, 400, {"error": True, "message": "Some data are still linked to given person."})

    assert http.status(f"data/persons/{artist['id']}") == 200
    assert http.status(f"data/comments/{comment['id']}") == 200
    assert http.status(f"data/time-spents/{mine['id']}") == 200
    row = http.json(f"data/tasks/{task['id']}")
    assert sorted(row["assignees"]) == sorted([artist["id"], kit.me["id"]])
    assert row["duration"] == 150


def test_remove_person_with_force_takes_their_comments_and_time(kit, http, api_url):
    prod = new_production(kit)
    artist, task, comment, mine, admins = _artist_with_work(kit, http, api_url, prod)
    before = http.json(f"data/tasks/{task['id']}")
    assert before["task_status_id"] == kit.status["wip"]["id"]

    deleted(record_call(gazu.person.remove_person, artist, force=True), expected_force=True)

    assert http.status(f"data/persons/{artist['id']}") == 404
    assert http.status(f"data/comments/{comment['id']}") == 404
    assert http.status(f"data/time-spents/{mine['id']}") == 404
    assert [t["id"] for t in time_spents_of(http, task["id"])] == [admins["id"]]
    row = http.json(f"data/tasks/{task['id']}")
    assert row["assignees"] == [kit.me["id"]]
    assert artist["id"] not in http.json(f"data/projects/{prod.project['id']}")["team"]
    assert before["duration"] == 150
    if REFERENCE_IS_ZOU:
        # Zou removes the comments and time spents without recomputing the
        # task: its status, dates and duration are those from before.
        assert row["duration"] == before["duration"]
        assert row["task_status_id"] == before["task_status_id"]
        assert row["last_comment_date"] == before["last_comment_date"]
    else:
        # Fennec recomputes the task (CONTRACT.md, deliberate differences):
        # the duration is the sum of the time left, and with the artist's
        # only comment gone the task is back on the default status.
        assert row["duration"] == admins["duration"] == 30
        assert row["task_status_id"] == kit.default_status["id"]
        assert row["last_comment_date"] is None


def test_remove_person_without_work_without_force(kit, http):
    tag = unique()
    person = gazu.person.new_person("Del", f"Idle {tag}", f"del.idle.{tag}@example.com")
    deleted(record_call(gazu.person.remove_person, person), expected_force=False)
    assert http.status(f"data/persons/{person['id']}") == 404


def test_remove_day_off(kit, http):
    tag = unique()
    person = gazu.person.new_person("Del", f"Off {tag}", f"del.off.{tag}@example.com")
    day_off = gazu.person.new_day_off(person, "2031-03-03", "2031-03-04")
    assert http.status(f"data/day-offs/{day_off['id']}") == 200

    deleted(record_call(gazu.person.remove_day_off, day_off), expected_force=False)
    assert http.status(f"data/day-offs/{day_off['id']}") == 404
    assert http.status(f"data/persons/{person['id']}") == 200


def test_remove_milestone(kit, http):
    prod = new_production(kit)
    response = http.post("data/milestones", json={
        "project_id": prod.project["id"], "task_type_id": kit.animation["id"],
        "name": "first cut", "date": "2031-05-01",
    })
    assert response.status_code == 201, response.text
    milestone = response.json()

    response = http.delete(f"data/milestones/{milestone['id']}")
    assert (response.status_code, response.text) == (204, "")
    assert http.status(f"data/milestones/{milestone['id']}") == 404
    assert http.status(f"data/projects/{prod.project['id']}") == 200


# --------------------------------------------------------------------------
# 10. Projects
# --------------------------------------------------------------------------


OPEN_PROJECT_REFUSAL = {"error": True, "message": "Only closed projects can be deleted"}


def test_remove_open_project_is_refused(kit, http):
    prod = new_production(kit)
    work = add_work(http, kit, prod.shot, kit.animation)

    refused(http.delete(f"data/projects/{prod.project['id']}"), 400, OPEN_PROJECT_REFUSAL)
    refused(http.delete(f"data/projects/{prod.project['id']}", params={"force": "true"}),
            400, OPEN_PROJECT_REFUSAL)
    with pytest.raises(gazu.exception.ParameterException):
        gazu.project.remove_project(prod.project, force=True)

    assert http.status(f"data/projects/{prod.project['id']}") == 200
    assert http.status(f"data/shots/{prod.shot['id']}") == 200
    assert_work_intact(http, work)


def test_remove_closed_project_with_force_takes_everything(kit, http):
    prod = new_production(kit)
    asset = gazu.asset.new_asset(prod.project, kit.character, f"AS{prod.tag}")
    works = [
        add_work(http, kit, prod.shot, kit.animation),
        add_work(http, kit, asset, kit.modeling, minutes=(8,)),
    ]
    # Its settings go too: a custom field and a budget.
    descriptor = gazu.project.add_metadata_descriptor(prod.project, f"Look {prod.tag}", "Shot")
    budget = gazu.project.create_budget(prod.project, f"Budget {prod.tag}")
    # Another project's work stays.
    other = new_production(kit)
    bystander = add_work(http, kit, other.shot, kit.animation, minutes=(10,))

    gazu.project.close_project(prod.project)
    deleted(record_call(gazu.project.remove_project, prod.project, force=True), expected_force=True)

    assert http.status(f"data/projects/{prod.project['id']}") == 404
    descriptors = http.json("data/metadata-descriptors", params={"project_id": prod.project["id"]})
    assert descriptor["id"] not in [d["id"] for d in descriptors]
    assert budget["id"]
    for path in (f"data/episodes/{prod.episode['id']}", f"data/sequences/{prod.sequence['id']}",
                 f"data/shots/{prod.shot['id']}", f"data/assets/{asset['id']}"):
        assert http.status(path) == 404, path
    for work in works:
        assert_work_gone(http, work)
    assert_work_intact(http, bystander)


def test_remove_closed_empty_project_without_force(kit, http):
    project = gazu.project.new_project(f"DEL empty {unique()}", production_type="featurefilm")
    gazu.project.close_project(project)
    deleted(record_call(gazu.project.remove_project, project), expected_force=False)
    assert http.status(f"data/projects/{project['id']}") == 404


# --------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------


FORBIDDEN = {
    "error": True,
    "message": "You don't have the permission to access the requested resource. "
    "It is either read-protected or not readable by the server.",
}


def test_artist_cannot_remove_a_shot_he_did_not_create(kit, http, api_url):
    prod = new_production(kit)
    work = add_work(http, kit, prod.shot, kit.animation)
    tag = unique()
    email = f"del.perm.{tag}@example.com"
    artist = gazu.person.new_person("Del", f"Perm {tag}", email, role="user", password=ARTIST_PASSWORD)
    gazu.project.add_person_to_team(prod.project, artist)
    client = artist_client(api_url, email)

    for force in (False, True):
        with pytest.raises(gazu.exception.NotAllowedException) as raised:
            record_call(gazu.shot.remove_shot, prod.shot, force=force, client=client)
        [exchange] = raised.value.exchanges
        assert (exchange.status, exchange.response) == (403, FORBIDDEN)

    shot = http.json(f"data/shots/{prod.shot['id']}")
    assert shot["canceled"] is False
    assert_work_intact(http, work)


# --------------------------------------------------------------------------
# Bulk removals: tasks of a batch or of a type, entities
# --------------------------------------------------------------------------


def test_remove_tasks_batch_takes_their_work(kit, http):
    prod = new_production(kit)
    first = add_work(http, kit, prod.shot, kit.animation)
    second = add_work(http, kit, prod.shot, kit.layout)
    other = new_production(kit)
    elsewhere = add_work(http, kit, other.shot, kit.animation)

    ids = [first.task["id"], elsewhere.task["id"]]
    answer = gazu.task.remove_tasks_batch(prod.project, ids)
    # Zou answers the ids it was sent; another production's task stays.
    assert answer == ids
    assert_work_gone(http, first)
    assert_work_intact(http, second)
    assert_work_intact(http, elsewhere)

    refused(http.post(f"actions/projects/{prod.project['id']}/delete-tasks", json={"id": 1}),
            400, {"error": True, "message": "Request body must be a JSON array.", "data": None})
    refused(http.post(f"actions/projects/{prod.project['id']}/delete-tasks", json=["nope"]),
            400, {"error": True, "message": "Request body must only contain valid UUIDs.",
                  "data": None})
    assert_work_intact(http, second)


def test_remove_tasks_for_type_takes_only_that_type(kit, http):
    prod = new_production(kit)
    animation = add_work(http, kit, prod.shot, kit.animation)
    layout = add_work(http, kit, prod.shot, kit.layout)
    other = new_production(kit)
    elsewhere = add_work(http, kit, other.shot, kit.animation)

    deleted(record_call(gazu.task.remove_tasks_for_type, prod.project, kit.animation),
            expected_force=False)
    assert_work_gone(http, animation)
    assert_work_intact(http, layout)
    assert_work_intact(http, elsewhere)


def test_remove_entities_cancels_then_removes(kit, http):
    prod = new_production(kit)
    work = add_work(http, kit, prod.shot, kit.animation)
    asset = gazu.asset.new_asset(prod.project, kit.character, f"AS{prod.tag}")
    bare = gazu.shot.new_shot(prod.project, prod.sequence, f"SB{prod.tag}")
    other = new_production(kit)
    ids = [prod.shot["id"], asset["id"], bare["id"], prod.sequence["id"], other.shot["id"],
           "00000000-0000-4000-8000-000000000000"]

    # A sequence, another production's shot, an unknown id: skipped.
    answer = gazu.entity.remove_entities(prod.project, ids)
    assert sorted(answer) == sorted([prod.shot["id"], asset["id"], bare["id"]])
    assert http.json(f"data/shots/{prod.shot['id']}")["canceled"] is True
    assert_work_intact(http, work, read_comments=False)
    assert http.status(f"data/assets/{asset['id']}") == 404
    assert http.status(f"data/shots/{bare['id']}") == 404
    assert http.status(f"data/sequences/{prod.sequence['id']}") == 200
    assert http.status(f"data/shots/{other.shot['id']}") == 200

    # Already canceled: the second call removes it with its work.
    assert gazu.entity.remove_entities(prod.project, [prod.shot["id"]]) == [prod.shot["id"]]
    assert http.status(f"data/shots/{prod.shot['id']}") == 404
    assert_work_gone(http, work)


def test_remove_entities_with_force(kit, http):
    prod = new_production(kit)
    work = add_work(http, kit, prod.shot, kit.animation)
    answer = gazu.entity.remove_entities(prod.project, [prod.shot], force=True)
    assert answer == [prod.shot["id"]]
    assert http.status(f"data/shots/{prod.shot['id']}") == 404
    assert_work_gone(http, work)


# Last in the module: on Zou this request ends in an unhandled database
# error (a 500); a project creation sent to the same reference server after
# such a 500 was once refused (cause not established), so nothing runs
# after it here.
def test_remove_closed_project_with_data_without_force_fails(kit, http):
    """Zou deletes the project row alone, which the database refuses; the
    error escapes as a 500 with the generic message, and nothing is gone."""
    prod = new_production(kit)
    work = add_work(http, kit, prod.shot, kit.animation)
    gazu.project.close_project(prod.project)

    response = http.delete(f"data/projects/{prod.project['id']}")
    if REFERENCE_IS_ZOU:
        refused(response, 500, {"error": True, "message": "Internal server error."})
    else:
        # Fennec refuses the client's request cleanly instead of failing.
        refused(response, 400, FK_REFUSAL)

    assert http.status(f"data/projects/{prod.project['id']}") == 200
    for path in (f"data/episodes/{prod.episode['id']}", f"data/sequences/{prod.sequence['id']}",
                 f"data/shots/{prod.shot['id']}"):
        assert http.status(path) == 200, path
    assert_work_intact(http, work)

