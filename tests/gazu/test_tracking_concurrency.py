"""Concurrent time logging: 8 gazu clients (one per thread, each logged in
on its own) add 1 minute 500 times each to the same (task, person, day).
Every add must count: the time spent ends at 4000.0 minutes, and so does
the task's duration (the sum of its time spents).  No request may fail.

The real Zou fails this (it adds in Python, read-modify-write, and loses
updates: about half of them); that assertion is an expected failure there."""

from __future__ import annotations

import datetime
import threading

import gazu
import pytest

from support import ADMIN_EMAIL, ADMIN_PASSWORD, REFERENCE_IS_ZOU, pick_task_types

THREADS = 8
ADDS = 500
DAY = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def timed_task(production, admin):
    """A shot task assigned to the artist (time is logged for an assignee)."""
    admin.activate()
    _, animation, _ = pick_task_types(gazu.task.all_task_types())
    return gazu.task.new_task(production.shot, animation, assignees=[production.artist])


def test_concurrent_add_time_spent(production, timed_task, api_url, gazu_admin):
    clients = []
    for _ in range(THREADS):
        client = gazu.client.create_client(api_url)
        gazu.log_in(ADMIN_EMAIL, ADMIN_PASSWORD, client=client)
        clients.append(client)

    barrier = threading.Barrier(THREADS)
    errors: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(client):
        def hook(response, *args, **kwargs):
            with lock:
                statuses.append(response.status_code)
            return response

        client.session.hooks.setdefault("response", []).append(hook)
        barrier.wait(timeout=30)
        for _ in range(ADDS):
            try:
                row = gazu.task.add_time_spent(timed_task, production.artist, DAY, 1, client=client)
                assert row["type"] == "TimeSpent" and row["date"] == DAY, row
            except Exception as exc:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "workers still running after 600 s"
    assert not errors, f"{len(errors)} failed adds, e.g. {errors[:3]}"
    assert len(statuses) == THREADS * ADDS
    assert set(statuses) == {201}, sorted(set(statuses))

    spent = gazu.task.get_time_spent(timed_task, DAY)
    rows = spent[production.artist["id"]]
    assert len(rows) == 1, f"one row per (task, person, day), got {len(rows)}"
    if REFERENCE_IS_ZOU and rows[0]["duration"] != float(THREADS * ADDS):
        # Zou adds in Python (read, add, write): concurrent adds get lost.
        pytest.xfail(f"Zou loses concurrent adds: {rows[0]['duration']} of {THREADS * ADDS} minutes")
    assert rows[0]["duration"] == float(THREADS * ADDS)
    assert spent["total"] == float(THREADS * ADDS)
    assert gazu.task.get_task(timed_task)["duration"] == float(THREADS * ADDS)
