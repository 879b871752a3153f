"""A pipeline automation on gazu.events: a new shot gets its tasks at once.

Usage:
    python examples/auto_create_shot_tasks.py http://127.0.0.1:8080/api EMAIL PASSWORD
        [--event-host URL] [--project NAME]

It listens to the server's live events (gazu.events, Socket.IO namespace
/events) and, for every ``shot:new``, creates the shot's tasks: one for each
shot task type of the shot's production (its settings), as the
pipeline-tracking guide suggests ("tasks can be generated automatically
when new assets or shots are created"). Tasks that exist already are left
as they are (the server skips them).

``--event-host`` is where the events are served when it is not the API's
host (a Zou deployment runs its event stream apart; Fennec serves both on
one port). ``--project`` limits the automation to one production.

It prints ``listening`` once connected, then one line per shot handled.
Stop it with Ctrl-C.
"""

import argparse
import sys

import gazu
import gazu.events


def shot_task_types(project_id):
    """The production's task types made for shots, in their priority order."""
    return [
        t
        for t in gazu.task.all_task_types_for_project(project_id)
        if t.get("for_entity") == "Shot"
    ]


def on_new_shot(data, project_filter=None):
    project_id = data.get("project_id")
    if project_filter is not None and project_id != project_filter:
        return
    shot = gazu.shot.get_shot(data["shot_id"])
    task_types = shot_task_types(project_id)
    if not task_types:
        print(f"shot {shot['name']}: the production has no shot task type", flush=True)
        return
    tasks = gazu.task.create_entity_tasks(shot, task_types)
    names = ", ".join(t.get("task_type_name") or t["task_type_id"] for t in tasks)
    print(f"shot {shot['name']}: created {len(tasks)} tasks ({names})", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host", help="the API's URL, e.g. http://127.0.0.1:8080/api")
    parser.add_argument("email")
    parser.add_argument("password")
    parser.add_argument("--event-host", help="the event stream's URL, when apart")
    parser.add_argument("--project", help="only this production (its name)")
    args = parser.parse_args(argv)

    gazu.set_host(args.host)
    # The task types of a production change rarely, but a long-running
    # listener must see a setting changed after it started.
    gazu.cache.disable()
    gazu.log_in(args.email, args.password)
    if args.event_host:
        gazu.set_event_host(args.event_host)
    project_filter = None
    if args.project:
        project_filter = gazu.project.get_project_by_name(args.project)["id"]

    def handle(data):
        # An error on one shot is reported, and the listener goes on.
        try:
            on_new_shot(data, project_filter)
        except Exception as exc:  # noqa: BLE001 - keep listening
            print(f"shot {data.get('shot_id')}: {exc}", file=sys.stderr, flush=True)

    client = gazu.events.init()
    gazu.events.add_listener(client, "shot:new", handle)
    print("listening", flush=True)
    try:
        gazu.events.run_client(client)
    except KeyboardInterrupt:
        client.disconnect()


if __name__ == "__main__":
    main()
