"""The module-independent machinery of the gazu coverage tests
(``test_gazu_coverage.py`` for issue 11's modules,
``test_gazu_coverage_people.py`` for issue 12's user, person and task
modules).

A coverage test describes itself with a :class:`Coverage`: the gazu modules
it covers, its argument table ``calls`` (``"module.function" ->
builder(world) -> (args, kwargs)``), the functions that make no HTTP call
(``local_only``), the ``destructive`` ones (run last), its regression set
``must_serve``, and optionally report ``groups`` (functions shown apart from
their module and left out of the total, e.g. the previews of another issue).
This module then lists gazu's public functions, checks the table against
them and against the contract's ``gazu-api.tsv``, runs every call through the
real gazu, classifies each outcome, renders the report and names the
failures.

Outcome kinds:

* ``served``        the call returned;
* ``route-missing`` gazu raised ``RouteNotFoundException`` (any 404) or
                    ``MethodNotAllowedException`` (405);
* ``server-error``  a 5xx answer, in the call or in preparing its arguments;
* ``client-error``  another 4xx, or gazu failed on the answer;
* ``blocked``       an object the call needs could not be made.
"""

from __future__ import annotations

import csv
import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import gazu

from support import unique
from wire import Exchange


class Blocked(Exception):
    """An object a call needs could not be made (its own call failed)."""


def describe_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    exchanges = getattr(exc, "exchanges", None) or []
    if exchanges:
        last = exchanges[-1]
        text += f" [{last.describe()}: {last.text[:160].strip()}]"
    return text[:400]


def call(*args, **kwargs):
    return args, kwargs


class LazyWorld:
    """A fixture built on first use: each object once; an object that cannot
    be made raises :class:`Blocked` for every call that needs it, so one
    missing route does not hide the others."""

    def __init__(self, tmp_dir: Path):
        self.tmp = Path(tmp_dir)
        self.tag = unique()
        self._made: dict[str, tuple[bool, object]] = {}

    def once(self, key: str, make):
        if key not in self._made:
            try:
                self._made[key] = (True, make())
            except Blocked as exc:
                self._made[key] = (False, exc)
            except Exception as exc:  # noqa: BLE001 - reported as Blocked
                self._made[key] = (False, exc)
        ok, value = self._made[key]
        if not ok:
            if isinstance(value, Blocked):
                raise Blocked(f"{key} <- {value}")
            raise Blocked(f"{key}: {describe_error(value)}")
        return value

    def try_(self, get):
        """An object that makes the call more telling, but is not needed."""
        try:
            return get()
        except Blocked:
            return None

    def name(self, prefix: str) -> str:
        return f"{prefix}_{unique()}"

    def clients(self) -> list:
        """The gazu clients besides the default one whose traffic counts
        (e.g. an artist logged in on a client of its own)."""
        return []


@dataclass
class Coverage:
    """What one coverage test covers."""

    modules: tuple[str, ...]
    calls: dict[str, Callable]
    local_only: set[str]
    destructive: set[str]
    must_serve: set[str]
    # Report groups: name -> functions shown under that name instead of
    # their module, and not counted in the total.
    groups: dict[str, set[str]] = field(default_factory=dict)
    # The exception a World raises when an object cannot be made.
    blocked: type[BaseException] = Blocked
    # How the table is named in messages.
    table_name: str = "CALLS"

    def group_of(self, name: str) -> str:
        for group, names in self.groups.items():
            if name in names:
                return group
        return name.split(".")[0]


# --------------------------------------------------------------------------
# The functions and the table
# --------------------------------------------------------------------------


def public_functions(modules) -> set[str]:
    names = set()
    for module_name in modules:
        module = getattr(gazu, module_name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                names.add(f"{module_name}.{name}")
    return names


def gazu_api_tsv() -> Path | None:
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[1] / "zou-contract" / "gazu-api.tsv",
        here.parents[3] / "shared" / "zou-contract" / "gazu-api.tsv",
        Path("/work/shared/zou-contract/gazu-api.tsv"),
    ):
        if candidate.is_file():
            return candidate
    return None


def check_entries(coverage: Coverage) -> None:
    """Every public function of the modules has an entry (a call or
    LOCAL_ONLY), no entry names a function gazu lacks, and LOCAL_ONLY is
    the contract's list of functions without HTTP."""
    functions = public_functions(coverage.modules)
    calls, local_only = set(coverage.calls), coverage.local_only
    known = calls | local_only
    assert not (functions - known), (
        f"gazu functions with no entry in {coverage.table_name} or LOCAL_ONLY: "
        f"{sorted(functions - known)}"
    )
    assert not (known - functions), f"entries for functions gazu does not have: {sorted(known - functions)}"
    assert not (calls & local_only)
    assert coverage.must_serve <= calls, f"MUST_SERVE names no call: {sorted(coverage.must_serve - calls)}"
    grouped = set().union(*coverage.groups.values()) if coverage.groups else set()
    assert grouped <= calls, f"report groups name no call: {sorted(grouped - calls)}"

    tsv = gazu_api_tsv()
    if tsv is None:
        return
    with open(tsv, newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if r["module"] in coverage.modules]
    listed = {f"{r['module']}.{r['function']}" for r in rows if r["http_method"] != "ABSENT"}
    no_http = {f"{r['module']}.{r['function']}" for r in rows if r["http_method"] == "-"}
    assert local_only == no_http, (
        f"LOCAL_ONLY differs from gazu-api.tsv's '-' rows: {sorted(local_only ^ no_http)}"
    )
    assert listed == functions, f"gazu-api.tsv and gazu differ: {sorted(listed ^ functions)}"


# --------------------------------------------------------------------------
# Running the calls
# --------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    kind: str
    detail: str = ""
    server_errors: list[str] = field(default_factory=list)

    @property
    def module(self) -> str:
        return self.name.split(".")[0]


class Recorder:
    """The exchanges of several gazu clients' sessions, in the order they
    were answered."""

    def __init__(self, clients):
        self.clients = []
        for client in clients:
            if all(client is not seen for seen in self.clients):
                self.clients.append(client)
        self.exchanges: list[Exchange] = []

        def hook(response, *args, **kwargs):
            self.exchanges.append(Exchange.from_response(response))
            return response

        self._hook = hook

    def __enter__(self) -> "Recorder":
        for client in self.clients:
            client.session.hooks.setdefault("response", []).append(self._hook)
        return self

    def __exit__(self, *exc_info) -> None:
        for client in self.clients:
            hooks = client.session.hooks["response"]
            hooks[:] = [h for h in hooks if h is not self._hook]


def _server_errors(exchanges) -> list[str]:
    return [f"{e.describe()}: {e.text[:300].strip()}" for e in exchanges if e.status >= 500]


def _answer(exchange) -> str:
    """The answer's first bytes; Zou's unknown-route and wrong-method
    answers by name."""
    message = exchange.response.get("message", "") if isinstance(exchange.response, dict) else ""
    if exchange.status == 404 and message.startswith("404 Not Found: The requested URL was not found"):
        return "(unknown route)"
    if exchange.status == 405 and message.startswith("The method is not allowed"):
        return "(method not allowed)"
    return exchange.text[:160].strip()


def _clients(world, kwargs=None) -> list:
    clients = [gazu.client.default_client]
    extra = getattr(world, "clients", None)
    if callable(extra):
        clients += list(extra())
    if kwargs and kwargs.get("client") is not None:
        clients.append(kwargs["client"])
    return clients


def run_call(coverage: Coverage, world, name: str) -> Outcome:
    module_name, function_name = name.split(".")
    function = getattr(getattr(gazu, module_name), function_name)

    with Recorder(_clients(world)) as preparing:
        try:
            args, kwargs = coverage.calls[name](world)
            blocked = None
        except coverage.blocked as exc:
            blocked = exc
    prep_errors = _server_errors(preparing.exchanges)
    if prep_errors:
        return Outcome(name, "server-error", "while preparing its arguments", prep_errors)
    if blocked is not None:
        return Outcome(name, "blocked", str(blocked)[:400])

    with Recorder(_clients(world, kwargs)) as calling:
        try:
            function(*args, **kwargs)
            error = None
        except Exception as exc:  # noqa: BLE001 - classified below
            error = exc
    exchanges = calling.exchanges
    server_errors = _server_errors(exchanges)
    if server_errors or isinstance(error, gazu.exception.ServerErrorException):
        return Outcome(name, "server-error", describe_error(error) if error else "", server_errors)
    if error is None:
        return Outcome(name, "served")
    failing = exchanges[-1] if exchanges else None
    where = f"{failing.describe()}: {_answer(failing)}" if failing else "(no request)"
    if isinstance(error, (gazu.exception.RouteNotFoundException, gazu.exception.MethodNotAllowedException)):
        return Outcome(name, "route-missing", where)
    return Outcome(name, "client-error", f"{type(error).__name__}: {str(error)[:200]} [{where}]")


def run_all(coverage: Coverage, world) -> dict[str, Outcome]:
    calls = coverage.calls
    ordered = [n for n in calls if n not in coverage.destructive] + [
        n for n in calls if n in coverage.destructive
    ]
    return {name: run_call(coverage, world, name) for name in ordered}


# --------------------------------------------------------------------------
# The report and the failures
# --------------------------------------------------------------------------


def _section(lines, label: str, rows, width: int, note: str = "") -> int:
    served = sum(o.kind == "served" for o in rows)
    lines.append(f"{label:{width}} {served}/{len(rows)} served" + note)
    for outcome in rows:
        if outcome.kind != "served":
            lines.append(f"    {outcome.kind:13} {outcome.name.split('.')[1]}: {outcome.detail}")
            lines.extend(f"        5xx {text}" for text in outcome.server_errors)
    return served


def render(coverage: Coverage, outcomes: dict[str, Outcome], backend: str, seconds: float) -> str:
    lines = [f"gazu {gazu.__version__} coverage on {backend} ({seconds:.1f} s)"]
    grand_served = grand_total = 0
    for module in coverage.modules:
        rows = sorted(
            (o for o in outcomes.values() if coverage.group_of(o.name) == module),
            key=lambda o: o.name,
        )
        skipped = sorted(n.split(".")[1] for n in coverage.local_only if n.startswith(module + "."))
        note = f"  (no HTTP, skipped: {', '.join(skipped)})" if skipped else ""
        grand_served += _section(lines, module, rows, 8, note)
        grand_total += len(rows)
    lines.append(f"total    {grand_served}/{grand_total} served")
    for group in coverage.groups:
        rows = sorted(
            (o for o in outcomes.values() if coverage.group_of(o.name) == group),
            key=lambda o: o.name,
        )
        _section_grouped(lines, group, rows)
    newly = sorted(n for n, o in outcomes.items() if o.kind == "served" and n not in coverage.must_serve)
    lines.append(f"served but not in MUST_SERVE ({len(newly)}): {', '.join(newly) or '-'}")
    return "\n".join(lines)


def _section_grouped(lines, group: str, rows) -> None:
    served = sum(o.kind == "served" for o in rows)
    lines.append(f"{group} {served}/{len(rows)} served  (not in the total)")
    for outcome in rows:
        if outcome.kind != "served":
            lines.append(f"    {outcome.kind:13} {outcome.name}: {outcome.detail}")
            lines.extend(f"        5xx {text}" for text in outcome.server_errors)


def problems(
    coverage: Coverage,
    outcomes: dict[str, Outcome],
    reference_is_zou: bool,
    zou_own_errors: set[str] = frozenset(),
    zou_not_served: set[str] = frozenset(),
    known_5xx: set[str] = frozenset(),
) -> list[str]:
    """What fails the test: any 5xx (but Zou's own on Zou, and the listed
    known ones on Fennec), and a MUST_SERVE function that is not served
    (but what Zou itself does not serve, on Zou)."""
    found = []
    for outcome in outcomes.values():
        if outcome.kind != "server-error":
            continue
        if reference_is_zou and outcome.name in zou_own_errors:
            continue
        if not reference_is_zou and outcome.name in known_5xx:
            continue
        found.append(f"5xx: {outcome.name}: {outcome.detail} {outcome.server_errors}")
    for name in sorted(coverage.must_serve):
        if outcomes[name].kind != "served" and not (reference_is_zou and name in zou_not_served):
            found.append(f"no longer served: {name}: {outcomes[name].kind}: {outcomes[name].detail}")
    return found
