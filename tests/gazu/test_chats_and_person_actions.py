"""Issue 12: entity chats and an admin's actions on a person, as Zou 1.0.97
serves them.

Chats (gazu's user.all_chats, join_chat, leave_chat; Kitsu's chat panel):
an entity's chat is made on first read; joining and leaving; the caller's
chats on open productions with the entity's full name; messages posted by
participants only, listed oldest first, read one by one, deleted by their
author or an admin; who reaches a chat (the team, a vendor only on an
entity he holds a task on); Zou's quirk of an always empty `messages` on
the chat read.  Attachments need file storage (issue 14): Zou stores them,
Fennec refuses the message with a 400 and keeps nothing.

Person actions (gazu's person.add_person_to_department,
remove_person_from_department, change_password_for_person, invite_person,
clear_person_avatar, disable_two_factor_authentication and
user.clear_avatar): shapes, Zou's check order (bots, admins, bodies,
departments, persons), password rules, an invitation answered "Email sent"
with no mail server (Zou logs its failure to send; Fennec has none and
logs that), avatars cleared (has_avatar false), 2FA refused when off or
for another admin.

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
Where Zou fails with a 500 (an unknown chat message) Fennec answers 404.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
import uuid

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, REFERENCE_IS_ZOU, artist_client, unique

TIMEOUT = 30
CHAT_KEYS = ["object_id", "object_type", "last_message", "participants", "id", "created_at",
             "updated_at", "type", "messages"]
JOINED_KEYS = ["object_id", "object_type", "last_message", "id", "created_at", "updated_at", "type"]
USER_CHAT_KEYS = ["id", "object_id", "last_message", "entity_name", "project_id", "preview_file_id"]
MESSAGE_KEYS = ["chat_id", "person_id", "text", "id", "created_at", "updated_at", "type"]
FORBIDDEN = "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."
NOT_FOUND = "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."


def totp_now(secret: str) -> str:
    """The current RFC 6238 code of a base32 secret (SHA-1, 6 digits, 30 s)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class Http:
    """Raw calls as one person, to see statuses and bodies."""

    def __init__(self, api_url: str, email: str, password: str = ARTIST_PASSWORD):
        r = requests.post(f"{api_url}/auth/login", json={"email": email, "password": password},
                          timeout=TIMEOUT)
        r.raise_for_status()
        self.api_url = api_url
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def call(self, method: str, path: str, **kw):
        r = requests.request(method, f"{self.api_url}/{path}", headers=self.headers,
                             timeout=TIMEOUT, **kw)
        try:
            body = r.json()
        except ValueError:
            body = r.text
        return r.status_code, body

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


def can_log_in(api_url: str, email: str, password: str) -> bool:
    r = requests.post(f"{api_url}/auth/login", json={"email": email, "password": password},
                      timeout=TIMEOUT)
    return r.status_code == 200


@pytest.fixture(scope="module")
def world(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"CH {tag}", production_type="tvshow")
    closed = gazu.project.new_project(f"CH closed {tag}", production_type="short")
    people, http, clients = {}, {}, {}
    for name, role in (("artist", "user"), ("other", "user"), ("vendor", "vendor"),
                       ("outsider", "user"), ("admin2", "admin")):
        email = f"ch-{name}-{tag}@example.com"
        people[name] = gazu.person.new_person(name.title(), tag, email, password=ARTIST_PASSWORD,
                                              role=role)
        if name not in ("outsider", "admin2"):
            gazu.project.add_person_to_team(project, people[name])
        http[name] = Http(api_url, email)
        clients[name] = artist_client(api_url, email)
    gazu.project.add_person_to_team(closed, people["artist"])
    people["bot"] = gazu.person.new_bot(f"Bot {tag}", f"ch-bot-{tag}@example.com")
    people["no_password_admin"] = gazu.person.new_person(
        "Nopw", tag, f"ch-nopw-{tag}@example.com", role="admin")

    episode = gazu.shot.new_episode(project, "E01")
    sequence = gazu.shot.new_sequence(project, "SQ01", episode=episode)
    shot = gazu.shot.new_shot(project, sequence, "SH010")
    character = gazu.asset.get_asset_type_by_name("Character")
    hero = gazu.asset.new_asset(project, character, "Hero")
    prop = gazu.asset.new_asset(project, character, "Lamp")
    modeling = gazu.task.get_task_type_by_name("Modeling")
    task = gazu.task.new_task(hero, modeling)
    gazu.task.assign_task(task, people["vendor"])
    far_seq = gazu.shot.new_sequence(closed, "SQ09")
    far_shot = gazu.shot.new_shot(closed, far_seq, "SH900")
    department = gazu.person.new_department(f"CH Dept {tag}")
    admin_http = Http(api_url, "admin@example.com", "mysecretpassword")
    me = gazu.client.get_current_user()
    return {
        "tag": tag, "project": project, "closed": closed, "people": people, "http": http,
        "clients": clients, "admin": admin_http, "me": me, "episode": episode,
        "sequence": sequence, "shot": shot, "hero": hero, "prop": prop, "far_shot": far_shot,
        "department": department,
    }


# --- chats -------------------------------------------------------------------


def test_chat_read_makes_the_chat_once(world):
    admin = world["admin"]
    shot = world["shot"]
    status, chat = admin.get(f"data/entities/{shot['id']}/chat")
    assert status == 200
    assert list(chat) == CHAT_KEYS
    assert chat["type"] == "Chat"
    assert chat["object_id"] == shot["id"]
    assert chat["object_type"] == "entity"
    assert chat["last_message"] is None
    assert chat["messages"] == []
    status, again = admin.get(f"data/entities/{shot['id']}/chat")
    assert status == 200 and again["id"] == chat["id"]


def test_join_list_and_leave(world, admin):
    artist = world["clients"]["artist"]
    joined = gazu.user.join_chat(world["shot"], client=artist)
    assert list(joined) == JOINED_KEYS
    assert joined["object_id"] == world["shot"]["id"]
    # Joining twice keeps one participant.
    gazu.user.join_chat(world["shot"]["id"], client=artist)
    status, chat = world["http"]["artist"].get(f"data/entities/{world['shot']['id']}/chat")
    assert status == 200
    assert chat["participants"] == [world["people"]["artist"]["id"]]
    assert chat["id"] == joined["id"]

    for entity in ("sequence", "episode", "hero"):
        gazu.user.join_chat(world[entity], client=artist)
    gazu.user.join_chat(world["far_shot"], client=artist)
    gazu.project.close_project(world["closed"])

    chats = gazu.user.all_chats(client=artist)
    by_object = {c["object_id"]: c for c in chats}
    assert all(list(c) == USER_CHAT_KEYS for c in chats)
    # Closed productions' chats are left out.
    assert world["far_shot"]["id"] not in by_object
    names = {
        "shot": "E01 / SQ01 / SH010", "sequence": "E01 / SQ01", "episode": "E01",
        "hero": "Character / Hero",
    }
    for entity, name in names.items():
        row = by_object[world[entity]["id"]]
        assert row["entity_name"] == name
        assert row["project_id"] == world["project"]["id"]
        assert row["preview_file_id"] is None
    assert by_object[world["shot"]["id"]]["id"] == joined["id"]

    assert gazu.user.leave_chat(world["episode"], client=artist) == ""
    # Leaving a chat one is not in is fine too.
    status, body = world["http"]["artist"].delete(f"actions/user/chats/{world['episode']['id']}/join")
    assert (status, body) == (204, "")
    objects = [c["object_id"] for c in gazu.user.all_chats(client=artist)]
    assert world["episode"]["id"] not in objects
    # Someone else's list is his own.
    assert gazu.user.all_chats(client=world["clients"]["other"]) == []


def test_messages(world):
    artist, other, admin = world["http"]["artist"], world["http"]["other"], world["admin"]
    prop = world["prop"]
    base = f"data/entities/{prop['id']}/chat/messages"
    # Not a participant: refused after the body is validated.
    assert artist.post(base, json={}) == (400, {
        "error": True, "message": "Validation error.",
        "data": {"errors": [{"field": "message", "message": "Field required"}]}})
    assert artist.post(base, json={"message": 3}) == (400, {
        "error": True, "message": "Validation error.",
        "data": {"errors": [{"field": "message", "message": "Input should be a valid string"}]}})
    assert artist.post(base, json={"message": "hi"}) == (400, {
        "error": True, "message": "You are not a participant of this chat", "data": None})

    gazu.user.join_chat(prop, client=world["clients"]["artist"])
    gazu.user.join_chat(prop, client=world["clients"]["other"])
    status, first = artist.post(base, json={"message": "hello"})
    assert status == 201
    assert list(first) == MESSAGE_KEYS
    assert first["text"] == "hello"
    assert first["person_id"] == world["people"]["artist"]["id"]
    # A form body is read as well.
    status, second = other.post(base, data={"message": "form"})
    assert status == 201 and second["text"] == "form"

    status, listed = artist.get(base)
    assert status == 200
    assert [m["id"] for m in listed] == [first["id"], second["id"]]
    assert all(list(m) == MESSAGE_KEYS + ["attachment_files"] for m in listed)
    assert all(m["attachment_files"] == [] for m in listed)

    status, one = artist.get(f"{base}/{first['id']}")
    assert status == 200
    assert one == listed[0]

    status, chat = artist.get(f"data/entities/{prop['id']}/chat")
    assert chat["last_message"] == second["created_at"]
    # Zou looks the chat's messages up by the entity's id: always none.
    assert chat["messages"] == []
    assert chat["participants"] == [world["people"]["artist"]["id"], world["people"]["other"]["id"]]

    # A message read through another entity's chat.
    hero = world["hero"]["id"]
    assert artist.get(f"data/entities/{hero}/chat/messages/{first['id']}") == (403, {
        "error": True, "message": FORBIDDEN})
    assert admin.delete(f"data/entities/{hero}/chat/messages/{first['id']}")[0] == 403
    # Unknown or malformed message ids: Zou fails (500), Fennec says 404.
    for bad in (str(uuid.uuid4()), "nope"):
        status, body = artist.get(f"{base}/{bad}")
        assert status == (500 if REFERENCE_IS_ZOU else 404)

    # Only the author or an admin deletes.
    assert other.delete(f"{base}/{first['id']}") == (403, {"error": True, "message": FORBIDDEN})
    assert artist.delete(f"{base}/{first['id']}") == (204, "")
    assert admin.delete(f"{base}/{second['id']}") == (204, "")
    assert artist.get(base) == (200, [])
    status, _ = artist.delete(f"{base}/{first['id']}")
    assert status == (500 if REFERENCE_IS_ZOU else 404)


def test_message_attachments_need_storage(world):
    artist = world["http"]["artist"]
    seq = world["sequence"]["id"]
    gazu.user.join_chat(seq, client=world["clients"]["artist"])
    base = f"data/entities/{seq}/chat/messages"
    status, body = artist.post(base, data={"message": "with a file"},
                               files={"file": ("notes.txt", b"hi", "text/plain")})
    if REFERENCE_IS_ZOU:
        assert status == 201
        assert list(body) == MESSAGE_KEYS + ["attachment_files"]
        assert [a["name"] for a in body["attachment_files"]] == ["notes.txt"]
    else:
        # Issue 14: no file storage yet, so nothing is posted.
        assert status == 400
        assert "file storage" in body["message"]
        assert artist.get(base) == (200, [])


def test_who_reaches_a_chat(world):
    http, shot, hero = world["http"], world["shot"]["id"], world["hero"]["id"]
    forbidden = (403, {"error": True, "message": FORBIDDEN})
    not_found = (404, {"error": True, "message": NOT_FOUND})
    assert http["outsider"].get(f"data/entities/{shot}/chat") == forbidden
    assert http["outsider"].post(f"actions/user/chats/{shot}/join") == forbidden
    assert http["outsider"].get(f"data/entities/{shot}/chat/messages") == forbidden
    # A vendor reaches only the entities he holds a task on.
    assert http["vendor"].get(f"data/entities/{shot}/chat") == forbidden
    assert http["vendor"].delete(f"actions/user/chats/{shot}/join") == forbidden
    status, chat = http["vendor"].get(f"data/entities/{hero}/chat")
    assert status == 200 and chat["object_id"] == hero
    assert http["vendor"].post(f"actions/user/chats/{hero}/join")[0] == 200
    for bad in (str(uuid.uuid4()), "nope"):
        assert http["artist"].get(f"data/entities/{bad}/chat") == not_found
        assert http["artist"].post(f"actions/user/chats/{bad}/join") == not_found
        assert http["artist"].get(f"data/entities/{bad}/chat/messages") == not_found


# --- person actions ----------------------------------------------------------


def test_add_and_remove_department(world, admin):
    admin.activate()
    person = gazu.person.new_person("Dept", world["tag"], f"ch-dept-{world['tag']}@example.com",
                                    password=ARTIST_PASSWORD)
    department = world["department"]
    added = gazu.person.add_person_to_department(person, department)
    status, plain = world["admin"].get(f"data/persons/{person['id']}")
    assert list(added) == list(plain)
    assert added["departments"] == [department["id"]]
    assert plain["departments"] == [department["id"]]
    again = gazu.person.add_person_to_department(person["id"], department["id"])
    assert again["departments"] == [department["id"]]

    http = world["admin"]
    path = f"actions/persons/{person['id']}/departments/add"
    assert http.post(path, json={"department_id": str(uuid.uuid4())}) == (400, {
        "error": True, "message": "Department ID matches no department", "data": None})
    assert http.post(path, json={"department_id": "nope"}) == (400, {
        "error": True, "message": "Validation error.", "data": {"errors": [{
            "field": "department_id",
            "message": "Input should be a valid UUID, invalid character: found `n` at 1"}]}})
    assert http.post(path, json={}) == (400, {
        "error": True, "message": "Validation error.",
        "data": {"errors": [{"field": "department_id", "message": "Field required"}]}})
    assert http.post(f"actions/persons/{uuid.uuid4()}/departments/add",
                     json={"department_id": department["id"]})[0] == 404
    artist = world["http"]["artist"]
    assert artist.post(path, json={"department_id": department["id"]}) == (403, {
        "error": True, "message": FORBIDDEN})
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.person.add_person_to_department(person, department, client=world["clients"]["artist"])

    remove = f"actions/persons/{person['id']}/departments"
    assert artist.delete(f"{remove}/{department['id']}")[0] == 403
    unknown_department = (400, {"error": True, "message": "Department ID matches no department",
                                "data": None})
    assert http.delete(f"{remove}/{uuid.uuid4()}") == unknown_department
    assert http.delete(f"{remove}/nope") == unknown_department
    assert http.delete(f"actions/persons/{uuid.uuid4()}/departments/{department['id']}")[0] == 404
    assert gazu.person.remove_person_from_department(person, department) == ""
    assert http.get(f"data/persons/{person['id']}")[1]["departments"] == []
    # Removing again is no error.
    assert http.delete(f"{remove}/{department['id']}") == (204, "")


def test_change_password(world, api_url, admin):
    admin.activate()
    tag = world["tag"]
    email = f"ch-pw-{tag}@example.com"
    person = gazu.person.new_person("Pw", tag, email, password=ARTIST_PASSWORD)
    assert gazu.person.change_password_for_person(person, "An0ther-secret-pw") == {"success": True}
    assert can_log_in(api_url, email, "An0ther-secret-pw")
    assert not can_log_in(api_url, email, ARTIST_PASSWORD)

    http = world["admin"]
    path = f"actions/persons/{person['id']}/change-password"

    def change(body, who=http, target=path):
        return who.post(target, json=body)

    def validation(*errors):
        return (400, {"error": True, "message": "Validation error.",
                      "data": {"errors": [{"field": f, "message": m} for f, m in errors]}})

    assert change({"password": "N3w-secret-pass", "password_2": "other-secret-pass"}) == validation(
        ("", "Value error, Confirmation password doesn't match."))
    too_short = (400, {"error": True, "message": "Password is too short."})
    assert change({"password": "short", "password_2": "short"}) == too_short
    assert change({"password": "1234567", "password_2": "1234567"}) == too_short
    assert change({"password": "12345678", "password_2": "12345678"}) == (200, {"success": True})
    assert can_log_in(api_url, email, "12345678")
    assert change({"password": "N3w-secret-pass"}) == validation(("password_2", "Field required"))
    assert change({}) == validation(("password", "Field required"), ("password_2", "Field required"))
    assert change({"password": 12345678, "password_2": 12345678}) == validation(
        ("password", "Input should be a valid string"), ("password_2", "Input should be a valid string"))
    assert change({"password": "", "password_2": ""}) == validation(
        ("password", "String should have at least 1 character"),
        ("password_2", "String should have at least 1 character"))

    good = {"password": "N3w-secret-pass", "password_2": "N3w-secret-pass"}
    people = world["people"]
    # Not an admin; a bot (before the role check); someone unknown.
    forbidden = (403, {"error": True, "message": FORBIDDEN})
    assert change(good, world["http"]["artist"]) == forbidden
    assert change(good, world["http"]["artist"], f"actions/persons/{people['bot']['id']}/change-password") == forbidden
    assert change(good, http, f"actions/persons/{people['bot']['id']}/change-password") == forbidden
    assert change(good, http, f"actions/persons/{uuid.uuid4()}/change-password")[0] == 404
    assert change(good, world["http"]["artist"], f"actions/persons/{uuid.uuid4()}/change-password")[0] == 404
    # Another admin's password, once set, is his own business.
    assert change(good, http, f"actions/persons/{people['admin2']['id']}/change-password") == (
        400, {"error": True, "message": "An admin can't change another admin's password."})
    assert change(good, http, f"actions/persons/{people['no_password_admin']['id']}/change-password") == (
        200, {"success": True})
    # An admin's own.
    assert change({"password": "mysecretpassword", "password_2": "mysecretpassword"}, http,
                  f"actions/persons/{world['me']['id']}/change-password") == (200, {"success": True})
    assert can_log_in(api_url, "admin@example.com", "mysecretpassword")


def test_invite_person(world, admin):
    admin.activate()
    people = world["people"]
    # No mail server here: Zou logs its failure and still answers this.
    assert gazu.person.invite_person(people["artist"]) == {"success": True, "message": "Email sent"}
    forbidden = (403, {"error": True, "message": FORBIDDEN})
    assert world["http"]["artist"].get(f"actions/persons/{people['other']['id']}/invite") == forbidden
    assert world["admin"].get(f"actions/persons/{people['bot']['id']}/invite") == forbidden
    assert world["admin"].get(f"actions/persons/{uuid.uuid4()}/invite") == (
        404, {"error": True, "message": NOT_FOUND})
    assert world["admin"].get("actions/persons/nope/invite")[0] == 404


def test_clear_avatars(world, admin):
    admin.activate()
    people, http = world["people"], world["admin"]
    other = people["other"]
    gazu.client.put(f"data/persons/{other['id']}", {"has_avatar": True})
    assert gazu.person.get_person(other["id"])["has_avatar"] is True
    assert gazu.person.clear_person_avatar(other) == ""
    assert gazu.person.get_person(other["id"])["has_avatar"] is False
    # Admins only, even for one's own avatar through this route.
    forbidden = (403, {"error": True, "message": FORBIDDEN})
    assert world["http"]["other"].delete(f"actions/persons/{other['id']}/clear-avatar") == forbidden
    assert http.delete(f"actions/persons/{uuid.uuid4()}/clear-avatar")[0] == 404
    # The caller's own, through the user blueprint.
    gazu.client.put(f"data/persons/{other['id']}", {"has_avatar": True})
    assert gazu.user.clear_avatar(client=world["clients"]["other"]) == ""
    assert gazu.person.get_person(other["id"])["has_avatar"] is False


def test_disable_two_factor_authentication(world, api_url, admin):
    admin.activate()
    people, http = world["people"], world["admin"]

    def disable(person_id, who=http):
        return who.delete(f"actions/persons/{person_id}/disable-two-factor-authentication")

    not_enabled = (400, {"error": True, "message": "Two factor authentication not enabled for this user."})
    assert disable(people["artist"]["id"]) == not_enabled
    assert disable(world["me"]["id"]) == not_enabled
    assert disable(people["admin2"]["id"]) == (
        400, {"error": True, "message": "An admin can't disable 2FA for other admins."})
    forbidden = (403, {"error": True, "message": FORBIDDEN})
    assert disable(people["artist"]["id"], world["http"]["artist"]) == forbidden
    assert disable(people["bot"]["id"]) == forbidden
    assert disable(str(uuid.uuid4()))[0] == 404
    with pytest.raises(gazu.exception.ParameterException):
        gazu.person.disable_two_factor_authentication(people["artist"])

    # A person who turned TOTP on from his own client.
    tag = world["tag"]
    email = f"ch-2fa-{tag}@example.com"
    person = gazu.person.new_person("Secure", tag, email, password=ARTIST_PASSWORD)
    own = Http(api_url, email)
    status, enrolment = own.call("PUT", "auth/totp", json={})
    assert status == 200
    status, _ = own.post("auth/totp", json={"totp": totp_now(enrolment["otp_secret"])})
    assert status == 200
    assert gazu.person.get_person(person["id"])["totp_enabled"] is True
    assert disable(person["id"]) == (200, {"success": True})
    assert gazu.person.get_person(person["id"])["totp_enabled"] is False
    assert disable(person["id"]) == not_enabled


def test_a_person_in_a_chat_is_kept(world, admin):
    """Zou refuses to delete a chat's participant or a message's author,
    even forced: its chat tables keep their rows."""
    admin.activate()
    tag = world["tag"]
    people = {}
    for name in ("talker", "listener"):
        email = f"ch-{name}-{tag}@example.com"
        people[name] = gazu.person.new_person(name.title(), tag, email, password=ARTIST_PASSWORD)
        gazu.project.add_person_to_team(world["project"], people[name])
        people[name]["http"] = Http(world["admin"].api_url, email)
    shot = world["shot"]["id"]
    for name in people:
        assert people[name]["http"].post(f"actions/user/chats/{shot}/join")[0] == 200
    status, _ = people["talker"]["http"].post(f"data/entities/{shot}/chat/messages",
                                               json={"message": "bye"})
    assert status == 201
    linked = (400, {"error": True, "message": "Some data are still linked to given person."})
    http = world["admin"]
    assert http.delete(f"data/persons/{people['listener']['id']}") == linked
    assert http.delete(f"data/persons/{people['talker']['id']}") == linked
    assert http.delete(f"data/persons/{people['talker']['id']}?force=true") == linked
    status, chat = http.get(f"data/entities/{shot}/chat")
    assert people["talker"]["id"] in chat["participants"]
    assert people["listener"]["id"] in chat["participants"]
