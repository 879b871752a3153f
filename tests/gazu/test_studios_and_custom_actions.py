"""Issue 13: two studio-wide models Kitsu's front end reads at start-up,
studios and custom actions, as Zou 1.0.97's generic CRUD resources with
their rights: anyone logged in reads the studios, admins write them;
everyone but vendors lists the custom actions, admins read one and write
them. gazu 1.3.1 has no function for either: gazu's raw calls.

Everything made here is removed again: test_kitsu_front_end checks that a
studio that made none lists none, on the same reference database.
"""

from __future__ import annotations

from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, artist_client, unique

MISSING = "00000000-0000-4000-8000-000000000000"
STUDIO_KEYS = ["name", "color", "archived", "id", "created_at", "updated_at", "type"]
ACTION_KEYS = ["name", "url", "entity_type", "is_ajax", "id", "created_at", "updated_at", "type"]


def raw(w, who: str, method: str, path: str, body=None):
    token = w.admin_token if who == "admin" else w.tokens[who]
    return requests.request(
        method, f"{w.api_url}/{path}", json=body,
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )


@pytest.fixture(scope="module")
def w(api_url, admin):
    admin.activate()
    tag = unique()
    tokens = {}
    for name, role in (("artist", "user"), ("vendor", "vendor"), ("manager", "manager")):
        email = f"st-{name}-{tag}@example.com"
        gazu.person.new_person(name.title(), tag, email, password=ARTIST_PASSWORD, role=role)
        tokens[name] = artist_client(api_url, email).tokens["access_token"]
    return SimpleNamespace(api_url=api_url, admin_token=admin.access_token, tag=tag, tokens=tokens)


def test_studios(w, admin):
    admin.activate()
    r = raw(w, "admin", "POST", "data/studios", {"name": f"North {w.tag}", "color": "#112233"})
    assert r.status_code == 201, r.text
    studio = r.json()
    assert list(studio) == STUDIO_KEYS
    assert (studio["name"], studio["color"], studio["archived"], studio["type"]) == (
        f"North {w.tag}", "#112233", False, "Studio",
    )
    try:
        for who in ("artist", "vendor", "manager"):
            listed = raw(w, who, "GET", "data/studios")
            assert listed.status_code == 200
            assert studio["id"] in {s["id"] for s in listed.json()}
            one = raw(w, who, "GET", f"data/studios/{studio['id']}")
            assert one.status_code == 200 and one.json()["name"] == studio["name"]
        for who in ("artist", "manager"):
            assert raw(w, who, "POST", "data/studios", {"name": f"X {w.tag}", "color": "#000000"}).status_code == 403
            assert raw(w, who, "PUT", f"data/studios/{studio['id']}", {"archived": True}).status_code == 403
            assert raw(w, who, "DELETE", f"data/studios/{studio['id']}").status_code == 403
        r = raw(w, "admin", "PUT", f"data/studios/{studio['id']}", {"archived": True, "color": "#445566"})
        assert r.status_code == 200
        assert (r.json()["archived"], r.json()["color"]) == (True, "#445566")
        # The name is unique, and required with a colour.
        twin = raw(w, "admin", "POST", "data/studios", {"name": f"North {w.tag}", "color": "#000000"})
        assert twin.status_code == 400
        assert raw(w, "admin", "POST", "data/studios", {"name": f"South {w.tag}"}).status_code == 400
        assert raw(w, "admin", "GET", f"data/studios/{MISSING}").status_code == 404
        # A studio with people in it is kept (Zou's person.studio_id key).
        someone = gazu.person.new_person("In", w.tag, f"st-in-{w.tag}@example.com")
        gazu.client.put(f"data/persons/{someone['id']}", {"studio_id": studio["id"]})
        assert raw(w, "admin", "DELETE", f"data/studios/{studio['id']}").status_code == 400
        gazu.client.put(f"data/persons/{someone['id']}", {"studio_id": None})
    finally:
        assert raw(w, "admin", "DELETE", f"data/studios/{studio['id']}").status_code == 204
    assert raw(w, "admin", "GET", f"data/studios/{studio['id']}").status_code == 404


def test_custom_actions(w):
    r = raw(w, "admin", "POST", "data/custom-actions", {
        "name": f"Open {w.tag}", "url": "https://example.com/hook", "entity_type": "shot",
    })
    assert r.status_code == 201, r.text
    action = r.json()
    assert list(action) == ACTION_KEYS
    assert (action["entity_type"], action["is_ajax"], action["type"]) == ("shot", False, "CustomAction")
    try:
        plain = raw(w, "admin", "POST", "data/custom-actions", {"name": f"Plain {w.tag}"})
        assert plain.status_code == 201
        assert (plain.json()["entity_type"], plain.json()["url"]) == ("all", None)
        assert raw(w, "admin", "DELETE", f"data/custom-actions/{plain.json()['id']}").status_code == 204

        r = raw(w, "admin", "POST", "data/custom-actions", {"url": "https://example.com"})
        assert r.status_code == 400
        assert r.json()["message"] == "The 'name' field is required and cannot be None."

        for who in ("artist", "manager"):
            listed = raw(w, who, "GET", "data/custom-actions")
            assert listed.status_code == 200
            assert action["id"] in {a["id"] for a in listed.json()}
            # One action is read by admins only (Zou's default).
            assert raw(w, who, "GET", f"data/custom-actions/{action['id']}").status_code == 403
            assert raw(w, who, "POST", "data/custom-actions", {"name": "x"}).status_code == 403
            assert raw(w, who, "PUT", f"data/custom-actions/{action['id']}", {"is_ajax": True}).status_code == 403
            assert raw(w, who, "DELETE", f"data/custom-actions/{action['id']}").status_code == 403
        assert raw(w, "vendor", "GET", "data/custom-actions").status_code == 403

        r = raw(w, "admin", "PUT", f"data/custom-actions/{action['id']}", {"is_ajax": True})
        assert r.status_code == 200 and r.json()["is_ajax"] is True
        r = raw(w, "admin", "PUT", f"data/custom-actions/{action['id']}", {"name": None})
        assert r.status_code == 400
        assert r.json()["message"] == "The 'name' field cannot be set to None."
        assert raw(w, "admin", "GET", f"data/custom-actions/{action['id']}").json()["is_ajax"] is True
    finally:
        assert raw(w, "admin", "DELETE", f"data/custom-actions/{action['id']}").status_code == 204
    assert raw(w, "admin", "GET", f"data/custom-actions/{action['id']}").status_code == 404
