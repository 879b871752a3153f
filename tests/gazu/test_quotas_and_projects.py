"""Issue 11, production breakdown: gazu's quotas (get_project_quotas,
get_project_person_quotas) in Zou's four count modes, the productions list
Kitsu loads at start-up (GET /data/projects/all), the metadata descriptors
of a project read, and entity.guess_from_path, as Zou 1.0.97 answers them.

The quotas are computed from a production's shot tasks: their feedback
(end) and approval (done) dates, set by status comments and pinned here to
known instants, their time spents and their assignees; frames are split
over time spents (weighted) or over the business days between the WIP and
end dates (weighted, no time spent), or counted whole on the end day (raw).
Day keys are the caller's local days (Europe/Paris by default).

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import gazu
import pytest
import requests

from support import ARTIST_PASSWORD, REFERENCE_IS_ZOU, unique

TIMEOUT = 30


class Http:
    def __init__(self, api_url: str, token: str):
        self.api_url = api_url
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body=None, params=None) -> requests.Response:
        return requests.request(
            method, f"{self.api_url}/{path}", json=body, params=params,
            headers=self.headers, timeout=TIMEOUT,
        )


def login(api_url: str, email: str) -> Http:
    r = requests.post(
        f"{api_url}/auth/login", json={"email": email, "password": ARTIST_PASSWORD}, timeout=TIMEOUT
    )
    r.raise_for_status()
    return Http(api_url, r.json()["access_token"])


def local_day(stamp: str) -> str:
    """The Paris day of a stored UTC instant (Zou's default timezone)."""
    instant = dt.datetime.fromisoformat(stamp).replace(tzinfo=dt.timezone.utc)
    return instant.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%d")


def week_of(day: str) -> str:
    year, week, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{year}-{week}"


@pytest.fixture(scope="module")
def world(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"QP {tag}", production_type="short")
    gazu.project.update_project({"id": project["id"], "fps": "24"})
    people = {}
    for name, role in (("a1", "user"), ("a2", "user"), ("cl", "client"), ("out", "user")):
        email = f"qp-{name}-{tag}@example.com"
        person = gazu.person.new_person("QP", name, email, password=ARTIST_PASSWORD, role=role)
        if name != "out":
            gazu.project.add_person_to_team(project, person)
        people[name] = SimpleNamespace(person=person, http=login(api_url, email))
    anim = gazu.task.get_task_type_by_name("Animation")
    gazu.project.add_task_type(project, anim, 1)
    sequence = gazu.shot.new_sequence(project, f"SQ{tag}")
    sh1 = gazu.shot.new_shot(project, sequence, "SH01", nb_frames=48)
    sh2 = gazu.shot.new_shot(project, sequence, "SH02", nb_frames=100)
    sh3 = gazu.shot.new_shot(project, sequence, "SH03", nb_frames=30)
    sh4 = gazu.shot.new_shot(project, sequence, "SH04", nb_frames=60)
    a1, a2 = people["a1"].person, people["a2"].person
    t1 = gazu.task.new_task(sh1, anim, assignees=[a1])
    t2 = gazu.task.new_task(sh2, anim, assignees=[a2])
    t3 = gazu.task.new_task(sh3, anim, assignees=[a1, a2])
    # Never reaches feedback: in no count.
    t4 = gazu.task.new_task(sh4, anim, assignees=[a1])
    statuses = {s["short_name"]: s for s in gazu.task.all_task_statuses()}

    # t1: time spent on two days, then a WIP and a feedback comment.
    gazu.task.set_time_spent(t1, a1, "2024-03-04", 120)
    gazu.task.set_time_spent(t1, a1, "2024-03-05", 360)
    gazu.task.add_comment(t1, statuses["wip"], "started")
    gazu.task.add_comment(t1, statuses["wfa"], "to check")
    # t2: no time spent; in progress from Wednesday to the next Monday,
    # approved on Tuesday.
    gazu.task.add_comment(t2, statuses["wip"], "started")
    gazu.task.add_comment(t2, statuses["done"], "ok")
    t2 = gazu.task.update_task({
        "id": t2["id"], "real_start_date": "2024-03-06T09:00:00",
        "end_date": "2024-03-11T15:00:00", "done_date": "2024-03-12T10:00:00",
    })
    # t3: two assignees sharing the time; fed back late on Friday evening
    # UTC (Saturday in Paris), approved on Sunday.
    gazu.task.set_time_spent(t3, a1, "2024-03-07", 60)
    gazu.task.set_time_spent(t3, a2, "2024-03-07", 60)
    gazu.task.add_comment(t3, statuses["wfa"], "to check")
    t3 = gazu.task.update_task({
        "id": t3["id"], "nb_drawings": 10, "real_start_date": "2024-03-07T08:00:00",
        "end_date": "2024-03-08T23:30:00", "done_date": "2024-03-10T22:30:00",
    })
    gazu.task.set_time_spent(t4, a1, "2024-03-04", 30)
    t1 = gazu.task.get_task(t1["id"])
    return SimpleNamespace(
        tag=tag, project=project, anim=anim, t1=t1, t2=t2, t3=t3, a1=a1, a2=a2,
        people=people, admin=Http(api_url, admin.access_token),
    )


def quotas(world, http=None, count_mode=None, person=None):
    http = http or world.admin
    p = world.project["id"]
    path = (f"data/projects/{p}/quotas/persons/{person['id']}" if person
            else f"data/projects/{p}/quotas/{world.anim['id']}")
    params = {"count_mode": count_mode} if count_mode else None
    return http.call("GET", path, params=params)


def test_task_dates_come_from_comments(world):
    assert world.t1["end_date"] is not None and world.t1["done_date"] is None
    assert world.t1["duration"] == 480
    assert world.t3["duration"] == 120


def test_weighted_quotas_split_frames_over_time_spents_and_days(world, gazu_admin):
    got = gazu.project.get_project_quotas(world.project, world.anim)
    a1, a2 = world.a1["id"], world.a2["id"]
    assert set(got) == {a1, a2, "total"}
    assert list(got[a1]) == ["day", "week", "month", "year"]
    assert list(got[a1]["day"]) == ["frames", "seconds", "count", "entries", "drawings"]
    assert list(got[a1]["year"]) == ["frames", "seconds", "count", "drawings"]
    # t1: 48 frames over 120 + 360 minutes; t3: half of 30 frames and of
    # 10 drawings each (two people logged the same time).
    assert got[a1]["day"]["frames"] == {"2024-03-04": 12, "2024-03-05": 36, "2024-03-07": 15}
    assert got[a1]["day"]["count"] == {"2024-03-04": 0.25, "2024-03-05": 0.75, "2024-03-07": 0.5}
    assert got[a1]["day"]["seconds"] == {"2024-03-04": 0.5, "2024-03-05": 1.5, "2024-03-07": 0.625}
    assert got[a1]["day"]["drawings"] == {"2024-03-04": 0, "2024-03-05": 0, "2024-03-07": 5}
    assert got[a1]["day"]["entries"] == {"2024-03": 3}
    assert got[a1]["week"]["frames"] == {"2024-10": 63}
    assert got[a1]["week"]["count"] == {"2024-10": 1.5}
    assert got[a1]["week"]["entries"] == {"2024": 1}
    assert got[a1]["month"] == {"frames": {"2024-03": 63}, "seconds": {"2024-03": 2.625},
                                "count": {"2024-03": 1.5}, "entries": {"2024": 1},
                                "drawings": {"2024-03": 5}}
    assert got[a1]["year"] == {"frames": {"2024": 63}, "seconds": {"2024": 2.625},
                               "count": {"2024": 1.5}, "drawings": {"2024": 5}}
    # t2: no time spent, so its 100 frames are spread over the four business
    # days from Wednesday's WIP to Monday's feedback, drawings counted whole.
    spread = {"2024-03-06": 25, "2024-03-07": 25, "2024-03-08": 25, "2024-03-11": 25}
    assert got[a2]["day"]["frames"] == {**spread, "2024-03-07": 40}
    assert got[a2]["day"]["count"] == {"2024-03-06": 0.25, "2024-03-07": 0.75,
                                       "2024-03-08": 0.25, "2024-03-11": 0.25}
    assert got[a2]["week"]["frames"] == {"2024-10": 90, "2024-11": 25}
    assert got[a2]["week"]["entries"] == {"2024": 2}
    assert got["total"]["day"]["frames"]["2024-03-07"] == 55
    assert got["total"]["month"]["count"] == {"2024-03": 3.0}
    assert got["total"]["year"]["frames"] == {"2024": 178}
    assert isinstance(got["total"]["year"]["frames"]["2024"], int)


def test_weighteddone_counts_up_to_the_approval(world):
    r = quotas(world, count_mode="weighteddone")
    assert r.status_code == 200, r.text
    got = r.json()
    a1, a2 = world.a1["id"], world.a2["id"]
    # t1 is not approved: only t3 counts for a1.
    assert got[a1]["day"]["frames"] == {"2024-03-07": 15}
    # t2: 100 frames over five business days, Wednesday to Tuesday.
    assert got[a2]["day"]["frames"] == {"2024-03-06": 20, "2024-03-07": 35, "2024-03-08": 20,
                                        "2024-03-11": 20, "2024-03-12": 20}
    assert got[a2]["day"]["count"]["2024-03-12"] == 0.2


def test_raw_quotas_count_whole_shots_on_the_end_day(world):
    r = quotas(world, count_mode="feedback")
    assert r.status_code == 200, r.text
    got = r.json()
    a1, a2 = world.a1["id"], world.a2["id"]
    t1_day = local_day(world.t1["end_date"])
    # t3's feedback (23:30 UTC on Friday) is a Saturday in Paris.
    assert got[a1]["day"]["frames"] == {t1_day: 48, "2024-03-09": 30}
    assert got[a1]["day"]["count"][t1_day] == 1
    assert got[a1]["day"]["count"]["2024-03-09"] == 1
    assert isinstance(got[a1]["day"]["count"]["2024-03-09"], int)
    assert got[a1]["day"]["drawings"]["2024-03-09"] == 10
    assert got[a2]["day"]["frames"] == {"2024-03-11": 100, "2024-03-09": 30}
    assert got[a2]["week"]["frames"] == {"2024-10": 30, "2024-11": 100}
    assert got[a2]["day"]["seconds"]["2024-03-11"] == pytest.approx(100 / 24)
    assert got["total"]["day"]["frames"]["2024-03-09"] == 60
    assert got["total"]["day"]["count"]["2024-03-09"] == 2
    assert got["total"]["week"]["frames"][week_of(t1_day)] >= 48

    r = quotas(world, count_mode="done")
    got = r.json()
    assert set(got) == {a1, a2, "total"}
    assert got[a1]["day"]["frames"] == {"2024-03-10": 30}
    assert got[a2]["day"]["frames"] == {"2024-03-12": 100, "2024-03-10": 30}
    assert got["total"]["month"]["frames"] == {"2024-03": 160}


def test_person_quotas_are_split_by_task_type(world, gazu_admin):
    anim = world.anim["id"]
    got = gazu.project.get_project_person_quotas(world.project, world.a1)
    assert set(got) == {anim, "total"}
    assert got[anim]["day"]["frames"] == {"2024-03-04": 12, "2024-03-05": 36, "2024-03-07": 15}
    assert got["total"] == got[anim]
    got = quotas(world, person=world.a2, count_mode="weighted").json()
    assert got[anim]["day"]["frames"] == {"2024-03-06": 25, "2024-03-07": 40,
                                          "2024-03-08": 25, "2024-03-11": 25}
    got = quotas(world, person=world.a1, count_mode="done").json()
    # t3 has two assignees: Zou's query keeps a row per assignee of a task
    # a1 is assigned to, so a1's count has it twice.
    assert got[anim]["day"]["count"] == {"2024-03-10": 2}
    assert got[anim]["day"]["frames"] == {"2024-03-10": 60}


def test_quota_errors_and_rights(world):
    r = quotas(world, count_mode="all")
    assert r.status_code == 400
    assert r.json() == {
        "error": True, "data": None,
        "message": "count_mode must be equal to weighted, weigtheddone, feedback, or done",
    }
    r = world.admin.call("GET", f"data/projects/{world.a1['id']}/quotas/{world.anim['id']}")
    assert r.status_code == 404
    # An artist of the team reads the production's quotas and their own,
    # not another artist's; a client reads none; an outsider no production's.
    a1 = world.people["a1"].http
    assert quotas(world, http=a1).status_code == 200
    assert quotas(world, http=a1, person=world.a1).status_code == 200
    assert quotas(world, http=a1, person=world.a2).status_code == 403
    assert quotas(world, http=world.people["cl"].http).status_code == 403
    assert quotas(world, http=world.people["cl"].http, person=world.people["cl"].person).status_code == 403
    assert quotas(world, http=world.people["out"].http).status_code == 403
    # A task type with no task: nothing to count.
    layout = gazu.task.get_task_type_by_name("Layout")
    r = world.admin.call("GET", f"data/projects/{world.project['id']}/quotas/{layout['id']}")
    assert (r.status_code, r.json()) == (200, {})


def test_all_projects_admin_and_artist(world, gazu_admin):
    closed = gazu.project.new_project(f"QQ closed {world.tag}")
    gazu.project.close_project(closed)
    elsewhere = gazu.project.new_project(f"QR other {world.tag}")
    descriptor = gazu.project.add_metadata_descriptor(world.project, "Budget code", "Project")
    gazu.project.add_metadata_descriptor(world.project, "Colour", "Asset")

    r = world.admin.call("GET", "data/projects/all")
    assert r.status_code == 200
    listed = r.json()
    order = [p["id"] for p in listed]
    by_id = {p["id"]: p for p in listed}
    assert {world.project["id"], closed["id"], elsewhere["id"]} <= set(by_id)
    # By name: "QP <tag>", "QQ closed <tag>", "QR other <tag>".
    mine_first = [i for i in order if i in (world.project["id"], closed["id"], elsewhere["id"])]
    assert mine_first == [world.project["id"], closed["id"], elsewhere["id"]]
    mine = by_id[world.project["id"]]
    assert mine["project_status_name"] == "Open"
    assert by_id[closed["id"]]["project_status_name"] == "Closed"
    # Only the descriptors of the Project entity type, with their departments.
    assert mine["descriptors"] == [{
        "id": descriptor["id"], "name": "Budget code", "field_name": "budget_code",
        "data_type": "string", "choices": [], "for_client": False, "entity_type": "Project",
        "task_type_id": None, "position": None, "departments": [],
    }]
    assert "team" not in mine and "task_types" not in mine and "task_type_links" not in mine
    assert list(mine)[-2:] == ["project_status_name", "descriptors"]
    assert mine["type"] == "Project"

    r = world.admin.call("GET", "data/projects/all", params={"name": world.project["name"].upper()})
    assert r.status_code == 200
    assert [p["id"] for p in r.json()] == [world.project["id"]]
    assert "descriptors" not in r.json()[0]
    # The plain project (Zou's serialize()), then the admin list's extras.
    assert list(mine) == list(r.json()[0]) + ["project_status_name", "descriptors"]
    r = world.admin.call("GET", "data/projects/all", params={"name": f"nope {world.tag}"})
    assert r.status_code == 404

    # An artist lists the productions of their teams, closed ones too.
    gazu.project.add_person_to_team(closed, world.a1)
    artist = world.people["a1"].http
    r = artist.call("GET", "data/projects/all")
    assert r.status_code == 200
    got = {p["id"]: p for p in r.json()}
    assert set(got) == {world.project["id"], closed["id"]}
    assert "descriptors" not in got[world.project["id"]]
    assert "project_status_name" not in got[world.project["id"]]
    r = artist.call("GET", "data/projects/all", params={"name": world.project["name"].lower()})
    assert [p["id"] for p in r.json()] == [world.project["id"]]
    r = artist.call("GET", "data/projects/all", params={"name": elsewhere["name"]})
    assert r.status_code == 404


def test_project_read_has_its_descriptors(world, gazu_admin):
    p = world.project
    first = gazu.project.add_metadata_descriptor(p, "Mood", "Shot", data_type="list",
                                                 choices=["calm", "tense"], for_client=True)
    read = gazu.project.get_project(p["id"])
    ids = [d["id"] for d in read["descriptors"]]
    assert first["id"] in ids
    mood = next(d for d in read["descriptors"] if d["id"] == first["id"])
    assert mood == {
        "id": first["id"], "name": "Mood", "field_name": "mood", "data_type": "list",
        "choices": ["calm", "tense"], "for_client": True, "entity_type": "Shot",
        "task_type_id": None, "position": None, "departments": [],
    }
    # Every entity type's descriptors on the read, not only the Project ones.
    assert {d["entity_type"] for d in read["descriptors"]} >= {"Shot"}
    # A client reads only those published to clients.
    r = world.people["cl"].http.call("GET", f"data/projects/{p['id']}")
    assert r.status_code == 200
    assert [d["id"] for d in r.json()["descriptors"]] == [first["id"]], (r.json()["descriptors"], read["descriptors"])
    # The open productions list carries them too.
    opened = {x["id"]: x for x in gazu.project.all_open_projects()}
    assert first["id"] in [d["id"] for d in opened[p["id"]]["descriptors"]]


def test_guess_from_path(world):
    body = {"project_id": world.project["id"], "file_path": "/prod/shots/SH01/anim.ma"}
    if not REFERENCE_IS_ZOU:
        # Zou 1.0.97 fails with a 500 on a production with no file tree;
        # Fennec says what is missing.
        r = world.admin.call("POST", "data/entities/guess_from_path", body)
        assert r.status_code == 400
        assert r.json()["error"] is True
        assert "file tree" in r.json()["message"]
    r = world.admin.call("POST", "data/entities/guess_from_path", {"project_id": world.project["id"]})
    assert r.status_code == 400
    assert [e["field"] for e in r.json()["data"]["errors"]] == ["file_path"]
    r = world.people["out"].http.call("POST", "data/entities/guess_from_path", body)
    assert r.status_code == 403


def test_guess_from_path_with_a_file_tree(world, gazu_admin):
    """Zou's file_tree_service: the templates a path matches under each
    mode's root (styled as the mode says), with the ids its tokens name,
    left to right, up to the first token that names nothing."""
    tag, p = world.tag, world.project
    tree = {
        "working": {
            "mountpoint": "/simple", "root": "productions",
            "folder_path": {
                "shot": "<Project>/shots/<Sequence>/<Shot>/<TaskType>",
                "asset": "<Project>/assets/<AssetType>/<Asset>/<TaskType>",
                "sequence": "<Project>/sequences/<Sequence>/<TaskType>",
                "style": "lowercase",
            },
            "file_name": {"shot": "<Project>_<Shot>_<TaskType>", "style": "lowercase"},
        },
        "output": {
            "mountpoint": "/out", "root": "",
            "folder_path": {"shot": "<Project>/<Sequence>/<Shot>/v<Version>", "style": ""},
            "file_name": {"shot": "<Shot>", "style": ""},
        },
    }
    gazu.files.update_project_file_tree(p, tree)
    assert gazu.project.get_project(p["id"])["file_tree"] == tree
    sequence = gazu.shot.get_sequence_by_name(p, f"SQ{tag}")
    shot = gazu.shot.get_shot_by_name(sequence, "SH01")
    project_dir = p["name"].replace(" ", "_").lower()

    got = gazu.entity.guess_from_path(
        p["id"], f"/simple/productions/{project_dir}/shots/sq{tag}/SH01/Animation/file.ma")
    assert got == [{
        "Template": "shot", "Project": p["id"], "Sequence": sequence["id"],
        "Shot": shot["id"], "TaskType": world.anim["id"],
    }]
    # Tokens are read up to the first that names nothing.
    got = gazu.entity.guess_from_path(
        p["id"], f"/simple/productions/{project_dir}/shots/sq{tag}/SH99/animation")
    assert got == [{"Template": "shot", "Project": p["id"], "Sequence": sequence["id"]}]
    # Prefix and suffix around a token; a version is a number.
    got = gazu.entity.guess_from_path(p["id"], f"/out/{project_dir}/SQ{tag}/sh01/v003")
    assert got == [{"Template": "shot", "Project": p["id"], "Sequence": sequence["id"],
                    "Shot": shot["id"], "Version": "3"}]
    # Another production's path names none of this one's ids.
    other = gazu.project.new_project(f"QP guess {tag}")
    other_dir = other["name"].replace(" ", "_").lower()
    got = gazu.entity.guess_from_path(p["id"], f"/simple/productions/{other_dir}/shots/sq{tag}/sh01/x")
    assert got == [{"Template": "shot"}]
    # Outside every mode's root.
    assert gazu.entity.guess_from_path(p["id"], "/elsewhere/shots/a/b/c") == []
