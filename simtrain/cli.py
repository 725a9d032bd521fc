"""The ``simtrain`` command line: thin commands over the library, no logic of its own.

Exit codes (SPEC §4): 0 success, 1 invalid input or a refused action, 2 usage error.
Errors go to stderr as plain sentences; ``--json`` prints exactly one JSON document.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click

from simtrain.scenario.compiled import Scenario

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """A refused action or invalid input: a sentence on stderr and exit code 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"simtrain: {self.format_message()}", err=True)


def fail(message: str) -> NoReturn:
    """Stop the command with a plain sentence and exit code 1."""
    raise Failure(message)


def emit(data: Any) -> None:
    """Print one JSON document on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="simtrain")
def main() -> None:
    """simtrain: simulation-based training exercises against human trafficking.

    Trainers write scenarios in YAML (validate, explore, graph, run them headless);
    facilitators run live exercises for teams (exercise, facilitate, report); trainees
    play in the terminal (play). Run any command with --help for its options.
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@guarded
def validate(paths: tuple[str, ...], as_json: bool) -> None:
    """Check scenario files (or folders of them) and print every diagnostic.

    Each line reads FILE:LINE:COL: SEVERITY: MESSAGE. Exits 1 when any file has an
    error; warnings alone exit 0.
    """
    from simtrain.scenario.validate import load_file, scenario_files

    files = scenario_files(paths)
    if not files:
        fail("no scenario files (*.yaml, *.yml) found in " + ", ".join(paths))
    results = [load_file(f) for f in files]
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


@main.command()
@click.argument("scenario", type=click.Path())
@click.argument("steps", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the final state as JSON.")
@guarded
def run(scenario: str, steps: tuple[str, ...], as_json: bool) -> None:
    """Play one team headless from the start, applying STEPS in order.

    \b
    Steps:
      CHOICE          choose it (as the acting role)
      as:ROLE         act as ROLE from now on (the first role acts until then)
      wait:DURATION   advance the clock (e.g. wait:10m): timers fire, injects arrive
      inject:ID       publish an inject by hand

    A refused step exits 1 and says which step and why.
    """
    from simtrain.engine.headless import StepRefused, play
    from simtrain.engine.machine import Engine
    from simtrain.engine.summary import team_json

    loaded = load_or_fail(scenario)
    try:
        state = play(Engine(loaded), steps)
    except StepRefused as exc:
        fail(str(exc))
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
@click.option(
    "--max-states",
    type=click.IntRange(min=1),
    default=200_000,
    show_default=True,
    help="Stop after this many states (the result then says complete: false).",
)
@guarded
def explore(scenario: str, as_json: bool, max_states: int) -> None:
    """Search every reachable team state: endings, unreachable parts, score ranges.

    Choices, timers, scheduled and conditional injects and manual injects are all
    explored. For each ending, the shortest step list that reaches it is printed in the
    step language of 'simtrain run', so it can be replayed.
    """
    from simtrain.engine.explore import explore as search

    loaded = load_or_fail(scenario)
    result = search(loaded, max_states)
    if as_json:
        emit(result.to_json())
        return
    click.echo(
        f"{result.states} states, {'complete' if result.complete else 'INCOMPLETE (cap reached)'}"
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


if __name__ == "__main__":
    main()
