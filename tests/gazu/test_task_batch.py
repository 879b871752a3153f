"""Issue 12: the task functions of gazu 1.3.1 that work on many tasks at
once — creating the tasks of an entity for several task types
(``create_{shot,asset,edit,concept,entity}_tasks``), clearing assignations,
the open tasks' stats and the team schedule's task dates — as Zou 1.0.97
answers them: shapes and key order, Zou's rules on existing tasks and task
kinds, errors, and what an artist, a vendor, a supervisor and a manager
(in the team or not) may do.

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
The reference database is shared with other modules, so studio-wide
answers are only checked on this module's productions and people.
"""

from __future__ import annotations

from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique

MISSING = "00000000-0000-4000-8000-000000000000"

# Zou's task serialisation without relations, then what its entity task
# creation adds after the insert.
TASK_KEYS = [
    "name", "description", "priority", "difficulty", "duration", "estimation",
    "completion_rate", "retake_count", "sort_order", "start_date", "due_date",
    "real_start_date", "end_date", "done_date", "last_comment_date",
    "nb_assets_ready", "data", "nb_drawings", "shotgun_id",
    "last_preview_file_id", "project_id", "task_type_id", "task_status_id",
    "entity_id", "assigner_id", "id", "created_at", "updated_at", "type",
]
CREATED_TASK_KEYS = TASK_KEYS + [
    "assignees", "task_status_name", "task_status_short_name",
    "task_status_color", "task_type_name", "task_type_color",
    "task_type_priority",
]
STATS_KEYS = ["amount", "amount_done", "total_duration", "total_estimation", "task_types"]
STATS_ROW_KEYS = [
    "task_status_id", "task_type_id", "project_id", "amount", "amount_done",
    "total_duration", "total_estimation",
]
DATES_KEYS = ["person_id", "min_date", "max_date", "busy_periods"]


def raw(api_url: str, token: str, method: str, path: str, body=None, params=None):
    return requests.request(
        method, f"{api_url}/{path}", json=body, params=params,
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )


@pytest.fixture(scope="module")
def world(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"TB {tag}", production_type="tvshow")
    elsewhere = gazu.project.new_project(f"TB other {tag}", production_type="short")
    lighting = gazu.person.new_department(f"TB Light {tag}")
    people, clients, tokens = {}, {}, {}
    for name, role, departments, team in (
        ("artist", "user", [], True),
        ("other", "user", [], True),
        ("vendor", "vendor", [], True),
        ("supervisor", "supervisor", [lighting], True),
        ("manager", "manager", [], True),
        ("outsider", "manager", [], False),
    ):
        email = f"tb-{name}-{tag}@example.com"
        person = gazu.person.new_person(
            name.title(), tag, email, password=ARTIST_PASSWORD, role=role,
            departments=departments,
        )
        if team:
            gazu.project.add_person_to_team(project, person)
        people[name] = person
        clients[name] = artist_client(api_url, email)
        tokens[name] = clients[name].tokens["access_token"]
    # The artist also works on a production the manager is no member of.
    gazu.project.add_person_to_team(elsewhere, people["artist"])

    character = gazu.asset.get_asset_type_by_name("Character")
    hero = gazu.asset.new_asset(project, character, f"Hero {tag}")
    sequence = gazu.shot.new_sequence(project, f"SQ{tag}", episode=gazu.shot.new_episode(project, f"E{tag}"))
    shots = [gazu.shot.new_shot(project, sequence, f"SH{n}{tag}") for n in range(4)]
    edit = gazu.edit.new_edit(project, f"Edit {tag}")
    concept = gazu.concept.new_concept(project, f"Concept {tag}")

    by_name = {t["name"]: t for t in gazu.task.all_task_types()}
    modeling, animation, layout, rigging = (
        by_name[n] for n in ("Modeling", "Animation", "Layout", "Rigging")
    )
    edit_type = gazu.task.new_task_type(f"TB Cut {tag}", for_entity="Edit")
    concept_type = gazu.task.new_task_type(f"TB Sketch {tag}", for_entity="Concept")
    light_type = gazu.task.new_task_type(f"TB Light {tag}", for_entity="Shot")
    gazu.client.put(f"data/task-types/{light_type['id']}", {"department_id": lighting["id"]})
    for priority, tt in enumerate(
        (modeling, animation, layout, edit_type, concept_type, light_type), start=1
    ):
        gazu.project.add_task_type(project, tt, priority)
    elsewhere_shot = gazu.shot.new_shot(
        elsewhere, gazu.shot.new_sequence(elsewhere, f"SQ{tag}"), f"SH{tag}"
    )
    gazu.project.add_task_type(elsewhere, animation, 1)
    return SimpleNamespace(
        api_url=api_url, admin_token=admin.access_token, tag=tag, project=project,
        elsewhere=elsewhere, elsewhere_shot=elsewhere_shot, lighting=lighting,
        people=people, clients=clients, tokens=tokens, character=character,
        hero=hero, sequence=sequence, shots=shots, edit=edit, concept=concept,
        modeling=modeling, animation=animation, layout=layout, rigging=rigging,
        edit_type=edit_type, concept_type=concept_type, light_type=light_type,
    )


def test_create_tasks_for_each_kind_of_entity(world, admin):
    admin.activate()
    shot = world.shots[0]
    made = gazu.task.create_shot_tasks(shot, [world.layout, world.animation])
    # In the order asked for, each on the default status, nobody assigned.
    assert [t["task_type_id"] for t in made] == [world.layout["id"], world.animation["id"]]
    assert all(list(t) == CREATED_TASK_KEYS for t in made)
    first = made[0]
    assert first["name"] == "main" and first["type"] == "Task"
    assert first["entity_id"] == shot["id"] and first["project_id"] == world.project["id"]
    assert first["assignees"] == [] and first["assigner_id"] is not None
    assert first["duration"] == 0 and first["estimation"] == 0
    assert first["task_status_short_name"] == "todo"
    assert first["task_type_name"] == "Layout"
    assert first["task_type_color"] == world.layout["color"]
    assert first["task_type_priority"] == world.layout["priority"]
    # Each is a real task.
    read = gazu.task.get_task(first["id"])
    assert read["task_type_id"] == world.layout["id"]

    # A task that exists already is skipped, the others are made.
    again = gazu.task.create_entity_tasks(shot, [world.animation, world.light_type])
    assert [t["task_type_id"] for t in again] == [world.light_type["id"]]
    assert gazu.task.create_shot_tasks(shot, [world.animation]) == []

    # No task type given: every one of the production's for that kind.
    every = gazu.task.create_entity_tasks(world.shots[1], [])
    assert sorted(t["task_type_id"] for t in every) == sorted(
        [world.animation["id"], world.layout["id"], world.light_type["id"]]
    )
    assert gazu.task.create_entity_tasks(world.shots[1], []) == []
    # The sequence's kind has no task type in this production.
    assert gazu.task.create_entity_tasks(world.sequence, []) == []

    asset_tasks = gazu.task.create_asset_tasks(world.hero, [world.modeling])
    assert [t["task_type_name"] for t in asset_tasks] == ["Modeling"]
    edit_tasks = gazu.task.create_edit_tasks(world.edit, [world.edit_type])
    assert [t["entity_id"] for t in edit_tasks] == [world.edit["id"]]
    assert edit_tasks[0]["task_status_short_name"] == "todo"
    # A concept's task starts on the concepts' default status.
    concept_tasks = gazu.task.create_concept_tasks(world.concept, [world.concept_type])
    assert concept_tasks[0]["task_status_short_name"] == "neutral"
    assert list(concept_tasks[0]) == CREATED_TASK_KEYS


def test_create_tasks_errors(world, admin):
    admin.activate()
    shot = world.shots[2]
    # A task type of another kind, then one the production does not use.
    with pytest.raises(gazu.exception.ParameterException) as kind:
        gazu.task.create_shot_tasks(shot, [world.animation, world.modeling])
    assert str(kind.value.args[1]) == (
        f"Task type {world.modeling['id']} is for Asset entities, got Shot."
    )
    with pytest.raises(gazu.exception.ParameterException) as disabled:
        gazu.task.create_asset_tasks(world.hero, [world.rigging])
    assert str(disabled.value.args[1]) == (
        f"Task type {world.rigging['id']} is not enabled in project {world.project['id']}."
    )
    # Nothing was made by the refused calls (one transaction).
    assert gazu.task.all_tasks_for_shot(shot) == []
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.task.create_shot_tasks(shot, [MISSING])
    r = raw(world.api_url, world.admin_token, "POST", f"data/entities/{shot['id']}/tasks",
            {"task_type_ids": ["not-an-id"]})
    assert r.status_code == 404
    r = raw(world.api_url, world.admin_token, "POST", "data/entities/not-an-id/tasks",
            {"task_type_ids": []})
    assert r.status_code == 404
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.task.create_entity_tasks(MISSING, [world.animation])
    # A production is no entity.
    with pytest.raises(gazu.exception.RouteNotFoundException):
        gazu.task.create_entity_tasks(world.project, [])
    # The body as Zou's schema checks it.
    url = f"data/entities/{shot['id']}/tasks"
    r = raw(world.api_url, world.admin_token, "POST", url, {"task_type_ids": "x"})
    assert r.status_code == 400
    assert r.json() == {
        "error": True, "message": "Validation error.",
        "data": {"errors": [{"field": "task_type_ids", "message": "Input should be a valid list"}]},
    }
    r = raw(world.api_url, world.admin_token, "POST", url, {"task_type_ids": [world.animation["id"], 3]})
    assert r.status_code == 400
    assert r.json()["data"]["errors"] == [
        {"field": "task_type_ids.1", "message": "Input should be a valid string"}
    ]
    assert gazu.task.all_tasks_for_shot(shot) == []
    # Only POST is served there.
    assert raw(world.api_url, world.admin_token, "GET", url).status_code == 405


def test_create_tasks_per_role(world, admin):
    shot = world.shots[3]
    c = world.clients
    # An artist of the team may create them; a vendor may not, nor a
    # manager out of the team.
    made = gazu.task.create_shot_tasks(shot, [world.animation], client=c["artist"])
    assert [t["assigner_id"] for t in made] == [world.people["artist"]["id"]]
    for who in ("vendor", "outsider"):
        with pytest.raises(gazu.exception.NotAllowedException):
            gazu.task.create_shot_tasks(shot, [world.layout], client=c[who])
    made = gazu.task.create_shot_tasks(shot, [world.layout], client=c["manager"])
    assert len(made) == 1
    made = gazu.task.create_shot_tasks(shot, [world.light_type], client=c["supervisor"])
    assert len(made) == 1
    admin.activate()
    assert len(gazu.task.all_tasks_for_shot(shot)) == 3


def assigned_task(world, task_type, *people):
    """A fresh shot with one task of that type, assigned to these people."""
    shot = gazu.shot.new_shot(world.project, world.sequence, unique("SHA"))
    task = gazu.task.create_shot_tasks(shot, [task_type])[0]
    for person in people:
        gazu.task.assign_task(task, world.people[person])
    return task


def assignees(task) -> list:
    return gazu.task.get_task(task)["assignees"]


def test_clear_assignations(world, admin):
    admin.activate()
    p = world.people
    task = assigned_task(world, world.animation, "artist", "other")
    both = assigned_task(world, world.layout, "artist", "other")
    # One person.
    assert gazu.task.clear_assignations(task, person=p["other"]) == [task["id"]]
    assert assignees(task) == [p["artist"]["id"]]
    # Everyone, on several tasks; unknown and malformed ids are skipped.
    cleared = gazu.task.clear_assignations([task, both, MISSING])
    assert cleared == [task["id"], both["id"]]
    r = raw(world.api_url, world.admin_token, "PUT", "actions/tasks/clear-assignation",
            {"task_ids": ["nope", task["id"]]})
    assert r.status_code == 200 and r.json() == [task["id"]]
    assert assignees(task) == [] and assignees(both) == []
    # A person assigned to nothing there: nothing changes, the task counts.
    assert gazu.task.clear_assignations([task], person=p["manager"]) == [task["id"]]
    # Nothing to clear: gazu does not call.
    assert gazu.task.clear_assignations([]) == []


def test_clear_assignations_per_role(world, admin):
    admin.activate()
    p, c = world.people, world.clients
    task = assigned_task(world, world.animation, "artist", "other")
    light = assigned_task(world, world.light_type, "artist")
    # An artist takes himself off, no one else, and clears nothing whole.
    assert gazu.task.clear_assignations(task, person=p["other"], client=c["artist"]) == []
    assert gazu.task.clear_assignations(task, client=c["artist"]) == []
    assert gazu.task.clear_assignations(task, person=p["artist"], client=c["other"]) == []
    assert gazu.task.clear_assignations(task, person=p["artist"], client=c["artist"]) == [task["id"]]
    assert assignees(task) == [p["other"]["id"]]
    # A supervisor clears his department's tasks only (a task type in no
    # department is none of his).
    assert gazu.task.clear_assignations(task, client=c["supervisor"]) == []
    assert gazu.task.clear_assignations(light, client=c["supervisor"]) == [light["id"]]
    assert assignees(light) == []
    # A manager out of the team clears nothing; one in it, anything.
    assert gazu.task.clear_assignations(task, client=c["outsider"]) == []
    assert gazu.task.clear_assignations(task, client=c["vendor"]) == []
    assert gazu.task.clear_assignations(task, client=c["manager"]) == [task["id"]]
    assert assignees(task) == []


def test_clear_assignations_errors(world):
    url = "actions/tasks/clear-assignation"
    token = world.tokens["manager"]

    def errors(body):
        r = raw(world.api_url, token, "PUT", url, body)
        assert r.status_code == 400, r.text
        assert r.json()["message"] == "Validation error."
        return r.json()["data"]["errors"]

    assert errors({}) == [{"field": "task_ids", "message": "Field required"}]
    assert errors({"task_ids": []}) == [
        {"field": "task_ids", "message": "List should have at least 1 item after validation, not 0"}
    ]
    assert errors({"task_ids": "x"}) == [{"field": "task_ids", "message": "Input should be a valid list"}]
    assert errors({"task_ids": [1]}) == [{"field": "task_ids.0", "message": "Input should be a valid string"}]
    assert errors({"task_ids": [MISSING], "person_id": 3}) == [
        {"field": "person_id", "message": "Input should be a valid string"}
    ]
    with pytest.raises(gazu.exception.ParameterException):
        gazu.client.put(url, {"task_ids": []}, client=world.clients["manager"])


def test_open_tasks_stats(world, admin):
    admin.activate()
    project = world.project["id"]
    # Some duration and estimation to sum, and a done task.
    shot = gazu.shot.new_shot(world.project, world.sequence, unique("SHS"))
    timed = gazu.task.create_shot_tasks(shot, [world.animation])[0]
    gazu.client.put(f"data/tasks/{timed['id']}", {"estimation": 3})
    gazu.task.assign_task(timed, world.people["artist"])
    gazu.task.set_time_spent(timed, world.people["artist"], "2025-05-02", 2)
    done = gazu.task.get_task_status_by_short_name("done")
    finished = gazu.task.create_shot_tasks(shot, [world.layout])[0]
    gazu.client.put(f"data/tasks/{finished['id']}", {"task_status_id": done["id"]})

    stats = gazu.task.get_open_tasks_stats()
    assert isinstance(stats, dict) and project in stats
    mine = stats[project]
    assert list(mine) == STATS_KEYS
    tasks = gazu.task.all_tasks_for_project(world.project)
    # Concept tasks are left out.
    counted = [t for t in tasks if t["task_type_id"] != world.concept_type["id"]]
    assert mine["amount"] == len(counted) == sum(r["amount"] for r in mine["task_types"])
    assert mine["amount_done"] == 1
    assert mine["total_duration"] == 2 and mine["total_estimation"] == 3
    rows = mine["task_types"]
    assert all(list(r) == STATS_ROW_KEYS for r in rows)
    assert all(r["project_id"] == project for r in rows)
    assert world.concept_type["id"] not in {r["task_type_id"] for r in rows}
    pairs = {(r["task_type_id"], r["task_status_id"]) for r in rows}
    assert len(pairs) == len(rows)
    assert (world.layout["id"], done["id"]) in pairs
    by_pair = {(t["task_type_id"], t["task_status_id"]) for t in counted}
    assert pairs == by_pair
    # The raw floats, as Zou sums them.
    r = raw(world.api_url, world.admin_token, "GET", "data/tasks/open-tasks/stats")
    assert '"total_duration":2.0' in r.text.replace(" ", "")
    assert '"total_estimation":3.0' in r.text.replace(" ", "")

    # Any member of the team sees his productions' stats, whatever his role;
    # someone in no team sees none.
    for who in ("artist", "vendor", "manager"):
        theirs = gazu.task.get_open_tasks_stats(client=world.clients[who])
        assert theirs[project] == mine
    assert project not in gazu.task.get_open_tasks_stats(client=world.clients["outsider"])


def test_persons_tasks_dates(world, admin):
    admin.activate()
    p, c = world.people, world.clients
    one = gazu.task.create_shot_tasks(gazu.shot.new_shot(world.project, world.sequence, unique("SHD")), [world.animation])[0]
    two = gazu.task.create_shot_tasks(gazu.shot.new_shot(world.project, world.sequence, unique("SHD")), [world.layout])[0]
    gazu.client.put(f"data/tasks/{one['id']}", {"start_date": "2025-01-06", "due_date": "2025-01-10"})
    gazu.client.put(f"data/tasks/{two['id']}", {"start_date": "2025-01-08", "due_date": "2025-01-20"})
    gazu.task.assign_task(one, p["artist"])
    gazu.task.assign_task(two, p["artist"])
    gazu.task.assign_task(one, p["other"])
    # Elsewhere, the artist is busy on two overlapping tasks and one later.
    elsewhere = []
    for start, due in (("2025-02-01", "2025-02-10"), ("2025-02-05", "2025-02-12"), ("2025-03-01", "2025-03-02")):
        shot = gazu.shot.new_shot(world.elsewhere, gazu.shot.all_sequences_for_project(world.elsewhere)[0], unique("SHE"))
        task = gazu.task.create_shot_tasks(shot, [world.animation])[0]
        gazu.client.put(f"data/tasks/{task['id']}", {"start_date": start, "due_date": due})
        gazu.task.assign_task(task, p["artist"])
        elsewhere.append(task)

    def by_person(rows):
        assert all(list(r) == DATES_KEYS for r in rows)
        return {r["person_id"]: r for r in rows}

    # An admin sees every open production in detail.
    everyone = by_person(gazu.task.get_persons_tasks_dates())
    assert everyone[p["artist"]["id"]] == {
        "person_id": p["artist"]["id"], "min_date": "2025-01-06T00:00:00",
        "max_date": "2025-03-02T00:00:00", "busy_periods": [],
    }
    assert everyone[p["other"]["id"]]["max_date"] == "2025-01-10T00:00:00"
    assert p["manager"]["id"] not in everyone

    # A manager sees his productions in detail, the others as busy periods
    # (merged, with no production or task named).
    seen = by_person(gazu.task.get_persons_tasks_dates(client=c["manager"]))
    assert seen[p["artist"]["id"]] == {
        "person_id": p["artist"]["id"], "min_date": "2025-01-06T00:00:00",
        "max_date": "2025-01-20T00:00:00",
        "busy_periods": [
            {"start_date": "2025-02-01 00:00:00", "end_date": "2025-02-12 00:00:00"},
            {"start_date": "2025-03-01 00:00:00", "end_date": "2025-03-02 00:00:00"},
        ],
    }
    assert seen[p["other"]["id"]]["busy_periods"] == []
    # Someone in no team sees only busy periods.
    outside = by_person(gazu.task.get_persons_tasks_dates(client=c["outsider"]))
    assert outside[p["other"]["id"]] == {
        "person_id": p["other"]["id"], "min_date": None, "max_date": None,
        "busy_periods": [{"start_date": "2025-01-06 00:00:00", "end_date": "2025-01-10 00:00:00"}],
    }
    assert [b["end_date"] for b in outside[p["artist"]["id"]]["busy_periods"]] == [
        "2025-01-20 00:00:00", "2025-02-12 00:00:00", "2025-03-02 00:00:00",
    ]
    # A supervisor of the team too.
    sup = by_person(gazu.task.get_persons_tasks_dates(client=c["supervisor"]))
    assert sup[p["artist"]["id"]]["max_date"] == "2025-01-20T00:00:00"

    # One production asked for.
    url = "data/persons/task-dates"
    for who in ("admin", "manager"):
        token = world.admin_token if who == "admin" else world.tokens[who]
        r = raw(world.api_url, token, "GET", url, params={"project_id": world.project["id"]})
        assert r.status_code == 200
        rows = by_person(r.json())
        assert rows[p["artist"]["id"]]["max_date"] == "2025-01-20T00:00:00"
        assert rows[p["artist"]["id"]]["busy_periods"] == []
    r = raw(world.api_url, world.admin_token, "GET", url, params={"project_id": world.elsewhere["id"]})
    assert by_person(r.json())[p["artist"]["id"]]["min_date"] == "2025-02-01T00:00:00"
    # Errors: an artist or vendor may not; a production out of the
    # caller's teams is refused, an unknown one is a 404 (an empty list for
    # an admin), a malformed id a 400.
    for who in ("artist", "vendor"):
        with pytest.raises(gazu.exception.NotAllowedException):
            gazu.task.get_persons_tasks_dates(client=c[who])
    r = raw(world.api_url, world.tokens["manager"], "GET", url, params={"project_id": world.elsewhere["id"]})
    assert r.status_code == 403
    r = raw(world.api_url, world.tokens["manager"], "GET", url, params={"project_id": MISSING})
    assert r.status_code == 404
    r = raw(world.api_url, world.admin_token, "GET", url, params={"project_id": MISSING})
    assert r.status_code == 200 and r.json() == []
    r = raw(world.api_url, world.admin_token, "GET", url, params={"project_id": "nope"})
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Invalid project_id.", "data": None}
    # An empty filter is no filter.
    r = raw(world.api_url, world.admin_token, "GET", url, params={"project_id": " "})
    assert p["artist"]["id"] in by_person(r.json())


def test_batch_deletions_and_person_task_type(world, admin):
    """The issue's other task items, served before this module: deleting a
    batch of tasks, every task of a type, a person's day on a task, and the
    tasks of a person for one task type."""
    admin.activate()
    p = world.people
    shot = gazu.shot.new_shot(world.project, world.sequence, unique("SHX"))
    anim, lay = gazu.task.create_shot_tasks(shot, [world.animation, world.layout])
    gazu.task.assign_task(anim, p["artist"])
    related = gazu.task.all_tasks_for_person_and_type(p["artist"], world.animation)
    assert anim["id"] in {t["id"] for t in related}
    gazu.task.set_time_spent(anim, p["artist"], "2025-04-01", 60)
    r = raw(
        world.api_url, world.admin_token, "DELETE",
        f"actions/tasks/{anim['id']}/time-spents/2025-04-01/persons/{p['artist']['id']}",
    )
    assert r.status_code in (200, 201, 204), r.text
    assert gazu.task.get_task(anim)["duration"] == 0
    gazu.task.remove_tasks_batch(world.project, [lay])
    assert [t["id"] for t in gazu.task.all_tasks_for_shot(shot)] == [anim["id"]]
    other = gazu.project.new_project(f"TB del {world.tag}", production_type="short")
    gazu.project.add_task_type(other, world.animation, 1)
    seq = gazu.shot.new_sequence(other, unique("SQ"))
    for n in range(2):
        gazu.task.create_shot_tasks(gazu.shot.new_shot(other, seq, f"SH{n}"), [world.animation])
    gazu.task.remove_tasks_for_type(other, world.animation)
    assert gazu.task.all_tasks_for_project(other) == []


def test_create_tasks_for_many_entities(world, admin):
    """Kitsu's "add tasks" on a list: one task type for many entities of a
    production (``/actions/projects/{id}/task-types/{id}/.../create-tasks``)."""
    admin.activate()
    p = world.people
    project = gazu.project.new_project(f"TB many {world.tag}", production_type="tvshow")
    for who in ("artist", "vendor", "supervisor", "manager"):
        gazu.project.add_person_to_team(project, p[who])
    ep1 = gazu.shot.new_episode(project, "E01b")
    ep2 = gazu.shot.new_episode(project, "E02b")
    seq1 = gazu.shot.new_sequence(project, "SQ01", episode=ep1)
    seq2 = gazu.shot.new_sequence(project, "SQ02", episode=ep2)
    shots = [gazu.shot.new_shot(project, seq1, f"SH0{n}") for n in range(3)]
    far = gazu.shot.new_shot(project, seq2, "SH09")
    character = gazu.asset.get_asset_type_by_name("Character")
    prop = gazu.asset.get_asset_type_by_name("Prop")
    hero = gazu.asset.new_asset(project, character, "Hero", episode=ep1)
    chair = gazu.asset.new_asset(project, prop, "Chair")
    edits = [gazu.edit.new_edit(project, name) for name in ("Cut B", "Cut A")]
    concept = gazu.concept.new_concept(project, "Sketch")
    P = project["id"]
    token = world.admin_token

    def create(kind, task_type, body=None, params=None, who=None, project_id=P):
        url = f"actions/projects/{project_id}/task-types/{task_type['id']}/{kind}"
        if not kind.startswith("create-tasks"):
            url += "/create-tasks"
        return raw(world.api_url, world.tokens[who] if who else token, "POST", url, body, params)

    # A list: the production's shots only (another production's skipped).
    r = create("shots", world.animation, [shots[0]["id"], world.shots[0]["id"]])
    assert r.status_code == 201
    made = r.json()
    assert [t["entity_id"] for t in made] == [shots[0]["id"]]
    assert list(made[0]) == CREATED_TASK_KEYS
    assert made[0]["task_status_short_name"] == "todo" and made[0]["assignees"] == []
    # No list: every shot (narrowed by the query's entity columns; a
    # sequence_id is no column and narrows nothing), those with a task of
    # that type skipped.
    r = create("shots", world.animation, params={"parent_id": seq1["id"]})
    assert sorted(t["entity_id"] for t in r.json()) == sorted(s["id"] for s in shots[1:])
    r = create("shots", world.animation, [], params={"sequence_id": seq1["id"]})
    assert [t["entity_id"] for t in r.json()] == [far["id"]]
    assert create("shots", world.animation).json() == []
    # No check of the task type's kind on these routes.
    r = create("shots", world.modeling, [shots[0]["id"]])
    assert r.status_code == 201 and len(r.json()) == 1
    # Assets of an episode (their main one); then of a type.
    r = create("assets", world.modeling, params={"episode_id": ep1["id"]})
    assert [t["entity_id"] for t in r.json()] == [hero["id"]]
    r = create("assets", world.layout, params={"entity_type_id": prop["id"]})
    assert [t["entity_id"] for t in r.json()] == [chair["id"]]
    # Edits by name; the named entity type (any case), by episode.
    r = create("edits", world.edit_type)
    assert [t["entity_id"] for t in r.json()] == [edits[1]["id"], edits[0]["id"]]
    r = create("create-tasks/SEQUENCE", world.layout, params={"episode_id": ep2["id"]})
    assert [t["entity_id"] for t in r.json()] == [seq2["id"]]
    r = create("concepts", world.concept_type)
    assert [t["task_status_short_name"] for t in r.json()] == ["neutral"]
    assert [t["entity_id"] for t in r.json()] == [concept["id"]]

    # Errors: an entity of another kind or unknown, a bad body, an unknown
    # task type or entity type.
    assert create("shots", world.layout, [hero["id"]]).status_code == 404
    assert create("assets", world.layout, [shots[0]["id"]]).status_code == 404
    assert create("shots", world.layout, [MISSING]).status_code == 404
    r = create("shots", world.layout, ["nope"])
    assert r.status_code == 400
    assert r.json() == {"error": True, "message": "Request body must only contain valid UUIDs.", "data": None}
    r = create("shots", world.layout, {"a": 1})
    assert r.status_code == 400 and r.json()["message"] == "Request body must be a JSON array."
    assert create("shots", {"id": MISSING}, []).status_code == 404
    assert create("create-tasks/foo", world.layout).status_code == 404
    # Nothing was made by the refused calls.
    assert [t["task_type_id"] for t in gazu.task.all_tasks_for_shot(shots[0])].count(world.layout["id"]) == 0
    # An admin on a production that does not exist: nothing to do.
    r = create("shots", world.layout, [shots[0]["id"]], project_id=MISSING)
    assert r.status_code == 201 and r.json() == []

    # Per role: the production's managers; for concepts any member but a
    # vendor.
    for who in ("artist", "supervisor", "vendor", "outsider"):
        assert create("shots", world.layout, [shots[0]["id"]], who=who).status_code == 403
    assert create("shots", world.layout, [shots[0]["id"]], who="manager", project_id=MISSING).status_code == 404
    r = create("shots", world.layout, [shots[0]["id"]], who="manager")
    assert r.status_code == 201 and r.json()[0]["assigner_id"] == p["manager"]["id"]
    r = create("create-tasks/episode", world.layout, [ep1["id"]], who="manager")
    assert [t["entity_id"] for t in r.json()] == [ep1["id"]]
    assert create("create-tasks/episode", world.layout, [ep2["id"]], who="artist").status_code == 403
    assert create("concepts", world.layout, who="vendor").status_code == 403
    assert create("concepts", world.layout, who="outsider").status_code == 403
    r = create("concepts", world.layout, who="artist")
    assert r.status_code == 201 and [t["entity_id"] for t in r.json()] == [concept["id"]]
