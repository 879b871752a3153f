"""Shared helpers of the gazu suite (constants, the admin session, the
production built by the ``production`` fixture).  Kept out of conftest.py so
that test modules can import them."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

import gazu
import pytest

from wire import Call

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "mysecretpassword"
ARTIST_PASSWORD = "artistpassword1"

# The suite run against the real Zou (tests/gazu/zou_reference/fennec), to
# validate the tests themselves: set FENNEC_REFERENCE_IS_ZOU=1 (also assumed
# when FENNEC_BIN is that script). The few assertions on behaviour where
# Fennec deliberately differs from Zou (CONTRACT.md, "Where Fennec
# deliberately differs") are skipped there.
REFERENCE_IS_ZOU = os.environ.get("FENNEC_REFERENCE_IS_ZOU") == "1" or (
    "zou_reference" in os.environ.get("FENNEC_BIN", "")
)


@dataclass
class AdminSession:
    """The admin's tokens on one server, to (re)apply to gazu's default client."""

    api_url: str
    tokens: dict = field(repr=False)

    def activate(self):
        gazu.cache.disable()
        gazu.set_host(self.api_url)
        gazu.client.set_tokens(dict(self.tokens))
        return gazu.client.default_client

    @property
    def access_token(self) -> str:
        return self.tokens["access_token"]

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.access_token}"}


def new_client(api_url: str):
    """A separate gazu client (its own session and tokens)."""
    return gazu.client.create_client(api_url)


def unique(prefix: str = "") -> str:
    return prefix + secrets.token_hex(4)


class StepFailed(Exception):
    """A setup step of :class:`Production` could not run."""


@dataclass
class Production:
    """The calls that built a project, keyed by recording label.

    A step that fails does not abort the fixture: its error is kept, and the
    tests needing that step (or a step built on it) fail with that error,
    while the others still run.
    """

    tag: str
    calls: dict[str, Call] = field(default_factory=dict)
    errors: dict[str, BaseException] = field(default_factory=dict)
    character: dict | None = None

    def step(self, label: str, make_call) -> None:
        try:
            self.calls[label] = make_call()
        except Exception as exc:  # noqa: BLE001 - reported by __getitem__
            self.errors[label] = exc

    def __getitem__(self, label: str) -> Call:
        if label in self.errors:
            exc = self.errors[label]
            traffic = "\n".join("    " + e.describe() for e in getattr(exc, "exchanges", []))
            if isinstance(exc, StepFailed):
                raise StepFailed(f"{label}: {exc}")
            pytest.fail(
                f"setup call {label!r} failed: {type(exc).__name__}: {exc}\n"
                f"  traffic:\n{traffic or '    (none)'}",
                pytrace=False,
            )
        if label not in self.calls:
            raise StepFailed(f"setup call {label!r} did not run")
        return self.calls[label]

    def result(self, label: str):
        if label in self.errors:
            raise StepFailed(f"it needs {label!r}, which failed: {self.errors[label]}")
        return self[label].result

    @property
    def project(self) -> dict:
        return self.result("new_project")

    @property
    def artist(self) -> dict:
        return self.result("new_person")

    @property
    def episode(self) -> dict:
        return self.result("new_episode")

    @property
    def sequence(self) -> dict:
        return self.result("new_sequence")

    @property
    def shot(self) -> dict:
        return self.result("new_shot")

    @property
    def shot2(self) -> dict:
        return self.result("new_shot_2")

    @property
    def scene(self) -> dict:
        return self.result("new_scene")

    @property
    def asset(self) -> dict:
        return self.result("new_asset")

    @property
    def artist_email(self) -> str:
        return f"walk.through.{self.tag}@example.com"


def pick_task_types(task_types: list[dict]) -> list[dict]:
    """Modeling (Asset), Animation (Shot), Layout (Shot): the recording's order."""
    wanted = [("Modeling", "Asset"), ("Animation", "Shot"), ("Layout", "Shot")]
    by_key = {(t["name"], t["for_entity"]): t for t in task_types}
    missing = [w for w in wanted if w not in by_key]
    assert not missing, f"default task types missing: {missing}"
    return [by_key[w] for w in wanted]


@dataclass
class StepLog:
    """Labelled gazu calls run in a fixed order, like :class:`Production`'s
    steps: a failing step is kept (its error is reported by the tests that
    need it) and the following steps still run."""

    calls: dict[str, Call] = field(default_factory=dict)
    errors: dict[str, BaseException] = field(default_factory=dict)

    def step(self, label: str, make_call) -> None:
        try:
            self.calls[label] = make_call()
        except Exception as exc:  # noqa: BLE001 - reported by __getitem__
            self.errors[label] = exc

    def __getitem__(self, label: str) -> Call:
        if label in self.errors:
            exc = self.errors[label]
            if isinstance(exc, StepFailed):
                pytest.fail(f"step {label!r} could not run: {exc}", pytrace=False)
            traffic = "\n".join("    " + e.describe() for e in getattr(exc, "exchanges", []))
            pytest.fail(
                f"call {label!r} failed: {type(exc).__name__}: {exc}\n"
                f"  traffic:\n{traffic or '    (none)'}",
                pytrace=False,
            )
        if label not in self.calls:
            raise StepFailed(f"call {label!r} did not run")
        return self.calls[label]

    def result(self, label: str):
        """The result of an earlier step; raises StepFailed (which fails the
        step that needs it) when that step failed."""
        if label in self.errors:
            raise StepFailed(f"it needs {label!r}, which failed: {self.errors[label]}")
        if label not in self.calls:
            raise StepFailed(f"it needs {label!r}, which did not run")
        return self.calls[label].result


def record_outcome(function, *args, **kwargs) -> Call:
    """Like :func:`wire.record_call`, but an exception raised by the call is
    returned as the Call's ``result`` (with the traffic) instead of raised."""
    from wire import record_call

    try:
        return record_call(function, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the caller checks it
        return Call(exc, list(getattr(exc, "exchanges", [])))


def artist_client(api_url: str, email: str, password: str = ARTIST_PASSWORD):
    """A separate gazu client logged in as the given (non-admin) person."""
    client = new_client(api_url)
    gazu.log_in(email, password, client=client)
    return client
