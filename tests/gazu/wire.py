"""Capture the HTTP traffic of a gazu call and compare it with a recording.

gazu sends every request through ``client.session`` (a ``requests.Session``),
so a response hook on that session sees each exchange: method, path, query,
JSON body sent, status and JSON answer.  :func:`record_call` runs one gazu
call under such a hook; :func:`assert_same_exchanges` checks the exchanges
against the ``requests`` list of a recording (same number of requests, and
for each: method, path template, query keys, status, request body shape and
response shape).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlsplit

import gazu

from shapes import DATE_RE, UUID_RE, kind_of, shape_problems

_NO_JSON = object()


@dataclass
class Exchange:
    """One HTTP request gazu made and the server's answer."""

    method: str
    path: str
    query: dict[str, list[str]]
    request_json: Any
    status: int
    response: Any
    text: str

    @property
    def path_template(self) -> str:
        """The path with ids and dates replaced by ``{id}`` / ``{date}``, as
        in the recordings' ``path_template``."""
        parts = []
        for part in self.path.split("/"):
            if UUID_RE.match(part):
                part = "{id}"
            elif DATE_RE.match(part):
                part = "{date}"
            parts.append(part)
        return "/".join(parts)

    def describe(self) -> str:
        query = "&".join(sorted(self.query))
        return f"{self.method} {self.path_template}{'?' + query if query else ''} -> {self.status}"

    @classmethod
    def from_response(cls, response) -> "Exchange":
        request = response.request
        url = urlsplit(request.url)
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        try:
            request_json = json.loads(body) if body else None
        except ValueError:
            request_json = body
        try:
            answer = response.json()
        except ValueError:
            answer = _NO_JSON
        return cls(
            method=request.method,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            request_json=request_json,
            status=response.status_code,
            response=None if answer is _NO_JSON else answer,
            text=response.text,
        )


class TrafficRecorder:
    """Context manager recording the exchanges of a gazu client's session."""

    def __init__(self, client=None):
        self.client = client or gazu.client.default_client
        self.exchanges: list[Exchange] = []

        # One function object, so that __exit__ removes exactly this hook.
        def hook(response, *args, **kwargs):
            self.exchanges.append(Exchange.from_response(response))
            return response

        self._hook = hook

    def __enter__(self) -> "TrafficRecorder":
        self.client.session.hooks.setdefault("response", []).append(self._hook)
        return self

    def __exit__(self, *exc_info) -> None:
        hooks = self.client.session.hooks["response"]
        hooks[:] = [h for h in hooks if h is not self._hook]


@dataclass
class Call:
    """What one gazu call returned, and the HTTP exchanges it made."""

    result: Any
    exchanges: list[Exchange] = field(default_factory=list)

    def describe(self) -> str:
        return "\n".join("    " + e.describe() for e in self.exchanges) or "    (no request)"


def record_call(function: Callable, *args, **kwargs) -> Call:
    """Run ``function(*args, **kwargs)`` and capture its HTTP traffic: that of
    the KitsuClient passed as ``client=`` if any, else of gazu's default client.
    If the call raises, the exception gets an ``exchanges`` attribute."""
    client = kwargs.get("client") or gazu.client.default_client
    with TrafficRecorder(client) as recorder:
        try:
            result = function(*args, **kwargs)
        except Exception as exc:
            exc.exchanges = recorder.exchanges  # for error reports
            raise
    return Call(result, recorder.exchanges)


def exchange_problems(
    actual: Exchange,
    recorded: dict,
    nullable: Iterable[str] = (),
    compare_response: bool = True,
) -> list[str]:
    """Differences between one captured exchange and one recorded request."""
    problems = []
    if actual.method != recorded["method"]:
        problems.append(f"method {actual.method}, recorded {recorded['method']}")
    template = recorded.get("path_template") or recorded["path"]
    if actual.path_template != template:
        problems.append(f"path {actual.path_template}, recorded {template}")
    if set(actual.query) != set(recorded["query"]):
        problems.append(f"query keys {sorted(actual.query)}, recorded {sorted(recorded['query'])}")
    else:
        for key, value in recorded["query"].items():
            got = actual.query[key][0]
            # Same kind of value; booleans spelled exactly as recorded ("True").
            if kind_of(got) != kind_of(value) or (value in ("True", "False") and got != value):
                problems.append(f"query {key}={got!r}, recorded {value!r}")
    if actual.status != recorded["status"]:
        problems.append(f"status {actual.status}, recorded {recorded['status']} (body: {actual.text[:300]})")
    problems += [
        "request body " + p
        for p in shape_problems(actual.request_json, recorded["request_json"], nullable=nullable)
    ]
    if compare_response and actual.status == recorded["status"]:
        if actual.response is None and recorded["response"] is not None:
            problems.append(f"response is not JSON: {actual.text[:300]!r}")
        else:
            problems += [
                "response " + p
                for p in shape_problems(actual.response, recorded["response"], nullable=nullable)
            ]
    return problems


def assert_same_exchanges(
    call: Call | list[Exchange],
    recording: dict,
    nullable: Iterable[str] = (),
    compare_responses: bool = True,
) -> None:
    """Assert the call made the same HTTP requests as the recording, in the
    same order, with the same statuses and JSON shapes."""
    exchanges = call.exchanges if isinstance(call, Call) else call
    recorded = recording["requests"]
    header = f"{recording['call']} ({recording['label']})"
    got = "\n".join("    " + e.describe() for e in exchanges) or "    (none)"
    want = "\n".join(
        f"    {r['method']} {r.get('path_template') or r['path']}"
        f"{'?' + '&'.join(sorted(r['query'])) if r['query'] else ''} -> {r['status']}"
        for r in recorded
    ) or "    (none)"
    assert len(exchanges) == len(recorded), (
        f"{header}: {len(exchanges)} HTTP requests, recording has {len(recorded)}\n"
        f"  got:\n{got}\n  recorded:\n{want}"
    )
    problems = []
    for index, (actual, expected) in enumerate(zip(exchanges, recorded)):
        for problem in exchange_problems(actual, expected, nullable, compare_responses):
            problems.append(f"request #{index + 1} ({actual.describe()}): {problem}")
    if problems:
        raise AssertionError(f"{header}: traffic differs from the recording:\n  - " + "\n  - ".join(problems))

