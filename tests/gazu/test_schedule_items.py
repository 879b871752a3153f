"""Issue 13: Zou 1.0.97's schedule items, which Kitsu's production schedule
and task type pages read and move. gazu 1.3.1 has no function for them, so
these are gazu's raw calls (``gazu.client.get/post/put/delete``) on the
routes Kitsu calls:

* ``data/projects/{id}/schedule-items/task-types`` and
  ``.../{task_type_id}/{episodes,sequences,asset-types,edits}`` make an
  item per task type / object on first read (today to tomorrow), answer
  Zou's ``present()`` keys (plus the object's ``name``), and leave out what
  left the list;
* ``data/schedule-items`` is Zou's generic CRUD resource with
  ``ScheduleItemResource``'s rights (a PUT moves an item);
* an item goes with its sequence or episode, and a task type with items
  is only deleted with ``force``.

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique

MISSING = "00000000-0000-4000-8000-000000000000"
ITEM_KEYS = ["id", "start_date", "end_date", "man_days", "project_id", "task_type_id", "object_id"]
CRUD_KEYS = [
    "start_date", "end_date", "man_days", "project_id", "task_type_id", "object_id",
    "id", "created_at", "updated_at", "type",
]


def raw(w, who: str, method: str, path: str, body=None, params=None):
    token = w.admin_token if who == "admin" else w.tokens[who]
    return requests.request(
        method, f"{w.api_url}/{path}", json=body, params=params,
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )


@pytest.fixture(scope="module")
def w(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"SI {tag}", production_type="tvshow")
    lighting = gazu.person.new_department(f"SI Light {tag}")
    people, tokens = {}, {}
    for name, role, departments, team in (
        ("artist", "user", [], True),
        ("vendor", "vendor", [], True),
        ("supervisor", "supervisor", [lighting], True),
        ("manager", "manager", [], True),
        ("outsider", "manager", [], False),
    ):
        email = f"si-{name}-{tag}@example.com"
        person = gazu.person.new_person(
            name.title(), tag, email, password=ARTIST_PASSWORD, role=role,
            departments=departments,
        )
        if team:
            gazu.project.add_person_to_team(project, person)
        people[name] = person
        tokens[name] = artist_client(api_url, email).tokens["access_token"]

    by_name = {t["name"]: t for t in gazu.task.all_task_types()}
    modeling, animation, layout = (by_name[n] for n in ("Modeling", "Animation", "Layout"))
    cut = gazu.task.new_task_type(f"SI Cut {tag}", for_entity="Edit")
    light = gazu.task.new_task_type(f"SI Light {tag}", for_entity="Shot")
    gazu.client.put(f"data/task-types/{light['id']}", {"department_id": lighting["id"]})
    # Layout is not one of the production's task types: its tasks give it
    # no item.
    for priority, tt in enumerate((modeling, animation, cut, light), start=1):
        gazu.project.add_task_type(project, tt, priority)

    character = gazu.asset.get_asset_type_by_name("Character")
    e01 = gazu.shot.new_episode(project, f"E01{tag}")
    e02 = gazu.shot.new_episode(project, f"E02{tag}")
    sq_b = gazu.shot.new_sequence(project, f"SQB{tag}", episode=e01)
    sq_a = gazu.shot.new_sequence(project, f"SQA{tag}", episode=e01)
    sq_c = gazu.shot.new_sequence(project, f"SQC{tag}", episode=e02)
    shot = gazu.shot.new_shot(project, sq_a, f"SH01{tag}")
    hero = gazu.asset.new_asset(project, character, f"Hero {tag}", episode=e01)
    edit = gazu.edit.new_edit(project, f"Edit {tag}")
    gazu.task.new_task(shot, animation)
    gazu.task.new_task(shot, layout)
    gazu.task.new_task(shot, light)
    gazu.task.new_task(hero, modeling)
    gazu.task.new_task(edit, cut)
    return SimpleNamespace(
        api_url=api_url, admin_token=admin.access_token, tag=tag, project=project,
        people=people, tokens=tokens, modeling=modeling, animation=animation,
        layout=layout, cut=cut, light=light, character=character, e01=e01, e02=e02,
        sq_a=sq_a, sq_b=sq_b, sq_c=sq_c, shot=shot, hero=hero, edit=edit,
    )


def today():
    return datetime.date.today().isoformat()


def tomorrow():
    return (datetime.date.today() + datetime.timedelta(days=1)).isoformat()


def base(w):
    return f"data/projects/{w.project['id']}/schedule-items"


def test_task_type_items_are_made_on_first_read(w, admin):
    admin.activate()
    first = gazu.client.get(f"{base(w)}/task-types")
    assert sorted(i["task_type_id"] for i in first) == sorted(
        [w.modeling["id"], w.animation["id"], w.cut["id"], w.light["id"]]
    )
    for item in first:
        assert list(item) == ITEM_KEYS
        assert item["project_id"] == w.project["id"]
        assert item["object_id"] is None and item["man_days"] is None
        assert (item["start_date"], item["end_date"]) == (today(), tomorrow())
    # Read again: the same items, none made twice.
    again = gazu.client.get(f"{base(w)}/task-types")
    assert sorted(i["id"] for i in again) == sorted(i["id"] for i in first)


def test_object_items_are_made_per_task_type_with_names(w, admin):
    admin.activate()
    tt = w.animation["id"]
    sequences = gazu.client.get(f"{base(w)}/{tt}/sequences")
    assert [i["name"] for i in sequences] == [f"SQA{w.tag}", f"SQB{w.tag}", f"SQC{w.tag}"]
    assert [i["object_id"] for i in sequences] == [w.sq_a["id"], w.sq_b["id"], w.sq_c["id"]]
    for item in sequences:
        assert list(item) == ITEM_KEYS + ["name"]
        assert item["task_type_id"] == tt
        assert (item["start_date"], item["end_date"]) == (today(), tomorrow())
    assert [i["id"] for i in gazu.client.get(f"{base(w)}/{tt}/sequences")] == [
        i["id"] for i in sequences
    ]
    # An episode narrows the list to its sequences.
    in_e01 = gazu.client.get(f"{base(w)}/{tt}/sequences", params={"episode_id": w.e01["id"]})
    assert [i["id"] for i in in_e01] == [i["id"] for i in sequences[:2]]

    episodes = gazu.client.get(f"{base(w)}/{tt}/episodes")
    # A tvshow comes with its own first episode: every episode, by name.
    expected = sorted(
        ((e["id"], e["name"]) for e in gazu.shot.all_episodes_for_project(w.project)),
        key=lambda pair: pair[1],
    )
    assert (w.e02["id"], f"E02{w.tag}") in expected
    assert [(i["object_id"], i["name"]) for i in episodes] == expected
    only = gazu.client.get(f"{base(w)}/{tt}/episodes", params={"episode_id": w.e02["id"]})
    assert [i["object_id"] for i in only] == [w.e02["id"]]

    asset_types = gazu.client.get(f"{base(w)}/{w.modeling['id']}/asset-types")
    assert [(i["object_id"], i["name"]) for i in asset_types] == [
        (w.character["id"], "Character")
    ]
    assert gazu.client.get(
        f"{base(w)}/{w.modeling['id']}/asset-types", params={"episode_id": w.e02["id"]}
    ) == []
    edits = gazu.client.get(f"{base(w)}/{w.cut['id']}/edits")
    assert [(i["object_id"], i["name"]) for i in edits] == [(w.edit["id"], f"Edit {w.tag}")]

    # The production's whole list (Zou's sync route) holds them all.
    everything = gazu.client.get(base(w))
    ids = {i["id"] for i in everything}
    for item in sequences + episodes + asset_types + edits:
        assert item["id"] in ids
    # Zou's whole serialisation there, not present().
    assert all(list(i) == CRUD_KEYS for i in everything)


def test_moving_an_item_in_the_schedule(w, admin):
    admin.activate()
    item = next(
        i for i in gazu.client.get(f"{base(w)}/task-types")
        if i["task_type_id"] == w.animation["id"]
    )
    moved = gazu.client.put(
        f"data/schedule-items/{item['id']}",
        {"start_date": "2031-02-03", "end_date": "2031-03-04", "man_days": 12},
    )
    assert list(moved) == CRUD_KEYS
    assert (moved["start_date"], moved["end_date"], moved["man_days"]) == (
        "2031-02-03", "2031-03-04", 12,
    )
    assert moved["type"] == "ScheduleItem"
    # A man_days string is dropped, the project stays.
    again = gazu.client.put(
        f"data/schedule-items/{item['id']}",
        {"man_days": "many", "project_id": MISSING, "end_date": "2031-03-05"},
    )
    assert (again["man_days"], again["end_date"], again["project_id"]) == (
        12, "2031-03-05", w.project["id"],
    )
    listed = gazu.client.get(f"{base(w)}/task-types")
    # Sorted by start date: the moved item comes last.
    assert listed[-1]["id"] == item["id"]
    assert listed[-1]["start_date"] == "2031-02-03"
    read = gazu.client.get(f"data/schedule-items/{item['id']}")
    assert read["end_date"] == "2031-03-05"
    bad = raw(w, "admin", "PUT", f"data/schedule-items/{item['id']}", {"start_date": "soon"})
    assert bad.status_code == 400


def test_generic_crud_and_its_rights(w, admin):
    admin.activate()
    items = gazu.client.get(f"{base(w)}/task-types")
    light = next(i for i in items if i["task_type_id"] == w.light["id"])
    anim = next(i for i in items if i["task_type_id"] == w.animation["id"])

    # Team members read the lists, vendors do not, outsiders neither.
    assert raw(w, "artist", "GET", f"{base(w)}/task-types").status_code == 200
    assert raw(w, "artist", "GET", f"{base(w)}/{w.animation['id']}/sequences").status_code == 200
    assert raw(w, "artist", "GET", base(w)).status_code == 200
    assert raw(w, "vendor", "GET", f"{base(w)}/task-types").status_code == 403
    assert raw(w, "vendor", "GET", f"{base(w)}/{w.animation['id']}/episodes").status_code == 403
    assert raw(w, "outsider", "GET", f"{base(w)}/task-types").status_code == 403

    # The generic list and read are for admins.
    listed = raw(w, "admin", "GET", "data/schedule-items", params={"project_id": w.project["id"]})
    assert listed.status_code == 200
    assert {i["id"] for i in listed.json()} >= {light["id"], anim["id"]}
    assert all(list(i) == CRUD_KEYS for i in listed.json())
    assert raw(w, "manager", "GET", "data/schedule-items").status_code == 403
    assert raw(w, "manager", "GET", f"data/schedule-items/{light['id']}").status_code == 403

    # Moves: managers of the production, supervisors of the task type's
    # department; not artists, not other managers.
    body = {"start_date": "2030-01-07", "end_date": "2030-01-09"}
    assert raw(w, "artist", "PUT", f"data/schedule-items/{light['id']}", body).status_code == 403
    assert raw(w, "outsider", "PUT", f"data/schedule-items/{light['id']}", body).status_code == 403
    assert raw(w, "supervisor", "PUT", f"data/schedule-items/{anim['id']}", body).status_code == 403
    r = raw(w, "supervisor", "PUT", f"data/schedule-items/{light['id']}", body)
    assert r.status_code == 200 and r.json()["end_date"] == "2030-01-09"
    r = raw(w, "manager", "PUT", f"data/schedule-items/{anim['id']}", body)
    assert r.status_code == 200 and r.json()["start_date"] == "2030-01-07"

    # Creation: the production's managers, one item per task type and object.
    same = {"project_id": w.project["id"], "task_type_id": w.animation["id"]}
    r = raw(w, "manager", "POST", "data/schedule-items", same)
    assert r.status_code == 400
    assert r.json()["message"] == "A similar schedule item already exists"
    fresh = {"project_id": w.project["id"], "task_type_id": w.layout["id"],
             "start_date": "2030-05-01", "end_date": "2030-05-02"}
    assert raw(w, "artist", "POST", "data/schedule-items", fresh).status_code == 403
    assert raw(w, "outsider", "POST", "data/schedule-items", fresh).status_code == 403
    r = raw(w, "manager", "POST", "data/schedule-items", fresh)
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made) == CRUD_KEYS
    assert (made["start_date"], made["man_days"], made["object_id"]) == ("2030-05-01", None, None)
    # Layout is not one of the production's task types: its item is kept
    # but not listed.
    assert made["id"] not in {i["id"] for i in gazu.client.get(f"{base(w)}/task-types")}
    assert made["id"] in {i["id"] for i in gazu.client.get(base(w))}

    # Deletion: the production's managers.
    assert raw(w, "supervisor", "DELETE", f"data/schedule-items/{made['id']}").status_code == 403
    assert raw(w, "manager", "DELETE", f"data/schedule-items/{made['id']}").status_code == 204
    assert raw(w, "admin", "GET", f"data/schedule-items/{made['id']}").status_code == 404


def test_wrong_ids(w, admin):
    admin.activate()
    r = raw(w, "admin", "GET", f"{base(w)}/not-an-id/sequences")
    assert r.status_code == 400
    assert r.json()["message"] == "Wrong UUID format."
    r = raw(w, "admin", "GET", f"{base(w)}/{w.animation['id']}/sequences",
            params={"episode_id": "nope"})
    assert r.status_code == 400
    assert r.json()["message"] == "Wrong UUID format."
    # An unknown task type with nothing to make an item for.
    assert raw(w, "admin", "GET", f"{base(w)}/{MISSING}/edits", params={
        "episode_id": w.e02["id"]}).json() == []
    # An unknown production is not looked up for an admin (empty lists);
    # anyone else gets a 404.
    for path in ("schedule-items", "schedule-items/task-types",
                 f"schedule-items/{w.animation['id']}/sequences"):
        r = raw(w, "admin", "GET", f"data/projects/{MISSING}/{path}")
        assert (r.status_code, r.json()) == (200, []), path
        assert raw(w, "manager", "GET", f"data/projects/{MISSING}/{path}").status_code == 404
    r = raw(w, "admin", "GET", "data/schedule-items/nope")
    assert r.status_code == 400
    assert r.json()["message"] == "Malformed ID."
    assert raw(w, "admin", "GET", f"data/schedule-items/{MISSING}").status_code == 404
    assert raw(w, "admin", "PUT", f"data/schedule-items/{MISSING}", {"man_days": 1}).status_code == 404
    assert raw(w, "admin", "DELETE", f"data/schedule-items/{MISSING}").status_code == 404


def test_items_go_with_their_sequence_episode_and_task_type(w, admin):
    admin.activate()
    tt = w.animation["id"]
    before = {i["object_id"]: i["id"] for i in gazu.client.get(f"{base(w)}/{tt}/sequences")}
    assert w.sq_c["id"] in before
    gazu.shot.remove_sequence(w.sq_c, force=True)
    remaining = {i["id"] for i in gazu.client.get(base(w))}
    assert before[w.sq_c["id"]] not in remaining
    assert before[w.sq_b["id"]] in remaining

    episodes = {i["object_id"]: i["id"] for i in gazu.client.get(f"{base(w)}/{tt}/episodes")}
    gazu.shot.remove_episode(w.e02, force=True)
    assert episodes[w.e02["id"]] not in {i["id"] for i in gazu.client.get(base(w))}

    # A task type with schedule items is only deleted with force.
    extra = gazu.task.new_task_type(f"SI Extra {w.tag}", for_entity="Shot")
    r = raw(w, "admin", "POST", "data/schedule-items",
            {"project_id": w.project["id"], "task_type_id": extra["id"]})
    assert r.status_code == 201
    made = r.json()
    r = raw(w, "admin", "DELETE", f"data/task-types/{extra['id']}")
    assert r.status_code == 400
    assert r.json()["message"] == (
        "Task type is attached to schedule items. Re-issue the request with force=true to detach."
    )
    r = raw(w, "admin", "DELETE", f"data/task-types/{extra['id']}", params={"force": "true"})
    assert r.status_code == 204
    assert raw(w, "admin", "GET", f"data/schedule-items/{made['id']}").status_code == 404
