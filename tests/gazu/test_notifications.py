"""Issue 12: notifications, task subscriptions and the news feed, as Zou
1.0.97 has them (gazu's user and task modules, Kitsu's inbox and news
feed). An artist assigned to a task is told of the assignment, of a
manager's comment on it and of a mention; a subscriber is told of the
task's comments; a reply reaches the comment's author. Reading one,
marking it read or all of them read, subscribing and unsubscribing; a
production's notifications and subscriptions (admins only); a
production's news with its filters, paging and stats; removing a comment
takes its news and notifications. Shapes and key order, and each role's
answers, as Zou 1.0.97 answers them.

Checked against the reference Zou (``FENNEC_BIN=tests/gazu/zou_reference/fennec``).
"""

from __future__ import annotations

from types import SimpleNamespace

import gazu
import pytest

from support import ARTIST_PASSWORD, artist_client, unique
from test_user_routes import Http, login

# The caller's notification list (Zou's `_serialize_notification`).
LISTED_KEYS = [
    "id", "type", "notification_type", "author_id", "comment_id", "task_id",
    "task_type_id", "task_status_id", "mentions", "department_mentions",
    "reply_mentions", "reply_department_mentions", "preview_file_id",
    "project_id", "project_name", "comment_text", "reply_text", "created_at",
    "read", "change", "full_entity_name", "episode_id",
    "entity_preview_file_id", "subscription_id", "playlist_id",
    "playlist_name", "playlist_for_entity", "playlist_is_for_all",
]
# The plain model (Notification.serialize: the kind column appended last).
PLAIN_KEYS = [
    "read", "change", "type", "person_id", "author_id", "comment_id",
    "task_id", "playlist_id", "reply_id", "id", "created_at", "updated_at",
    "notification_type",
]
SUBSCRIPTION_KEYS = [
    "person_id", "task_id", "entity_id", "task_type_id", "id", "created_at",
    "updated_at", "type",
]
NEWS_ENVELOPE = ["data", "total", "nb_pages", "limit", "offset", "page", "stats"]
NEWS_KEYS = [
    "id", "type", "author_id", "comment_id", "task_id", "task_type_id",
    "task_status_id", "task_entity_id", "preview_file_id",
    "preview_file_extension", "preview_file_revision", "project_id",
    "project_name", "created_at", "change", "full_entity_name", "episode_id",
    "entity_preview_file_id", "person",
]
NEWS_PERSON_KEYS = ["id", "first_name", "last_name", "full_name", "has_avatar", "role"]


@pytest.fixture(scope="module")
def world(api_url, admin):
    admin.activate()
    tag = unique()
    project = gazu.project.new_project(f"NT {tag}", production_type="tvshow")
    department = gazu.person.new_department(f"Dept{tag}")
    people, emails = {}, {}
    for name, role, departments in (
        ("artist", "user", []),
        ("other", "user", []),
        ("watcher", "user", []),
        ("compositor", "user", [department]),
        ("manager", "manager", []),
        ("client", "client", []),
        ("vendor", "vendor", []),
        ("outsider", "user", []),
    ):
        email = f"nt-{name}-{tag}@example.com"
        # First names unique to the module: Zou finds mentions by full name.
        person = gazu.person.new_person(
            f"{name.title()}{tag}", "Nt", email, password=ARTIST_PASSWORD,
            role=role, departments=departments,
        )
        if name != "outsider":
            gazu.project.add_person_to_team(project, person)
        people[name], emails[name] = person, email
    episode = gazu.shot.new_episode(project, f"E{tag}")
    sequence = gazu.shot.new_sequence(project, f"SQ{tag}", episode=episode)
    shot = gazu.shot.new_shot(project, sequence, f"SH{tag}")
    animation = gazu.task.get_task_type_by_name("Animation")
    layout = gazu.task.get_task_type_by_name("Layout")
    for priority, tt in enumerate((animation, layout), start=1):
        gazu.project.add_task_type(project, tt, priority)
    task = gazu.task.new_task(shot, animation)
    quiet = gazu.task.new_task(shot, layout)
    clients = {name: artist_client(api_url, emails[name]) for name in people}
    http = {name: login(api_url, emails[name], people[name]) for name in people}
    return SimpleNamespace(
        tag=tag, project=project, department=department, people=people,
        clients=clients, http=http, episode=episode, sequence=sequence,
        shot=shot, task=task, quiet=quiet, animation=animation, layout=layout,
        admin=Http(api_url, admin.access_token),
    )


def notes(world, name, **params):
    """The person's notifications, through gazu when unfiltered."""
    if not params:
        return gazu.user.all_notifications(client=world.clients[name])
    return world.http[name].get("data/user/notifications", params=params)


def kinds(rows):
    return sorted(n["notification_type"] for n in rows)


@pytest.fixture(scope="module")
def assigned(world):
    """The manager assigns the artist to the animation task, and himself to
    the layout one."""
    manager = world.clients["manager"]
    gazu.task.assign_task(world.task, world.people["artist"], client=manager)
    gazu.task.assign_task(world.quiet, world.people["manager"], client=manager)
    return world


@pytest.fixture(scope="module")
def commented(assigned):
    """The watcher subscribes to the task; the manager comments on it,
    moving it to WIP and mentioning the other artist and the department."""
    w = assigned
    w.subscription = gazu.user.subscribe_to_task(w.task, client=w.clients["watcher"])
    wip = gazu.task.get_task_status_by_short_name("wip")
    w.wip = wip
    w.comment = gazu.task.add_comment(
        w.task, wip, f"Please check @Other{w.tag} Nt and @Dept{w.tag}",
        client=w.clients["manager"],
    )
    return w


def test_assignment_notifies_the_assignee(assigned):
    w = assigned
    found = notes(w, "artist")
    assert kinds(found) == ["assignation"]
    n = found[0]
    assert list(n) == LISTED_KEYS
    assert n["type"] == "Notification"
    assert n["author_id"] == w.people["manager"]["id"]
    assert n["task_id"] == w.task["id"]
    assert n["task_type_id"] == w.animation["id"]
    assert n["project_id"] == w.project["id"] and n["project_name"] == w.project["name"]
    # No comment behind it: its text is none, its status none.
    assert n["comment_id"] is None and n["comment_text"] is None
    assert n["task_status_id"] is None and n["reply_text"] == ""
    assert n["read"] is False and n["change"] is False
    assert n["full_entity_name"] == f"E{w.tag} / SQ{w.tag} / SH{w.tag}"
    assert n["episode_id"] == w.episode["id"]
    assert n["mentions"] == [] and n["subscription_id"] is None
    assert n["playlist_id"] is None and n["playlist_name"] == ""
    assert n["playlist_is_for_all"] is False
    # Assigning oneself tells nobody.
    assert notes(w, "manager") == []


def test_a_comment_reaches_assignees_subscribers_and_the_mentioned(commented):
    w = commented
    assert list(w.subscription) == SUBSCRIPTION_KEYS
    assert w.subscription["type"] == "Subscription"
    assert w.subscription["person_id"] == w.people["watcher"]["id"]
    assert w.subscription["task_id"] == w.task["id"]
    assert w.subscription["entity_id"] is None and w.subscription["task_type_id"] is None
    assert gazu.user.check_task_subscription(w.task, client=w.clients["watcher"]) is True
    assert gazu.user.check_task_subscription(w.task, client=w.clients["artist"]) is False

    artist = notes(w, "artist")
    assert kinds(artist) == ["assignation", "comment"]
    comment = next(n for n in artist if n["notification_type"] == "comment")
    assert list(comment) == LISTED_KEYS
    assert comment["comment_id"] == w.comment["id"]
    assert comment["comment_text"] == w.comment["text"]
    assert comment["task_status_id"] == w.wip["id"]
    # The comment moved the task to another status.
    assert comment["change"] is True
    assert comment["mentions"] == [w.people["other"]["id"]]
    assert comment["department_mentions"] == [w.department["id"]]
    # Newest first.
    assert artist[0]["id"] == comment["id"]

    watcher = notes(w, "watcher")
    assert kinds(watcher) == ["comment"]
    assert watcher[0]["subscription_id"] == w.subscription["id"]
    # Mentions: a notification of their own, without the status change.
    other = notes(w, "other")
    assert kinds(other) == ["mention"]
    assert other[0]["change"] is False and other[0]["comment_id"] == w.comment["id"]
    assert kinds(notes(w, "compositor")) == ["mention"]
    # The author is not told of his own comment.
    assert notes(w, "manager") == []
    assert notes(w, "outsider") == []


def test_notification_filters(commented):
    w = commented
    assert kinds(notes(w, "artist", type="comment")) == ["comment"]
    assert kinds(notes(w, "artist", read="false")) == ["assignation", "comment"]
    assert notes(w, "artist", read="true") == []
    assert kinds(notes(w, "watcher", watching="true")) == ["comment"]
    assert notes(w, "watcher", watching="false") == []
    assert kinds(notes(w, "artist", task_type_id=w.animation["id"])) == [
        "assignation", "comment",
    ]
    assert notes(w, "artist", task_type_id=w.layout["id"]) == []
    assert notes(w, "artist", after="2100-01-01") == []
    assert len(notes(w, "artist", before="2100-01-01T00:00:00")) == 2
    r = w.http["artist"].call("GET", "data/user/notifications", params={"task_type_id": "nope"})
    assert r.status_code == 400
    assert r.json()["message"] == "Invalid UUID format for task_type_id: nope"


def test_reading_and_marking_notifications(commented):
    w = commented
    artist = w.clients["artist"]
    listed = notes(w, "artist")
    first = listed[0]
    one = gazu.user.get_notification(first["id"], client=artist)
    assert one == first
    context = w.http["artist"].get("data/user/context")
    assert context["notification_count"] == 2
    # gazu sends the whole notification back; only `read` counts.
    updated = gazu.user.update_notification({**first, "read": True}, client=artist)
    assert list(updated) == PLAIN_KEYS
    assert updated["type"] == "Notification"
    assert updated["notification_type"] == first["notification_type"]
    assert updated["read"] is True and updated["person_id"] == w.people["artist"]["id"]
    assert updated["id"] == first["id"]
    assert w.http["artist"].get("data/user/context")["notification_count"] == 1
    assert [n["id"] for n in notes(w, "artist", read="true")] == [first["id"]]
    # Someone else's notification is not found, to read or to update.
    other = w.http["other"]
    r = other.call("GET", f"data/user/notifications/{first['id']}")
    assert r.status_code == 404
    r = other.call("PUT", f"data/user/notifications/{first['id']}", {"read": True})
    assert r.status_code == 404
    r = w.http["artist"].call("GET", "data/user/notifications/not-an-id")
    assert r.status_code == 400
    # Back to unread, then everything read.
    back = w.http["artist"].call("PUT", f"data/user/notifications/{first['id']}", {"read": False})
    assert back.status_code == 200 and back.json()["read"] is False
    assert gazu.user.mark_all_notifications_as_read(client=artist) == {"success": True}
    assert w.http["artist"].get("data/user/context")["notification_count"] == 0
    assert notes(w, "artist", read="false") == []
    # Only the caller's own were marked.
    assert kinds(notes(w, "watcher", read="false")) == ["comment"]


def test_a_reply_reaches_the_comment_author_and_the_mentioned(commented):
    w = commented
    reply = gazu.task.reply_to_comment(
        w.task, w.comment, f"Done, @Watcher{w.tag} Nt", client=w.clients["artist"],
    )
    manager = notes(w, "manager")
    assert kinds(manager) == ["reply"]
    n = manager[0]
    assert list(n) == LISTED_KEYS
    assert n["author_id"] == w.people["artist"]["id"]
    assert n["comment_id"] == w.comment["id"]
    assert n["reply_text"] == reply["text"]
    assert n["reply_mentions"] == [w.people["watcher"]["id"]]
    # The watcher follows the task and is mentioned: both.
    watcher = notes(w, "watcher")
    assert kinds(watcher) == ["comment", "reply", "reply-mention"]
    # The replier is not told of his own reply.
    assert kinds(notes(w, "artist")) == ["assignation", "comment"]


def test_unsubscribing(commented):
    w = commented
    watcher = w.clients["watcher"]
    gazu.user.unsubscribe_from_task(w.task, client=watcher)
    assert gazu.user.check_task_subscription(w.task, client=watcher) is False
    # Again: nothing to remove, same answer.
    r = w.http["watcher"].call("DELETE", f"actions/user/tasks/{w.task['id']}/unsubscribe")
    assert r.status_code == 204
    # An outsider may not follow the production's tasks.
    r = w.http["outsider"].call("POST", f"actions/user/tasks/{w.task['id']}/subscribe", {})
    assert r.status_code == 403
    r = w.http["watcher"].call(
        "POST", "actions/user/tasks/00000000-0000-0000-0000-000000000000/subscribe", {}
    )
    assert r.status_code == 404
    # Subscribing twice gives back the same subscription.
    again = gazu.user.subscribe_to_task(w.task, client=watcher)
    twice = gazu.user.subscribe_to_task(w.task, client=watcher)
    assert again["id"] == twice["id"]
    w.subscription = again


def test_a_productions_notifications_and_subscriptions_are_for_admins(commented):
    w = commented
    mine = gazu.task.all_notifications_for_project(w.project)
    assert all(list(n) == PLAIN_KEYS for n in mine)
    assert {n["person_id"] for n in mine} >= {
        w.people["artist"]["id"], w.people["other"]["id"], w.people["watcher"]["id"],
    }
    subscriptions = gazu.task.all_subscriptions_for_project(w.project)
    assert [s["person_id"] for s in subscriptions] == [w.people["watcher"]["id"]]
    assert list(subscriptions[0]) == SUBSCRIPTION_KEYS
    paged = w.admin.get(f"data/projects/{w.project['id']}/notifications", params={"page": 1})
    assert list(paged) == ["data", "total", "nb_pages", "limit", "offset", "page"]
    assert paged["total"] == len(mine) and paged["limit"] == 100
    for name in ("manager", "artist"):
        for path in ("notifications", "subscriptions"):
            r = w.http[name].call("GET", f"data/projects/{w.project['id']}/{path}")
            assert r.status_code == 403, (name, path)
        with pytest.raises(gazu.exception.NotAllowedException):
            gazu.task.all_notifications_for_project(w.project, client=w.clients[name])
    r = w.admin.call("GET", "data/projects/00000000-0000-0000-0000-000000000000/subscriptions")
    assert r.status_code == 404


def test_the_news_feed(commented):
    w = commented
    p = w.project["id"]
    feed = w.http["artist"].get(f"data/projects/{p}/news")
    assert list(feed) == NEWS_ENVELOPE
    assert feed["total"] == 1 and feed["nb_pages"] == 1
    assert (feed["limit"], feed["offset"], feed["page"]) == (50, 0, 1)
    assert feed["stats"] == {w.wip["id"]: 1}
    news = feed["data"][0]
    assert list(news) == NEWS_KEYS
    assert news["type"] == "News"
    assert news["comment_id"] == w.comment["id"] and news["task_id"] == w.task["id"]
    assert news["author_id"] == w.people["manager"]["id"]
    assert news["task_status_id"] == w.wip["id"] and news["task_type_id"] == w.animation["id"]
    assert news["task_entity_id"] == w.shot["id"]
    assert news["change"] is True and news["preview_file_id"] is None
    assert news["full_entity_name"] == f"E{w.tag} / SQ{w.tag} / SH{w.tag}"
    assert news["episode_id"] == w.episode["id"]
    assert news["project_name"] == w.project["name"]
    assert list(news["person"]) == NEWS_PERSON_KEYS
    assert news["person"]["role"] == "manager"
    # One entry alone, in the same shape.
    one = w.http["manager"].get(f"data/projects/{p}/news/{news['id']}")
    assert one == news
    # Filters and paging.
    get = w.admin.get
    assert get(f"data/projects/{p}/news", params={"task_type_id": w.layout["id"]})["total"] == 0
    assert get(f"data/projects/{p}/news", params={"person_id": w.people["artist"]["id"]})["data"] == []
    assert get(f"data/projects/{p}/news", params={"episode_id": w.episode["id"]})["total"] == 1
    assert get(f"data/projects/{p}/news", params={"only_preview": "true"})["total"] == 0
    assert get(f"data/projects/{p}/news", params={"after": "2100-01-01"})["stats"] == {}
    page2 = get(f"data/projects/{p}/news", params={"page": 2, "limit": 1})
    assert page2["data"] == [] and (page2["offset"], page2["page"], page2["limit"]) == (1, 2, 1)
    # Who may read it: the team but its clients; vendors not one entry.
    assert w.http["client"].call("GET", f"data/projects/{p}/news").status_code == 403
    assert w.http["outsider"].call("GET", f"data/projects/{p}/news").status_code == 403
    assert w.http["vendor"].call("GET", f"data/projects/{p}/news").status_code == 200
    assert w.http["vendor"].call("GET", f"data/projects/{p}/news/{news['id']}").status_code == 403
    unknown = "00000000-0000-0000-0000-000000000000"
    assert w.admin.call("GET", f"data/projects/{p}/news/{unknown}").status_code == 404
    assert w.admin.call("GET", f"data/projects/{unknown}/news").status_code == 404


def test_removing_a_comment_takes_its_news_and_notifications(commented):
    w = commented
    p = w.project["id"]
    gazu.task.remove_comment(w.comment)
    assert w.admin.get(f"data/projects/{p}/news")["total"] == 0
    assert kinds(notes(w, "artist")) == ["assignation"]
    assert notes(w, "other") == []
    assert notes(w, "manager") == []


def test_assignees_set_through_a_task_update_are_notified(commented):
    w = commented
    r = w.http["manager"].call(
        "PUT", f"data/tasks/{w.quiet['id']}",
        {"assignees": [w.people["manager"]["id"], w.people["other"]["id"]]},
    )
    assert r.status_code == 200, r.text
    found = notes(w, "other")
    assert kinds(found) == ["assignation"]
    assert found[0]["task_id"] == w.quiet["id"]
    assert found[0]["author_id"] == w.people["manager"]["id"]
    # Already assigned: nothing new.
    assert notes(w, "manager") == []


def test_a_published_preview_shows_in_the_inbox_and_the_feed(commented, tmp_path):
    from test_preview_upload import make_png

    w = commented
    picture = tmp_path / "frame.png"
    picture.write_bytes(make_png(64, 36))
    comment, preview = gazu.task.publish_preview(
        w.quiet, w.wip, comment="take one", preview_file_path=str(picture),
        client=w.clients["manager"],
    )
    found = [n for n in notes(w, "other") if n["comment_id"] == comment["id"]]
    assert kinds(found) == ["comment"]
    assert found[0]["preview_file_id"] == preview["id"]
    p = w.project["id"]
    feed = w.admin.get(f"data/projects/{p}/news", params={"only_preview": "true"})
    assert feed["total"] == 1
    entry = feed["data"][0]
    assert list(entry) == NEWS_KEYS + ["preview_files"]
    assert entry["preview_file_id"] == preview["id"]
    assert entry["preview_file_extension"] == "png" and entry["preview_file_revision"] == 1
    assert [(f["id"], f["revision"], f["position"]) for f in entry["preview_files"]] == [
        (preview["id"], 1, 1)
    ]
    assert list(entry["preview_files"][0]) == [
        "id", "name", "extension", "revision", "position", "status",
    ]


def manager_get(http, path, params, etag):
    import requests
    return requests.get(
        f"{http.api_url}/{path}", params=params, timeout=30,
        headers={**http.headers, "If-None-Match": etag},
    )


def test_the_boards_show_the_callers_subscriptions(commented):
    w = commented
    manager = w.http["manager"]
    path = "data/shots/with-tasks"
    params = {"project_id": w.project["id"]}
    before = manager.call("GET", path, params=params)
    assert before.status_code == 200
    gazu.user.subscribe_to_task(w.task, client=w.clients["manager"])
    # The board's tag follows the subscriptions: no stale copy.
    etag = before.headers.get("ETag")
    after = manager.call("GET", path, params=params) if etag is None else manager_get(
        manager, path, params, etag
    )
    assert after.status_code == 200
    shot = next(s for s in after.json() if s["id"] == w.shot["id"])
    flags = {t["id"]: t["is_subscribed"] for t in shot["tasks"]}
    assert flags == {w.task["id"]: True, w.quiet["id"]: False}
    # Each caller sees his own.
    other = w.http["other"].get(path, params=params)
    shot = next(s for s in other if s["id"] == w.shot["id"])
    assert all(t["is_subscribed"] is False for t in shot["tasks"])
