"""Hundreds of mistakes and forbidden actions, answered as the real Zou
answered them.

``zou_probe.CASES`` are sent to Fennec, on a production built the same way
as on the Zou 1.0.97 that answered ``zou_reference/probe_answers.json``
(made by ``zou_reference/record_probe``). Error answers must be equal —
status and body; success answers must have the same status and shape.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

import zou_probe
from support import ADMIN_EMAIL, ADMIN_PASSWORD

ANSWERS = Path(__file__).parent / "zou_reference" / "probe_answers.json"

# Where Fennec answers otherwise on purpose (CONTRACT.md, "Where Fennec
# deliberately differs"), keyed by (caller, method, path, body).
_ADD = "/actions/tasks/{task}/time-spents/2026-11-05/persons/{user}/add"
DELIBERATE = {
    ("vendor", "GET", "/data/projects/{project}/tasks", None):
        "Zou lists all of a production's tasks to a vendor; Fennec only the "
        "tasks he is assigned to, as on every other task list.",
    ("user", "POST", _ADD, '{"duration": "1e400"}'):
        "Zou stores a null duration for an infinite one; Fennec refuses it.",
    ("user", "POST", _ADD, '{"duration": true}'):
        "Zou stores a null duration for a boolean; Fennec refuses it.",
}


def _recorded():
    data = json.loads(ANSWERS.read_text())
    assert data["server"] == {"api": "Zou", "version": "1.0.97"}
    return data["answers"]


def _same(zou_status, zou_body, status, body):
    if zou_status >= 500:
        # Zou fails on these client mistakes; Fennec must refuse them
        # cleanly instead: a 4xx with a JSON error.
        return 400 <= status < 500 and isinstance(body, dict) and (
            body.get("error") is True or "message" in body or "msg" in body
        )
    if zou_status >= 300 or status >= 300:
        return status == zou_status and body == zou_body
    return status == zou_status and zou_probe.shape(body) == zou_probe.shape(zou_body)


def test_every_probe_case_is_recorded():
    """The cases and the recording go together: re-record after a change."""
    recorded = [a["case"] for a in _recorded()]
    assert recorded == [zou_probe.case_key(c) for c in zou_probe.CASES], (
        "zou_probe.CASES changed: run zou_reference/record_probe against a real Zou"
    )


def test_fennec_answers_as_zou(api_url):
    world = zou_probe.build_world(api_url, ADMIN_EMAIL, ADMIN_PASSWORD, secrets.token_hex(4))
    differences = []
    for recorded in _recorded():
        case = json.loads(recorded["case"])
        status, body = zou_probe.run_case(world, case)
        body_sent = case.get("json", case.get("data"))
        key = (
            case.get("as_", "admin"),
            case["method"],
            case["path"],
            None if body_sent is None else json.dumps(body_sent),
        )
        if key in DELIBERATE:
            continue
        if not _same(recorded["status"], recorded["body"], status, body):
            differences.append(
                f"{key[0]} {key[1]} {key[2]} {json.dumps(case.get('json', case.get('data')))}\n"
                f"   zou    {recorded['status']} {json.dumps(recorded['body'])[:400]}\n"
                f"   fennec {status} {json.dumps(body)[:400]}"
            )
    assert not differences, f"{len(differences)} answers differ from Zou's:\n" + "\n".join(differences)
