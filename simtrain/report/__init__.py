"""After-action reports: what the organisation keeps after the debrief.

``render_report(exercise, fmt, team)`` is what ``simtrain report`` prints: Markdown, one
self-contained HTML page, JSON (schema in docs/report-schema.md) or CSV (one row per
decision) or xAPI statements (a JSON array, :mod:`simtrain.report.xapi`). Every format
but xAPI is rendered from one document, :func:`build_report`, which reads
the exercise only through the service (its log, its replayed team states, its clock) and
never writes. With ``team``, the report is that team's own version: no other team, and
none of the facilitator-only fields listed in :mod:`simtrain.views.audience`.

``timeline(exercise, team)`` lists a team's log event by event, described for a person,
for the facilitator console's debrief screen.

Pure Python: no Textual, no dependency beyond the standard library and the core.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from simtrain.exercise import Exercise, ExerciseError
from simtrain.plaintext import has_control, scrub
from simtrain.report.document import REPORT_VERSION, build_report
from simtrain.report.markdown import render_markdown
from simtrain.report.spreadsheet import render_csv
from simtrain.report.webpage import LIST_ENDS, render_html
from simtrain.report.xapi import DEFAULT_BASE, statements
from simtrain.views.timeline import timeline

__all__ = ["FORMATS", "REPORT_VERSION", "build_report", "render_report", "timeline"]


def _render_json(report: dict[str, Any] | list[dict[str, Any]]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[dict[str, Any]], str]] = {
    "md": render_markdown,
    "html": render_html,
    "json": _render_json,
    "csv": render_csv,
}
"""Each report format and the function that renders the report document in it."""


def render_report(
    exercise: Exercise, fmt: str, team: str | None = None, *, xapi_base: str = DEFAULT_BASE
) -> str:
    """The after-action report of ``exercise`` in ``fmt`` (md, html, json, csv, or xapi:
    the xAPI statements, activity ids under ``xapi_base``); with ``team``, the version that
    team receives."""
    if fmt == "xapi":
        return _render_json(scrub(statements(exercise, team, xapi_base)))
    render = FORMATS.get(fmt)
    if render is None:
        choices = ", ".join([*FORMATS, "xapi"])
        raise ExerciseError(f"'{fmt}' is not a report format; choose one of: {choices}")
    if fmt != "html":
        # whatever the log holds, no terminal control sequence reaches a reader's screen or file
        return render(scrub(build_report(exercise, team)))
    # The page shows the ends of long lists: it is built from what they need. It shows
    # every text as it is (escaped), so one search of the page tells whether any text on
    # it holds a control sequence; only then is the document scrubbed and the page
    # rendered again (the same page as scrubbing first, without encoding and searching
    # megabytes of JSON each time).
    document = build_report(exercise, team, ends=LIST_ENDS)
    page = render_html(document)
    return render_html(scrub(document)) if has_control(page) else page
