"""Issues 11 and 14: preview files through Zou's generic CRUD
(``/data/preview-files``) and an entity's previews by task type (gazu's
``shot.all_previews_for_shot``, ``edit.all_previews_for_edit`` and
``concept.all_previews_for_concept``): Zou's key order, the grouping by task
type and revision, the order, who may read and write them, and that forced
deletes of a task, a shot, a person and a production take previews along
(restoring or clearing the entity's main preview as Zou does).

Every test builds its own production.  The expected answers are those of Zou
1.0.97, checked by running this module against it
(``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique

TIMEOUT = 30

# Zou's PreviewFile.serialize(): its columns in declaration order, then type
# (with relations, as a creation or a single read answers, its comments
# before type).
PREVIEW_KEYS = [
    "name", "original_name", "revision", "position", "extension", "description",
    "path", "source", "file_size", "status", "validation_status", "annotations",
    "width", "height", "duration", "data", "token_in", "token_out", "task_id",
    "person_id", "source_file_id", "shotgun_id", "is_movie", "url",
    "uploaded_movie_url", "uploaded_movie_name", "id", "created_at",
    "updated_at", "type",
]
PREVIEW_RELATIONS_KEYS = PREVIEW_KEYS[:-1] + ["comments", "type"]
# A revision's head in get_entity_previews_by_task_type.
HEAD_KEYS = [
    "id", "revision", "original_name", "extension", "width", "height",
    "duration", "status", "annotations", "previews", "created_at", "task_id",
    "original_width", "original_height", "original_duration",
    "original_file_size",
]
# The other files of that revision, under the head's "previews".
EXTRA_KEYS = [
    "id", "revision", "position", "original_name", "extension", "width",
    "height", "duration", "status", "annotations", "created_at", "task_id",
    "task_type_id", "original_width", "original_height", "original_duration",
    "original_file_size",
]


@pytest.fixture
def http(api_url, admin, gazu_admin):
    headers = admin.headers()

    def request(method, path, **kw):
        return requests.request(method, f"{api_url}/{path}", headers=headers, timeout=TIMEOUT, **kw)

    return request


def as_client(api_url, client):
    """Raw requests with a gazu client's token."""
    headers = {"Authorization": f"Bearer {client.tokens['access_token']}"}

    def request(method, path, **kw):
        return requests.request(method, f"{api_url}/{path}", headers=headers, timeout=TIMEOUT, **kw)

    return request


@pytest.fixture
def prod(gazu_admin):
    tag = unique()
    project = gazu.project.new_project(f"PREV {tag}")
    tts = {(t["name"], t["for_entity"]): t for t in gazu.task.all_task_types()}
    anim, layout = tts[("Animation", "Shot")], tts[("Layout", "Shot")]
    edit_tt, concept_tt = tts[("Edit", "Edit")], tts[("Concept", "Concept")]
    sequence = gazu.shot.new_sequence(project, "SQ01")
    shot = gazu.shot.new_shot(project, sequence, "SH010")
    bare = gazu.shot.new_shot(project, sequence, "SH020")
    edit = gazu.edit.new_edit(project, "Trailer")
    concept = gazu.concept.new_concept(project, "Look")
    author = gazu.person.new_person(
        "Prev", f"Author {tag}", f"prev.author.{tag}@example.com", role="user",
        password=ARTIST_PASSWORD)
    gazu.project.add_person_to_team(project, author)
    return SimpleNamespace(
        project=project, anim=anim, layout=layout, edit_tt=edit_tt, concept_tt=concept_tt,
        shot=shot, bare=bare, edit=edit,
        concept=concept, author=author, tag=tag,
        shot_anim=gazu.task.new_task(shot, anim, assignees=[author]),
        shot_layout=gazu.task.new_task(shot, layout),
        edit_task=gazu.task.new_task(edit, edit_tt),
        concept_task=gazu.task.new_task(concept, concept_tt),
    )


def new_preview(prod, task, revision, name="main", **fields):
    body = {
        "task_id": task["id"], "person_id": prod.author["id"], "revision": revision,
        "name": name, "extension": "png", "original_name": f"{name}_v{revision}",
    }
    body.update(fields)
    return gazu.client.create("preview-files", body)


def previews_of_task(http, task):
    response = http("GET", "data/preview-files", params={"task_id": task["id"]})
    assert response.status_code == 200, response.text
    return response.json()


def test_created_preview_has_zou_shape_and_defaults(prod, http):
    preview = new_preview(prod, prod.shot_anim, 1)
    assert list(preview) == PREVIEW_RELATIONS_KEYS
    assert preview["comments"] == []
    assert preview["type"] == "PreviewFile"
    assert preview["status"] == "processing"
    assert preview["validation_status"] == "neutral"
    assert preview["position"] == 1 and preview["revision"] == 1
    assert preview["file_size"] == 0 and preview["width"] == 0 and preview["height"] == 0
    assert preview["duration"] == 0 and isinstance(preview["duration"], float)
    assert preview["is_movie"] is False
    assert preview["annotations"] is None and preview["data"] is None
    assert preview["task_id"] == prod.shot_anim["id"]
    assert preview["person_id"] == prod.author["id"]

    read = gazu.client.fetch_one("preview-files", preview["id"])
    assert read == preview
    listed = previews_of_task(http, prod.shot_anim)
    assert [p["id"] for p in listed] == [preview["id"]]
    assert list(listed[0]) == PREVIEW_KEYS

    updated = gazu.client.update("preview-files", preview["id"], {
        "status": "ready", "width": 1920, "height": 1080, "duration": 2.5,
        "annotations": [{"time": 0, "drawing": {"objects": []}}],
    })
    assert list(updated) == PREVIEW_KEYS
    assert updated["status"] == "ready" and updated["width"] == 1920
    assert updated["duration"] == 2.5
    assert updated["annotations"] == [{"time": 0, "drawing": {"objects": []}}]

    # Name, task and revision are unique together.
    response = http("POST", "data/preview-files", json={
        "task_id": prod.shot_anim["id"], "revision": 1, "name": "main"})
    assert response.status_code == 400
    # A key the model lacks is refused, as Zou's model constructor does.
    response = http("POST", "data/preview-files", json={
        "task_id": prod.shot_anim["id"], "revision": 9, "name": "x", "bogus": 1})
    assert response.status_code == 400
    assert response.json() == {"message": "'bogus' is an invalid keyword argument for PreviewFile"}
    assert http("GET", f"data/preview-files/{uuid.uuid4()}").status_code == 404
    assert http("GET", "data/preview-files/nope").status_code == 400


def test_shot_edit_and_concept_previews_by_task_type(prod, http):
    a1 = new_preview(prod, prod.shot_anim, 1, status="ready")
    a2 = new_preview(prod, prod.shot_anim, 2, status="broken", width=640, height=360,
                     duration=1.5, data={"original_width": 4096, "original_file_size": 12})
    a2_extra = new_preview(prod, prod.shot_anim, 2, name="extra", position=2,
                           annotations=[{"time": 1}])
    l1 = new_preview(prod, prod.shot_layout, 1, extension="mp4")
    e1 = new_preview(prod, prod.edit_task, 1)
    c1 = new_preview(prod, prod.concept_task, 3)

    shot = gazu.shot.all_previews_for_shot(prod.shot)
    # Task types by priority (Animation's 3 before Layout's 2); revisions
    # newest first; every status listed.
    assert list(shot) == [prod.anim["id"], prod.layout["id"]]
    anim = shot[prod.anim["id"]]
    assert [p["id"] for p in anim] == [a2["id"], a1["id"]]
    assert all(list(p) == HEAD_KEYS for p in anim)
    head = anim[0]
    assert head["revision"] == 2 and head["status"] == "broken"
    assert head["width"] == 640 and head["height"] == 360 and head["duration"] == 1.5
    assert head["original_name"] == "main_v2" and head["extension"] == "png"
    assert head["original_width"] == 4096 and head["original_file_size"] == 12
    assert head["original_height"] is None and head["original_duration"] is None
    assert head["task_id"] == prod.shot_anim["id"]
    assert head["created_at"] == a2["created_at"]
    assert head["annotations"] is None
    # The other file of revision 2 under its head, in the row's longer form.
    assert [p["id"] for p in head["previews"]] == [a2_extra["id"]]
    extra = head["previews"][0]
    assert list(extra) == EXTRA_KEYS
    assert extra["position"] == 2 and extra["task_type_id"] == prod.anim["id"]
    assert extra["annotations"] == [{"time": 1}]
    assert extra["duration"] == 0.0 and isinstance(extra["duration"], float)
    assert anim[1]["previews"] == [] and anim[1]["status"] == "ready"
    assert [p["id"] for p in shot[prod.layout["id"]]] == [l1["id"]]
    assert shot[prod.layout["id"]][0]["extension"] == "mp4"

    edit = gazu.edit.all_previews_for_edit(prod.edit)
    assert list(edit) == [prod.edit_tt["id"]]
    assert [p["id"] for p in edit[prod.edit_tt["id"]]] == [e1["id"]]
    concept = gazu.concept.all_previews_for_concept(prod.concept)
    assert list(concept) == [prod.concept_tt["id"]]
    assert [p["revision"] for p in concept[prod.concept_tt["id"]]] == [3]
    assert concept[prod.concept_tt["id"]][0]["id"] == c1["id"]

    # Nothing to show: an empty object.
    assert gazu.shot.all_previews_for_shot(prod.bare) == {}
    # Each route reads its own kind only.
    assert http("GET", f"data/shots/{prod.edit['id']}/preview-files").status_code == 404
    assert http("GET", f"data/edits/{prod.shot['id']}/preview-files").status_code == 404
    assert http("GET", f"data/concepts/{prod.shot['id']}/preview-files").status_code == 404
    assert http("GET", f"data/shots/{uuid.uuid4()}/preview-files").status_code == 404


def test_rights(prod, api_url, http):
    shot_preview = new_preview(prod, prod.shot_anim, 1)
    layout_preview = new_preview(prod, prod.shot_layout, 1)
    edit_preview = new_preview(prod, prod.edit_task, 1)
    tag = prod.tag
    emails = {role: f"prev.{role}.{tag}@example.com"
              for role in ("user", "vendor", "outsider", "manager", "client")}
    people = {}
    for role, email in emails.items():
        people[role] = gazu.person.new_person(
            "Prev", f"{role} {tag}", email, role="user" if role == "outsider" else role,
            password=ARTIST_PASSWORD)
    for role in ("user", "vendor", "manager", "client"):
        gazu.project.add_person_to_team(prod.project, people[role])
    gazu.task.assign_task(prod.shot_layout, people["vendor"])
    clients = {role: artist_client(api_url, email) for role, email in emails.items()}
    author = artist_client(api_url, prod.author["email"])
    raw = {role: as_client(api_url, c) for role, c in clients.items()}

    # A team artist reads every list; an outsider none.
    assert set(gazu.shot.all_previews_for_shot(prod.shot, client=clients["user"])) == {
        prod.anim["id"], prod.layout["id"]}
    assert list(gazu.edit.all_previews_for_edit(prod.edit, client=clients["user"])) == [prod.edit_tt["id"]]
    gazu.concept.all_previews_for_concept(prod.concept, client=clients["user"])
    for call, entity in [
        (gazu.shot.all_previews_for_shot, prod.shot),
        (gazu.edit.all_previews_for_edit, prod.edit),
        (gazu.concept.all_previews_for_concept, prod.concept),
    ]:
        with pytest.raises(gazu.exception.NotAllowedException):
            call(entity, client=clients["outsider"])
    # A vendor reads the shot he holds a task on, not the edit.
    assert set(gazu.shot.all_previews_for_shot(prod.shot, client=clients["vendor"])) == {
        prod.anim["id"], prod.layout["id"]}
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.edit.all_previews_for_edit(prod.edit, client=clients["vendor"])
    # A client of the team reads a shot's previews, not a concept's.
    assert set(gazu.shot.all_previews_for_shot(prod.shot, client=clients["client"])) == {
        prod.anim["id"], prod.layout["id"]}
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.concept.all_previews_for_concept(prod.concept, client=clients["client"])

    # The generic list: the team's productions for an artist, the
    # vendor's own tasks, nothing for an outsider.
    team = {p["id"] for p in raw["user"]("GET", "data/preview-files").json()}
    assert team == {shot_preview["id"], layout_preview["id"], edit_preview["id"]}
    assert [p["id"] for p in raw["vendor"]("GET", "data/preview-files").json()] == [layout_preview["id"]]
    assert raw["outsider"]("GET", "data/preview-files").json() == []
    scoped = http("GET", "data/preview-files", params={"project_id": prod.project["id"]}).json()
    assert {p["id"] for p in scoped} == team
    assert http("GET", "data/preview-files", params={"project_id": "nope"}).status_code == 400

    # One preview: the team reads it; a vendor only on his task.
    assert raw["user"]("GET", f"data/preview-files/{shot_preview['id']}").status_code == 200
    assert raw["outsider"]("GET", f"data/preview-files/{shot_preview['id']}").status_code == 403
    assert raw["vendor"]("GET", f"data/preview-files/{layout_preview['id']}").status_code == 200
    assert raw["vendor"]("GET", f"data/preview-files/{shot_preview['id']}").status_code == 403

    # Creating is the admin's; updating the task's assignee's (or a
    # manager's); deleting a manager's.
    response = raw["manager"]("POST", "data/preview-files", json={
        "task_id": prod.shot_anim["id"], "revision": 5, "name": "m"})
    assert response.status_code == 403
    body = {"validation_status": "validated"}
    assert raw["user"]("PUT", f"data/preview-files/{shot_preview['id']}", json=body).status_code == 403
    changed = gazu.client.update("preview-files", shot_preview["id"], body, client=author)
    assert changed["validation_status"] == "validated"
    assert raw["manager"]("PUT", f"data/preview-files/{shot_preview['id']}",
                          json={"status": "ready"}).status_code == 200
    assert raw["user"]("DELETE", f"data/preview-files/{edit_preview['id']}").status_code == 403
    assert as_client(api_url, author)("DELETE", f"data/preview-files/{shot_preview['id']}").status_code == 403
    assert raw["manager"]("DELETE", f"data/preview-files/{edit_preview['id']}").status_code == 204
    assert http("GET", f"data/preview-files/{edit_preview['id']}").status_code == 404
    assert gazu.edit.all_previews_for_edit(prod.edit) == {}


def test_deleting_a_preview_or_a_task_clears_the_main_preview(prod, http):
    first = new_preview(prod, prod.shot_anim, 1, status="ready")
    second = new_preview(prod, prod.shot_anim, 2, status="ready")
    layout = new_preview(prod, prod.shot_layout, 1, status="ready")
    gazu.client.update("entities", prod.shot["id"], {"preview_file_id": second["id"]})

    # A production that sets main previews by hand: the shot shows none
    # once its preview goes.
    assert http("DELETE", f"data/preview-files/{second['id']}").status_code == 204
    assert gazu.shot.get_shot(prod.shot["id"])["preview_file_id"] is None

    # Automated: the newest ready main preview of its other tasks.
    gazu.client.update("projects", prod.project["id"], {"is_set_preview_automated": True})
    gazu.client.update("entities", prod.shot["id"], {"preview_file_id": first["id"]})
    # A task with previews is removed only with force.
    response = http("DELETE", f"data/tasks/{prod.shot_anim['id']}")
    assert response.status_code == 400
    # (Zou's body is its database's raw error text; only the status is
    # compared.)
    assert [p["id"] for p in previews_of_task(http, prod.shot_anim)] == [first["id"]]
    gazu.task.remove_task(prod.shot_anim)
    assert previews_of_task(http, prod.shot_anim) == []
    assert http("GET", f"data/preview-files/{first['id']}").status_code == 404
    assert gazu.shot.get_shot(prod.shot["id"])["preview_file_id"] == layout["id"]
    assert list(gazu.shot.all_previews_for_shot(prod.shot)) == [prod.layout["id"]]


def test_forced_shot_person_and_project_deletes_take_previews(prod, http):
    shot_previews = [
        new_preview(prod, prod.shot_anim, 1),
        new_preview(prod, prod.shot_layout, 1),
    ]
    edit_preview = new_preview(prod, prod.edit_task, 1)
    concept_preview = new_preview(prod, prod.concept_task, 1)
    gazu.client.update("entities", prod.shot["id"], {"preview_file_id": shot_previews[0]["id"]})

    # Without force the shot is only canceled: its previews stay.
    gazu.shot.remove_shot(prod.shot)
    assert len(gazu.shot.all_previews_for_shot(prod.shot)) == 2
    gazu.shot.remove_shot(prod.shot, force=True)
    for p in shot_previews:
        assert http("GET", f"data/preview-files/{p['id']}").status_code == 404
    assert previews_of_task(http, prod.shot_layout) == []

    # The author of previews is kept unless forced; forced, the previews
    # stay, authorless.
    response = http("DELETE", f"data/persons/{prod.author['id']}")
    assert response.status_code == 400
    assert http("DELETE", f"data/persons/{prod.author['id']}", params={"force": "true"}).status_code == 204
    assert gazu.client.fetch_one("preview-files", edit_preview["id"])["person_id"] is None

    # A closed production goes, forced, with every preview of its tasks.
    closed = [s for s in gazu.client.fetch_all("project-status") if s["name"] == "Closed"][0]
    gazu.client.update("projects", prod.project["id"], {"project_status_id": closed["id"]})
    gazu.project.remove_project(prod.project, force=True)
    for p in (edit_preview, concept_preview):
        assert http("GET", f"data/preview-files/{p['id']}").status_code == 404


def test_moving_a_main_preview_to_another_revision(prod, http):
    main = new_preview(prod, prod.shot_anim, 1)
    extra = new_preview(prod, prod.shot_anim, 1, name="extra", position=2)
    taken = new_preview(prod, prod.shot_anim, 2)
    # Another main preview of the task holds revision 2.
    response = http("PUT", f"data/preview-files/{main['id']}", json={"revision": 2})
    assert response.status_code == 400
    assert response.json() == {"error": True, "message": (
        "Revision 2 already exists for this task. Choose a different revision number, "
        "or omit it to let the revision auto-increment.")}
    assert gazu.client.fetch_one("preview-files", main["id"])["revision"] == 1
    # A free revision: the revision's extra previews move along.
    moved = gazu.client.update("preview-files", main["id"], {"revision": 3})
    assert moved["revision"] == 3
    assert gazu.client.fetch_one("preview-files", extra["id"])["revision"] == 3
    assert gazu.client.fetch_one("preview-files", taken["id"])["revision"] == 2
    # An extra preview moves alone.
    gazu.client.update("preview-files", extra["id"], {"revision": 2})
    assert gazu.client.fetch_one("preview-files", main["id"])["revision"] == 3
