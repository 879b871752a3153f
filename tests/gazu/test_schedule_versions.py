"""Issue 13: Zou 1.0.97's production schedule versions, which Kitsu's
production schedule lists, makes, edits and applies. gazu 1.3.1 has no
function for them, so these are raw calls on the routes Kitsu's front end
calls (``src/store/api/schedule.js`` of its build):

* ``data/production-schedule-versions`` (list by production, read, create,
  update, delete) with ``ProductionScheduleVersion(s)Resource``'s rights;
* ``data/production-schedule-versions/{id}/task-links`` (relations,
  ``task_type_id``), and the generic ``data/production-schedule-version-task-links``;
* the actions ``set-task-links-from-production``,
  ``set-task-links-from-production-schedule-version`` and
  ``apply-to-production`` (their counts, the copy's assignees, the locked
  version, the production's ``from_schedule_version_id``);
* deleting a version detaches the versions copied from it and the
  production it was applied to.

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique

MISSING = "00000000-0000-4000-8000-000000000000"
VERSION_KEYS = [
    "name", "project_id", "production_schedule_from", "locked", "canceled",
    "id", "created_at", "updated_at", "type",
]
LINK_KEYS = [
    "production_schedule_version_id", "task_id", "start_date", "due_date", "estimation",
    "id", "created_at", "updated_at", "type",
]
LINK_KEYS_WITH_RELATIONS = [
    "production_schedule_version_id", "task_id", "start_date", "due_date", "estimation",
    "assignees", "id", "created_at", "updated_at", "type",
]
VERSIONS = "data/production-schedule-versions"
LINKS = "data/production-schedule-version-task-links"
ACTIONS = "actions/production-schedule-versions"


def call(w, who: str, method: str, path: str, body=None, params=None):
    token = w.admin_token if who == "admin" else w.tokens[who]
    return requests.request(
        method, f"{w.api_url}/{path}", json=body, params=params,
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content else None


@pytest.fixture(scope="module")
def w(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"PSV {tag}")
    other = gazu.project.new_project(f"PSV other {tag}")
    people, tokens = {}, {}
    for name, role, team in (
        ("artist", "user", True),
        ("vendor", "vendor", True),
        ("manager", "manager", True),
        ("outsider", "manager", False),
    ):
        email = f"psv-{name}-{tag}@example.com"
        person = gazu.person.new_person(
            name.title(), tag, email, password=ARTIST_PASSWORD, role=role
        )
        if team:
            gazu.project.add_person_to_team(project, person)
        people[name] = person
        tokens[name] = artist_client(api_url, email).tokens["access_token"]
    by_name = {t["name"]: t for t in gazu.task.all_task_types()}
    modeling, animation = by_name["Modeling"], by_name["Animation"]
    character = gazu.asset.get_asset_type_by_name("Character")
    sequence = gazu.shot.new_sequence(project, f"SQ{tag}")
    shot = gazu.shot.new_shot(project, sequence, f"SH01{tag}")
    hero = gazu.asset.new_asset(project, character, f"Hero {tag}")
    anim = gazu.task.new_task(shot, animation, assignees=[people["artist"]])
    model = gazu.task.new_task(hero, modeling)
    gazu.client.put(
        f"data/tasks/{anim['id']}",
        {"start_date": "2031-01-06", "due_date": "2031-01-17", "estimation": 5},
    )
    foreign_sequence = gazu.shot.new_sequence(other, f"SQX{tag}")
    foreign_shot = gazu.shot.new_shot(other, foreign_sequence, f"SHX{tag}")
    foreign_task = gazu.task.new_task(foreign_shot, animation)
    return SimpleNamespace(
        api_url=api_url, admin_token=admin.access_token, tag=tag, project=project,
        other=other, people=people, tokens=tokens, modeling=modeling,
        animation=animation, anim=anim, model=model, foreign_task=foreign_task,
    )


def new_version(w, name, who="manager", status=201):
    return ok(
        call(w, who, "POST", VERSIONS, {"project_id": w.project["id"], "name": name}), status
    )


def test_versions_are_made_listed_and_read(w):
    version = new_version(w, f"V1 {w.tag}")
    assert list(version) == VERSION_KEYS
    assert version["type"] == "ProductionScheduleVersion"
    assert (version["name"], version["project_id"]) == (f"V1 {w.tag}", w.project["id"])
    assert (version["locked"], version["canceled"], version["production_schedule_from"]) == (
        False, False, None,
    )
    listed = ok(call(w, "artist", "GET", VERSIONS, params={"project_id": w.project["id"]}))
    assert [v["id"] for v in listed] == [version["id"]]
    assert listed[0] == version
    assert ok(call(w, "artist", "GET", f"{VERSIONS}/{version['id']}")) == version
    # Another production's list does not hold it.
    assert ok(call(w, "admin", "GET", VERSIONS, params={"project_id": w.other["id"]})) == []


def test_version_rights(w):
    version = new_version(w, f"Rights {w.tag}")
    pid = {"project_id": w.project["id"]}
    for who in ("vendor", "outsider"):
        r = call(w, who, "GET", VERSIONS, params=pid)
        assert r.status_code == 403
        r = call(w, who, "GET", f"{VERSIONS}/{version['id']}")
        assert r.status_code == 403
    # Without a production, admins only.
    assert call(w, "manager", "GET", VERSIONS).status_code == 403
    assert any(v["id"] == version["id"] for v in ok(call(w, "admin", "GET", VERSIONS)))
    # Writes are the production's managers'.
    r = call(w, "artist", "POST", VERSIONS, {"project_id": w.project["id"], "name": "x"})
    assert r.status_code == 403
    assert call(w, "outsider", "PUT", f"{VERSIONS}/{version['id']}", {"name": "y"}).status_code == 403
    assert call(w, "artist", "DELETE", f"{VERSIONS}/{version['id']}").status_code == 403


def test_version_bad_input(w):
    name = f"Dup {w.tag}"
    new_version(w, name)
    dup = call(w, "manager", "POST", VERSIONS, {"project_id": w.project["id"], "name": name})
    assert (dup.status_code, dup.json()) == (
        400, {"message": "A record with the same unique values already exists."}
    )
    unknown = call(
        w, "manager", "POST", VERSIONS,
        {"project_id": w.project["id"], "name": f"From {w.tag}", "from": None},
    )
    # Kitsu's form sends `from` when a version is made from another: Zou's
    # model has no such column.
    assert (unknown.status_code, unknown.json()) == (
        400, {"message": "'from' is an invalid keyword argument for ProductionScheduleVersion"}
    )
    no_name = call(w, "manager", "POST", VERSIONS, {"project_id": w.project["id"]})
    assert (no_name.status_code, no_name.json()) == (
        400, {"message": "A required field is missing."}
    )
    assert call(w, "admin", "GET", f"{VERSIONS}/{MISSING}").status_code == 404
    r = call(w, "admin", "GET", f"{VERSIONS}/nope")
    assert (r.status_code, r.json()["message"]) == (400, "Malformed ID.")
    r = call(w, "admin", "GET", f"{VERSIONS}/{MISSING}/task-links")
    assert r.status_code == 404
    r = call(w, "admin", "POST", f"{ACTIONS}/{MISSING}/apply-to-production")
    assert r.status_code == 404


def test_task_links_from_production_and_edits(w):
    version = new_version(w, f"Links {w.tag}")
    done = ok(call(w, "manager", "POST", f"{ACTIONS}/{version['id']}/set-task-links-from-production"))
    assert done == {"success": True, "task_link_count": 2}
    links = ok(call(w, "artist", "GET", f"{VERSIONS}/{version['id']}/task-links",
                    params={"relations": "true"}))
    by_task = {link["task_id"]: link for link in links}
    assert set(by_task) == {w.anim["id"], w.model["id"]}
    anim = by_task[w.anim["id"]]
    assert list(anim) == LINK_KEYS_WITH_RELATIONS
    assert anim["assignees"] == [w.people["artist"]["id"]]
    assert (anim["start_date"], anim["due_date"], anim["estimation"]) == (
        "2031-01-06T00:00:00", "2031-01-17T00:00:00", 5.0,
    )
    assert by_task[w.model["id"]]["assignees"] == []
    plain = ok(call(w, "artist", "GET", f"{VERSIONS}/{version['id']}/task-links"))
    assert [list(link) for link in plain] == [LINK_KEYS, LINK_KEYS]
    only = ok(call(w, "artist", "GET", f"{VERSIONS}/{version['id']}/task-links",
                   params={"task_type_id": w.modeling["id"]}))
    assert [link["task_id"] for link in only] == [w.model["id"]]

    # Kitsu moves a task in the version: its dates, estimate and assignees.
    moved = ok(call(w, "manager", "PUT", f"{LINKS}/{anim['id']}", {
        "start_date": "2031-02-02", "due_date": "2031-02-20", "estimation": 8,
        "assignees": [w.people["manager"]["id"]],
    }))
    # Zou's update answers without relations.
    assert list(moved) == LINK_KEYS
    read = ok(call(w, "artist", "GET", f"{LINKS}/{anim['id']}"))
    assert list(read) == LINK_KEYS_WITH_RELATIONS
    assert read["assignees"] == [w.people["manager"]["id"]]
    assert (read["start_date"], read["due_date"], read["estimation"]) == (
        "2031-02-02T00:00:00", "2031-02-20T00:00:00", 8.0,
    )
    # The production's task is untouched until the version is applied.
    assert gazu.task.get_task(w.anim["id"])["estimation"] == 5
    # Setting from the production again refreshes the link.
    again = ok(call(w, "manager", "POST", f"{ACTIONS}/{version['id']}/set-task-links-from-production"))
    assert again == {"success": True, "task_link_count": 2}
    read = ok(call(w, "artist", "GET", f"{LINKS}/{anim['id']}"))
    assert read["assignees"] == [w.people["artist"]["id"]]
    assert read["estimation"] == 5.0

    # The generic list, by production.
    generic = ok(call(w, "admin", "GET", LINKS, params={"project_id": w.project["id"]}))
    assert all(list(link) == LINK_KEYS for link in generic)
    assert ok(call(w, "admin", "GET", LINKS, params={"project_id": w.other["id"]})) == []
    assert call(w, "artist", "GET", LINKS).status_code == 403
    assert {link["id"] for link in links} <= {link["id"] for link in generic}
    # A link made by hand; not across productions.
    r = call(w, "manager", "POST", LINKS, {
        "production_schedule_version_id": version["id"], "task_id": w.foreign_task["id"],
    })
    assert (r.status_code, r.json()["message"]) == (
        400, "The task and the production schedule version must be in the same project."
    )
    fresh = new_version(w, f"Hand {w.tag}")
    made = call(w, "manager", "POST", LINKS, {
        "production_schedule_version_id": fresh["id"], "task_id": w.anim["id"],
        "start_date": "2031-03-01", "due_date": "2031-03-02", "estimation": 1,
        "assignees": [w.people["artist"]["id"]],
    })
    assert made.status_code == 201, made.text
    assert list(made.json()) == LINK_KEYS_WITH_RELATIONS
    assert made.json()["assignees"] == [w.people["artist"]["id"]]
    r = call(w, "manager", "DELETE", f"{LINKS}/{made.json()['id']}")
    assert r.status_code == 204
    assert ok(call(w, "admin", "GET", f"{VERSIONS}/{fresh['id']}/task-links")) == []
    assert call(w, "artist", "PUT", f"{LINKS}/{anim['id']}", {"estimation": 1}).status_code == 403


def test_copy_apply_and_delete(w):
    source = new_version(w, f"Source {w.tag}")
    ok(call(w, "manager", "POST", f"{ACTIONS}/{source['id']}/set-task-links-from-production"))
    links = ok(call(w, "admin", "GET", f"{VERSIONS}/{source['id']}/task-links"))
    anim = next(link for link in links if link["task_id"] == w.anim["id"])
    ok(call(w, "manager", "PUT", f"{LINKS}/{anim['id']}", {
        "start_date": "2031-04-01", "due_date": "2031-04-10", "estimation": 3,
    }))
    target = new_version(w, f"Target {w.tag}")
    self_copy = call(w, "manager", "POST",
                     f"{ACTIONS}/{source['id']}/set-task-links-from-production-schedule-version",
                     {"production_schedule_version_id": source["id"]})
    assert (self_copy.status_code, self_copy.json()["message"]) == (
        400, "A production schedule version cannot be copied onto itself."
    )
    empty = call(w, "manager", "POST",
                 f"{ACTIONS}/{target['id']}/set-task-links-from-production-schedule-version", {})
    assert (empty.status_code, empty.json()) == (400, {
        "error": True, "message": "Validation error.",
        "data": {"errors": [{"field": "production_schedule_version_id", "message": "Field required"}]},
    })
    copied = ok(call(w, "manager", "POST",
                     f"{ACTIONS}/{target['id']}/set-task-links-from-production-schedule-version",
                     {"production_schedule_version_id": source["id"]}))
    assert copied == {"success": True, "task_link_count": 2}
    target_now = ok(call(w, "admin", "GET", f"{VERSIONS}/{target['id']}"))
    assert target_now["production_schedule_from"] == source["id"]
    copy = {
        link["task_id"]: link
        for link in ok(call(w, "admin", "GET", f"{VERSIONS}/{target['id']}/task-links",
                            params={"relations": "true"}))
    }
    assert copy[w.anim["id"]]["estimation"] == 3.0
    assert copy[w.anim["id"]]["start_date"] == "2031-04-01T00:00:00"
    assert copy[w.anim["id"]]["assignees"] == [w.people["artist"]["id"]]

    assert call(w, "artist", "POST", f"{ACTIONS}/{source['id']}/apply-to-production").status_code == 403
    applied = ok(call(w, "manager", "POST", f"{ACTIONS}/{source['id']}/apply-to-production"))
    assert applied == {"success": True, "task_count": 2}
    task = gazu.task.get_task(w.anim["id"])
    assert (task["start_date"], task["due_date"], task["estimation"]) == (
        "2031-04-01T00:00:00", "2031-04-10T00:00:00", 3,
    )
    assert ok(call(w, "admin", "GET", f"{VERSIONS}/{source['id']}"))["locked"] is True
    project = gazu.client.get(f"data/projects/{w.project['id']}")
    assert project["from_schedule_version_id"] == source["id"]

    # Deleting the source detaches the copy and the production.
    r = call(w, "manager", "DELETE", f"{VERSIONS}/{source['id']}")
    assert r.status_code == 204
    assert ok(call(w, "admin", "GET", f"{VERSIONS}/{target['id']}"))["production_schedule_from"] is None
    project = gazu.client.get(f"data/projects/{w.project['id']}")
    assert project["from_schedule_version_id"] is None
    assert call(w, "admin", "GET", f"{VERSIONS}/{source['id']}").status_code == 404
    # Its task links went with it.
    assert call(w, "admin", "GET", f"{LINKS}/{anim['id']}").status_code == 404
    # Versions update: name, canceled, locked as Kitsu sends them.
    updated = ok(call(w, "manager", "PUT", f"{VERSIONS}/{target['id']}", {
        "name": f"Renamed {w.tag}", "canceled": True, "locked": False,
        "project_id": w.other["id"],
    }))
    assert list(updated) == VERSION_KEYS
    assert (updated["name"], updated["canceled"], updated["project_id"]) == (
        f"Renamed {w.tag}", True, w.project["id"],
    )
