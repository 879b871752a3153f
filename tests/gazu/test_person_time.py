"""Issue 12: a person's time as Zou's persons blueprint serves it (gazu's
person.get_time_spents_by_date, get_time_spents_range,
get_year_time_spents, get_week_time_spents, get_all_month_time_spents, and
the month and day per-task tables): rows and per-task totals over several
days, weeks and months, a day off that adds nothing, date errors, and who
may read whose time (the person, an admin, a manager or a supervisor
limited to his productions and departments; an artist nobody else's);
the studio's time tables (year, month, week, day) per role; and the admins'
monthly presence log (person.get_presence_log, a CSV).

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, unique

TIMEOUT = 30
TIME_SPENT_KEYS = ["duration", "date", "task_id", "person_id", "id", "created_at", "updated_at", "type"]
RANGE_KEYS = TIME_SPENT_KEYS + ["project_id", "task_type_id"]
PER_TASK_KEYS = [
    "task_id", "task_type_id", "project_id", "project_name", "entity_name",
    "entity_type_name", "sequence_name", "episode_name", "duration",
]


class Http:
    def __init__(self, api_url: str, email: str):
        r = requests.post(
            f"{api_url}/auth/login", json={"email": email, "password": ARTIST_PASSWORD}, timeout=TIMEOUT
        )
        r.raise_for_status()
        self.api_url = api_url
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def get(self, path: str, params=None) -> requests.Response:
        return requests.get(f"{self.api_url}/{path}", params=params, headers=self.headers, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def world(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"PT {tag}", production_type="tvshow")
    elsewhere = gazu.project.new_project(f"PT other {tag}", production_type="short")
    lighting = gazu.person.new_department(f"PT Light {tag}")
    people, sessions = {}, {}
    for name, role, departments in (
        ("artist", "user", []),
        ("other", "user", []),
        ("manager", "manager", []),
        ("supervisor", "supervisor", [lighting]),
    ):
        email = f"pt-{name}-{tag}@example.com"
        people[name] = gazu.person.new_person(
            name.title(), tag, email, password=ARTIST_PASSWORD, role=role, departments=departments,
        )
        gazu.project.add_person_to_team(project, people[name])
        sessions[name] = Http(api_url, email)
    gazu.project.add_person_to_team(elsewhere, people["artist"])

    character = gazu.asset.get_asset_type_by_name("Character")
    hero = gazu.asset.new_asset(project, character, f"Hero {tag}")
    episode = gazu.shot.new_episode(project, "E01")
    sequence = gazu.shot.new_sequence(project, "SQ01", episode=episode)
    shot = gazu.shot.new_shot(project, sequence, "SH010")
    far_seq = gazu.shot.new_sequence(elsewhere, "SQ09")
    far_shot = gazu.shot.new_shot(elsewhere, far_seq, "SH900")

    modeling = gazu.task.get_task_type_by_name("Modeling")
    animation = gazu.task.get_task_type_by_name("Animation")
    light_type = gazu.task.new_task_type(f"PT Light {tag}", for_entity="Shot")
    gazu.client.put(f"data/task-types/{light_type['id']}", {"department_id": lighting["id"]})
    artist = people["artist"]
    tasks = SimpleNamespace(
        hero=gazu.task.new_task(hero, modeling, assignees=[artist]),
        shot=gazu.task.new_task(shot, animation, assignees=[artist]),
        light=gazu.task.new_task(shot, light_type, assignees=[artist]),
        far=gazu.task.new_task(far_shot, animation, assignees=[artist]),
    )
    # Week 10 of 2024: Monday 4 and Tuesday 5 March; week 11: 12 March;
    # April apart; the 6th is a day off with no time.
    entries = [
        (tasks.hero, "2024-03-04", 120),
        (tasks.hero, "2024-03-05", 30),
        (tasks.shot, "2024-03-05", 60),
        (tasks.light, "2024-03-12", 45),
        (tasks.far, "2024-03-12", 15),
        (tasks.shot, "2024-04-02", 90),
    ]
    for task, day, minutes in entries:
        gazu.task.set_time_spent(task, artist, day, minutes)
    gazu.person.new_day_off(artist, "2024-03-06", "2024-03-06")
    return SimpleNamespace(
        project=project, elsewhere=elsewhere, people=people, sessions=sessions,
        tasks=tasks, tag=tag, light_type=light_type, animation=animation, modeling=modeling,
    )


def by_task(rows):
    return {r["task_id"]: r["duration"] for r in rows}


def test_time_spents_by_date_and_range(world, gazu_admin):
    artist, t = world.people["artist"], world.tasks
    day = gazu.person.get_time_spents_by_date(artist, "2024-03-05")
    assert sorted((r["task_id"], r["duration"]) for r in day) == sorted(
        [(t.hero["id"], 30), (t.shot["id"], 60)]
    )
    assert all(list(r) == TIME_SPENT_KEYS and r["date"] == "2024-03-05" for r in day)
    assert gazu.person.get_time_spents_by_date(artist, "2024-03-06") == []

    rows = gazu.person.get_time_spents_range(artist["id"], "2024-03-05", "2024-03-12")
    assert all(list(r) == RANGE_KEYS for r in rows)
    got = sorted((r["task_id"], r["date"], r["project_id"], r["task_type_id"]) for r in rows)
    assert got == sorted([
        (t.hero["id"], "2024-03-05", world.project["id"], world.modeling["id"]),
        (t.shot["id"], "2024-03-05", world.project["id"], world.animation["id"]),
        (t.light["id"], "2024-03-12", world.project["id"], world.light_type["id"]),
        (t.far["id"], "2024-03-12", world.elsewhere["id"], world.animation["id"]),
    ])
    # Without dates Zou compares the day to NULL: nothing.
    assert gazu.client.get(f"data/persons/{artist['id']}/time-spents") == []


def test_per_task_totals(world, gazu_admin):
    artist, t = world.people["artist"], world.tasks
    year = gazu.person.get_year_time_spents(artist, 2024)
    assert all(list(r) == PER_TASK_KEYS for r in year)
    assert by_task(year) == {
        t.hero["id"]: 150, t.shot["id"]: 150, t.light["id"]: 45, t.far["id"]: 15,
    }
    hero = next(r for r in year if r["task_id"] == t.hero["id"])
    assert (hero["entity_name"], hero["entity_type_name"], hero["sequence_name"], hero["episode_name"]) == (
        f"Hero {world.tag}", "Character", None, None,
    )
    shot = next(r for r in year if r["task_id"] == t.shot["id"])
    assert (shot["project_name"], shot["entity_name"], shot["entity_type_name"],
            shot["sequence_name"], shot["episode_name"]) == (
        world.project["name"], "SH010", "Shot", "SQ01", "E01",
    )
    assert gazu.person.get_year_time_spents(artist, 2023) == []
    assert by_task(gazu.person.get_week_time_spents(artist, 2024, 10)) == {
        t.hero["id"]: 150, t.shot["id"]: 60,
    }
    assert by_task(gazu.person.get_week_time_spents(artist, 2024, 11)) == {
        t.light["id"]: 45, t.far["id"]: 15,
    }
    pid = artist["id"]
    assert by_task(gazu.client.get(f"data/persons/{pid}/time-spents/month/2024/4")) == {t.shot["id"]: 90}
    assert by_task(gazu.client.get(f"data/persons/{pid}/time-spents/day/2024/3/5")) == {
        t.hero["id"]: 30, t.shot["id"]: 60,
    }
    assert gazu.client.get(f"data/persons/{pid}/time-spents/day/2024/3/6") == []
    only = gazu.client.get(
        f"data/persons/{pid}/time-spents/month/2024/3", params={"project_id": world.elsewhere["id"]}
    )
    assert by_task(only) == {t.far["id"]: 15}

    month = gazu.person.get_all_month_time_spents(pid, datetime.date(2024, 3, 20))
    assert all(list(r) == TIME_SPENT_KEYS for r in month)
    assert sorted(r["date"] for r in month) == ["2024-03-04", "2024-03-05", "2024-03-05", "2024-03-12", "2024-03-12"]


@pytest.mark.parametrize("path", [
    "data/persons/{pid}/time-spents/year/20x4",
    "data/persons/{pid}/time-spents/month/2024/13",
    "data/persons/{pid}/time-spents/week/2024/54",
    "data/persons/{pid}/time-spents/day/2024/2/30",
    "data/persons/{pid}/time-spents/month/all/2024/13",
])
def test_bad_dates_are_400(world, admin, api_url, path):
    r = requests.get(
        f"{api_url}/{path.format(pid=world.people['artist']['id'])}", headers=admin.headers(), timeout=TIMEOUT
    )
    assert r.status_code == 400, r.text


def test_range_needs_both_dates(world, admin, api_url):
    r = requests.get(
        f"{api_url}/data/persons/{world.people['artist']['id']}/time-spents",
        params={"start_date": "2024-03-01"}, headers=admin.headers(), timeout=TIMEOUT,
    )
    assert r.status_code == 400
    assert "both a `start_date` and an `end_date`" in r.json()["message"]


PATHS = [
    "data/persons/{pid}/time-spents/2024-03-05",
    "data/persons/{pid}/time-spents/year/2024",
    "data/persons/{pid}/time-spents/month/2024/3",
    "data/persons/{pid}/time-spents/week/2024/10",
    "data/persons/{pid}/time-spents/day/2024/3/5",
    "data/persons/{pid}/time-spents/month/all/2024/3",
]


@pytest.mark.parametrize("path", PATHS)
def test_artist_reads_own_time_but_not_anothers(world, path):
    own = world.sessions["artist"].get(path.format(pid=world.people["artist"]["id"]))
    assert own.status_code == 200 and own.json() != []
    other = world.sessions["other"].get(path.format(pid=world.people["artist"]["id"]))
    assert other.status_code == 403


def test_manager_and_supervisor_see_their_reach(world):
    t, pid = world.tasks, world.people["artist"]["id"]
    manager, supervisor = world.sessions["manager"], world.sessions["supervisor"]
    # The manager is in the team of one of the two productions.
    year = manager.get(f"data/persons/{pid}/time-spents/year/2024")
    assert year.status_code == 200
    assert by_task(year.json()) == {t.hero["id"]: 150, t.shot["id"]: 150, t.light["id"]: 45}
    rng = manager.get(f"data/persons/{pid}/time-spents", {"start_date": "2024-03-01", "end_date": "2024-03-31"})
    assert sorted(r["task_id"] for r in rng.json()) == sorted([t.hero["id"], t.hero["id"], t.shot["id"], t.light["id"]])
    asked = manager.get(f"data/persons/{pid}/time-spents/year/2024", {"project_id": world.elsewhere["id"]})
    assert asked.status_code == 403
    # The supervisor sees only his department's task types.
    assert by_task(supervisor.get(f"data/persons/{pid}/time-spents/year/2024").json()) == {t.light["id"]: 45}
    assert [r["task_id"] for r in supervisor.get(f"data/persons/{pid}/time-spents/2024-03-12").json()] == [
        t.light["id"]
    ]
    # The month's raw rows are for the person and admins only.
    assert manager.get(f"data/persons/{pid}/time-spents/month/all/2024/3").status_code == 403


def test_presence_log(world, gazu_admin, api_url):
    session = world.sessions["artist"]
    for date in ("2024-03-05T09:00:00", "2024-03-20T23:30:00", "2024-04-05T09:00:00"):
        r = requests.post(
            f"{api_url}/data/user/desktop-login-logs", json={"date": date},
            headers=session.headers, timeout=TIMEOUT,
        )
        assert r.status_code == 201, r.text
    text = gazu.person.get_presence_log(2024, 3)
    lines = text.splitlines()
    assert lines[0] == ";".join(["2024"] + [str(d) for d in range(1, 32)])
    mine = [line.split(";") for line in lines if line.startswith(f"Artist {world.tag};")]
    assert len(mine) == 1
    assert len(mine[0]) == 32
    assert [i for i, cell in enumerate(mine[0]) if cell == "X"] == [5, 20]
    others = [line for line in lines if line.startswith(f"Other {world.tag};")]
    assert others == [f"Other {world.tag}" + ";" * 31]
    feb = gazu.person.get_presence_log(2024, 2).splitlines()
    assert len(feb[0].split(";")) == 30
    assert world.sessions["manager"].get("data/persons/presence-logs/2024-03").status_code == 403
    r = requests.get(f"{api_url}/data/persons/presence-logs/2024-13",
                     headers=gazu.client.make_auth_header(), timeout=TIMEOUT)
    assert r.status_code == 400 and r.json()["message"] == "Invalid month or year."


def mine(table, person_id):
    return {unit: row[person_id] for unit, row in table.items() if person_id in row}


def test_studio_tables(world, gazu_admin):
    pid = world.people["artist"]["id"]
    assert mine(gazu.client.get("data/persons/time-spents/month-table/2024"), pid) == {"3": 270, "4": 90}
    assert mine(gazu.client.get("data/persons/time-spents/week-table/2024"), pid) == {
        "10": 210, "11": 60, "14": 90,
    }
    assert mine(gazu.client.get("data/persons/time-spents/day-table/2024/3"), pid) == {
        "4": 120, "5": 90, "12": 60,
    }
    assert mine(gazu.client.get("data/persons/time-spents/year-table"), pid) == {"2024": 360}
    only = gazu.client.get("data/persons/time-spents/month-table/2024", params={"project_id": world.elsewhere["id"]})
    assert mine(only, pid) == {"3": 15}


def test_studio_tables_per_role(world):
    pid, other = world.people["artist"]["id"], world.sessions["other"]
    # An artist reads only his own time: nobody's here.
    assert other.get("data/persons/time-spents/month-table/2024").json() == {}
    own = world.sessions["artist"].get("data/persons/time-spents/month-table/2024").json()
    assert own == {"3": {pid: 270}, "4": {pid: 90}}
    manager = world.sessions["manager"]
    assert mine(manager.get("data/persons/time-spents/month-table/2024").json(), pid) == {"3": 255, "4": 90}
    r = manager.get("data/persons/time-spents/month-table/2024", {"project_id": world.elsewhere["id"]})
    assert r.status_code == 403
    supervisor = world.sessions["supervisor"]
    assert mine(supervisor.get("data/persons/time-spents/day-table/2024/3").json(), pid) == {"12": 45}
    r = supervisor.get("data/persons/time-spents/day-table/2024/3", {"department_id": world.modeling["id"]})
    assert r.status_code == 400
