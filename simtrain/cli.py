"""The ``simtrain`` command line: thin commands over the library, no logic of its own.

Exit codes (SPEC §4): 0 success, 1 invalid input or a refused action, 2 usage error.
Errors go to stderr as plain sentences; ``--json`` prints exactly one JSON document.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from simtrain.scenario.channels import CHANNELS
from simtrain.text import clock_text, split_password

if TYPE_CHECKING:  # the commands import what they use: `simtrain --help` loads click alone
    from simtrain.scenario.compiled import Scenario

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """A refused action or invalid input: a sentence on stderr and exit code 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        from simtrain.plaintext import clean_text

        # a refusal may quote a name or a value someone typed: no control sequence in it
        click.echo(f"simtrain: {clean_text(self.format_message())}", err=True)


def fail(message: str) -> NoReturn:
    """Stop the command with a plain sentence and exit code 1."""
    raise Failure(message)


INDENTED_JSON_LIMIT = 1 << 20
"""JSON output up to this many characters is indented for reading; a larger document (the
status of 100 teams, each path printed) is written on one line: Python indents in pure
Python, several times slower than its C encoder writes the same document compact."""


def emit(data: Any) -> None:
    """Print one JSON document on stdout (strict JSON: a non-finite number becomes null)."""
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError:
        data = _finite(data)
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    if len(text) <= INDENTED_JSON_LIMIT:
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    click.echo(text)


def _finite(data: Any) -> Any:
    """``data`` with every NaN or infinity replaced by None (JSON has no such numbers)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


def guarded(func: F) -> F:
    """Turn unexpected exceptions into one sentence instead of a traceback.

    Set SIMTRAIN_DEBUG=1 to see the traceback when reporting a bug.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # e.g. piped into `head`: the reader has all it wanted
            sys.stderr.close()
            sys.exit(0)
        except Exception as exc:
            if os.environ.get("SIMTRAIN_DEBUG"):
                raise
            fail(
                f"an unexpected error stopped the command ({type(exc).__name__}: {exc}). "
                "Run it again with SIMTRAIN_DEBUG=1 to see the details, and report it."
            )

    return wrapper  # type: ignore[return-value]


def load_or_fail(path: str) -> Scenario:
    """Load a valid scenario or stop with its diagnostics on stderr (exit 1)."""
    from simtrain.scenario.validate import load_file

    result = load_file(path)
    if result.scenario is None:
        for diagnostic in result.errors:
            click.echo(diagnostic.format(), err=True)
        count = len(result.errors)
        fail(
            f"{path} is not a valid scenario ({count} error{'s' if count != 1 else ''}); "
            f"run 'simtrain validate {path}' for every diagnostic"
        )
    return result.scenario


_LEAVE_QUICKLY = False
"""Set by a read-only command that built a large heap and has finished (see :func:`entry`)."""


def leave_quickly(handle: Any) -> None:
    """Close the exercise's database and let :func:`entry` end the process without taking
    the heap apart object by object."""
    global _LEAVE_QUICKLY
    handle.store.close()
    _LEAVE_QUICKLY = True


def entry() -> None:
    """The ``simtrain`` command.

    ``status``, ``replay`` and ``report`` of a large exercise end holding hundreds of
    thousands of objects (saved team states, paths, a report's document); an interpreter
    that exits takes them apart one by one, some 70 ms of the 0.5 s ``status`` takes at
    100 teams, for memory the system gets back anyway. Once such a command has succeeded
    (it closes its database first), the process flushes its output and ends at once;
    every other command, and any failure, exits as usual.
    """
    try:
        main()
    except SystemExit as done:
        code = 0 if done.code is None else done.code
        if not (_LEAVE_QUICKLY and code == 0):
            raise
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe: the usual exit says so its own way
            raise done from None
        os._exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="simtrain")
def main() -> None:
    """simtrain: simulation-based training exercises against human trafficking.

    Trainers write scenarios in YAML (validate, explore, graph, run them headless);
    facilitators run live exercises for teams (exercise, facilitate, report); trainees
    play in the terminal (play). Run any command with --help for its options.
    """


def max_states_option(text: str) -> Callable[[F], F]:
    """The ``--max-states`` option of the commands that explore (default 100,000)."""
    return click.option(
        "--max-states",
        type=click.IntRange(min=1),
        default=100_000,
        show_default=True,
        help=text,
    )


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option(
    "--deep",
    is_flag=True,
    help="Also explore each valid file (within --max-states) and check what it teaches: "
    "success after critical errors, give-away labels, trade-offs, early endings, duration.",
)
@max_states_option("With --deep: the exploration budget per file.")
@guarded
def validate(paths: tuple[str, ...], as_json: bool, deep: bool, max_states: int) -> None:
    """Check scenario files (or folders of them) and print every diagnostic.

    Each line reads FILE:LINE:COL: SEVERITY: MESSAGE. Exits 1 when any file has an
    error; warnings alone exit 0. Plain validate is fast; --deep adds the checks that
    need an exploration.
    """
    from simtrain.scenario.diagnostics import sort_key
    from simtrain.scenario.validate import load_file, scenario_files

    files = scenario_files(paths)
    if not files:
        fail("no scenario files (*.yaml, *.yml) found in " + ", ".join(paths))
    results = [load_file(f) for f in files]
    if deep:
        from simtrain.engine.pedagogy import deep_diagnostics

        for result in results:
            if result.scenario is not None:
                result.diagnostics.extend(deep_diagnostics(result.scenario, max_states)[1])
                result.diagnostics.sort(key=sort_key)
    if as_json:
        emit(
            {
                "files": [
                    {
                        "path": r.path,
                        "valid": r.valid,
                        "diagnostics": [d.to_json() for d in r.diagnostics],
                    }
                    for r in results
                ]
            }
        )
    else:
        for result in results:
            for diagnostic in result.diagnostics:
                click.echo(diagnostic.format())
        errors = sum(len(r.errors) for r in results)
        warnings = sum(len(r.diagnostics) for r in results) - errors
        bad = sum(1 for r in results if not r.valid)
        sys.stdout.flush()
        click.echo(
            f"{len(results)} file{'s' if len(results) != 1 else ''} checked: "
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
            + (f" ({bad} invalid)" if bad else ""),
            err=True,
        )
    if any(not r.valid for r in results):
        sys.exit(1)


def budget_options(text: str) -> Callable[[F], F]:
    """``--max-states``, ``--max-seconds`` and ``--max-memory``: the budget of a search."""

    def decorate(func: F) -> F:
        func = click.option(
            "--max-memory",
            "max_memory_mb",
            type=click.FloatRange(min=1),
            default=400.0,
            show_default=True,
            help="Stop when the search has taken this many more megabytes.",
        )(func)
        func = click.option(
            "--max-seconds",
            type=click.FloatRange(min=0.1),
            default=25.0,
            show_default=True,
            help="Stop after searching this long.",
        )(func)
        return max_states_option(text)(func)

    return decorate


@main.command()
@click.argument("scenario", type=click.Path())
@click.argument("steps", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the final state as JSON.")
@click.option(
    "--fork",
    "fork_at",
    type=int,
    default=None,
    metavar="N",
    help="Instead of the final state, fork the path at its N-th decision (1-based): what "
    "the steps did from there beside the expert's best continuation (as 'simtrain fork').",
)
@budget_options("With --fork: stop the expert search after this many states.")
@guarded
def run(
    scenario: str,
    steps: tuple[str, ...],
    as_json: bool,
    fork_at: int | None,
    max_states: int,
    max_seconds: float,
    max_memory_mb: float,
) -> None:
    """Play one team headless from the start, applying STEPS in order.

    \b
    Steps:
      CHOICE          choose it (as the acting role)
      as:ROLE         act as ROLE from now on (the first role acts until then)
      wait:DURATION   advance the clock (e.g. wait:10m): timers fire, injects arrive
      inject:ID       publish an inject by hand

    A refused step exits 1 and says which step and why.
    """
    from simtrain.engine.fold import Engine
    from simtrain.engine.headless import StepRefused, record
    from simtrain.engine.summary import team_json

    loaded = load_or_fail(scenario)
    try:
        state, events = record(Engine(loaded), steps)
    except StepRefused as exc:
        fail(str(exc))
    if fork_at is not None:
        from simtrain.engine.explore import Budget
        from simtrain.engine.fork import ForkRefused, fork

        try:
            found = fork(loaded, events, fork_at, Budget(max_states, max_seconds, max_memory_mb))
        except ForkRefused as exc:
            fail(f"--fork {fork_at}: {exc}")
        _print_fork(found.to_json(loaded), loaded, "these steps", as_json)
        return
    data = team_json(loaded, state)
    if as_json:
        emit(data)
        return
    click.echo(
        f"{loaded.title}: scene '{state.scene}'"
        + (f" — ended ({state.outcome})" if state.ended else "")
    )
    for step in data["path"]:
        click.echo(f"  {step['scene']}: {step['choice']} (as {step['role']})")
    for competency, score in data["score"]["competencies"].items():
        click.echo(f"  {competency:<14} {score['points']:>3} / {score['max']}")
    for critical in data["score"]["critical"]:
        click.echo(f"  ★ critical: {critical['choice']}: {critical['message']}")


@main.command()
@click.argument("scenario", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@budget_options("Stop after this many states (the result then says complete: false).")
@guarded
def explore(
    scenario: str, as_json: bool, max_states: int, max_seconds: float, max_memory_mb: float
) -> None:
    """Search every reachable team state: endings, unreachable parts, score ranges.

    Choices, timers, scheduled and conditional injects and manual injects are all
    explored. For each ending, the shortest step list that reaches it is printed in the
    step language of 'simtrain run', so it can be replayed.
    """
    from simtrain.engine import pedagogy
    from simtrain.engine.explore import Budget
    from simtrain.engine.explore import explore as search

    loaded = load_or_fail(scenario)
    result = search(loaded, budget=Budget(max_states, max_seconds, max_memory_mb))
    figures = pedagogy.label_figures(loaded)
    typical = pedagogy.typical_decisions(loaded, result)
    found = pedagogy.findings(loaded, result)
    if as_json:
        emit(
            {
                **result.to_json(),
                "pedagogy": {
                    "decision_points": figures.decision_points,
                    "give_aways": figures.give_aways,
                    "give_away_share": round(figures.give_away_share, 3),
                    "trade_offs": figures.trade_offs,
                    "dilemmas": figures.dilemmas,
                    "typical_decisions": typical,
                    "estimated_minutes": (
                        None if typical is None else typical * pedagogy.MINUTES_PER_DECISION
                    ),
                    "warnings": [{"code": f.code, "message": f.message} for f in found],
                },
            }
        )
        return
    click.echo(
        f"{result.states} states, "
        + ("complete" if result.complete else f"INCOMPLETE: {result.stopped}")
    )
    for ending, outcome in result.endings.items():
        click.echo(
            f"ending {ending} ({outcome}): simtrain run {scenario} "
            + " ".join(result.paths[ending])
        )
    missing = [s for s, sc in loaded.scenes.items() if sc.ending and s not in result.endings]
    for label, items in (
        ("endings never reached", missing),
        ("unreachable scenes", result.unreachable_scenes),
        ("choices never enabled", result.never_enabled_choices),
        ("traps (no ending reachable)", result.traps),
    ):
        if items:
            click.echo(f"{label}: " + ", ".join(items))
    for competency, bounds in result.score_range.items():
        click.echo(f"  {competency:<14} {bounds['min']:>4} .. {bounds['max']}")
    click.echo("endings (outcome: critical errors, decisions on the way, min..max):")
    for ending, outcome in result.endings.items():
        crit, dec = result.ending_criticals[ending], result.ending_decisions[ending]
        click.echo(
            f"  {ending} ({outcome}): critical {crit['min']}..{crit['max']}, "
            f"decisions {dec['min']}..{dec['max']}"
        )
    share = f"{figures.give_away_share:.0%}"
    click.echo(
        f"labels: best option is the longest at {figures.give_aways} of "
        f"{figures.decision_points} decision points ({share}); trade-offs at "
        f"{figures.trade_offs} ({figures.dilemmas} facilitator-scored dilemmas)"
    )
    if typical is not None:
        minutes = typical * pedagogy.MINUTES_PER_DECISION
        click.echo(
            f"length: {typical} decisions on the shortest path to success, about "
            f"{minutes:.0f} min at {pedagogy.MINUTES_PER_DECISION:g} min a team decision"
            + (f" (duration {loaded.model.duration})" if loaded.model.duration else "")
        )
    for finding in found:
        click.echo(f"warning: {finding.message}")


@main.command()
@click.argument("scenario", type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Mermaid flowchart or Graphviz DOT.",
)
@guarded
def graph(scenario: str, fmt: str) -> None:
    """Print the scene graph: endings coloured by outcome, critical choices marked ★."""
    from simtrain.engine import graph as graphs

    loaded = load_or_fail(scenario)
    click.echo(graphs.mermaid(loaded) if fmt == "mermaid" else graphs.dot(loaded), nl=False)


@main.command()
@guarded
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the scenario format, for editors."""
    from simtrain.scenario.model import json_schema

    emit(json_schema())


# -- live exercises -------------------------------------------------------------------------

_DB = click.option(
    "--db",
    required=True,
    envvar="SIMTRAIN_DB",
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="The exercise database: a SQLite file, or postgresql://USER@HOST[:PORT]/DATABASE "
    "on a PostgreSQL server (docs/many-hosts.md).",
)
_EXERCISE = click.option("--exercise", "exercise_id", required=True, help="The exercise id.")


def open_service(db: str, *, create: bool = False) -> Any:
    """Open an exercise database or stop with a sentence (a missing file is never created
    unless ``create``)."""
    from simtrain.exercise import ExerciseError, ExerciseService

    try:
        return ExerciseService.open(db, create=create)
    except ExerciseError as exc:
        fail(str(exc))


def open_exercise(db: str, exercise_id: str) -> Any:
    """Open one exercise of a database or stop with a sentence."""
    from simtrain.exercise import ExerciseError

    service = open_service(db)
    try:
        return service.exercise(exercise_id)
    except ExerciseError as exc:
        fail(str(exc))


def refused(func: F) -> F:
    """Report the service's refusals (ExerciseError) as a sentence and exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from simtrain.exercise import ExerciseError

        try:
            return func(*args, **kwargs)
        except ExerciseError as exc:
            fail(str(exc))

    return wrapper  # type: ignore[return-value]


@main.group()
def exercise() -> None:
    """Create and run live exercises (facilitator commands)."""


@exercise.command("create")
@click.argument("scenario")
@_DB
@click.option("--team", "teams", multiple=True, required=True, help="A team name (repeat).")
@click.option("--title", default=None, help="A title (default: the scenario's).")
@click.option("--id", "exercise_id", default=None, help="Choose the exercise id.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@guarded
@refused
def exercise_create(
    scenario: str,
    db: str,
    teams: tuple[str, ...],
    title: str | None,
    exercise_id: str | None,
    as_json: bool,
) -> None:
    """Create an exercise from SCENARIO (a file, or the name of a shipped scenario) and
    print its id and each team's join code. Creates the database file if needed."""
    from simtrain.scenario.library import resolve

    try:
        path = resolve(scenario)
    except FileNotFoundError as exc:
        fail(str(exc))
    service = open_service(db, create=True)
    created = service.create_exercise(path, list(teams), title=title, exercise_id=exercise_id)
    handle, codes = created.exercise, created.teams
    if as_json:
        emit(
            {
                "exercise": handle.id,
                "teams": {t: {"code": c} for t, c in codes.items()},
                "characters": created.characters,
            }
        )
        return
    click.echo(f"exercise {handle.id}: {handle.record.title}")
    click.echo("join codes (hand one to each team; they are shown only now):")
    for team, code in codes.items():
        click.echo(f"  {team:<16} {code}")
    if created.characters:
        click.echo("role-player codes (one per character, for 'simtrain roleplay'):")
        for character, code in created.characters.items():
            click.echo(f"  {character:<16} {code}   {handle.scenario.characters[character].name}")
    # a server's address without its password (typed once, or kept in PGPASSWORD)
    where = split_password(db)[0]
    import shlex

    click.echo(f"start it with: simtrain exercise start {handle.id} --db {shlex.quote(where)}")


@exercise.command("list")
@_DB
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@guarded
@refused
def exercise_list(db: str, as_json: bool) -> None:
    """The exercises in a database."""
    from simtrain.views.lobby import exercise_list

    rows: list[dict[str, Any]] = [
        {
            "exercise": summary.id,
            "title": summary.title,
            "scenario": summary.scenario,
            "state": summary.state,
            "clock": round(summary.minutes, 2),
            "teams": list(summary.teams),
        }
        for summary in exercise_list(open_service(db))
    ]
    if as_json:
        emit({"exercises": rows})
        return
    if not rows:
        click.echo("no exercises yet; create one with 'simtrain exercise create'")
    for row in rows:
        click.echo(
            f"{row['exercise']:<12} {row['state']:<8} {row['clock']:>7.1f} min  "
            f"{row['title']} (teams: {', '.join(row['teams'])})"
        )


def _clock_command(name: str, verb: str, doc: str) -> None:
    @exercise.command(name, help=doc)
    @click.argument("exercise_id")
    @_DB
    @guarded
    @refused
    def command(exercise_id: str, db: str) -> None:
        handle = open_exercise(db, exercise_id)
        clock = getattr(handle, verb)()
        click.echo(f"exercise {handle.id} is {clock.state} at {clock_text(clock.minutes)}")
        if verb in ("start", "resume"):
            for warning in handle.open_role_warnings():
                click.echo(f"simtrain: warning: {warning}", err=True)


_clock_command("start", "start", "Start the exercise clock.")
_clock_command("pause", "pause", "Pause the clock: participants cannot act until resumed.")
_clock_command("resume", "resume", "Resume the clock after a pause.")
_clock_command("end", "end", "End the exercise for good.")
_clock_command(
    "debrief", "release_debrief", "Release the debrief: trainees see their scores and feedback."
)


@main.command()
@_DB
@_EXERCISE
@click.option("--team", required=True, help="Your team.")
@click.option("--role", required=True, help="Your role (a role id of the scenario).")
@click.option("--code", required=True, help="Your team's join code.")
@click.option("--name", default=None, help="Your display name (default: the role).")
@click.option("--rationale", default="", help="One line on why, stored with the decision.")
@click.option(
    "--seq",
    "seen_seq",
    type=click.IntRange(min=0),
    default=None,
    help="The team's seq you decided on (from status --json or the last act --json): "
    "refuse, showing the new state, if the team has moved on since.",
)
@click.argument("choice")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print what your seat sees as JSON (scores and feedback once the debrief is released).",
)
@guarded
@refused
def act(
    db: str,
    exercise_id: str,
    team: str,
    role: str,
    code: str,
    name: str | None,
    rationale: str,
    seen_seq: int | None,
    choice: str,
    as_json: bool,
) -> None:
    """A participant's choice, headless; prints what the seat sees of the team."""
    from simtrain.exercise import SceneChanged
    from simtrain.views.headless import seat_json

    handle = open_exercise(db, exercise_id)
    seat = handle.headless_seat(team, code, role, name or "")
    try:
        handle.act(seat, choice, rationale, seen_seq=seen_seq)
    except SceneChanged as exc:
        _print_team(team, seat_json(handle, seat), as_json)  # the new state, to decide again on
        fail(str(exc))
    _print_team(team, seat_json(handle, seat), as_json)


@main.command("fork")
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team whose path to fork.")
@click.option(
    "--at", "at", type=int, required=True, help="The decision to fork at (1-based in its path)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@budget_options("Stop the expert search after this many states (then complete: false).")
@guarded
@refused
def fork_command(
    db: str,
    exercise_id: str,
    team: str,
    at: int,
    as_json: bool,
    max_states: int,
    max_seconds: float,
    max_memory_mb: float,
) -> None:
    """Fork here: at decision N of a team's path, what the team did from there beside the
    expert's best continuation from the very same state (fewest critical errors, then the
    highest total score), with the ending each reaches and the score difference."""
    from simtrain.engine.explore import Budget

    handle = open_exercise(db, exercise_id)
    found = handle.fork(team, at, Budget(max_states, max_seconds, max_memory_mb))
    _print_fork(found.to_json(handle.scenario), handle.scenario, f"team {team}", as_json)


def _print_fork(data: dict[str, Any], scenario: Scenario, who: str, as_json: bool) -> None:
    """A fork as ``fork`` and ``run --fork`` print it."""
    from simtrain.plaintext import clean_text
    from simtrain.views.fork import fork_lines

    if as_json:
        emit(data)
        return
    for line in fork_lines(data, scenario, who):  # scenario text: no control sequence in it
        click.echo(clean_text(line))


def _print_team(team: str, data: dict[str, Any], as_json: bool) -> None:
    """A team's state as ``act`` prints it: the seat's JSON view, or one line."""
    if as_json:
        emit(data)
        return
    click.echo(
        f"team {team} is in scene '{data['scene']}' (seq {data['seq']})"
        + (f" — ended ({data['outcome']})" if data["ended"] else "")
    )


@main.command()
@_DB
@_EXERCISE
@click.option("--team", default=None, help="Only this team (default: every team).")
@click.argument("inject")
@guarded
@refused
def inject(db: str, exercise_id: str, team: str | None, inject: str) -> None:
    """Publish INJECT now, to one team or to every team."""
    handle = open_exercise(db, exercise_id)
    outcome = handle.publish(inject, team)
    for name, why in outcome.items():
        if why:
            click.echo(f"{name}: not delivered — {why}")
        elif handle.reached_no_one(name, inject):
            click.echo(f"{name}: not delivered — no one in the team is seated (it is recorded)")
        else:
            click.echo(f"{name}: delivered")


@main.command()
@_DB
@_EXERCISE
@click.option("--team", default=None, help="Only this team (default: every team).")
@click.option("--reason", default="", help="Why (kept in the record).")
@click.argument("inject")
@guarded
@refused
def skip(db: str, exercise_id: str, team: str | None, reason: str, inject: str) -> None:
    """Skip INJECT for one team or every team: it will not arrive on its own."""
    handle = open_exercise(db, exercise_id)
    outcome = handle.skip(inject, team, reason)
    for name, why in outcome.items():
        click.echo(f"{name}: {'skipped' if not why else 'not skipped — ' + why}")


@main.command()
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team to write to.")
@click.option(
    "--channel",
    type=click.Choice(CHANNELS),
    default="email",
    show_default=True,
)
@click.option("--sender", default="Exercise control", show_default=True, help="Who it is from.")
@click.option("--subject", default="", help="A subject line (default: the first words).")
@click.option("--role", "roles", multiple=True, help="Only these roles receive it (repeat).")
@click.argument("text")
@guarded
@refused
def message(
    db: str,
    exercise_id: str,
    team: str,
    channel: str,
    sender: str,
    subject: str,
    roles: tuple[str, ...],
    text: str,
) -> None:
    """Send an ad-hoc message to a team (for what the scenario did not foresee)."""
    handle = open_exercise(db, exercise_id)
    handle.message(team, text, channel=channel, sender=sender, subject=subject, roles=roles)
    click.echo(f"message sent to team {team}")


_AS_CHARACTER = click.option(
    "--as",
    "character",
    default=None,
    help="As this character of the scenario: its role-player with its --code (who marks "
    "only the character's own lines), else the facilitator.",
)


def _character_actor(handle: Any, character: str | None, code: str | None) -> str:
    """Who acts for a character: its role-player when ``code`` opens its seat (refused
    otherwise), the facilitator when no code is given."""
    from simtrain.exercise import FACILITATOR, ROLEPLAYER

    if character is None or code is None:
        return FACILITATOR
    handle.check_character_code(character, code)
    return ROLEPLAYER


@main.command()
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team the conversation is with.")
@_AS_CHARACTER
@click.option("--role", default=None, help="Speak as a seat of the team in this role.")
@click.option(
    "--code",
    default=None,
    help="With --role: the team's join code. With --as: the character's role-player code "
    "(optional; without it the line is the facilitator's).",
)
@click.option("--name", default=None, help="With --role: your display name (default: the role).")
@click.option(
    "--to",
    "partner",
    default=None,
    help="With --role: the character spoken to, when several are in the scene.",
)
@click.argument("text")
@guarded
@refused
def say(
    db: str,
    exercise_id: str,
    team: str,
    character: str | None,
    role: str | None,
    code: str | None,
    name: str | None,
    partner: str | None,
    text: str,
) -> None:
    """A line of an in-character conversation between TEAM and a character; prints the
    line's number (for 'simtrain mark')."""
    if (character is None) == (role is None):
        raise click.UsageError("give either --as CHARACTER or --role ROLE --code CODE")
    handle = open_exercise(db, exercise_id)
    if character is not None:
        if partner is not None or name is not None:
            raise click.UsageError("--to and --name go with --role, not with --as")
        number = handle.speak_as(
            team, character, text, by=_character_actor(handle, character, code)
        )
    else:
        if code is None:
            raise click.UsageError("--role needs --code (the team's join code)")
        seat = handle.headless_seat(team, code, role, name or "")
        number = handle.say(seat, text, partner)
    click.echo(number)


@main.command()
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team whose line to mark.")
@click.option("--line", type=click.IntRange(min=1), required=True, help="The line's number.")
@click.option("--note", default="", help="Why (the team reads it in the debrief).")
@_AS_CHARACTER
@click.option("--code", default=None, help="With --as: the character's role-player code.")
@click.argument("competency")
@click.argument("points", type=int)
@guarded
@refused
def mark(
    db: str,
    exercise_id: str,
    team: str,
    line: int,
    note: str,
    character: str | None,
    code: str | None,
    competency: str,
    points: int,
) -> None:
    """Mark a conversation line with COMPETENCY and POINTS (-5..5), which count in the
    team's score like an assessed choice.

    Negative points need `--` before them: simtrain mark ... --line 3 -- trust -1
    """
    handle = open_exercise(db, exercise_id)
    if character is not None and code is None:
        raise click.UsageError("--as needs --code (the character's role-player code)")
    by = _character_actor(handle, character, code if character else None)
    state = handle.mark(team, line, competency, points, note, character=character, by=by)
    click.echo(f"team {team}: line {line} marked; {competency} is now {state.points[competency]}")


@main.command()
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team to move.")
@click.option("--reason", required=True, help="Why (kept in the record).")
@click.argument("scene")
@guarded
@refused
def move(db: str, exercise_id: str, team: str, reason: str, scene: str) -> None:
    """Move a team to SCENE (a facilitator override)."""
    handle = open_exercise(db, exercise_id)
    state = handle.move(team, scene, reason)
    click.echo(f"team {team} is now in scene '{state.scene}'")


@main.command()
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team to score.")
@click.option("--note", required=True, help="Why (the team reads it in the debrief).")
@click.argument("competency")
@click.argument("points", type=int)
@guarded
@refused
def score(db: str, exercise_id: str, team: str, note: str, competency: str, points: int) -> None:
    """Adjust a team's COMPETENCY score by POINTS (-5..5), with a note.

    Negative points need `--` before them: simtrain score ... -- safety -1
    """
    handle = open_exercise(db, exercise_id)
    state = handle.adjust(team, competency, points, note)
    click.echo(f"team {team}: {competency} is now {state.points[competency]}")


@main.command()
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team observed.")
@click.option(
    "--kind",
    type=click.Choice(["strength", "improvement", "note"]),
    required=True,
    help="A strength or an area for improvement (both go in the team's debrief), or a "
    "private note (for the facilitator only). Required: there is no default.",
)
@click.option("--competency", default=None, help="The competency it concerns.")
@click.argument("text")
@guarded
@refused
def note(
    db: str, exercise_id: str, team: str, kind: str, competency: str | None, text: str
) -> None:
    """Record an observation about a team (for the debrief and the report)."""
    handle = open_exercise(db, exercise_id)
    handle.observe(team, kind, text, competency)
    click.echo(f"{kind} recorded for team {team}")


def _print_outcome(outcome: dict[str, str], done: str) -> None:
    """One line per team: ``done``, or why not."""
    for name, why in outcome.items():
        click.echo(f"{name}: {done if not why else 'not ' + done + ' — ' + why}")


@main.command()
@_DB
@_EXERCISE
@click.option("--team", default=None, help="Only this team (default: every team).")
@click.option(
    "--phase",
    default=None,
    help="Hold each team once it has left this phase (at once if it already has); "
    "default: hold at once.",
)
@guarded
@refused
def hold(db: str, exercise_id: str, team: str | None, phase: str | None) -> None:
    """Hold teams (for a hot-wash): a held team cannot decide until released; the
    exercise runs on."""
    handle = open_exercise(db, exercise_id)
    outcome = handle.hold_teams(team, phase)
    _print_outcome(outcome, f"held at the end of phase '{phase}'" if phase else "held")


@main.command()
@_DB
@_EXERCISE
@click.option("--team", default=None, help="Only this team (default: every held team).")
@guarded
@refused
def release(db: str, exercise_id: str, team: str | None) -> None:
    """Release held teams (every one together unless --team): they may decide again."""
    handle = open_exercise(db, exercise_id)
    _print_outcome(handle.release_teams(team), "released")


@main.command()
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team rated.")
@click.option("--note", default="", help="Why (the team reads it in the debrief).")
@click.argument("objective")
@click.argument("rating", type=click.Choice(["P", "S", "M", "U"], case_sensitive=False))
@guarded
@refused
def rate(db: str, exercise_id: str, team: str, note: str, objective: str, rating: str) -> None:
    """Rate a team on OBJECTIVE (a competency): P (performed without challenges), S (some
    challenges), M (major challenges), U (unable to be performed)."""
    handle = open_exercise(db, exercise_id)
    handle.rate(handle.check_team(team), objective, rating, note)
    click.echo(f"team {team}: {objective} rated {rating.upper()}")


@main.group()
def plan() -> None:
    """A team's improvement plan (it ends the after-action report)."""


@plan.command("add")
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team whose plan it is.")
@click.option("--issue", required=True, help="The issue or area for improvement.")
@click.option("--action", required=True, help="The corrective action.")
@click.option(
    "--responsible", required=True, help="Who: a role of the scenario or an agency's name."
)
@click.option("--due", required=True, help="The due date, YYYY-MM-DD.")
@guarded
@refused
def plan_add(
    db: str, exercise_id: str, team: str, issue: str, action: str, responsible: str, due: str
) -> None:
    """Add a row to a team's improvement plan."""
    handle = open_exercise(db, exercise_id)
    handle.plan_add(
        handle.check_team(team), issue=issue, action=action, responsible=responsible, due=due
    )
    click.echo(f"team {team}: improvement plan row {len(handle.plan(team))} added")


@plan.command("remove")
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team whose plan it is.")
@click.argument("row", type=int)
@guarded
@refused
def plan_remove(db: str, exercise_id: str, team: str, row: int) -> None:
    """Remove ROW (its number in `simtrain plan list`) from a team's improvement plan."""
    handle = open_exercise(db, exercise_id)
    handle.plan_remove(handle.check_team(team), row)
    click.echo(f"team {team}: improvement plan row {row} removed")


@plan.command("list")
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team whose plan it is.")
@guarded
@refused
def plan_list(db: str, exercise_id: str, team: str) -> None:
    """A team's improvement plan, one numbered row a line."""
    handle = open_exercise(db, exercise_id)
    rows = handle.plan(handle.check_team(team))
    if not rows:
        click.echo(f"team {team} has no improvement plan yet")
    for number, entry in enumerate(rows, 1):
        item = entry.event
        click.echo(f"{number}. {item.issue} → {item.action} ({item.responsible}, due {item.due})")


@main.command()
@_DB
@_EXERCISE
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@guarded
@refused
def status(db: str, exercise_id: str, as_json: bool) -> None:
    """Every team's live state."""
    handle = open_exercise(db, exercise_id)
    data = handle.status()
    leave_quickly(handle)
    if as_json:
        emit(data)
        return
    click.echo(
        f"{data['exercise']} {data['title']}: {data['state']} at {clock_text(data['clock'])}"
    )
    for team, info in data["teams"].items():
        points = sum(c["points"] for c in info["score"]["competencies"].values())
        click.echo(
            f"  {team:<12} scene {info['scene']:<24} decisions {len(info['path']):>3}  "
            f"points {points:>4}  critical {len(info['score']['critical'])}"
            + (f"  ended: {info['outcome']}" if info["ended"] else "")
            + ("  HELD" if info["held"] else "")
        )


@main.command()
@_DB
@_EXERCISE
@click.option("--team", required=True, help="The team to rebuild.")
@click.option(
    "--until",
    type=click.IntRange(min=0),
    default=None,
    help="Stop after the team's event number N (default: all).",
)
@guarded
@refused
def replay(db: str, exercise_id: str, team: str, until: int | None) -> None:
    """Rebuild a team's state from the log, after any event; print it as JSON."""
    from simtrain.engine.summary import team_json

    handle = open_exercise(db, exercise_id)
    emit(team_json(handle.scenario, handle.replay(team, until)))
    leave_quickly(handle)


@main.command()
@_DB
@_EXERCISE
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "json", "csv", "xapi"]),
    default="md",
    show_default=True,
    help="xapi: xAPI 1.0.3 statements (a JSON array) for a Learning Record Store.",
)
@click.option("--team", default=None, help="Only this team (the version a team receives).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to this file instead of stdout.",
)
@click.option(
    "--xapi-base",
    default=None,
    help="With --format xapi: the IRI under which activity ids and account home pages "
    "live, e.g. https://training.example.org/simtrain/ (default: "
    "https://simtrain.invalid/xapi/).",
)
@click.option(
    "--send",
    "send_to",
    default=None,
    metavar="URL",
    help="With --format xapi: post the statements to this LRS statements endpoint (basic "
    "auth from SIMTRAIN_LRS_AUTH=key:secret).",
)
@guarded
@refused
def report(
    db: str,
    exercise_id: str,
    fmt: str,
    team: str | None,
    output: str | None,
    xapi_base: str | None,
    send_to: str | None,
) -> None:
    """The after-action report of an exercise, or its xAPI statements for an LRS."""
    from simtrain.report import render_report

    if fmt != "xapi" and (send_to or xapi_base):
        fail("--send and --xapi-base go with --format xapi")
    handle = open_exercise(db, exercise_id)
    options = {"xapi_base": xapi_base} if xapi_base else {}
    text = render_report(handle, fmt, team, **options)
    if send_to:
        from simtrain.lrs import AUTH_VARIABLE, LrsError, send_statements

        try:
            sent = send_statements(json.loads(text), send_to, auth=os.environ.get(AUTH_VARIABLE))
        except LrsError as exc:
            fail(str(exc))
        click.echo(sent.summary(send_to), err=True)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"report written to {output}", err=True)
    elif not send_to:
        click.echo(text, nl=not text.endswith("\n"))
    leave_quickly(handle)


@main.command()
@_DB
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False),
    help="The new file to write the copy to (it must not exist).",
)
@guarded
@refused
def backup(db: str, output: str) -> None:
    """Copy a live exercise database to a new SQLite file, consistent while seats keep playing.

    Copying the file by hand while it is in use can miss the events still in its -wal
    file; this uses SQLite's online backup API. From a PostgreSQL database it copies every
    exercise, join codes included, in one snapshot (pg_dump backs up the server itself).
    The copy is readable only by you.
    """
    with open_service(db) as service:
        count = service.backup(output)
        where = service.store.location
    click.echo(f"copied {where} to {output} ({count} events)")


@main.command("migrate-store")
@click.option(
    "--from",
    "source",
    required=True,
    help="The database to copy from: a SQLite file or postgresql://USER@HOST/DATABASE.",
)
@click.option(
    "--to",
    "target",
    required=True,
    help="The database to copy into (a new SQLite file is created; a PostgreSQL "
    "database must exist).",
)
@click.option(
    "--exercise",
    "exercise_ids",
    multiple=True,
    help="Only this exercise (repeat; default: every one).",
)
@guarded
@refused
def migrate_store(source: str, target: str, exercise_ids: tuple[str, ...]) -> None:
    """Copy exercises between a SQLite file and a PostgreSQL database (either way), join
    codes included, and verify each copy by replaying every team on both sides."""
    with open_service(source) as service:
        for exercise_id, events, teams in service.migrate(target, exercise_ids):
            click.echo(
                f"copied {exercise_id}: {events} events, {teams} teams; "
                "every team replays the same on both sides"
            )


# -- user interfaces -------------------------------------------------------------------------


@main.command()
@click.option("--db", type=click.Path(dir_okay=False), default=None, help="Exercise database.")
@click.option("--exercise", "exercise_id", default=None, help="The exercise id.")
@click.option("--team", default=None, help="Your team.")
@click.option("--role", default=None, help="Your role.")
@click.option("--code", default=None, help="Your team's join code.")
@click.option("--name", default=None, help="Your display name.")
@guarded
def play(
    db: str | None,
    exercise_id: str | None,
    team: str | None,
    role: str | None,
    code: str | None,
    name: str | None,
) -> None:
    """The trainee terminal UI. With no options: a solo demo on a bundled scenario."""
    from simtrain.tui.app import run_play

    run_play(db, exercise_id, team, role, code, name)


@main.command()
@_DB
@_EXERCISE
@click.option("--as", "character", required=True, help="The character you play (its id).")
@click.option("--code", required=True, help="The character's role-player code.")
@guarded
@refused
def roleplay(db: str, exercise_id: str, character: str, code: str) -> None:
    """The role-player's seat: the character's card, the conversations with every team
    that has reached one of its scenes, and what each team knows so far."""
    from simtrain.tui.roleplay import RoleplayApp
    from simtrain.views.roleplay import RoleplaySession

    handle = open_exercise(db, exercise_id)
    session = RoleplaySession.open(handle, character, code)
    RoleplayApp(session, session.view()).run()


@main.command()
@_DB
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--public-url", default=None, help="The URL browsers use (needed on a LAN).")
@click.option(
    "--max-seats",
    default=40,
    show_default=True,
    type=click.IntRange(min=1),
    help="Seats served at once (each is a process); beyond it a plain refusal page.",
)
@click.option(
    "--no-token",
    is_flag=True,
    help="Bound beyond loopback, do not require the access token printed at start.",
)
@guarded
def serve(
    db: str, host: str, port: int, public_url: str | None, max_seats: int, no_token: bool
) -> None:
    """Serve the trainee UI to browsers (each tab is a seat behind the join screen).

    Only pages of this server may open a seat. Bound beyond loopback (e.g. --host 0.0.0.0
    on a classroom network), the printed address carries an access token that every
    browser needs, unless --no-token.
    """
    from simtrain.exercise import ExerciseError
    from simtrain.tui.serve import check_ready, run_serve

    try:
        check_ready(db, host, port)
        run_serve(db, host, port, public_url, max_seats=max_seats, no_token=no_token)
    except ExerciseError as exc:
        fail(str(exc))


@main.command()
@_DB
@click.option("--exercise", "exercise_id", default=None, help="Open this exercise directly.")
@click.option(
    "--stuck-after",
    type=click.FloatRange(min=0.5),
    default=10.0,
    show_default=True,
    help="Flag a running team that has made no decision for this many minutes.",
)
@guarded
def facilitate(db: str, exercise_id: str | None, stuck_after: float) -> None:
    """The facilitator console."""
    from facilitator.app import run_facilitate

    run_facilitate(db, exercise_id, stuck_after)


# -- authoring -------------------------------------------------------------------------------


@main.command()
@click.argument("scenario_id")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write it (default: SCENARIO_ID.yaml).",
)
@guarded
def new(scenario_id: str, output: str | None) -> None:
    """Write a valid starter scenario to fill in."""
    from simtrain.authoring import new_scenario

    target = Path(output or f"{scenario_id}.yaml")
    if target.exists():
        fail(f"{target} already exists; choose another id or --output")
    try:
        text = new_scenario(scenario_id)
    except ValueError as exc:
        fail(str(exc))
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}; next: simtrain validate {target}")


@main.command()
@click.argument("scenario")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "md", "xlsx"]),
    default="md",
    show_default=True,
    help="csv and md print on stdout; xlsx (an Excel workbook) needs -o.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to this file (with --update-from: the updated scenario; it may be SCENARIO).",
)
@click.option(
    "--update-from",
    "sheet",
    type=click.Path(dir_okay=False),
    default=None,
    help="Read an edited MSEL (.csv or .xlsx) back into the scenario; needs -o.",
)
@click.option(
    "--remove",
    is_flag=True,
    help="With --update-from: delete the injects whose rows were deleted (else only listed).",
)
@guarded
def msel(scenario: str, fmt: str, output: str | None, sheet: str | None, remove: bool) -> None:
    """The master events list of a scenario, for the control binder or a spreadsheet; or,
    with --update-from, an edited one read back into the scenario (docs/authoring.md)."""
    from simtrain.msel import MselError, msel_file, update_from

    if sheet is not None:
        if output is None:
            fail("--update-from needs -o OUT.yaml: where to write the updated scenario")
        try:
            update = update_from(scenario, sheet, remove=remove)
        except MselError as exc:
            for problem in exc.problems:
                click.echo(problem, err=True)
            fail(f"nothing was written to {output}")
        Path(output).write_text(update.text, encoding="utf-8")
        for line in update.report():
            click.echo(line)
        click.echo(f"wrote {output}")
        return
    if remove:
        fail("--remove goes with --update-from")
    content = msel_file(load_or_fail(scenario), fmt)
    if output is not None:
        Path(output).write_bytes(content)
        click.echo(f"wrote {output}", err=True)
    elif fmt == "xlsx":
        fail("an Excel workbook is not for the terminal: add -o FILE.xlsx")
    else:
        click.echo(content.decode("utf-8"), nl=False)


if __name__ == "__main__":
    entry()
