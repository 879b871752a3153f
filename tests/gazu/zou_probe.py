"""Mistakes and forbidden actions sent to a server, to compare its answers
with the real Zou's.

``build_world`` makes the same small production on any server (Zou or
Fennec) through plain HTTP; every case names the objects it uses by key
(``{task}``, ``{artist}``…) so that the same case can run on both, and
``normalise`` turns the answer back into names, so that the two answers
compare equal when the servers behave alike.

``zou_reference/record_probe`` runs the cases against a real Zou and stores
its answers in ``zou_reference/probe_answers.json``; ``test_probe_vs_zou``
runs them against Fennec and compares.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid

import requests

PASSWORD = "probe-password-1"
MISSING = "00000000-0000-4000-8000-000000000000"  # well formed, never created
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
# Dates a server stamps itself (a last presence): the day of the run.
_TODAY = {str(datetime.date.today() + datetime.timedelta(days=d)) for d in (-1, 0, 1)}

ROLES = ("manager", "supervisor", "user", "client", "vendor")


class World:
    def __init__(self, api: str):
        self.api = api.rstrip("/")
        self.ids: dict[str, str] = {}
        self.tokens: dict[str, str] = {}
        # Ids that were on the server before the world was built and that
        # the world does not name (other tests' objects, Kitsu's default
        # data): left out of the compared lists, as they differ by server.
        self.before: set[str] = set()

    def names(self) -> dict[str, str]:
        return {v: k for k, v in self.ids.items() if k != "tag"}

    def call(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.api + path, headers=headers, timeout=30, **kwargs)

    def admin(self, method, path, **kwargs):
        answer = self.call(method, path, token=self.tokens["admin"], **kwargs)
        if answer.status_code >= 300:
            raise RuntimeError(f"setup {method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json()

    def login(self, email, password):
        answer = self.call("POST", "/auth/login", json={"email": email, "password": password})
        answer.raise_for_status()
        return answer.json()["access_token"]


_SNAPSHOT = ("projects", "persons", "tasks", "task-types", "task-status", "asset-types",
             "departments", "project-status", "entities", "comments", "time-spents",
             "day-offs", "milestones", "entity-types", "organisations")


def _by(rows, key, value):
    return next(row for row in rows if row[key] == value)


def build_world(api: str, admin_email: str, admin_password: str, tag: str) -> World:
    """The production every case refers to. ``tag`` keeps names unique
    when the same server is probed twice."""
    w = World(api)
    w.ids["tag"] = tag
    w.tokens["admin"] = w.login(admin_email, admin_password)
    for model in _SNAPSHOT:
        answer = w.call("GET", f"/data/{model}", token=w.tokens["admin"])
        if answer.status_code == 200:
            w.before.update(row["id"] for row in answer.json() if isinstance(row, dict))
    statuses = w.admin("GET", "/data/task-status")
    for short in ("todo", "wip", "done", "wfa", "retake"):
        w.ids[f"status_{short}"] = _by(statuses, "short_name", short)["id"]
    w.ids["admin"] = w.admin("GET", "/auth/authenticated")["user"]["id"]
    task_types = w.admin("GET", "/data/task-types")
    w.ids["tt_animation"] = _by(task_types, "name", "Animation")["id"]
    w.ids["tt_modeling"] = _by(task_types, "name", "Modeling")["id"]
    asset_types = w.admin("GET", "/data/asset-types")
    w.ids["asset_type"] = _by(asset_types, "name", "Character")["id"]
    w.ids["open_status"] = _by(w.admin("GET", "/data/project-status"), "name", "Open")["id"]
    departments = w.admin("GET", "/data/departments")
    w.ids["department"] = departments[0]["id"] if departments else MISSING

    project = w.admin("POST", "/data/projects", json={
        "name": f"Probe {tag}", "production_type": "tvshow",
        "project_status_id": w.ids["open_status"],
    })
    w.ids["project"] = project["id"]
    other = w.admin("POST", "/data/projects", json={"name": f"Other {tag}"})
    w.ids["other_project"] = other["id"]
    for role in ROLES:
        person = w.admin("POST", "/data/persons", json={
            "first_name": role.title(), "last_name": tag,
            "email": f"{role}-{tag}@example.com", "password": PASSWORD, "role": role,
        })
        w.ids[role] = person["id"]
        w.admin("POST", f"/data/projects/{project['id']}/team", json={"person_id": person["id"]})
        w.tokens[role] = w.login(f"{role}-{tag}@example.com", PASSWORD)
    outsider = w.admin("POST", "/data/persons", json={
        "first_name": "Out", "last_name": tag, "email": f"out-{tag}@example.com",
        "password": PASSWORD, "role": "user",
    })
    w.ids["outsider"] = outsider["id"]
    w.tokens["outsider"] = w.login(f"out-{tag}@example.com", PASSWORD)

    p = project["id"]
    episode = w.admin("POST", f"/data/projects/{p}/episodes", json={"name": "E01"})
    w.ids["episode"] = episode["id"]
    sequence = w.admin("POST", f"/data/projects/{p}/sequences",
                       json={"name": "SQ01", "episode_id": episode["id"]})
    w.ids["sequence"] = sequence["id"]
    shot = w.admin("POST", f"/data/projects/{p}/shots",
                   json={"name": "SH010", "sequence_id": sequence["id"]})
    w.ids["shot"] = shot["id"]
    asset = w.admin("POST", f"/data/projects/{p}/asset-types/{w.ids['asset_type']}/assets/new",
                    json={"name": "Fox", "description": "hero"})
    w.ids["asset"] = asset["id"]
    task = w.admin("POST", "/data/tasks", json={
        "project_id": p, "entity_id": shot["id"], "task_type_id": w.ids["tt_animation"],
        "task_status_id": w.ids["status_todo"], "name": "main",
    })
    w.ids["task"] = task["id"]
    other_task = w.admin("POST", "/data/tasks", json={
        "project_id": p, "entity_id": asset["id"], "task_type_id": w.ids["tt_modeling"],
        "task_status_id": w.ids["status_todo"], "name": "main",
    })
    w.ids["asset_task"] = other_task["id"]
    # Nobody works on it, so nothing refers to it: the deletion cases use it.
    spare = w.admin("POST", "/data/tasks", json={
        "project_id": p, "entity_id": asset["id"], "task_type_id": w.ids["tt_modeling"],
        "task_status_id": w.ids["status_todo"], "name": "spare",
    })
    w.ids["spare_task"] = spare["id"]
    # Only the cases Zou and Fennec answer differently on purpose use it;
    # on a shot of its own, so that no list has it tied with {task}.
    inf_shot = w.admin("POST", f"/data/projects/{p}/shots",
                       json={"name": "SH020", "sequence_id": sequence["id"]})
    w.ids["inf_shot"] = inf_shot["id"]
    inf = w.admin("POST", "/data/tasks", json={
        "project_id": p, "entity_id": inf_shot["id"], "task_type_id": w.ids["tt_animation"],
        "task_status_id": w.ids["status_todo"], "name": "inf",
    })
    w.ids["inf_task"] = inf["id"]
    w.admin("PUT", f"/actions/persons/{w.ids['user']}/assign",
            json={"task_ids": [task["id"], inf["id"]]})
    w.admin("PUT", f"/actions/persons/{w.ids['vendor']}/assign", json={"task_ids": [task["id"]]})
    comment = w.admin("POST", f"/actions/tasks/{task['id']}/comment", json={
        "task_status_id": w.ids["status_wip"], "comment": "studio only",
    })
    w.ids["comment"] = comment["id"]
    day_off = w.admin("POST", "/data/day-offs", json={
        "person_id": w.ids["user"], "date": "2026-12-24", "end_date": "2026-12-26",
    })
    w.ids["day_off"] = day_off["id"]
    w.admin("POST", f"/actions/tasks/{task['id']}/time-spents/2026-11-02/persons/{w.ids['user']}",
            json={"duration": 60})
    return w


def _fill(value, ids):
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _send(w: World, case: dict):
    kwargs = {}
    if "json" in case:
        kwargs["json"] = _fill(case["json"], w.ids)
    if "data" in case:
        kwargs["data"] = case["data"]
        kwargs["headers"] = {"Content-Type": case.get("content_type", "application/json")}
    as_ = case.get("as_", "admin")
    token = {"nobody": None, "garbage": "not.a.token"}.get(as_, w.tokens.get(as_))
    answer = w.call(case.get("method", "GET"), _fill(case["path"], w.ids), token=token, **kwargs)
    try:
        body = answer.json()
    except ValueError:
        body = {"<not json>": answer.text[:200]}
    return answer.status_code, body


def run_case(w: World, case: dict):
    """Send one case; answer ``(status, body)`` with ids named back."""
    status, body = _send(w, case)
    return status, normalise(body, w.names(), w.ids["tag"])


def probe_case(w: World, case: dict) -> dict:
    """Send one case and answer what is compared: ``status`` and ``body``
    (ids named back); for a success, ``content`` (which objects it shows,
    by name: see ``content``) and, for a write, ``readback`` (what an admin
    reads afterwards of the objects it wrote: see ``readback_paths``)."""
    status, raw = _send(w, case)
    names = w.names()
    out = {"status": status, "body": normalise(raw, names, w.ids["tag"])}
    if 200 <= status < 300:
        out["content"] = content(w, raw, names)
        if case.get("method", "GET") != "GET" and not case["path"].startswith("/auth/"):
            paths = readback_paths(w, case, raw)
            out["readback"] = None if paths is None else [
                [normalise(path, names, w.ids["tag"]), *read_back(w, path)] for path in paths
            ]
    return out


def label(w: World, item, names):
    """The world's name for one item of an answer (a dict with an id, or
    an id): ``{task}``; ``<new NAME>`` for what a case created; None for
    what was there before the world (left out)."""
    id_ = item.get("id") if isinstance(item, dict) else item
    if isinstance(id_, str) and id_ in names:
        return "{" + names[id_] + "}"
    if isinstance(id_, str) and id_ in w.before:
        return None
    if isinstance(item, dict) and "id" in item:
        name = next((item[k] for k in ("name", "email", "full_name", "short_name", "text")
                     if isinstance(item.get(k), str)), "")
        if item.get("type") == "Comment":
            name = f"{item.get('text')!r} by {item.get('person_id')}"
        return ("<new " + normalise(name, names, w.ids["tag"]) + ">").replace(" >", ">")
    return json.dumps(normalise(item, names, w.ids["tag"]), sort_keys=True)


def content(w: World, body, names):
    """Which objects a success answer shows: the sorted names of a list's
    items (or of a page's ``data``), the name of a dict's ``id``; any other
    dict whole."""
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        body = body["data"]
    if isinstance(body, list):
        return sorted(n for n in (label(w, item, names) for item in body) if n is not None)
    if isinstance(body, dict) and "id" in body:
        return label(w, body, names)
    if isinstance(body, dict):
        # Not a model (time spents by person, a team role, the logged-in
        # person): all of it, named.
        return normalise(body, names, w.ids["tag"])
    return None


_MODEL_ID = re.compile(r"^/data/([a-z-]+)/(\{\w+\}|[0-9a-f-]{36})$")
_TEAM = re.compile(r"^/data/projects/(\{\w+\})/team(/.*)?$")
_SETTINGS = re.compile(r"^/data/projects/(\{\w+\})/settings/")
_ENTITY_NEW = re.compile(r"^/data/projects/\{\w+\}/(episodes|sequences|shots|scenes|asset-types/.*/assets/new)$")
_COMMENT = re.compile(r"^/actions/tasks/(\{\w+\})/comment$")
_TIME_SPENT = re.compile(r"^/actions/tasks/(\{\w+\})/time-spents/([0-9-]+)/persons/[^/]+(/add)?$")
_ASSIGN = re.compile(r"^/actions/persons/[^/]+/assign$")


def readback_paths(w: World, case: dict, body):
    """The GETs that show what a successful write left behind (None: a
    write this probe does not know how to read back)."""
    method, path = case.get("method", "GET"), case["path"]
    new_id = body.get("id") if isinstance(body, dict) else None
    if m := _MODEL_ID.match(path):
        if method == "POST":
            return None
        paths = [path]
        if m.group(1) == "comments" and m.group(2) == "{comment}":
            paths.append("/data/tasks/{task}")  # its status comes from the last comment
        return paths
    if method == "POST" and re.match(r"^/data/[a-z-]+$", path) and new_id:
        return [f"{path}/{new_id}"]
    if m := _TEAM.match(path):
        return [f"/data/projects/{m.group(1)}/team"]
    if m := _SETTINGS.match(path):
        return [f"/data/projects/{m.group(1)}"]
    if _ENTITY_NEW.match(path) and new_id:
        return [f"/data/entities/{new_id}"]
    if m := _COMMENT.match(path):
        return ([f"/data/comments/{new_id}"] if new_id else []) + [f"/data/tasks/{m.group(1)}"]
    if m := _TIME_SPENT.match(path):
        return [f"/actions/tasks/{m.group(1)}/time-spents/{m.group(2)}",
                f"/data/tasks/{m.group(1)}"]
    if _ASSIGN.match(path):
        task_ids = case.get("json", {}).get("task_ids")
        return [f"/data/tasks/{t}" for t in task_ids if isinstance(t, str)]
    return None


def read_back(w: World, path: str):
    """An admin's GET of ``path``: status and body, ids named back, items
    that were there before the world left out, lists sorted."""
    status, raw = _send(w, {"method": "GET", "path": path})
    names = w.names()
    if isinstance(raw, list):
        kept = [item for item in raw
                if not (isinstance(item, dict) and item.get("id") in w.before
                        and item.get("id") not in names)]
        body = sorted((_unordered(normalise(item, names, w.ids["tag"])) for item in kept),
                      key=lambda v: json.dumps(v, sort_keys=True))
    else:
        body = _unordered(normalise(raw, names, w.ids["tag"]))
    return status, body


def _unordered(value):
    """Lists inside a read-back (a team, assignees, a shot's tasks) sorted:
    Zou reads them in no order."""
    if isinstance(value, dict):
        return {k: _unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_unordered(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def normalise(value, names, tag):
    if isinstance(value, str):
        if value in names:
            return "{" + names[value] + "}"
        if DATETIME_RE.match(value):
            return "<datetime>"
        if value in _TODAY:
            return "<today>"
        value = value.replace(tag, "{tag}")
        return UUID_RE.sub(lambda m: "{" + names.get(m.group(0), "uuid") + "}", value)
    if isinstance(value, list):
        return [normalise(v, names, tag) for v in value]
    if isinstance(value, dict):
        return {normalise(k, names, tag): normalise(v, names, tag) for k, v in value.items()}
    return value


def shape(value):
    """What a success answer is compared on: its type and keys (values of
    2xx answers depend on creation times and order, not on the rules)."""
    if isinstance(value, dict):
        return {"dict": sorted(value)}
    if isinstance(value, list):
        # Emptiness, not length: other tests share the server.
        return {"list": bool(value), "first": shape(value[0]) if value else None}
    return type(value).__name__


def case_key(case: dict) -> str:
    return json.dumps({k: case[k] for k in sorted(case) if k != "why"}, sort_keys=True)


def _cases():
    c = []

    def add(path, method="GET", **kw):
        c.append({"method": method, "path": path, **kw})

    # --- transport and authentication
    for as_ in ("nobody", "garbage"):
        add("/data/projects", as_=as_)
        add("/data/tasks/{task}", as_=as_)
        add("/data/tasks", "POST", as_=as_, json={"name": "x"})
    add("/auth/login", "POST", json={}, as_="nobody")
    add("/auth/login", "POST", json={"email": "nobody@example.com", "password": "x"}, as_="nobody")
    add("/auth/login", "POST", json={"email": "user-{tag}", "password": "x"}, as_="nobody")
    add("/auth/login", "POST", data="{not json", as_="nobody")
    add("/auth/login", "POST", json={"email": 12, "password": ["x"]}, as_="nobody")
    add("/auth/login", "GET", as_="nobody")
    add("/auth/authenticated", as_="nobody")
    add("/auth/refresh-token", as_="nobody")
    add("/data/nothing-here")
    add("/data/projects/{project}/nothing")
    add("/data/projects", "PATCH")
    add("/data/tasks/{task}", "POST", json={})
    add("/actions/tasks/{task}/comment", "GET")

    # --- generic CRUD: unknown and malformed ids
    for model in ("projects", "persons", "task-types", "task-status", "asset-types",
                  "departments", "project-status", "tasks", "shots", "assets",
                  "episodes", "sequences", "entities", "comments", "time-spents",
                  "day-offs", "entity-types", "organisations", "milestones"):
        add(f"/data/{model}/{MISSING}")
        add(f"/data/{model}/not-a-uuid")
        add(f"/data/{model}/{MISSING}", "PUT", json={"name": "x"})
        add(f"/data/{model}/{MISSING}", "DELETE")
    add("/data/tasks/{shot}")
    add("/data/shots/{task}")
    add("/data/assets/{shot}")
    add("/data/shots/{asset}")
    add("/data/episodes/{sequence}")

    # --- generic CRUD: filters and pagination
    add("/data/tasks?project_id=not-a-uuid")
    add(f"/data/tasks?project_id={MISSING}")
    add("/data/tasks?no_such_column=1")
    add("/data/tasks?page=abc")
    add("/data/tasks?page=0")
    add("/data/tasks?page=1&limit=abc")
    add("/data/tasks?limit=-1&page=1")
    add("/data/tasks?task_status_id=not-a-uuid")
    add("/data/persons?role=nonsense")
    add("/data/projects?name=Nothing")
    add("/data/tasks?relations=maybe")
    add("/data/tasks?start_date=notadate")
    add("/data/tasks?estimation=abc")
    add("/data/task-types?priority=abc")
    add("/data/tasks?assignees=not-a-uuid")
    add("/data/shots?project_id=not-a-uuid")
    add("/data/assets?entity_type_id=not-a-uuid")

    # --- generic CRUD: bodies
    add("/data/projects", "POST", json={})
    add("/data/projects", "POST", json={"name": ""})
    add("/data/projects", "POST", json={"name": 12})
    add("/data/projects", "POST", json={"name": "Probe {tag}"})
    add("/data/projects", "POST", json={"name": "P2 {tag}", "project_status_id": "not-a-uuid"})
    add("/data/projects", "POST", json={"name": "P3 {tag}", "project_status_id": MISSING})
    add("/data/projects", "POST", json={"name": "P4 {tag}", "start_date": "notadate"})
    add("/data/projects", "POST", json={"name": "P5 {tag}", "fps": {"a": 1}})
    add("/data/projects", "POST", json={"name": "P6 {tag}", "no_such_field": 1})
    add("/data/projects", "POST", data="{bad json")
    add("/data/projects", "POST", data="[1, 2]")
    add("/data/projects", "POST", data="")
    add("/data/projects", "POST", data="name=x", content_type="application/x-www-form-urlencoded")
    add("/data/task-types", "POST", json={})
    add("/data/task-types", "POST", json={"name": "Animation"})
    add("/data/task-types", "POST", json={"name": "TT {tag}", "priority": "high"})
    add("/data/task-types", "POST", json={"name": "TT2 {tag}", "department_id": "nope"})
    add("/data/task-types", "POST", json={"name": "TT3 {tag}", "for_entity": "Nothing"})
    add("/data/task-status", "POST", json={})
    add("/data/task-status", "POST", json={"name": "S {tag}"})
    add("/data/task-status", "POST", json={"name": "S {tag}", "short_name": "wip"})
    add("/data/task-status", "POST", json={"name": "S2 {tag}", "short_name": "s2", "color": 5})
    add("/data/persons", "POST", json={})
    add("/data/persons", "POST", json={"first_name": "No", "email": "not-an-email"})
    add("/data/persons", "POST", json={"first_name": "Dup", "email": "user-{tag}@example.com"})
    add("/data/persons", "POST", json={"first_name": "R", "email": "r-{tag}@example.com", "role": "king"})
    add("/data/persons", "POST", json={"first_name": "C", "email": "c-{tag}@example.com",
                                       "contract_type": "forever"})
    add("/data/asset-types", "POST", json={})
    add("/data/asset-types", "POST", json={"name": "Character"})
    add("/data/departments", "POST", json={})
    add("/data/project-status", "POST", json={})
    add("/data/tasks/{task}", "PUT", data="{bad json")
    add("/data/tasks/{task}", "PUT", json={"estimation": "lots"})
    add("/data/tasks/{task}", "PUT", json={"due_date": "notadate"})
    add("/data/tasks/{task}", "PUT", json={"due_date": "2026-13-45"})
    add("/data/tasks/{task}", "PUT", json={"start_date": 12})
    add("/data/tasks/{task}", "PUT", json={"task_status_id": "not-a-uuid"})
    add("/data/tasks/{task}", "PUT", json={"task_status_id": MISSING})
    add("/data/tasks/{task}", "PUT", json={"assignees": ["not-a-uuid"]})
    add("/data/tasks/{task}", "PUT", json={"assignees": [MISSING]})
    add("/data/tasks/{task}", "PUT", json={"assignees": "nope"})
    add("/data/tasks/{task}", "PUT", json={"no_such_field": 1})
    add("/data/tasks/{task}", "PUT", json={"priority": "urgent"})
    add("/data/tasks/{task}", "PUT", json={"entity_id": MISSING})
    add("/data/tasks/{task}", "PUT", json=[1])
    add("/data/projects/{project}", "PUT", json={"name": ""})
    add("/data/projects/{project}", "PUT", json={"name": "Other {tag}"})
    add("/data/projects/{project}", "PUT", json={"end_date": "tomorrow"})
    add("/data/projects/{project}", "PUT", json={"project_status_id": MISSING})
    add("/data/persons/{user}", "PUT", json={"role": "king"})
    add("/data/persons/{user}", "PUT", json={"email": "manager-{tag}@example.com"})
    add("/data/persons/{user}", "PUT", json={"active": "yes"})
    add("/data/task-types/{tt_animation}", "PUT", json={"name": "Modeling"})
    add("/data/task-status/{status_wip}", "PUT", json={"short_name": "done"})
    add("/data/time-spents", "POST", json={})
    add("/data/time-spents", "POST", json={"task_id": "{task}", "person_id": "{user}",
                                           "date": "bad", "duration": 1})
    add("/data/comments", "POST", json={})

    # --- tasks
    add("/data/tasks", "POST", json={})
    add("/data/tasks", "POST", json={"project_id": "{project}"})
    add("/data/tasks", "POST", json={"project_id": "{project}", "entity_id": "{shot}",
                                     "task_type_id": "{tt_animation}", "name": "main",
                                     "task_status_id": "{status_todo}"})
    add("/data/tasks", "POST", json={"project_id": "{project}", "entity_id": "not-a-uuid",
                                     "task_type_id": "{tt_animation}",
                                     "task_status_id": "{status_todo}"})
    add("/data/tasks", "POST", json={"project_id": "{project}", "entity_id": MISSING,
                                     "task_type_id": "{tt_animation}",
                                     "task_status_id": "{status_todo}"})
    add("/data/tasks", "POST", json={"project_id": MISSING, "entity_id": "{shot}",
                                     "task_type_id": "{tt_animation}",
                                     "task_status_id": "{status_todo}"})
    add("/data/tasks", "POST", json={"project_id": "{project}", "entity_id": "{shot}",
                                     "task_type_id": MISSING, "task_status_id": "{status_todo}"})
    add("/data/tasks", "POST", json={"project_id": "{project}", "entity_id": "{shot}",
                                     "task_type_id": "{tt_animation}", "task_status_id": MISSING})
    add("/data/tasks", "POST", json={"project_id": "{project}", "entity_id": "{shot}",
                                     "task_type_id": "{tt_animation}", "name": "x2",
                                     "task_status_id": "{status_todo}", "due_date": "soon"})
    add(f"/data/tasks/{MISSING}/full")
    add("/data/tasks/not-a-uuid/full")
    add(f"/data/shots/{MISSING}/tasks")
    add("/data/shots/not-a-uuid/tasks")
    add(f"/data/assets/{MISSING}/tasks")
    add(f"/data/sequences/{MISSING}/tasks")
    add(f"/data/episodes/{MISSING}/tasks")
    add(f"/data/shots/{MISSING}/task-types")
    add("/data/shots/not-a-uuid/task-types")
    add(f"/data/entities/{MISSING}/task-types/{{tt_animation}}/tasks")
    add(f"/data/entities/{{shot}}/task-types/{MISSING}/tasks")
    add("/data/entities/not-a-uuid/task-types/not-a-uuid/tasks")
    add(f"/data/projects/{MISSING}/tasks")
    add("/data/projects/not-a-uuid/tasks")
    add("/data/tasks/open-tasks?project_id=not-a-uuid")
    add(f"/data/tasks/open-tasks?project_id={MISSING}")
    add("/data/tasks/open-tasks?page=abc")
    add("/data/tasks/open-tasks?limit=abc")
    add("/data/tasks/open-tasks?task_status_id=nope")

    # --- task actions
    add(f"/actions/persons/{MISSING}/assign", "PUT", json={"task_ids": ["{task}"]})
    add("/actions/persons/not-a-uuid/assign", "PUT", json={"task_ids": ["{task}"]})
    add("/actions/persons/{user}/assign", "PUT", json={})
    add("/actions/persons/{user}/assign", "PUT", json={"task_ids": "nope"})
    add("/actions/persons/{user}/assign", "PUT", json={"task_ids": ["not-a-uuid"]})
    add("/actions/persons/{user}/assign", "PUT", json={"task_ids": [MISSING]})
    add("/actions/persons/{user}/assign", "PUT", data="{bad")
    add(f"/actions/tasks/{MISSING}/comment", "POST", json={"task_status_id": "{status_wip}"})
    add("/actions/tasks/not-a-uuid/comment", "POST", json={"task_status_id": "{status_wip}"})
    add("/actions/tasks/{task}/comment", "POST", json={})
    add("/actions/tasks/{task}/comment", "POST", json={"task_status_id": MISSING})
    add("/actions/tasks/{task}/comment", "POST", json={"task_status_id": "not-a-uuid"})
    add("/actions/tasks/{task}/comment", "POST", json={"task_status_id": "{status_wip}",
                                                       "person_id": MISSING})
    add("/actions/tasks/{task}/comment", "POST", json={"task_status_id": "{status_wip}",
                                                       "comment": 12})
    add("/actions/tasks/{task}/comment", "POST", json={"task_status_id": "{status_wip}",
                                                       "checklist": "nope"})
    add("/actions/tasks/{task}/comment", "POST", data="{bad")
    add(f"/data/tasks/{MISSING}/comments")
    add("/data/tasks/not-a-uuid/comments")
    add(f"/actions/tasks/{MISSING}/time-spents")
    add("/actions/tasks/not-a-uuid/time-spents")
    add(f"/actions/tasks/{MISSING}/time-spents/2026-11-02")
    add("/actions/tasks/{task}/time-spents/2026-02-30")
    for suffix in ("", "/add"):
        base = "/actions/tasks/{task}/time-spents/2026-11-02/persons/{user}" + suffix
        add(base, "POST", json={})
        add(base, "POST", json={"duration": "lots"})
        add(base, "POST", json={"duration": -5})
        add(base, "POST", json={"duration": 1.5})
        add(base, "POST", json={"duration": None})
        add(base, "POST", data="{bad")
        add(f"/actions/tasks/{MISSING}/time-spents/2026-11-02/persons/{{user}}{suffix}", "POST",
            json={"duration": 10})
        add(f"/actions/tasks/{{task}}/time-spents/2026-11-02/persons/{MISSING}{suffix}", "POST",
            json={"duration": 10})
        add(f"/actions/tasks/{{task}}/time-spents/2026-11-02/persons/not-a-uuid{suffix}", "POST",
            json={"duration": 10})
        add(f"/actions/tasks/{{task}}/time-spents/11-02-2026/persons/{{user}}{suffix}", "POST",
            json={"duration": 10})

    # --- projects, hierarchy, team
    add(f"/data/projects/{MISSING}/team", "POST", json={"person_id": "{user}"})
    add("/data/projects/{project}/team", "POST", json={})
    add("/data/projects/{project}/team", "POST", json={"person_id": MISSING})
    add("/data/projects/{project}/team", "POST", json={"person_id": "not-a-uuid"})
    add(f"/data/projects/{{project}}/team/{MISSING}", "DELETE")
    add("/data/projects/{project}/settings/task-types", "POST", json={})
    add("/data/projects/{project}/settings/task-types", "POST", json={"task_type_id": MISSING})
    add("/data/projects/{project}/settings/task-status", "POST", json={"task_status_id": "x"})
    add("/data/projects/{project}/settings/asset-types", "POST", json={"asset_type_id": MISSING})
    add(f"/data/projects/{{project}}/settings/task-types/{MISSING}", "DELETE")
    for kind in ("episodes", "sequences", "shots", "scenes"):
        add(f"/data/projects/{MISSING}/{kind}")
        add(f"/data/projects/not-a-uuid/{kind}")
        add(f"/data/projects/{{project}}/{kind}", "POST", json={})
        add(f"/data/projects/{MISSING}/{kind}", "POST", json={"name": "X"})
    add("/data/projects/{project}/episodes", "POST", json={"name": "E01"})
    add("/data/projects/{project}/sequences", "POST", json={"name": "SQ9", "episode_id": MISSING})
    add("/data/projects/{project}/shots", "POST", json={"name": "SH9", "sequence_id": MISSING})
    add("/data/projects/{project}/shots", "POST", json={"name": "SH9", "sequence_id": "x"})
    add("/data/projects/{project}/shots", "POST", json={"name": "SH010", "sequence_id": "{sequence}"})
    add("/data/projects/{project}/shots", "POST", json={"name": "SH11", "sequence_id": "{sequence}",
                                                        "nb_frames": "many"})
    add(f"/data/projects/{{project}}/asset-types/{MISSING}/assets/new", "POST", json={"name": "A"})
    add("/data/projects/{project}/asset-types/{asset_type}/assets/new", "POST", json={})
    add("/data/projects/{project}/asset-types/{asset_type}/assets/new", "POST",
        json={"name": "Fox"})
    add(f"/data/projects/{MISSING}/assets")
    add(f"/data/episodes/{MISSING}/sequences")
    add(f"/data/sequences/{MISSING}/shots")
    add("/data/sequences/not-a-uuid/shots")
    add("/data/shots/all?project_id=not-a-uuid")
    add("/data/assets/all?project_id=nope")

    # --- to-do lists, persons
    add(f"/data/persons/{MISSING}/tasks")
    add("/data/persons/not-a-uuid/tasks")
    add(f"/data/persons/{MISSING}/done-tasks")

    # --- day offs
    add("/data/day-offs", "POST", json={})
    add("/data/day-offs", "POST", json={"person_id": "{user}", "date": "notadate"})
    add("/data/day-offs", "POST", json={"person_id": MISSING, "date": "2026-12-01"})
    add("/data/day-offs", "POST", json={"person_id": "{user}", "date": "2026-12-25"})
    add("/data/day-offs", "POST", json={"person_id": "{user}", "date": "2026-12-10",
                                        "end_date": "2026-12-01"})
    add(f"/data/persons/{MISSING}/day-offs")
    add("/data/persons/{user}/day-offs/year/abc")
    add("/data/persons/{user}/day-offs/month/2026/13")
    add("/data/persons/{user}/day-offs/month/2026/abc")
    add("/data/persons/{user}/day-offs/week/2026/99")
    add("/data/user/day-offs/notadate")
    add(f"/data/projects/{MISSING}/milestones")

    # --- roles
    for as_ in ROLES + ("outsider",):
        add("/data/projects", "POST", as_=as_, json={"name": "R {tag}"})
        add("/data/persons", "POST", as_=as_, json={"first_name": "X", "email": "x-{tag}@example.com"})
        add("/data/task-types", "POST", as_=as_, json={"name": "R {tag}"})
        add("/data/task-status", "POST", as_=as_, json={"name": "R", "short_name": "r"})
        add("/data/departments", "POST", as_=as_, json={"name": "R {tag}"})
        add("/data/projects/{project}", as_=as_)
        add("/data/projects/{other_project}", as_=as_)
        add("/data/projects/{project}", "PUT", as_=as_, json={"description": "x"})
        add("/data/tasks/{task}", as_=as_)
        add("/data/tasks/{asset_task}", as_=as_)
        add("/data/tasks/{task}/full", as_=as_)
        add("/data/tasks/{task}", "PUT", as_=as_, json={"estimation": 3})
        add("/data/tasks", "POST", as_=as_, json={"project_id": "{project}", "entity_id": "{asset}",
                                                  "task_type_id": "{tt_animation}",
                                                  "task_status_id": "{status_todo}",
                                                  "name": "role-" + as_})
        add("/data/tasks", as_=as_)
        add("/data/tasks?project_id={project}", as_=as_)
        add("/data/projects/{project}/tasks", as_=as_)
        add("/data/shots/{shot}/tasks", as_=as_)
        add("/data/shots/{shot}/task-types", as_=as_)
        add("/data/tasks/{task}/comments", as_=as_)
        add("/data/comments/{comment}", as_=as_)
        add("/actions/tasks/{task}/time-spents", as_=as_)
        add("/actions/tasks/{task}/time-spents/2026-11-03/persons/{user}/add", "POST", as_=as_,
            json={"duration": 5})
        add("/actions/tasks/{task}/time-spents/2026-11-03/persons/{manager}/add", "POST", as_=as_,
            json={"duration": 5})
        add("/actions/tasks/{task}/comment", "POST", as_=as_,
            json={"task_status_id": "{status_done}", "comment": "x"})
        add("/actions/tasks/{task}/comment", "POST", as_=as_,
            json={"task_status_id": "{status_wfa}", "comment": "x"})
        add("/actions/persons/{user}/assign", "PUT", as_=as_, json={"task_ids": ["{asset_task}"]})
        add("/data/persons", as_=as_)
        add("/data/persons/{admin}", as_=as_)
        add("/data/persons/{user}/tasks", as_=as_)
        add("/data/persons/{user}/done-tasks", as_=as_)
        add("/data/user/tasks", as_=as_)
        add("/data/projects/{project}/team", "POST", as_=as_, json={"person_id": "{outsider}"})
        add("/data/projects/{project}/shots", as_=as_)
        add("/data/projects/{project}/shots", "POST", as_=as_, json={"name": "R-" + as_,
                                                                     "sequence_id": "{sequence}"})
        add("/data/shots/{shot}", "PUT", as_=as_, json={"description": "x"})
        add("/data/day-offs", as_=as_)
        add("/data/day-offs", "POST", as_=as_, json={"person_id": "{manager}", "date": "2027-01-04"})
        add("/data/persons/{manager}/day-offs", as_=as_)
        add("/data/task-types", as_=as_)
        add("/data/time-spents", as_=as_)
        add("/data/comments", as_=as_)

    # --- more mistakes, on more routes
    add("/auth/refresh-token", as_="admin")
    add("/auth/logout", as_="nobody")
    add("/auth/authenticated", as_="garbage")
    add("/auth/login", "POST", json={"email": "", "password": "x"}, as_="nobody")
    add("/auth/login", "POST", json={"email": "admin@example.com"}, as_="nobody")
    add("/auth/login", "POST", data="email=x@example.com&password=y",
        content_type="application/x-www-form-urlencoded", as_="nobody")
    add("/data/user/tasks?project_id=nope")
    add("/data/user/done-tasks?page=abc")
    add("/data/user/tasks", as_="client")
    add("/data/user/done-tasks", as_="vendor")
    add("/data/projects/open", as_="outsider")
    add("/data/projects/open", as_="client")
    add("/data/projects?page=2&limit=1")
    add("/data/projects?page=1&limit=0")
    add("/data/persons?page=1&limit=1")
    add("/data/task-types?for_entity=[\"Shot\",\"Asset\"]")
    add("/data/task-types?for_entity=[bad")
    add("/data/tasks?name=main&project_id={project}")
    add("/data/tasks?id={task}")
    add("/data/tasks?entity_id={shot}&relations=true")
    add("/data/tasks?password=x")
    add("/data/persons?password=x")
    add("/data/persons?email=user-{tag}@example.com", as_="user")
    add("/data/task-status?is_done=maybe")
    add("/data/task-status?is_done=true")
    add("/data/task-status?priority=1.5")
    add("/data/projects/{project}/episodes", "POST", json={"name": ""})
    add("/data/projects/{project}/episodes", "POST", json={"name": 5})
    add("/data/projects/{project}/sequences", "POST", json={"name": "SQ2", "episode_id": 5})
    add("/data/projects/{project}/shots", "POST", json={"name": "SH2", "sequence_id": "{episode}"})
    add("/data/projects/{project}/shots", "POST", json={"name": "SH3", "sequence_id": "{sequence}",
                                                        "data": "notadict"})
    add("/data/projects/{project}/shots", "POST", json={"name": "SH4", "sequence_id": "{sequence}",
                                                        "nb_frames": 12.5})
    add("/data/projects/{project}/scenes", "POST", json={"name": "SC1", "sequence_id": "nope"})
    add("/data/episodes/not-a-uuid/sequences")
    add(f"/data/sequences/{MISSING}/scenes")
    add("/data/sequences/{shot}/shots")
    add("/data/episodes/{sequence}/sequences")
    add("/data/shots/{asset}/tasks")
    add("/data/assets/{shot}/tasks")
    add("/data/assets/{asset}/task-types")
    add("/data/projects/{project}/asset-types/{asset_type}/assets/new", "POST",
        json={"name": "Prop", "description": 12})
    add("/data/projects/{project}/asset-types/{shot}/assets/new", "POST", json={"name": "Prop2"})
    add("/data/tasks/{task}", "PUT", json={"name": None})
    add("/data/tasks/{task}", "PUT", json={"data": "notadict"})
    add("/data/tasks/{task}", "PUT", json={"estimation": -3})
    add("/data/tasks/{task}", "PUT", json={"due_date": ""})
    add("/data/tasks/{task}", "PUT", json={"due_date": "2026-12-01T10:00:00"})
    add("/data/tasks/{task}", "PUT", json={"due_date": "2026-12-01T10:00:00+02:00"})
    add("/data/tasks/{task}", "PUT", json={"id": MISSING})
    add("/data/tasks/{task}", "PUT", json={"task_type_id": MISSING})
    add("/data/tasks/{task}", "PUT", json={"assigner_id": "nope"})
    add("/data/tasks/{task}", "PUT", json={"assignees": [{"id": "{user}"}]})
    add("/data/tasks/{task}", "PUT", json={"assignees": [5]})
    add("/data/tasks/{task}", "PUT", data="")
    add("/data/tasks/{task}", "PUT", data="null")
    add("/data/tasks/{task}", "PUT", data='"text"')
    add("/data/tasks/{task}", "PUT", data="{\"priority\": 1}", content_type="text/plain")
    add("/data/projects/{project}", "PUT", json={"fps": 25})
    add("/data/projects/{project}", "PUT", json={"production_type": "musical"})
    add("/data/projects/{project}", "PUT", json={"team": ["nope"]})
    add("/data/persons/{user}", "PUT", json={"email": "bad"})
    add("/data/persons/{user}", "PUT", as_="user", json={"email": "bad"})
    add("/data/persons/{user}", "PUT", as_="user", json={"first_name": "Renamed"})
    add("/data/persons/{user}", "PUT", json={"contract_type": "forever"})
    add("/data/persons/{user}", "PUT", json={"departments": ["nope"]})
    add("/data/task-status/{status_wip}", "PUT", json={"is_done": "no"})
    add("/data/task-status/{status_wip}", "PUT", json={"name": None})
    add("/data/departments", "POST", json={"name": "Dept {tag}", "color": None})
    add("/data/project-status", "POST", json={"name": "Open"})
    add("/data/entity-types", "POST", json={})
    add("/data/entity-types", "POST", json={"name": "Character"})
    add("/data/milestones", "POST", json={})
    add("/data/milestones", "POST", json={"project_id": "{project}", "name": "M1", "date": "bad"})
    add("/data/milestones", "POST", json={"project_id": "{project}", "name": "M1"})
    add(f"/data/milestones", "POST", json={"project_id": MISSING, "name": "M2", "date": "2027-01-01"})
    add("/data/milestones", "POST", as_="user", json={"project_id": "{project}", "name": "M3",
                                                       "date": "2027-01-01"})
    add("/data/day-offs/{day_off}", "PUT", json={"date": "bad"})
    add("/data/day-offs/{day_off}", "PUT", json={"end_date": "2026-12-01"})
    add("/data/day-offs/{day_off}", "PUT", as_="manager", json={"description": "x"})
    add("/data/day-offs/{day_off}", as_="manager")
    add("/data/day-offs/{day_off}", as_="supervisor")
    add("/data/day-offs/{day_off}", as_="client")
    add("/data/persons/{user}/day-offs", as_="manager")
    add("/data/persons/{user}/day-offs/year/2026", as_="supervisor")
    add("/data/persons/{user}/day-offs/month/2026/12", as_="client")
    add("/data/user/day-offs/2026-12-24", as_="user")
    add("/actions/tasks/{task}/time-spents/2026-11-02", as_="vendor")
    add("/actions/tasks/{task}/time-spents/2026-11-02", as_="outsider")
    add("/actions/tasks/{task}/time-spents/2026-11-05/persons/{user}/add", "POST", as_="user",
        json={"duration": 0})
    # A task and a day of their own: Zou stores what Fennec refuses
    # (DELIBERATE), and nothing else reads that task, nor that day (an
    # earlier one: a person's last presence is his latest day of work).
    add("/actions/tasks/{inf_task}/time-spents/2026-11-01/persons/{user}/add", "POST", as_="user",
        json={"duration": "1e400"})
    add("/actions/tasks/{inf_task}/time-spents/2026-11-01/persons/{user}/add", "POST", as_="user",
        json={"duration": True})
    add("/actions/tasks/{task}/time-spents/2026-11-05/persons/{user}", "POST", as_="user",
        json={"duration": "30"})
    add("/actions/tasks/{task}/comment", "POST", json={"task_status_id": "{status_wip}",
                                                       "person_id": "not-a-uuid"})
    add("/actions/tasks/{task}/comment", "POST", json={"task_status_id": "{status_wip}",
                                                       "links": "nope"})
    add("/actions/tasks/{task}/comment", "POST", json={"task_status_id": "{status_wip}",
                                                       "for_client": "yes"})
    add("/actions/tasks/{task}/comment", "POST", json={"task_status_id": "{status_wip}",
                                                       "created_at": "bad"})
    add("/actions/tasks/{task}/comment", "POST", json={"task_status_id": None})
    add("/actions/tasks/{task}/comment", "POST", as_="outsider",
        json={"task_status_id": "{status_wip}"})
    add("/actions/persons/{user}/assign", "PUT", json={"task_ids": []})
    add("/actions/persons/{user}/assign", "PUT", json={"task_ids": [5, None]})
    add("/actions/persons/{user}/assign", "PUT", json={"task_ids": ["{task}"], "extra": 1})
    add("/actions/persons/{outsider}/assign", "PUT", json={"task_ids": ["{task}"]})
    add("/data/tasks/{task}/comments", as_="nobody")
    add("/data/tasks/open-tasks?person_id=nope")
    add("/data/tasks/open-tasks?episode_id=nope")
    add("/data/tasks/open-tasks?page=0")
    add("/data/tasks/open-tasks?limit=-5")
    add("/data/tasks/open-tasks", as_="client")
    add("/data/tasks/open-tasks", as_="outsider")

    # --- every role on more routes
    for as_ in ROLES + ("outsider",):
        add("/data/projects", as_=as_)
        add("/data/shots/{shot}", as_=as_)
        add("/data/assets/{asset}", as_=as_)
        add("/data/episodes", as_=as_)
        add("/data/shots?project_id={project}", as_=as_)
        add("/data/entities/{shot}/task-types/{tt_animation}/tasks", as_=as_)
        add("/data/assets/{asset}/tasks", as_=as_)
        add("/data/projects/{project}/assets", as_=as_)
        add("/data/projects/{project}/episodes", as_=as_)
        add("/data/episodes/{episode}/sequences", as_=as_)
        add("/data/sequences/{sequence}/shots", as_=as_)
        add("/data/persons/{manager}/tasks", as_=as_)
        add("/actions/tasks/{task}/time-spents/2026-11-02", as_=as_)
        add("/data/projects/{project}/milestones", as_=as_)
        add("/data/projects/{project}/settings/task-types", "POST", as_=as_,
            json={"task_type_id": "{tt_modeling}"})
        add("/data/projects/{project}/team/{outsider}", "DELETE", as_=as_)
        add("/data/day-offs/{day_off}", as_=as_)
        add("/data/task-status", as_=as_)
        add("/data/departments", as_=as_)
        add("/data/persons/{client}", as_=as_)
        add("/data/tasks/{task}", "PUT", as_=as_, json={"description": "by " + as_})
        add("/actions/tasks/{task}/comment", "POST", as_=as_,
            json={"task_status_id": "{status_wip}", "comment": "for the client",
                  "for_client": True})
        add("/actions/tasks/{task}/comment", "POST", as_=as_,
            json={"task_status_id": "{status_wip}", "person_id": "{user}"})
        add("/data/tasks/{task}/comments", as_=as_)
    add("/data/projects/{project}/team", "POST", json={"person_id": "{outsider}"})

    # --- roles on one production (the team link's role)
    for as_ in ("admin",) + ROLES + ("outsider",):
        add("/data/projects/{project}/team", as_=as_)
    add("/data/projects/{project}/team", "POST", json={"person_id": "{outsider}", "role": "king"})
    add("/data/projects/{project}/team", "POST", json={"person_id": "{outsider}", "role": "admin"})
    add("/data/projects/{project}/team/{outsider}", "PUT", json={"role": "boss"})
    add(f"/data/projects/{{project}}/team/{MISSING}", "PUT", json={"role": "user"})
    add("/data/projects/{other_project}/team/{user}", "PUT", json={"role": "user"})
    add("/data/projects/{project}/team/{client}", "PUT", as_="user", json={"role": "manager"})
    add("/data/projects/{project}/team/{client}", "PUT", json={"role": "manager"})
    add("/data/projects/{project}", "PUT", as_="client", json={"description": "by a client"})
    add("/data/tasks/{task}/full", as_="client")
    add("/data/tasks/{task}", "PUT", as_="client", json={"priority": 2})
    add("/data/projects/{project}/team/{client}", "PUT", json={"role": None})
    add("/data/projects/{project}", "PUT", as_="client", json={"description": "by a client"})
    add("/data/projects/{project}/team/{user}", "PUT", json={"role": "client"})
    add("/data/tasks/{task}/full", as_="user")
    add("/data/tasks/{task}", as_="user")
    add("/data/shots/{shot}/tasks", as_="user")
    add("/data/projects/{project}/team/{user}", "PUT", json={"role": None})
    add("/data/projects/{project}/team/{manager}", "PUT", as_="manager", json={"role": "user"})
    add("/data/tasks/{task}", "PUT", as_="manager", json={"priority": 1})
    add("/data/projects/{project}/team/{manager}", "PUT", as_="manager", json={"role": None})
    add("/data/projects/{project}/team/{manager}", "PUT", json={"role": None})
    add("/data/tasks/{task}", "PUT", as_="manager", json={"priority": 1})
    add("/data/projects/{project}/team", "POST", json={"person_id": "{outsider}", "role": "vendor"})
    add("/data/projects/{project}/team", as_="outsider")
    add("/data/tasks/{task}", as_="outsider")

    # --- statuses, long values, inactive people
    add("/data/task-status", "POST", json={"name": "Approved2 {tag}", "short_name": "ap2{tag}",
                                          "color": "#ffffff", "is_artist_allowed": False,
                                          "is_client_allowed": False})
    add("/data/projects", "POST", json={"name": "L" * 300})
    add("/data/task-types", "POST", json={"name": "T" * 300})
    add("/data/persons", "POST", json={"first_name": "F" * 300, "last_name": "L",
                                       "email": "long-{tag}@example.com"})
    add("/data/projects/{project}/shots", "POST", json={"name": "S" * 300,
                                                        "sequence_id": "{sequence}"})
    add("/data/tasks", "POST", json={"project_id": "{project}", "entity_id": "{shot}",
                                     "task_type_id": "{tt_animation}", "name": "n2",
                                     "assignees": "nope"})
    add("/data/tasks", "POST", json={"project_id": "{project}", "entity_id": "{shot}",
                                     "task_type_id": "{tt_animation}", "name": "n3",
                                     "assignees": [MISSING]})
    add("/data/tasks", "POST", json={"project_id": "{project}", "entity_id": "{shot}",
                                     "task_type_id": "{tt_animation}", "name": "n4",
                                     "no_such_field": 1})
    add("/data/tasks", "POST", data="[]")
    add("/data/persons", "POST", json={"first_name": "In", "last_name": "Active",
                                       "email": "inactive-{tag}@example.com",
                                       "password": PASSWORD, "active": False})
    add("/auth/login", "POST", as_="nobody",
        json={"email": "inactive-{tag}@example.com", "password": PASSWORD})
    add("/data/persons", "POST", json={"first_name": "Ro", "last_name": "Le",
                                       "email": "rolebot-{tag}@example.com", "role": "admin"})
    add("/data/persons", "POST", as_="manager", json={"first_name": "Ma", "last_name": "Na",
                                                      "email": "byman-{tag}@example.com"})
    add("/data/tasks/{task}", "PUT", as_="vendor", json={"priority": 1})
    add("/data/persons/{vendor}", "PUT", as_="vendor", json={"role": "admin", "phone": "1"})
    add("/data/persons/{vendor}", "PUT", as_="vendor", json={"active": False})
    add("/data/persons/{admin}", "DELETE")
    add("/data/persons/{outsider}", "DELETE", as_="manager")

    # --- last, as they may remove what the cases above use
    for as_ in ROLES + ("outsider",):
        add("/data/persons/{user}", "PUT", as_=as_, json={"role": "admin"})
    for as_ in ("outsider", "vendor", "client", "user", "supervisor", "manager"):
        add("/data/tasks/{spare_task}", "DELETE", as_=as_)
    for as_ in ("user", "manager", "admin"):
        add("/data/comments/{comment}", "DELETE", as_=as_)
        add("/data/day-offs/{day_off}", "DELETE", as_=as_)
    add("/data/projects/{project}", "DELETE")
    add("/data/task-status/{status_todo}", "DELETE")
    add("/data/task-types/{tt_animation}", "DELETE")
    add("/data/persons/{user}", "DELETE")
    # Throttling and revocation, at the very end: they lock people out.
    for _ in range(6):
        add("/auth/login", "POST", as_="nobody",
            json={"email": "outsider-{tag}@example.com", "password": "wrong"})
    add("/auth/login", "POST", as_="nobody",
        json={"email": "out-{tag}@example.com", "password": "wrong"})
    for _ in range(5):
        add("/auth/login", "POST", as_="nobody",
            json={"email": "out-{tag}@example.com", "password": "wrong"})
    add("/auth/login", "POST", as_="nobody",
        json={"email": "out-{tag}@example.com", "password": PASSWORD})
    add("/auth/logout", as_="vendor")
    add("/data/projects", as_="vendor")
    add("/auth/authenticated", as_="vendor")
    return c


CASES = _cases()
