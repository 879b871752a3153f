"""Self-tests of the comparison helpers (shapes.py, wire.py). They need no
server: they check the comparator on the recordings themselves."""

import copy

import pytest

from shapes import (
    assert_same_shape,
    kind_of,
    load_recording,
    recorded_response,
    shape_problems,
)
from wire import Exchange, exchange_problems


@pytest.mark.parametrize(
    "value,kind",
    [
        (None, "null"),
        (True, "bool"),
        (0, "int"),
        (8.0, "float"),
        ("", "str"),
        ("2026-11-24T15:11:03", "datetime"),
        ("2026-11-24T15:11:03.123456", "str"),
        ("2026-11-24T15:11:03Z", "str"),
        ("2026-11-24", "date"),
        ("48a4f82f-72be-4378-9f2d-fda754792e94", "uuid"),
        ("48A4F82F-72BE-4378-9F2D-FDA754792E94", "str"),
        ([], "list"),
        ({}, "dict"),
    ],
)
def test_kind_of(value, kind):
    assert kind_of(value) == kind


def test_load_recording_by_number_label_and_call():
    assert load_recording(6)["label"] == "new_project"
    assert load_recording("006")["label"] == "new_project"
    assert load_recording("new_project")["call"] == "gazu.project.new_project"
    assert load_recording("006_new_project")["label"] == "new_project"
    assert load_recording("shot.all_episodes_for_project")["label"] == "shot.all_episodes_for_project"
    with pytest.raises(LookupError):
        load_recording("gazu.task.new_task")  # several recordings: ambiguous


def test_every_recording_matches_itself():
    for number in list(range(1, 15)) + list(range(74, 81)):
        recording = load_recording(number)
        for request in recording["requests"]:
            assert_same_shape(request["response"], request["response"])


def test_missing_extra_and_order():
    recorded = recorded_response(load_recording(7))  # a Person, POST answer
    actual = copy.deepcopy(recorded)
    del actual["studio_id"]
    actual["password"] = "x"
    problems = shape_problems(actual, recorded)
    assert any("missing keys ['studio_id']" in p for p in problems)
    assert any("extra keys ['password']" in p for p in problems)

    reordered = dict(recorded)
    reordered["departments"] = reordered.pop("departments")  # moved to the end
    problems = shape_problems(reordered, recorded)
    assert len(problems) == 1 and "key order" in problems[0]


def test_order_not_checked_for_non_model_dicts():
    recorded = recorded_response(load_recording(1))  # {user, organisation, login, ...}
    actual = dict(reversed(list(recorded.items())))
    assert shape_problems(actual, recorded) == []
    assert shape_problems(actual, recorded, order="all") != []


def test_null_only_where_allowed():
    recorded = recorded_response(load_recording(12))  # description: null
    actual = dict(recorded, description="a description")
    problems = shape_problems(actual, recorded)
    assert len(problems) == 1 and problems[0].startswith("description: got str")
    assert shape_problems(actual, recorded, nullable={"description"}) == []
    # A wrong kind is never excused by nullable.
    assert shape_problems(dict(recorded, nb_frames="24"), recorded, nullable={"nb_frames"})


def test_datetime_and_uuid_formats():
    recorded = recorded_response(load_recording(11))
    actual = dict(recorded, created_at="2026-11-24T15:11:03.123", project_id=recorded["project_id"].upper())
    paths = sorted(p.split(":")[0] for p in shape_problems(actual, recorded))
    assert paths == ["created_at", "project_id"]


def test_int_float_bool_are_distinct():
    recorded = recorded_response(load_recording(1))
    actual = copy.deepcopy(recorded)
    actual["organisation"]["hours_by_day"] = 8
    actual["user"]["active"] = 1
    paths = sorted(p.split(":")[0] for p in shape_problems(actual, recorded))
    assert paths == ["organisation.hours_by_day", "user.active"]


def test_lists_compare_first_items_and_id_maps_first_values():
    recorded = recorded_response(load_recording(76))  # get_project
    actual = copy.deepcopy(recorded)
    first = next(iter(actual["task_type_links"]))
    actual["task_type_links"][first]["priority"] = "high"
    actual["team"] = []  # an empty list matches any list
    actual["task_statuses"] = ["not-a-uuid"]
    problems = shape_problems(actual, recorded)
    assert len(problems) == 2
    assert any(p.startswith("task_type_links.<id>.priority") for p in problems)
    assert any(p.startswith("task_statuses[0]") for p in problems)


def test_exchange_comparison():
    recording = load_recording(6)
    get, post = recording["requests"]
    exchange = Exchange(
        method="POST",
        path="/api/data/projects",
        query={},
        request_json=post["request_json"],
        status=201,
        response=post["response"],
        text="",
    )
    assert exchange_problems(exchange, post) == []
    assert exchange_problems(exchange, get)  # method, query, status differ
    lookup = Exchange("GET", "/api/data/projects", {"name": ["x"]}, None, 200, [], "[]")
    assert exchange_problems(lookup, get) == []
    assert Exchange(
        "POST", "/api/data/projects/48a4f82f-72be-4378-9f2d-fda754792e94/team", {}, None, 201, None, ""
    ).path_template == "/api/data/projects/{id}/team"
