"""Kitsu's pipeline-tracking guide, run end to end with gazu 1.3.1.

Usage: python examples/pipeline_tracking.py http://127.0.0.1:8080/api EMAIL PASSWORD

It builds a small production, then runs the guide's snippets: tasks and
their types and statuses, updating schedules, time spents, status changes,
a shot's timeline, completed tasks, the user's to-do and the episode →
sequence walk. gazu 1.3.1 renamed three of the guide's calls; each
replacement is marked "renamed in gazu 1.3.1".
"""

import datetime
import sys
import uuid

import gazu


def main(host, email, password):
    gazu.set_host(host)
    gazu.log_in(email, password)
    suffix = uuid.uuid4().hex[:6]

    # A production to track.
    asset_types = gazu.asset.all_asset_types()
    character = next(t for t in asset_types if t["name"] == "Character")
    project = gazu.project.new_project(
        f"Guide {suffix}", production_type="tvshow", production_style="3d",
        asset_types=[character],
        task_statuses=gazu.task.all_task_statuses(),
        task_types=gazu.task.all_task_types(),
    )
    artist = gazu.person.new_person(
        "Guide", f"Artist {suffix}", f"guide.artist.{suffix}@example.com",
        role="user", password="guide-artist-password",
    )
    gazu.project.add_person_to_team(project, artist)
    episode = gazu.shot.new_episode(project, "E01")
    sequence = gazu.shot.new_sequence(project, "E01_SQ010", episode=episode)
    shot = gazu.shot.new_shot(project, sequence, "SH0010", nb_frames=48,
                              frame_in=1001, frame_out=1048)
    hero = gazu.asset.new_asset(project, character, "Hero")

    # Task types and statuses.
    modeling = gazu.task.get_task_type_by_name("Modeling")
    animation = gazu.task.get_task_type_by_name("Animation", "Shot")
    layout = gazu.task.get_task_type_by_name("Layout", "Shot")
    wip = gazu.task.get_task_status_by_short_name("wip")
    wfa = gazu.task.get_task_status_by_name("Waiting For Approval")
    done = gazu.task.get_task_status_by_short_name("done")

    # Tasks, assignments, schedules.
    model_task = gazu.task.new_task(hero, modeling, task_status=wip, assignees=[artist])
    anim_task = gazu.task.new_task(shot, animation)
    layout_task = gazu.task.new_task(shot, layout)
    gazu.task.assign_tasks_to_person([anim_task, layout_task], artist)
    today = datetime.date.today()
    for i, task in enumerate([layout_task, anim_task]):
        gazu.task.update_task({
            "id": task["id"],
            "start_date": str(today + datetime.timedelta(days=5 * i)),
            "due_date": str(today + datetime.timedelta(days=5 * i + 4)),
            "estimation": 8 * 60 * 3,
            "priority": 2,
        })

    # get_task_by_name is renamed in gazu 1.3.1: get_task_by_entity.
    task = gazu.task.get_task_by_entity(hero, modeling, name="main")
    assert task["id"] == model_task["id"]

    # Time spents (minutes).
    gazu.task.add_time_spent(model_task, artist, str(today), 120)
    gazu.task.add_time_spent(model_task, artist, str(today), 60)
    spent = gazu.task.get_time_spent(model_task)
    print(f"time logged on {hero['name']} modeling: {spent['total']} min")

    # Status changes go through comments.
    gazu.task.start_task(layout_task)
    gazu.task.add_comment(layout_task, wfa, "layout ready for review")
    gazu.task.add_comment(layout_task, done, "approved")

    # The guide's timeline of a shot's tasks.
    print(f"timeline of {shot['name']}:")
    for t in sorted(gazu.task.all_tasks_for_shot(shot), key=lambda t: t["start_date"] or ""):
        print(f"  {t['task_type_name']:<12} {t['task_status_name']:<22} "
              f"{(t['start_date'] or '')[:10]} → {(t['due_date'] or '')[:10]}")

    # all_tasks is renamed in gazu 1.3.1: all_tasks_for_project.
    tasks = gazu.task.all_tasks_for_project(project)
    statuses = {s["id"]: s for s in gazu.task.all_task_statuses()}
    completed = [t for t in tasks if statuses[t["task_status_id"]]["is_done"]]
    print(f"{len(completed)} of {len(tasks)} tasks completed")

    # The artist's to-do.
    gazu.log_in(artist["email"], "guide-artist-password")
    todo = gazu.user.all_tasks_to_do()
    print(f"{artist['full_name']} has {len(todo)} tasks to do:")
    for t in todo:
        print(f"  {t['entity_name']} / {t['task_type_name']} ({t['task_status_short_name']})")
    gazu.log_in(email, password)

    # project.all_episodes is renamed in gazu 1.3.1: shot.all_episodes_for_project.
    for ep in gazu.shot.all_episodes_for_project(project):
        for seq in gazu.shot.all_sequences_for_episode(ep):
            shots = gazu.shot.all_shots_for_sequence(seq)
            print(f"{ep['name']} / {seq['name']}: {len(shots)} shots")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
