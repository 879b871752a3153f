"""Recordings 001-005: the setup calls of the walkthrough (login, API version,
task statuses, default status, asset types), replayed with gazu 1.3.1.

Each test runs the gazu call, then compares every HTTP exchange it made
(method, path, query keys, status, request/response JSON shapes) with the
recording, and the returned value with the recorded response.
"""

import gazu

from support import ADMIN_EMAIL, ADMIN_PASSWORD
from shapes import assert_items_same_shape, assert_same_shape, load_recording, recorded_response
from wire import assert_same_exchanges, record_call


def test_001_log_in(gazu_admin):
    """POST /api/auth/login -> 200 {user, organisation, login, access_token,
    refresh_token}; the user has ``departments`` (last key, after ``type``)."""
    recording = load_recording(1)
    call = record_call(gazu.log_in, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert_same_exchanges(call, recording)
    tokens = call.result
    assert_same_shape(tokens, recorded_response(recording))
    assert list(tokens) == ["user", "organisation", "login", "access_token", "refresh_token"]
    assert tokens["login"] is True
    assert tokens["access_token"] and tokens["refresh_token"]
    assert tokens["user"]["email"] == ADMIN_EMAIL
    assert tokens["user"]["role"] == "admin"
    assert tokens["user"]["full_name"] == f"{tokens['user']['first_name']} {tokens['user']['last_name']}"
    # gazu stores the whole dict and sends the access token from then on.
    assert gazu.client.default_client.access_token == tokens["access_token"]
    assert gazu.client.get_current_user()["id"] == tokens["user"]["id"]


def test_002_get_api_version(gazu_admin):
    """GET /api/ -> {"api": "Zou", "version": "1.0.97"}; gazu returns the version."""
    recording = load_recording(2)
    call = record_call(gazu.client.get_api_version)
    assert_same_exchanges(call, recording)
    assert call.result == "1.0.97"
    assert call.exchanges[0].response == {"api": "Zou", "version": "1.0.97"}


def test_003_all_task_statuses(gazu_admin):
    """GET /api/data/task-status -> the 9 default statuses (gazu sorts by name)."""
    recording = load_recording(3)
    call = record_call(gazu.task.all_task_statuses)
    assert_same_exchanges(call, recording)
    recorded = recorded_response(recording)
    assert_same_shape(call.result, recorded)
    # Every default status has the recorded shape (not only the first one).
    by_name = {s["name"]: s for s in call.result}
    assert_items_same_shape(
        [by_name.get(s["name"]) for s in recorded], recorded, path="task_statuses"
    )
    names = [s["name"] for s in call.result]
    assert names == sorted(names, key=str.lower)


def test_004_get_default_task_status_is_todo(gazu_admin):
    """GET /api/data/task-status?is_default=True -> two rows after init-data
    (Todo, then the concept status Neutral); gazu takes the first: Todo."""
    recording = load_recording(4)
    call = record_call(gazu.task.get_default_task_status)
    assert_same_exchanges(call, recording)
    assert_same_shape(call.result, recorded_response(recording)[0])
    assert call.result["name"] == "Todo"
    assert call.result["short_name"] == "todo"
    assert call.result["is_default"] is True
    raw = call.exchanges[0].response
    assert [s["name"] for s in raw] == ["Todo", "Neutral"]


def test_005_all_asset_types(gazu_admin):
    """GET /api/data/asset-types -> AssetType dicts with a ``task_types`` list."""
    recording = load_recording(5)
    call = record_call(gazu.asset.all_asset_types)
    assert_same_exchanges(call, recording)
    assert_same_shape(call.result, recorded_response(recording))
    # Kitsu's four default types, in name order; other modules of the suite,
    # which share the server, may have added their own (a "Camera" type is
    # made by the first camera instance) among them.
    defaults = ["Character", "Environment", "FX", "Prop"]
    assert [a["name"] for a in call.result if a["name"] in defaults] == defaults
    assert all(a["type"] == "AssetType" for a in call.result)
