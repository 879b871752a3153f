"""Issue 14: review playlists, every function of gazu 1.3.1's ``playlist``
module, on Zou 1.0.97's routes, shapes and rights:

* ``/data/playlists`` (Zou's generic CRUD with ``PlaylistsResource``'s
  rights): creation by the production's managers and supervisors, Zou's key
  order with and without relations (``build_jobs``), ``for_entity`` checked,
  updates (the entries' foreign previews unpinned), deletion with its build
  jobs and share links, the list narrowed per production role;
* a production's and an episode's lists (``type`` first, no entries, the
  first entry's preview), Kitsu's ``main``/``all`` packs, 20 a page,
  ``sort_by``;
* a playlist with its previews (``/data/projects/{id}/playlists/{id}``),
  entries added one or several at a time (the latest preview chosen, exact
  duplicates skipped), an entity's previews by task type;
* build jobs (listed, read, removed; a build with no movie preview ends
  ``failed``; a download of an unfinished build is Zou's 400), temporary
  playlists, client notifications, share links;
* playlists removed with their production and their episode.

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, REFERENCE_IS_ZOU, artist_client, unique

MISSING = "00000000-0000-4000-8000-000000000000"
# Zou's Playlist.serialize(): columns in declaration order (the build_jobs
# relation among them), then type.
PLAYLIST_REL_KEYS = [
    "name", "shots", "project_id", "episode_id", "task_type_id", "for_client",
    "for_entity", "is_for_all", "build_jobs", "created_by", "id", "created_at",
    "updated_at", "type",
]
PLAYLIST_KEYS = [k for k in PLAYLIST_REL_KEYS if k != "build_jobs"]
# build_playlist_dict: type first, no shots.
LIST_KEYS = [
    "type", "id", "name", "project_id", "episode_id", "task_type_id",
    "for_client", "for_entity", "is_for_all", "created_at", "updated_at",
    "created_by",
]
JOB_KEYS = [
    "status", "job_type", "ended_at", "message", "playlist_id", "id",
    "created_at", "updated_at", "type",
]
SHARE_KEYS = [
    "token", "playlist_id", "created_by", "expiration_date", "is_active",
    "can_comment", "id", "created_at", "updated_at", "type", "has_password",
]
LIGHT_KEYS = [
    "id", "revision", "extension", "width", "height", "duration", "status",
    "created_at", "task_id", "previews",
]


def raw(w, who, method, path, body=None, params=None):
    token = w.admin_token if who == "admin" else w.tokens[who]
    return requests.request(
        method, f"{w.api_url}/{path}", json=body, params=params,
        headers={"Authorization": f"Bearer {token}"}, timeout=30,
    )


@pytest.fixture(scope="module")
def w(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"PL {tag}", production_type="tvshow")
    people, tokens, clients = {}, {}, {}
    for name, role, team in (
        ("artist", "user", True),
        ("vendor", "vendor", True),
        ("client", "client", True),
        ("supervisor", "supervisor", True),
        ("supervisor2", "supervisor", True),
        ("manager", "manager", True),
        ("outsider", "manager", False),
    ):
        email = f"pl-{name}-{tag}@example.com"
        person = gazu.person.new_person(
            name.title(), tag, email, password=ARTIST_PASSWORD, role=role)
        if team:
            gazu.project.add_person_to_team(project, person)
        people[name] = person
        clients[name] = artist_client(api_url, email)
        tokens[name] = clients[name].tokens["access_token"]
    tts = {(t["name"], t["for_entity"]): t for t in gazu.task.all_task_types()}
    anim, layout = tts[("Animation", "Shot")], tts[("Layout", "Shot")]
    episode = gazu.shot.new_episode(project, "E02")
    sequence = gazu.shot.new_sequence(project, "SQ01", episode=episode)
    sh010 = gazu.shot.new_shot(project, sequence, "SH010")
    sh020 = gazu.shot.new_shot(project, sequence, "SH020")
    t010 = gazu.task.new_task(sh010, anim)
    t010_layout = gazu.task.new_task(sh010, layout)
    t020 = gazu.task.new_task(sh020, anim)

    def preview(task, revision, name="main"):
        return gazu.client.create("preview-files", {
            "task_id": task["id"], "revision": revision, "name": name,
            "extension": "png", "person_id": people["artist"]["id"],
        })

    p010_v1 = preview(t010, 1)
    p010_v2 = preview(t010, 2)
    p010_layout = preview(t010_layout, 1)
    p020_v1 = preview(t020, 1)
    return SimpleNamespace(
        api_url=api_url, admin_token=admin.access_token, tag=tag, project=project,
        people=people, tokens=tokens, clients=clients, anim=anim, layout=layout,
        episode=episode, sequence=sequence, sh010=sh010, sh020=sh020, t010=t010,
        t010_layout=t010_layout, t020=t020, p010_v1=p010_v1, p010_v2=p010_v2,
        p010_layout=p010_layout, p020_v1=p020_v1,
    )


def test_new_playlist_crud_shape_and_rules(w, gazu_admin):
    name = f"Dailies {unique()}"
    playlist = gazu.playlist.new_playlist(w.project, name)
    assert list(playlist) == PLAYLIST_REL_KEYS
    assert playlist["type"] == "Playlist"
    assert playlist["shots"] is None and playlist["build_jobs"] == []
    assert playlist["for_client"] is False and playlist["is_for_all"] is False
    assert playlist["for_entity"] == "shot" and playlist["episode_id"] is None
    assert playlist["created_by"] == gazu.client.get_current_user()["id"]
    # gazu's get-or-create finds it by name.
    assert gazu.playlist.new_playlist(w.project, name)["id"] == playlist["id"]
    assert gazu.playlist.get_playlist_by_name(w.project, name)["id"] == playlist["id"]
    read = gazu.playlist.get_playlist(playlist)
    assert read == playlist
    assert playlist["id"] in [p["id"] for p in gazu.playlist.all_playlists()]

    for_episode = gazu.playlist.new_playlist(
        w.project, f"Ep {unique()}", episode=w.episode, for_entity="asset",
        for_client=True, is_for_all=True)
    assert for_episode["episode_id"] == w.episode["id"]
    assert (for_episode["for_entity"], for_episode["for_client"], for_episode["is_for_all"]) == (
        "asset", True, True)

    # Kitsu's "main" and "all" episodes are no episode; a task type that
    # is no id is none.
    r = raw(w, "admin", "POST", "data/playlists", {
        "name": f"Main {unique()}", "project_id": w.project["id"],
        "episode_id": "main", "task_type_id": "all"})
    assert r.status_code == 201, r.text
    assert r.json()["episode_id"] is None and r.json()["task_type_id"] is None

    r = raw(w, "admin", "POST", "data/playlists", {
        "name": "x", "project_id": w.project["id"], "for_entity": "foo"})
    assert (r.status_code, r.json()) == (400, {
        "error": True, "data": None,
        "message": "for_entity must be one of shot, asset, sequence, edit, episode"})
    r = raw(w, "admin", "POST", "data/playlists", {"name": "x"})
    assert (r.status_code, r.json()) == (400, {"message": "'project_id'"})

    # An update keeps entries as {entity_id, preview_file_id}; a preview of
    # another entity is unpinned.
    playlist["name"] = name + " v2"
    playlist["shots"] = [
        {"entity_id": w.sh010["id"], "preview_file_id": w.p010_v1["id"]},
        {"id": w.sh020["id"], "preview_file_id": w.p010_v1["id"], "extra": 1},
        {"preview_file_id": w.p020_v1["id"]},
    ]
    updated = gazu.playlist.update_playlist(playlist)
    assert list(updated) == PLAYLIST_KEYS
    assert updated["name"] == name + " v2"
    assert updated["shots"] == [
        {"entity_id": w.sh010["id"], "preview_file_id": w.p010_v1["id"]},
        {"entity_id": w.sh020["id"], "preview_file_id": None},
    ]
    r = raw(w, "admin", "PUT", f"data/playlists/{playlist['id']}", {"for_entity": "bad"})
    assert r.status_code == 400

    assert raw(w, "admin", "GET", "data/playlists/zz").status_code == 400
    assert raw(w, "admin", "GET", f"data/playlists/{MISSING}").status_code == 404


def test_entries_added_updated_and_removed(w, gazu_admin):
    playlist = gazu.playlist.new_playlist(w.project, f"Entries {unique()}")
    # gazu picks the newest head of the entity's task types itself.
    added = gazu.playlist.add_entity_to_playlist(playlist, w.sh010, preview_file=w.p010_layout)
    assert list(added) == PLAYLIST_KEYS
    assert added["shots"] == [{"entity_id": w.sh010["id"], "preview_file_id": w.p010_layout["id"]}]
    picked = gazu.playlist.add_entity_to_playlist(added, w.sh010, persist=False)
    assert picked["shots"][-1]["preview_file_id"] in (w.p010_layout["id"], w.p010_v2["id"])
    # The same couple again is skipped.
    again = gazu.playlist.add_entity_to_playlist(added, w.sh010, preview_file=w.p010_layout)
    assert again["shots"] == added["shots"]
    # Without a preview, the server resolves the latest (highest revision).
    r = raw(w, "admin", "POST", f"actions/playlists/{playlist['id']}/add-entities", {
        "entities": [
            {"entity_id": w.sh010["id"]},
            {"entity_id": w.sh020["id"], "preview_file_id": w.p010_v1["id"]},
        ]})
    assert r.status_code == 200, r.text
    assert r.json()["shots"] == [
        {"entity_id": w.sh010["id"], "preview_file_id": w.p010_layout["id"]},
        {"entity_id": w.sh010["id"], "preview_file_id": w.p010_v2["id"]},
        # A foreign preview is unpinned first, then resolved as none given.
        {"entity_id": w.sh020["id"], "preview_file_id": w.p020_v1["id"]},
    ]
    assert [s["entity_id"] for s in gazu.playlist.all_shots_for_playlist(playlist)] == [
        w.sh010["id"], w.sh010["id"], w.sh020["id"]]

    current = gazu.playlist.get_playlist(playlist)
    current = gazu.playlist.update_entity_preview(current, w.sh020, w.p020_v1)
    assert gazu.playlist.get_playlist(playlist)["shots"][2] == {
        "entity_id": w.sh020["id"], "preview_file_id": w.p020_v1["id"]}
    current = gazu.playlist.remove_entity_from_playlist(current, w.sh010)
    assert gazu.playlist.get_playlist(playlist)["shots"] == [
        {"entity_id": w.sh020["id"], "preview_file_id": w.p020_v1["id"]}]
    # persist=False changes nothing on the server.
    local = gazu.playlist.add_entity_to_playlist(current, w.sh010, preview_file=w.p010_v1, persist=False)
    assert len(local["shots"]) == 2
    assert len(gazu.playlist.get_playlist(playlist)["shots"]) == 1

    path = f"actions/playlists/{playlist['id']}/add-entity"
    r = raw(w, "admin", "POST", path, {})
    assert (r.status_code, r.json()["data"]) == (400, {"errors": [
        {"field": "entity_id", "message": "Field required"}]})
    r = raw(w, "admin", "POST", path, {"entity_id": "zz"})
    assert r.json()["data"]["errors"] == [{"field": "entity_id", "message":
        "Input should be a valid UUID, invalid character: found `z` at 1"}]
    r = raw(w, "admin", "POST", f"actions/playlists/{playlist['id']}/add-entities", {"entities": []})
    assert (r.status_code, r.json()["data"]["errors"][0]["field"]) == (400, "entities")
    for bad in (MISSING, "zz"):
        r = raw(w, "admin", "POST", f"actions/playlists/{bad}/add-entity", {"entity_id": w.sh010["id"]})
        assert r.status_code == 404


def test_playlist_read_with_previews(w, gazu_admin):
    playlist = gazu.playlist.new_playlist(w.project, f"Read {unique()}")
    gazu.playlist.add_entity_to_playlist(playlist, w.sh020, preview_file=w.p020_v1)
    gazu.client.put(f"data/playlists/{playlist['id']}", {"shots": [
        {"entity_id": w.sh020["id"], "preview_file_id": w.p020_v1["id"]},
        {"entity_id": w.sh010["id"], "preview_file_id": None},
    ]})
    r = raw(w, "admin", "GET", f"data/projects/{w.project['id']}/playlists/{playlist['id']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == PLAYLIST_KEYS + ["build_jobs"]
    assert body["build_jobs"] == []
    first, second = body["shots"]
    assert list(first) == [
        "entity_id", "preview_file_id", "id", "preview_files", "preview_file_extension",
        "preview_file_revision", "preview_file_width", "preview_file_height",
        "preview_file_duration", "preview_file_status", "preview_file_task_id",
        "preview_file_previews"]
    assert first["id"] == w.sh020["id"] and first["preview_file_task_id"] == w.t020["id"]
    assert first["preview_file_status"] == "Processing"
    assert list(first["preview_files"]) == [w.anim["id"]]
    assert [list(p) for p in first["preview_files"][w.anim["id"]]] == [LIGHT_KEYS]
    # An entry without preview loses the key; its previews are listed.
    assert "preview_file_id" not in second
    assert [p["id"] for p in second["preview_files"][w.anim["id"]]] == [
        w.p010_v2["id"], w.p010_v1["id"]]
    # Of another production: not found.
    other = gazu.project.new_project(f"PL other {unique()}")
    r = raw(w, "admin", "GET", f"data/projects/{other['id']}/playlists/{playlist['id']}")
    assert r.status_code == 404
    # An entity's previews by task type, as gazu reads them.
    previews = gazu.playlist.get_entity_preview_files(w.sh010)
    assert set(previews) == {w.anim["id"], w.layout["id"]}
    assert [p["id"] for p in previews[w.anim["id"]]] == [w.p010_v2["id"], w.p010_v1["id"]]


def test_project_and_episode_lists(w, gazu_admin):
    project = gazu.project.new_project(f"PL lists {unique()}", production_type="tvshow")
    episode = gazu.shot.new_episode(project, "E05")
    main = gazu.playlist.new_playlist(project, "B main")
    gazu.client.put(f"data/playlists/{main['id']}", {"shots": [
        {"entity_id": w.sh010["id"], "preview_file_id": None}]})
    for_all = gazu.playlist.new_playlist(project, "A all", is_for_all=True, for_entity="asset")
    in_episode = gazu.playlist.new_playlist(project, "C ep", episode=episode, for_client=True)
    with_task_type = gazu.client.create("playlists", {
        "name": "D tt", "project_id": project["id"], "task_type_id": w.anim["id"]})

    rows = gazu.playlist.all_playlists_for_project(project)
    assert [r["name"] for r in rows] == ["A all", "B main", "C ep", "D tt"]  # gazu sorts
    assert all(list(r)[:len(LIST_KEYS)] == LIST_KEYS for r in rows)
    assert "shots" not in rows[0] and "first_preview_file_id" not in rows[1]

    def names(path, **params):
        r = raw(w, "admin", "GET", path, params=params)
        assert r.status_code == 200, r.text
        return [p["name"] for p in r.json()]

    base = f"data/projects/{project['id']}"
    # Newest update first by default; another column ascending.
    assert names(f"{base}/playlists") == ["D tt", "C ep", "A all", "B main"]
    assert names(f"{base}/playlists", sort_by="name") == ["A all", "B main", "C ep", "D tt"]
    assert names(f"{base}/playlists", task_type_id=w.anim["id"]) == ["D tt"]
    assert names(f"{base}/episodes/main/playlists", sort_by="name") == ["B main", "D tt"]
    assert names(f"{base}/episodes/all/playlists") == ["A all"]
    assert names(f"{base}/episodes/all/playlists", for_entity="shot") == []
    assert [p["id"] for p in gazu.playlist.all_playlists_for_episode(episode)] == [in_episode["id"]]
    assert raw(w, "admin", "GET", f"{base}/episodes/{MISSING}/playlists").status_code == 404
    r = raw(w, "admin", "GET", f"{base}/playlists", params={"page": "x"})
    assert (r.status_code, r.json()["message"]) == (400, "page must be an integer.")

    # 20 a page.
    for i in range(18):
        gazu.client.create("playlists", {"name": f"P{i:02}", "project_id": project["id"]})
    assert len(names(f"{base}/playlists")) == 20
    assert len(names(f"{base}/playlists", page=2)) == 2

    # The admins' full list, with relations.
    r = raw(w, "admin", "GET", f"{base}/playlists/all")
    assert r.status_code == 200 and len(r.json()) == 22
    assert all(list(p) == PLAYLIST_REL_KEYS for p in r.json())
    assert raw(w, "manager", "GET", f"{base}/playlists/all").status_code == 403
    assert for_all["id"] and with_task_type["id"]


def test_build_jobs(w, gazu_admin):
    playlist = gazu.playlist.new_playlist(w.project, f"Build {unique()}")
    gazu.playlist.add_entity_to_playlist(playlist, w.sh020, preview_file=w.p020_v1)
    if REFERENCE_IS_ZOU:
        # Zou builds in the request and answers its failure with a 500.
        with pytest.raises(gazu.exception.ServerErrorException):
            gazu.playlist.build_playlist_movie(playlist)
    else:
        # Fennec answers the failed job (CONTRACT.md, deliberate differences).
        job = gazu.playlist.build_playlist_movie(playlist)
        assert list(job) == JOB_KEYS
        assert job["status"] == "failed" and job["message"]
    jobs = [j for j in gazu.playlist.all_build_jobs_for_project(w.project)
            if j["playlist_id"] == playlist["id"]]
    assert len(jobs) == 1
    job = jobs[0]
    assert list(job) == JOB_KEYS
    assert (job["status"], job["job_type"]) == ("failed", "movie") and job["ended_at"]
    assert gazu.playlist.get_build_job(playlist, job) == job
    assert gazu.playlist.get_playlist(playlist)["build_jobs"] == [job["id"]]
    r = raw(w, "admin", "GET", f"data/projects/{w.project['id']}/playlists/{playlist['id']}")
    assert r.json()["build_jobs"] == [{
        "id": job["id"], "status": "failed", "created_at": job["created_at"],
        "message": job["message"]}]

    path = f"data/playlists/{playlist['id']}/jobs/{job['id']}"
    r = raw(w, "admin", "GET", path + "/build/mp4")
    assert (r.status_code, r.json()) == (400, {"error": True, "message": "Build is not finished"})
    # Supervisors may download, not read the job; artists neither.
    assert raw(w, "supervisor", "GET", path + "/build/mp4").status_code == 400
    assert raw(w, "supervisor", "GET", path).status_code == 403
    assert raw(w, "artist", "GET", path).status_code == 403
    assert raw(w, "vendor", "GET", path).status_code == 403
    assert raw(w, "manager", "GET", path).status_code == 200
    other = gazu.playlist.new_playlist(w.project, f"Other {unique()}")
    assert raw(w, "admin", "GET", f"data/playlists/{other['id']}/jobs/{job['id']}").status_code == 404
    assert raw(w, "manager", "GET", f"data/projects/{w.project['id']}/build-jobs").status_code == 403
    assert raw(w, "artist", "GET", f"data/playlists/{playlist['id']}/build/mp4").status_code == 403

    gazu.playlist.remove_build_job(playlist, job)
    assert raw(w, "admin", "GET", path).status_code == 404
    assert gazu.playlist.get_playlist(playlist)["build_jobs"] == []


def test_temp_playlist(w, gazu_admin):
    # Unsorted unless asked (gazu does not ask).
    entries = gazu.playlist.generate_temp_playlist(w.project, {"task_ids": [w.t020["id"], w.t010["id"]]})
    assert [e["name"] for e in entries] == ["SH020", "SH010"]
    entry = entries[0]
    assert list(entry) == [
        "id", "name", "preview_file_task_id", "parent_name", "episode_id", "episode_name",
        "sequence_id", "sequence_name", "asset_type_id", "asset_type_name", "preview_file_id",
        "preview_file_extension", "preview_file_width", "preview_file_height",
        "preview_file_duration", "preview_file_revision", "preview_file_status",
        "preview_file_annotations", "preview_file_previews", "preview_files"]
    assert (entry["parent_name"], entry["sequence_id"], entry["episode_id"]) == (
        "SQ01", w.sequence["id"], "")
    assert (entry["preview_file_id"], entry["preview_file_status"]) == (w.p020_v1["id"], "processing")
    assert entry["preview_files"] == gazu.playlist.get_entity_preview_files(w.sh020)
    # Sorted on request; an entity contributes its reviewed task (none here:
    # no comment published a preview).
    r = raw(w, "admin", "POST", f"data/projects/{w.project['id']}/playlists/temp?sort=true",
            {"task_ids": [w.t020["id"], w.t010["id"]], "entity_ids": [w.sh010["id"]]})
    assert [e["name"] for e in r.json()] == ["SH010", "SH020"]
    r = raw(w, "admin", "POST", f"data/projects/{w.project['id']}/playlists/temp", {"task_ids": ["x"]})
    assert (r.status_code, r.json()["data"]["errors"]) == (400, [{
        "field": "task_ids.0", "message": "Input should be a valid UUID, invalid character: found `x` at 1"}])
    assert gazu.playlist.generate_temp_playlist(w.project, {}) == []
    r = raw(w, "outsider", "POST", f"data/projects/{w.project['id']}/playlists/temp", {"task_ids": []})
    assert r.status_code == 403


def test_notify_clients_and_share_links(w, gazu_admin):
    playlist = gazu.playlist.new_playlist(w.project, f"Share {unique()}", for_client=True)
    assert gazu.playlist.notify_clients_playlist_ready(playlist) == {"status": "success"}
    r = raw(w, "client", "GET", "data/user/notifications")
    assert r.status_code == 200, r.text
    assert playlist["id"] in [n.get("playlist_id") for n in r.json()]
    assert raw(w, "supervisor", "POST", f"data/playlists/{playlist['id']}/notify-clients", {}).status_code == 403

    link = gazu.playlist.new_share_link(playlist, expiration_date="2030-01-02", password="secret")
    assert list(link) == SHARE_KEYS
    assert link["expiration_date"] == "2030-01-02T23:59:59"
    assert (link["is_active"], link["can_comment"], link["has_password"]) == (True, True, True)
    plain = gazu.playlist.new_share_link(playlist, can_comment=False)
    assert (plain["has_password"], plain["can_comment"], plain["expiration_date"]) == (False, False, None)
    links = gazu.playlist.all_share_links_for_playlist(playlist)
    assert [x["id"] for x in links] == [link["id"], plain["id"]]
    assert all("password" not in x for x in links)
    gazu.playlist.remove_share_link(playlist, link["token"])
    assert [x["id"] for x in gazu.playlist.all_share_links_for_playlist(playlist)] == [plain["id"]]
    r = raw(w, "admin", "DELETE", f"data/playlists/{playlist['id']}/share/{link['token']}")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert raw(w, "admin", "DELETE", f"data/playlists/{playlist['id']}/share/nope").status_code == 404
    assert raw(w, "supervisor", "GET", f"data/playlists/{playlist['id']}/share").status_code == 403
    r = raw(w, "admin", "POST", f"data/playlists/{playlist['id']}/share", {"expiration_date": "soon"})
    assert (r.status_code, r.json()["message"]) == (400, "soon is not a valid ISO 8601 date")


def test_rights(w, gazu_admin):
    internal = gazu.playlist.new_playlist(w.project, f"Internal {unique()}")
    shared = gazu.playlist.new_playlist(w.project, f"Shared {unique()}", for_client=True)
    base = f"data/projects/{w.project['id']}/playlists"

    def listed(who):
        r = raw(w, who, "GET", base)
        return r.status_code, {p["id"] for p in r.json()} if r.status_code == 200 else None

    status, ids = listed("artist")
    assert status == 200 and {internal["id"], shared["id"]} <= ids
    status, ids = listed("client")
    assert status == 200 and shared["id"] in ids and internal["id"] not in ids
    assert listed("vendor")[0] == 403
    assert listed("outsider")[0] == 403
    generic = {p["id"] for p in raw(w, "client", "GET", "data/playlists").json()}
    assert shared["id"] in generic and internal["id"] not in generic
    assert raw(w, "vendor", "GET", "data/playlists").status_code == 403
    assert raw(w, "client", "GET", f"data/playlists/{internal['id']}").status_code == 403
    assert raw(w, "client", "GET", f"{base}/{shared['id']}").status_code == 200
    assert raw(w, "client", "GET", f"{base}/{internal['id']}").status_code == 403
    assert raw(w, "artist", "GET", f"data/playlists/{internal['id']}").status_code == 200
    assert raw(w, "vendor", "GET", f"{base}/{internal['id']}").status_code == 403

    # Creation: the production's managers and supervisors.
    body = {"name": f"Sup {unique()}", "project_id": w.project["id"]}
    assert raw(w, "artist", "POST", "data/playlists", body).status_code == 403
    assert raw(w, "outsider", "POST", "data/playlists", body).status_code == 403
    r = raw(w, "supervisor", "POST", "data/playlists", body)
    assert r.status_code == 201, r.text
    own = r.json()
    assert own["created_by"] == w.people["supervisor"]["id"]
    # Updates and deletes: managers, or the supervisor who made it.
    add = {"entity_id": w.sh010["id"]}
    assert raw(w, "supervisor", "POST", f"actions/playlists/{own['id']}/add-entity", add).status_code == 200
    assert raw(w, "supervisor2", "POST", f"actions/playlists/{own['id']}/add-entity", add).status_code == 403
    assert raw(w, "supervisor", "PUT", f"data/playlists/{internal['id']}", {"name": "x"}).status_code == 403
    assert raw(w, "manager", "PUT", f"data/playlists/{own['id']}", {"name": own["name"] + "!"}).status_code == 200
    assert raw(w, "artist", "DELETE", f"data/playlists/{own['id']}").status_code == 403
    assert raw(w, "supervisor", "DELETE", f"data/playlists/{own['id']}").status_code == 204


def test_deletes(w, gazu_admin):
    playlist = gazu.playlist.new_playlist(w.project, f"Gone {unique()}")
    # (Zou fails before making a job for a playlist without entries.)
    gazu.playlist.add_entity_to_playlist(playlist, w.sh020, preview_file=w.p020_v1)
    if not REFERENCE_IS_ZOU:
        gazu.playlist.build_playlist_movie(playlist)
    else:
        with pytest.raises(gazu.exception.ServerErrorException):
            gazu.playlist.build_playlist_movie(playlist)
    gazu.playlist.new_share_link(playlist)
    job = gazu.playlist.get_playlist(playlist)["build_jobs"][0]
    gazu.playlist.delete_playlist(playlist)
    assert raw(w, "admin", "GET", f"data/playlists/{playlist['id']}").status_code == 404
    assert raw(w, "admin", "GET", f"data/playlists/{playlist['id']}/jobs/{job}").status_code == 404
    assert job not in [j["id"] for j in gazu.playlist.all_build_jobs_for_project(w.project)]

    # A forced episode delete and a production delete take their playlists.
    project = gazu.project.new_project(f"PL gone {unique()}", production_type="tvshow")
    episode = gazu.shot.new_episode(project, "E09")
    of_episode = gazu.playlist.new_playlist(project, "ep", episode=episode)
    of_project = gazu.playlist.new_playlist(project, "main")
    gazu.playlist.new_share_link(of_project)
    gazu.shot.remove_episode(episode, force=True)
    assert raw(w, "admin", "GET", f"data/playlists/{of_episode['id']}").status_code == 404
    assert raw(w, "admin", "GET", f"data/playlists/{of_project['id']}").status_code == 200
    gazu.project.close_project(project)
    gazu.project.remove_project(project, force=True)
    assert raw(w, "admin", "GET", f"data/playlists/{of_project['id']}").status_code == 404
