"""The data a fresh server has, like Zou after ``zou init-data`` (the
contract's README, "Default data after zou init-data"): task statuses, task
types, asset types, project statuses, the organisation.

Only defaults are checked: other test modules add rows of their own (never
with these names), so lookups go by name.
"""

import gazu
import pytest

from shapes import assert_same_shape, load_recording, recorded_response

# name: (short_name, color, flags set to true besides is_artist_allowed/is_client_allowed)
DEFAULT_TASK_STATUSES = {
    "Todo": ("todo", "#f5f5f5", {"is_default"}),
    "Work In Progress": ("wip", "#3273dc", {"is_wip"}),
    "Waiting For Approval": ("wfa", "#ab26ff", {"is_feedback_request"}),
    "Retake": ("retake", "#ff3860", {"is_retake"}),
    "Done": ("done", "#22d160", {"is_done"}),
    "Ready To Start": ("ready", "#fbc02d", set()),
    "Neutral": ("neutral", "#CCCCCC", {"is_default", "for_concept"}),
    "Approved": ("approved", "#66BB6A", {"for_concept"}),
    "Rejected": ("rejected", "#E81123", {"for_concept"}),
}
STATUS_FLAGS = ("is_done", "is_retake", "is_feedback_request", "is_default", "is_wip", "for_concept")

# (name, for_entity): (priority, color)
DEFAULT_TASK_TYPES = {
    ("Concept", "Concept"): (1, "#8D6E63"),
    ("Concept", "Asset"): (1, "#8D6E63"),
    ("Modeling", "Asset"): (2, "#78909C"),
    ("Shading", "Asset"): (3, "#64B5F6"),
    ("Rigging", "Asset"): (4, "#9CCC65"),
    ("Storyboard", "Shot"): (1, "#43A047"),
    ("Layout", "Shot"): (2, "#7CB342"),
    ("Animation", "Shot"): (3, "#009688"),
    ("Lighting", "Shot"): (4, "#F9A825"),
    ("FX", "Shot"): (5, "#26C6DA"),
    ("Rendering", "Shot"): (6, "#F06292"),
    ("Compositing", "Shot"): (7, "#ff5252"),
    ("Edit", "Edit"): (8, "#9b298c"),
}


@pytest.fixture(scope="module")
def task_statuses(admin):
    admin.activate()
    return {s["name"]: s for s in gazu.task.all_task_statuses()}


@pytest.fixture(scope="module")
def task_types(admin):
    admin.activate()
    return gazu.task.all_task_types()


def test_task_statuses_are_the_defaults(task_statuses):
    assert set(DEFAULT_TASK_STATUSES) <= set(task_statuses)


@pytest.mark.parametrize("name", list(DEFAULT_TASK_STATUSES))
def test_default_task_status(task_statuses, name):
    short_name, color, flags = DEFAULT_TASK_STATUSES[name]
    status = task_statuses[name]
    assert status["short_name"] == short_name
    assert status["color"] == color
    for flag in STATUS_FLAGS:
        assert status[flag] is (flag in flags), flag
    assert status["priority"] == 1
    assert status["is_artist_allowed"] is True
    assert status["is_client_allowed"] is True
    assert status["archived"] is False
    assert status["type"] == "TaskStatus"
    # Same shape as the recorded Todo (recording 003).
    assert_same_shape(status, recorded_response(load_recording(3))[0])


def test_exactly_two_default_statuses(task_statuses):
    """Todo and the concept status Neutral (gazu's get_default_task_status
    takes the first of GET ?is_default=True: Todo; see test_setup_calls)."""
    assert sorted(n for n, s in task_statuses.items() if s["is_default"]) == ["Neutral", "Todo"]


def test_task_types_are_the_defaults(task_types):
    found = {(t["name"], t["for_entity"]) for t in task_types}
    # "Concept" is there twice: for Concept and for Asset (a task type's
    # identity is name + for_entity + department).
    assert set(DEFAULT_TASK_TYPES) <= found


@pytest.mark.parametrize("key", list(DEFAULT_TASK_TYPES), ids=lambda k: f"{k[0]}-{k[1]}")
def test_default_task_type(task_types, key):
    priority, color = DEFAULT_TASK_TYPES[key]
    matches = [t for t in task_types if (t["name"], t["for_entity"]) == key]
    assert len(matches) == 1, matches
    task_type = matches[0]
    assert task_type["priority"] == priority
    assert task_type["color"] == color
    assert task_type["short_name"] == ""
    assert task_type["allow_timelog"] is True
    assert task_type["archived"] is False
    assert task_type["type"] == "TaskType"
    # Same shape as the recorded Concept (recording 015); department_id is
    # null only for Concept/Concept.
    assert_same_shape(
        task_type, recorded_response(load_recording(15))[0], nullable={"department_id"}
    )


def test_default_task_types_have_departments(task_types):
    """Every default task type but Concept (for Concept) has a department."""
    for task_type in task_types:
        key = (task_type["name"], task_type["for_entity"])
        if key not in DEFAULT_TASK_TYPES:
            continue
        if key == ("Concept", "Concept"):
            assert task_type["department_id"] is None
        else:
            assert task_type["department_id"] is not None, key


def test_asset_types(gazu_admin):
    asset_types = gazu.asset.all_asset_types()
    assert {"Character", "Environment", "FX", "Prop"} <= {a["name"] for a in asset_types}
    recorded = recorded_response(load_recording(5))[0]
    for asset_type in asset_types:
        assert_same_shape(asset_type, recorded, path=asset_type["name"])


def test_project_statuses(gazu_admin):
    """Project statuses Open and Closed (GET /data/project-status)."""
    statuses = gazu.client.fetch_all("project-status")
    assert {"Open", "Closed"} <= {s["name"] for s in statuses}
    assert all(s["type"] == "ProjectStatus" for s in statuses)


def test_organisation_in_login_body(api_url):
    """The login answer's organisation: Kitsu, hours_by_day 8.0 (a float)."""
    client = gazu.client.create_client(api_url)
    tokens = gazu.log_in("admin@example.com", "mysecretpassword", client=client)
    organisation = tokens["organisation"]
    assert organisation["name"] == "Kitsu"
    assert organisation["hours_by_day"] == 8.0 and isinstance(organisation["hours_by_day"], float)
    assert_same_shape(organisation, recorded_response(load_recording(1))["organisation"])
