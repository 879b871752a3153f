"""Runs examples/auto_create_shot_tasks.py (a gazu.events automation) against
the suite's server: a shot created through gazu gets, within a few seconds,
one task per shot task type of its production, made by the running example.

On the real Zou the example is given Zou's event stream (the API's port + 1).
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import gazu

from support import ADMIN_EMAIL, ADMIN_PASSWORD, unique
from test_events import event_host
from test_events_coverage import wait_for_event_stream

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "auto_create_shot_tasks.py"


def _lines(stream, out: queue.Queue):
    for line in stream:
        out.put(line.rstrip("\n"))


def test_a_new_shot_gets_its_tasks_from_the_running_example(gazu_admin, production, api_url):
    project = production.project
    expected = {t["id"] for t in gazu.task.all_task_types_for_project(project)
                if t["for_entity"] == "Shot"}
    assert expected, "the production has shot task types"
    wait_for_event_stream(api_url)
    example = subprocess.Popen(
        [sys.executable, str(EXAMPLE), api_url, ADMIN_EMAIL, ADMIN_PASSWORD,
         "--event-host", event_host(api_url), "--project", project["name"]],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(example.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while "listening" not in seen:
            assert time.monotonic() < deadline, f"the example did not start: {seen}"
            assert example.poll() is None, f"the example exited: {seen}"
            try:
                seen.append(lines.get(timeout=0.5))
            except queue.Empty:
                pass
        # Let the connection settle (WebSocket upgrade) before the write.
        time.sleep(0.5)

        shot = gazu.shot.new_shot(project, production.sequence, unique("AUTO"))
        deadline = time.monotonic() + 10
        made = set()
        while made != expected and time.monotonic() < deadline:
            time.sleep(0.2)
            made = {t["task_type_id"] for t in gazu.task.all_tasks_for_shot(shot)}
        while not lines.empty():
            seen.append(lines.get())
        assert made == expected, f"tasks made: {made}; example output: {seen}"
        # Made once each, by the example (nothing else creates them here).
        tasks = gazu.task.all_tasks_for_shot(shot)
        assert len(tasks) == len(expected)
        deadline = time.monotonic() + 5
        while not any(shot["name"] in line for line in seen) and time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=0.2))
            except queue.Empty:
                pass
        assert f"shot {shot['name']}: created {len(expected)} tasks" in "\n".join(seen)
    finally:
        example.terminate()
        try:
            example.wait(timeout=10)
        except subprocess.TimeoutExpired:
            example.kill()
