"""`fennec risk` and `fennec timeline` against a real server, as a studio
runs them from a shell or from cron: a readable table, exit code 2 when
anything is late or will slip, JSON on request, a Gantt in the terminal
and as SVG."""

import json
import os
import subprocess
from pathlib import Path

import requests

from conftest import REPO_ROOT
from support import ADMIN_EMAIL, ADMIN_PASSWORD, unique


def _fennec(api_url, *args):
    binary = Path(os.environ.get("FENNEC_BIN", REPO_ROOT / "target" / "debug" / "fennec"))
    env = dict(os.environ, FENNEC_HOST=api_url, FENNEC_EMAIL=ADMIN_EMAIL,
               FENNEC_PASSWORD=ADMIN_PASSWORD)
    return subprocess.run([str(binary), *args], env=env, capture_output=True,
                          text=True, timeout=60)


def _production(api_url, admin):
    """A project with one late task (due 2024-03-01, as of 2024-03-04)."""
    h = admin.headers()
    name = unique("CLI ")
    project = requests.post(f"{api_url}/data/projects", json={"name": name}, headers=h).json()
    # An artist of its own: the admin must keep an empty to-do list for
    # the walkthrough's recording 069.
    me = requests.post(f"{api_url}/data/persons", headers=h, json={
        "first_name": "Cli", "last_name": name, "role": "user",
        "email": f"cli.{name.split()[-1].lower()}@example.com"}).json()
    requests.post(f"{api_url}/data/projects/{project['id']}/team",
                  json={"person_id": me["id"]}, headers=h)
    prop = requests.get(f"{api_url}/data/asset-types?name=Prop", headers=h).json()[0]
    asset = requests.post(
        f"{api_url}/data/projects/{project['id']}/asset-types/{prop['id']}/assets/new",
        json={"name": "Lamp"}, headers=h).json()
    modeling = requests.get(f"{api_url}/data/task-types?name=Modeling", headers=h).json()[0]
    task = requests.post(f"{api_url}/data/tasks", headers=h, json={
        "project_id": project["id"], "entity_id": asset["id"],
        "task_type_id": modeling["id"], "assignees": [me["id"]]}).json()
    r = requests.put(f"{api_url}/data/tasks/{task['id']}", headers=h, json={
        "start_date": "2024-02-26", "due_date": "2024-03-01", "estimation": 960})
    assert r.status_code == 200, r.text
    return name


def test_risk_prints_a_table_and_exits_2_when_late(api_url, admin):
    name = _production(api_url, admin)
    run = _fennec(api_url, "risk", "--project", name, "--as-of", "2024-03-04")
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    # The causes come first (what a producer acts on), then the risk table.
    assert lines[0] == "1 cause:", run.stdout
    assert "Lamp / Modeling" in lines[1] and "is late" in lines[1], run.stdout
    table = next(i for i, l in enumerate(lines) if l.startswith(f"{name} as of 2024-03-04"))
    assert "SEVERITY" in lines[table + 1] and "KIND" in lines[table + 1]
    assert any("late" in l and "Lamp / Modeling" in l for l in lines[table + 2:]), run.stdout

    as_json = _fennec(api_url, "risk", "--project", name, "--as-of", "2024-03-04", "--json")
    assert as_json.returncode == 2
    answer = json.loads(as_json.stdout)
    assert answer["summary"]["late_tasks"] == 1

    # Before anything was due, nothing is late: exit 0 (what cron checks).
    early = _fennec(api_url, "risk", "--project", name, "--as-of", "2024-02-26",
                    "--severity", "high")
    assert early.returncode == 0, early.stdout + early.stderr


def test_risk_reports_client_mistakes_clearly(api_url, admin):
    run = _fennec(api_url, "risk", "--project", "No Such Show")
    assert run.returncode == 1
    assert "no project named" in run.stderr
    name = _production(api_url, admin)
    bad = _fennec(api_url, "risk", "--project", name, "--as-of", "2024-13-01")
    assert bad.returncode == 1
    assert "Invalid date format for 'as_of'" in bad.stderr


def test_timeline_draws_a_gantt_and_an_svg(api_url, admin, tmp_path):
    name = _production(api_url, admin)
    svg = tmp_path / "timeline.svg"
    run = _fennec(api_url, "timeline", "--project", name, "--group-by", "task_type",
                  "--as-of", "2024-03-04", "--svg", str(svg))
    assert run.returncode == 0, run.stdout + run.stderr
    assert any(l.startswith("Modeling") and "LATE" in l for l in run.stdout.splitlines()), run.stdout
    text = svg.read_text()
    assert text.startswith("<svg") and "Modeling" in text and "as of 2024-03-04" in text
