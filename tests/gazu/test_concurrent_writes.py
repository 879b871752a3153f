"""Concurrent status changes and assignments on one task: every accepted
write is visible afterwards and none is half applied (the status a task
ends with is the status of its last comment; every assignment holds)."""

import threading

import requests

from support import unique


def _task(api_url, h):
    project = requests.post(f"{api_url}/data/projects", json={"name": unique("Busy ")}, headers=h).json()
    prop = requests.get(f"{api_url}/data/asset-types?name=Prop", headers=h).json()[0]
    asset = requests.post(
        f"{api_url}/data/projects/{project['id']}/asset-types/{prop['id']}/assets/new",
        json={"name": "Crowd"}, headers=h).json()
    modeling = requests.get(f"{api_url}/data/task-types?name=Modeling", headers=h).json()[0]
    task = requests.post(f"{api_url}/data/tasks", headers=h, json={
        "project_id": project["id"], "entity_id": asset["id"],
        "task_type_id": modeling["id"]}).json()
    return project, task


def _run(threads):
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_concurrent_status_changes_all_land(api_url, admin):
    h = admin.headers()
    _, task = _task(api_url, h)
    statuses = {s["short_name"]: s["id"] for s in
                requests.get(f"{api_url}/data/task-status", headers=h).json()}
    cycle = [statuses[s] for s in ("wip", "wfa", "retake", "wip", "done", "retake")]
    accepted = []
    lock = threading.Lock()

    def worker(n):
        session = requests.Session()
        for i in range(12):
            status = cycle[(n + i) % len(cycle)]
            r = session.post(f"{api_url}/actions/tasks/{task['id']}/comment", headers=h,
                             json={"task_status_id": status, "comment": f"{n}-{i}"})
            if r.status_code == 201:
                with lock:
                    accepted.append(r.json()["id"])

    _run([threading.Thread(target=worker, args=(n,)) for n in range(8)])
    assert len(accepted) == 96
    comments = requests.get(f"{api_url}/data/tasks/{task['id']}/comments", headers=h).json()
    assert sorted(c["id"] for c in comments) == sorted(accepted)
    # Newest first: the task carries the status of its latest comment.
    full = requests.get(f"{api_url}/data/tasks/{task['id']}", headers=h).json()
    assert full["task_status_id"] == comments[0]["task_status_id"]
    assert full["real_start_date"] is not None


def test_concurrent_assignments_all_land(api_url, admin):
    h = admin.headers()
    project, task = _task(api_url, h)
    people = []
    for n in range(8):
        p = requests.post(f"{api_url}/data/persons", headers=h, json={
            "first_name": "Crew", "last_name": unique(), "email": f"{unique('crew').replace(' ', '')}@example.com"}).json()
        requests.post(f"{api_url}/data/projects/{project['id']}/team", json={"person_id": p["id"]}, headers=h)
        people.append(p["id"])
    answers = []

    def worker(person):
        r = requests.put(f"{api_url}/actions/persons/{person}/assign", headers=h,
                         json={"task_ids": [task["id"]]})
        answers.append(r.status_code)

    _run([threading.Thread(target=worker, args=(p,)) for p in people])
    assert answers == [200] * 8
    full = requests.get(f"{api_url}/data/tasks/{task['id']}/full", headers=h).json()
    assert sorted(full["assignees"]) == sorted(people)
