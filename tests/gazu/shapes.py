"""Recordings of real Zou 1.0.97 and a JSON "shape" comparator.

The recordings live in the contract folder (``shared/zou-contract/recordings``,
one JSON file per gazu call; see its ``INDEX.md``).  Ids, names and
timestamps differ from one run to the next, so the suite compares *shapes*:
the same keys (in the same order for model dicts) and the same kind of value
at every place.

Kinds: ``null``, ``bool``, ``int``, ``float``, ``str``, ``list``, ``dict``,
plus three kinds of strings that Zou formats in a fixed way:

* ``datetime``: exactly ``YYYY-MM-DDTHH:MM:SS`` (no fraction, no offset);
* ``date``: exactly ``YYYY-MM-DD``;
* ``uuid``: a lowercase, dashed UUID.

So ``"2024-01-10T00:00:00.123"`` or an uppercase UUID is a plain ``str`` and
does not match a recorded ``datetime``/``uuid``.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from pathlib import Path
from typing import Any, Iterable

DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UUID_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)

REPO_ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------
# Recordings
# --------------------------------------------------------------------------


def contract_dir() -> Path:
    """The zou-contract folder: $ZOU_CONTRACT_DIR, else ``shared/`` beside the
    repository's own copy ``tests/zou-contract``, else ``shared/`` beside it."""
    candidates = []
    if os.environ.get("ZOU_CONTRACT_DIR"):
        candidates.append(Path(os.environ["ZOU_CONTRACT_DIR"]))
    candidates += [
        REPO_ROOT / "tests" / "zou-contract",
        REPO_ROOT.parent / "shared" / "zou-contract",
        Path("/work/shared/zou-contract"),
    ]
    for candidate in candidates:
        if (candidate / "recordings").is_dir():
            return candidate
    raise FileNotFoundError(
        "zou-contract recordings not found; tried "
        + ", ".join(str(c) for c in candidates)
        + " (set ZOU_CONTRACT_DIR)"
    )


@functools.lru_cache(maxsize=None)
def _recording_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted((contract_dir() / "recordings").glob("*.json"))}


@functools.lru_cache(maxsize=None)
def _load(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_recording(label_or_number: int | str) -> dict:
    """Load one recording (a fresh deep copy, so callers may mutate it).

    Accepts a number (``6``, ``"006"``), a file stem (``"006_new_project"``),
    a label (``"new_project"``, ``"shot.all_episodes_for_project"``) or the
    gazu call name when it is unique (``"gazu.shot.new_sequence"``).
    """
    files = _recording_files()
    key = str(label_or_number)
    if isinstance(label_or_number, int) or key.isdigit():
        prefix = f"{int(key):03d}_"
        matches = [p for stem, p in files.items() if stem.startswith(prefix)]
    elif key in files:
        matches = [files[key]]
    else:
        matches = [p for p in files.values() if _load(p).get("label") == key]
        if not matches:
            matches = [p for p in files.values() if _load(p).get("call") == key]
    if len(matches) != 1:
        raise LookupError(
            f"recording {label_or_number!r}: {len(matches)} matches "
            f"({[p.name for p in matches]})"
        )
    return copy.deepcopy(_load(matches[0]))


def recorded_request(recording: dict, method: str | None = None, index: int = -1) -> dict:
    """One HTTP exchange of a recording: the last one by default, or the
    ``index``-th among those with the given ``method``."""
    requests = recording["requests"]
    if method is not None:
        requests = [r for r in requests if r["method"] == method.upper()]
    if not requests:
        raise LookupError(f"{recording['label']}: no {method or ''} request recorded")
    return requests[index]


def recorded_response(recording: dict, method: str | None = None, index: int = -1) -> Any:
    """The JSON body Zou answered to that exchange (the final one by default:
    for a GET-then-POST gazu call, the POST, i.e. what gazu returns)."""
    return recorded_request(recording, method, index)["response"]


# --------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------


def kind_of(value: Any) -> str:
    """The kind of a JSON value (see the module docstring)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        if DATETIME_RE.match(value):
            return "datetime"
        if DATE_RE.match(value):
            return "date"
        if UUID_RE.match(value):
            return "uuid"
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def is_model_dict(value: Any) -> bool:
    """A serialized model: Zou's dicts that carry both ``id`` and ``type``.
    Their key order is part of the contract (columns in model order, then
    ``id, created_at, updated_at, type``, then extras)."""
    return isinstance(value, dict) and "id" in value and "type" in value


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _last_key(path: str) -> str:
    last = path.rsplit(".", 1)[-1]
    return re.sub(r"\[[^\]]*\]$", "", last)


def shape_problems(
    actual: Any,
    recorded: Any,
    path: str = "",
    nullable: Iterable[str] = (),
    order: str = "models",
) -> list[str]:
    """All the differences between the shapes of ``actual`` and ``recorded``.

    * dicts: same key set (missing/extra keys reported with their path); for
      model dicts (see :func:`is_model_dict`) also the same key order
      (``order="all"`` checks every dict, ``order="none"`` none). Keys that
      are UUIDs (maps such as a project's ``task_type_links``) are not
      compared by name: the first value of each side is compared instead.
    * lists: the first elements, when both lists are non-empty.
    * scalars: the same kind. ``null`` against a non-null value is accepted
      only for keys named in ``nullable`` (bare key names, or dotted paths
      like ``user.country``).
    """
    problems: list[str] = []
    _compare(actual, recorded, path, frozenset(nullable), order, problems)
    return problems


def assert_same_shape(
    actual: Any,
    recorded: Any,
    path: str = "",
    nullable: Iterable[str] = (),
    order: str = "models",
) -> None:
    """Assert that ``actual`` has the same shape as ``recorded`` (see
    :func:`shape_problems`); the error lists every difference."""
    problems = shape_problems(actual, recorded, path, nullable, order)
    if problems:
        raise AssertionError(
            "JSON shape differs from the Zou recording:\n  - " + "\n  - ".join(problems)
        )


def assert_items_same_shape(
    actual: list,
    recorded: list,
    path: str = "",
    nullable: Iterable[str] = (),
    order: str = "models",
) -> None:
    """Compare lists item by item (``actual[i]`` with ``recorded[i]``) rather
    than first elements only; both lists must have the same length."""
    assert isinstance(actual, list), f"{path or '<root>'}: expected a list, got {kind_of(actual)}"
    assert len(actual) == len(recorded), (
        f"{path or '<root>'}: {len(actual)} items, recording has {len(recorded)}"
    )
    problems: list[str] = []
    for index, (a, r) in enumerate(zip(actual, recorded)):
        problems += shape_problems(a, r, f"{path}[{index}]", nullable, order)
    if problems:
        raise AssertionError(
            "JSON shape differs from the Zou recording:\n  - " + "\n  - ".join(problems)
        )


def _compare(actual, recorded, path, nullable, order, problems) -> None:
    ka, kr = kind_of(actual), kind_of(recorded)
    where = path or "<root>"
    if ka != kr:
        if "null" in (ka, kr) and (_last_key(path) in nullable or path in nullable):
            return
        problems.append(
            f"{where}: got {ka} {_short(actual)}, recorded {kr} {_short(recorded)}"
        )
        return
    if ka == "dict":
        _compare_dicts(actual, recorded, path, nullable, order, problems)
    elif ka == "list":
        if actual and recorded:
            _compare(actual[0], recorded[0], f"{path}[0]", nullable, order, problems)


def _compare_dicts(actual, recorded, path, nullable, order, problems) -> None:
    where = path or "<root>"
    a_named = [k for k in actual if not UUID_RE.match(k)]
    r_named = [k for k in recorded if not UUID_RE.match(k)]
    a_ids = [k for k in actual if UUID_RE.match(k)]
    r_ids = [k for k in recorded if UUID_RE.match(k)]

    missing = [k for k in r_named if k not in actual]
    extra = [k for k in a_named if k not in recorded]
    if missing:
        problems.append(f"{where}: missing keys {missing}")
    if extra:
        problems.append(f"{where}: extra keys {extra}")

    check_order = order == "all" or (order == "models" and is_model_dict(recorded))
    if check_order:
        a_common = [k for k in a_named if k in recorded]
        r_common = [k for k in r_named if k in actual]
        if a_common != r_common:
            at = next(i for i, (x, y) in enumerate(zip(a_common, r_common)) if x != y)
            problems.append(
                f"{where}: key order differs at position {at}: got "
                f"{a_common[max(0, at - 1):at + 3]}, recorded {r_common[max(0, at - 1):at + 3]}"
            )

    for key in r_named:
        if key in actual:
            _compare(actual[key], recorded[key], _join(path, key), nullable, order, problems)

    # Id-keyed entries form a map whose size depends on the data (like a
    # list): compare the first value of each side when both have one.
    if a_ids and r_ids:
        _compare(actual[a_ids[0]], recorded[r_ids[0]], _join(path, "<id>"), nullable, order, problems)
