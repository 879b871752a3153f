"""Issue 11: gazu's concept module (Zou's concepts blueprint), driven
through gazu and read back: creation (get-or-create by name), the full
concept, the lists, updates, removal, errors and roles.

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

from support import REFERENCE_IS_ZOU, ARTIST_PASSWORD, artist_client, unique

TIMEOUT = 30

# Zou's get_full_concept: its concepts-and-tasks row, then what the
# serialised concept (with relations) adds.
# A new concept as Zou's create route answers it: its columns, its type,
# then the links it has just set.
CREATE_KEYS = [
    "id", "name", "code", "description", "shotgun_id", "canceled", "nb_frames",
    "nb_entities_out", "is_casting_standby", "is_shared", "status", "project_id",
    "entity_type_id", "parent_id", "source_id", "preview_file_id", "data", "ready_for",
    "created_by", "created_at", "updated_at", "type", "entity_concept_links",
]
FULL_KEYS = [
    "canceled", "data", "description", "entity_type_id", "fps", "frame_in", "frame_out",
    "id", "name", "nb_frames", "parent_id", "preview_file_id", "preview_file_status",
    "project_id", "project_name", "source_id", "nb_entities_out", "is_casting_standby",
    "tasks", "entity_concept_links", "type", "updated_at", "created_at", "created_by",
]


@pytest.fixture
def http(api_url, admin, gazu_admin):
    headers = admin.headers()

    def request(method, path, **kw):
        return requests.request(method, f"{api_url}/{path}", headers=headers, timeout=TIMEOUT, **kw)

    return request


@pytest.fixture
def prod(gazu_admin):
    tag = unique()
    project = gazu.project.new_project(f"CONC {tag}", production_type="short")
    sequence = gazu.shot.new_sequence(project, "SQ01")
    shot = gazu.shot.new_shot(project, sequence, "SH010")
    return SimpleNamespace(project=project, shot=shot, tag=tag)


def test_create_read_list_update_remove(prod, http):
    concept = gazu.concept.new_concept(prod.project, "Hero look", description="first", data={"style": "ink"})
    assert concept["type"] == "Concept"
    assert concept["name"] == "Hero look" and concept["description"] == "first"
    assert concept["data"] == {"style": "ink"}
    assert concept["project_id"] == prod.project["id"]
    assert list(concept) == CREATE_KEYS, " ".join(concept)
    # Get-or-create: gazu finds it by name, and Zou's route returns the
    # existing one too.
    assert gazu.concept.new_concept(prod.project, "Hero look")["id"] == concept["id"]
    again = http("POST", f"data/projects/{prod.project['id']}/concepts", json={"name": "Hero look"})
    assert again.status_code == 201 and again.json()["id"] == concept["id"]

    full = gazu.concept.get_concept(concept["id"])
    assert list(full)[: len(FULL_KEYS)] == FULL_KEYS, list(full)
    assert full["project_name"] == prod.project["name"]
    assert full["tasks"] == [] and full["entity_concept_links"] == []
    assert full["preview_file_status"] is None and full["fps"] is None
    assert {"entities_in", "entities_out", "instance_casting"} <= set(full)

    other = gazu.concept.new_concept(prod.project, "Background")
    names = [c["name"] for c in gazu.concept.all_concepts_for_project(prod.project)]
    assert names == ["Background", "Hero look"]
    everything = gazu.concept.all_concepts()
    mine = [c for c in everything if c["project_id"] == prod.project["id"]]
    assert [c["name"] for c in mine] == ["Background", "Hero look"]
    assert all(c["project_name"] == prod.project["name"] and c["type"] == "Concept" for c in mine)
    assert gazu.concept.get_concept_by_name(prod.project, "Background")["id"] == other["id"]
    assert gazu.concept.get_concept_by_name(prod.project, "Nope") is None

    concept = gazu.concept.get_concept(concept["id"])
    concept["description"] = "second"
    gazu.concept.update_concept(concept)
    assert gazu.concept.get_concept(concept["id"])["description"] == "second"
    assert gazu.concept.all_previews_for_concept(concept) == {}

    gazu.concept.remove_concept(other)
    assert http("GET", f"data/concepts/{other['id']}").status_code == 404
    assert [c["name"] for c in gazu.concept.all_concepts_for_project(prod.project)] == ["Hero look"]


def test_links_and_forced_delete(prod, http):
    response = http("POST", f"data/projects/{prod.project['id']}/concepts",
                    json={"name": "Shot look", "entity_concept_links": [{"id": prod.shot["id"]}]})
    assert response.status_code == 201, response.text
    concept = response.json()
    # gazu 1.3.1 sends the links as ids: Zou 1.0.97's schema wants dicts.
    response = http("POST", f"data/projects/{prod.project['id']}/concepts",
                    json={"name": "Other look", "entity_concept_links": [prod.shot["id"]]})
    assert response.status_code == 400
    linked = gazu.concept.get_concept(concept["id"])["entity_concept_links"]
    gazu.shot.remove_shot(prod.shot, force=True)
    after = gazu.concept.get_concept(concept["id"])["entity_concept_links"]
    # Zou deletes the link with the shot, but its memoized get_full_concept
    # keeps showing it for up to two minutes.
    if not REFERENCE_IS_ZOU:
        assert prod.shot["id"] not in after
    assert linked in ([], [prod.shot["id"]])


def test_errors_and_roles(prod, http, api_url):
    project_id = prod.project["id"]
    assert http("GET", f"data/concepts/{uuid.uuid4()}").status_code == 404
    assert http("GET", f"data/concepts/{prod.shot['id']}").status_code == 404
    assert http("GET", f"data/projects/{uuid.uuid4()}/concepts").status_code == 404
    response = http("POST", f"data/projects/{project_id}/concepts", json={"name": ""})
    assert response.status_code == 400
    response = http("POST", f"data/projects/{project_id}/concepts", json={})
    assert response.status_code == 400

    tag = unique()
    emails = {role: f"conc.{role}.{tag}@example.com" for role in ("user", "manager", "vendor")}
    people = {
        role: gazu.person.new_person("Conc", f"{role} {tag}", email, role=role, password=ARTIST_PASSWORD)
        for role, email in emails.items()
    }
    for person in people.values():
        gazu.project.add_person_to_team(prod.project, person)
    outsider_email = f"conc.out.{tag}@example.com"
    gazu.person.new_person("Conc", f"out {tag}", outsider_email, role="user", password=ARTIST_PASSWORD)
    clients = {role: artist_client(api_url, email) for role, email in emails.items()}
    outsider = artist_client(api_url, outsider_email)

    # A team artist creates and reads concepts, removes his own but not
    # another's; a manager removes any; a vendor and an outsider read none.
    mine = gazu.concept.new_concept(prod.project, "Artist look", client=clients["user"])
    admins = gazu.concept.new_concept(prod.project, "Admin look")
    assert gazu.concept.get_concept(mine["id"], client=clients["user"])["id"] == mine["id"]
    assert len(gazu.concept.all_concepts_for_project(prod.project, client=clients["user"])) == 2
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.concept.remove_concept(admins, client=clients["user"])
    gazu.concept.remove_concept(mine, client=clients["user"])
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.concept.all_concepts_for_project(prod.project, client=clients["vendor"])
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.concept.new_concept(prod.project, "Vendor look", client=clients["vendor"])
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.concept.all_concepts_for_project(prod.project, client=outsider)
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.concept.all_concepts(client=clients["user"])
    gazu.concept.remove_concept(admins, client=clients["manager"])
    assert gazu.concept.all_concepts_for_project(prod.project) == []
