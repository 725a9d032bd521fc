"""The after-action report as one self-contained HTML page (inline CSS and SVG).

Every piece of text goes through :func:`html.escape`; nothing is loaded from elsewhere,
so the file can be mailed, archived and printed as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from string import Template
from typing import Any, TypeVar

from simtrain.report.charts import Bar, competency_chart, team_colours
from simtrain.report.document import PERCENT_BASIS, assessed, not_assessed, path_entries
from simtrain.report.markdown import (
    BLANK_PLAN_ROWS,
    PLAN_COLUMNS,
    RATING_SCALE,
    incomplete_fork,
)
from simtrain.report.text import UPPER_BOUND_NOTE, WITHHELD, outcome_text, percent_text
from simtrain.text import duration_text, time_text

OBSERVATION_TITLES = {
    "strength": "Strength",
    "improvement": "Area for improvement",
    "note": "Private note",
}
"""Labels of the observation kinds."""
CHANGE_CAUSES = {
    "timer": "Time ran out",
    "facilitator": "The facilitator moved the team",
    "inject": "An inject moved the team",
}
"""How each kind of scene change reads."""
T = TypeVar("T")
LIST_ENDS = 100
"""A team's long lists on the page (its path, adjustments, observations, messages and
each conversation) show their first and last this many entries: a page of 100 teams that
played 1,600 decisions each was 169 MB, which no browser opens and no one reads. The
Markdown and JSON reports keep every entry (docs/report-schema.md)."""

PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="simtrain">
<title>$title</title>
<style>
$css</style>
</head>
<body>
<main>
$body
<footer>simtrain after-action report · format version $version</footer>
</main>
</body>
</html>
"""
)


def e(value: object) -> str:
    """Escaped text (``None`` is empty)."""
    return html.escape("" if value is None else str(value))


def _ends(items: list[T], left_out: int = 0) -> tuple[list[T], list[T], int]:
    """The first and last :data:`LIST_ENDS` of ``items`` and how many lie between them
    (all of them, an empty tail and 0 when they are no more than twice as many).
    ``left_out``: the document already left that many out of the middle of ``items``
    (a report built with ``ends``), so ``items`` are the ends."""
    if left_out:
        return items[:LIST_ENDS], items[LIST_ENDS:], left_out
    if len(items) <= 2 * LIST_ENDS:
        return items, [], 0
    return items[:LIST_ENDS], items[-LIST_ENDS:], len(items) - 2 * LIST_ENDS


def _left_out(first: int, count: int, total: int, noun: str, row: bool) -> str:
    """The list entry (with ``row``, the table row) that stands for the items
    :func:`_ends` left out of the page; ``noun`` names one item, capitalised."""
    if count == 1:
        which = f"{noun} {first + 1:,} of {total:,} is"
    else:
        plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
        which = f"{plural} {first + 1:,}–{first + count:,} of {total:,} are"
    sentence = (
        f"{which} left out of this page to keep it readable; the Markdown and JSON reports "
        "(<code>--format md</code>, <code>--format json</code>) hold every one."
    )
    if row:
        return f'<tr class="left-out"><td colspan="4" class="muted">{sentence}</td></tr>'
    return f'<li class="left-out muted">{sentence}</li>'


def _shown(
    items: list[T], render: Callable[[T], str], noun: str, *, row: bool = False, left_out: int = 0
) -> str:
    """``items`` rendered, with those :func:`_ends` leaves out replaced by one entry (one
    table row with ``row``); ``left_out`` as for :func:`_ends`."""
    head, tail, hidden = _ends(items, left_out)
    if not hidden:
        return "".join(map(render, items))
    return (
        "".join(map(render, head))
        + _left_out(len(head), hidden, len(head) + hidden + len(tail), noun, row)
        + "".join(map(render, tail))
    )


@cache
def stylesheet() -> str:
    """The report's CSS (package data, inlined into each page)."""
    return resources.files("simtrain.report").joinpath("report.css").read_text(encoding="utf-8")


def render_html(report: dict[str, Any]) -> str:
    """The whole report as one HTML page."""
    names = {c["id"]: c["name"] for c in report["rubric"]["competencies"]}
    colours = team_colours(list(report["teams"]))
    body = [_cover(report)]
    released = report.get("assessment_released", True)
    shown, hidden = (assessed(report), not_assessed(report)) if released else ([], [])
    for team in report["teams"].values():
        body.append(_team(team, names, colours, shown, hidden))
    if "comparison" in report:
        body.append(_comparison(report, names, colours, shown))
    if released:
        body.append(_strengths(report))
        body.append(_ratings(report))
        body.append(_plan(report))
    return PAGE.substitute(
        title=e(f"After-action report: {report['exercise']['title']}"),
        css=stylesheet(),
        body="\n".join(body),
        version=e(report["report"]),
    )


def _cover(report: dict[str, Any]) -> str:
    exercise, scenario = report["exercise"], report["scenario"]
    released = report.get("assessment_released", True)
    if report["audience"] != "team":
        audience = "Facilitator's report: every team, with private notes"
    elif released:
        audience = (
            f"Version for team {e(report['team'])}: your decisions, scores and the feedback on them"
        )
    else:
        audience = e(WITHHELD.format(team=report["team"]))
    links = [f'<a href="#{_anchor(t)}">Team {e(t)}</a>' for t in report["teams"]]
    if "comparison" in report:
        links.append('<a href="#comparison">Comparison</a>')
    if released:
        links += [
            '<a href="#strengths">Strengths</a>',
            '<a href="#ratings">Objective ratings</a>',
            '<a href="#plan">Improvement plan</a>',
        ]
    meta = [
        ("Exercise", f"<code>{e(exercise['id'])}</code>, created {e(exercise['created'])}"),
        ("Scenario", f"{e(scenario['title'])} (<code>{e(scenario['id'])}</code>)"),
        ("Rubric", e(report["rubric"]["name"] or report["rubric"]["id"])),
        ("State", f"{e(exercise['state'])}, exercise time {time_text(exercise['clock'])}"),
        ("Teams", e(", ".join(exercise["teams"]))),
    ]
    rows = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta)
    summary = f'<p class="muted">{e(scenario["summary"])}</p>' if scenario["summary"] else ""
    if report["rubric"].get("best_is_upper_bound"):
        summary += f'<p class="note">{e(UPPER_BOUND_NOTE)}</p>'
    return (
        f'<header class="cover"><h1>After-action report: {e(exercise["title"])}</h1>'
        f'<div class="audience">{audience}</div>{summary}<dl class="meta">{rows}</dl>'
        f'<nav class="toc">{"".join(links)}</nav></header>'
    )


def _anchor(team: str) -> str:
    """An id attribute for a team's section (letters, digits, ``-`` and ``_`` only)."""
    return "team-" + re.sub(r"[^A-Za-z0-9_-]+", "-", team)


def _signed(points: int) -> str:
    cls = "pos" if points > 0 else "neg" if points < 0 else ""
    return f'<span class="{cls}">{points:+d}</span>'


def _chips(assessment: dict[str, int], names: dict[str, str]) -> str:
    if not assessment:
        return '<span class="muted">no points</span>'
    chips = "".join(
        f'<span class="chip {"pos" if p > 0 else "neg" if p < 0 else ""}">'
        f"{e(names.get(c, c))} {p:+d}</span>"
        for c, p in assessment.items()
    )
    return f'<span class="chips">{chips}</span>'


def _who(item: dict[str, Any]) -> str:
    return f"{e(item.get('actor') or 'someone')} ({e(item.get('role_name'))})"


def _team(
    team: dict[str, Any],
    names: dict[str, str],
    colours: dict[str, str],
    shown: list[str],
    hidden: list[str],
) -> str:
    name = team["team"]
    outcome = outcome_text(team["outcome"], team["ended"])
    badge = team["outcome"] or "open"
    if team["ended"]:
        where = (
            f"reached “{e(team['scene']['title'])}” at "
            f"<strong>{time_text(team['finished_at'])}</strong>"
        )
    else:
        where = f"last in “{e(team['scene']['title'])}”"
    people = ", ".join(f"{e(p['name'])} ({e(p['role_name'])})" for p in team["participants"])
    parts = [
        f'<section class="team" id="{_anchor(name)}">',
        f'<h2><span class="swatch" style="background:{colours[name]}"></span>Team {e(name)}</h2>',
        f'<div class="outcome"><span class="badge {e(badge)}">{e(outcome)}</span>'
        f"<span>{where}</span></div>",
    ]
    if team["ending_debrief"]:
        parts.append(f"<p>{e(team['ending_debrief'])}</p>")
    parts.append(f'<p class="muted">Participants: {people or "nobody joined"}.</p>')
    if "score" in team:
        parts += _score(team, colours, shown, hidden)
        parts += ["<h3>Fork here</h3>", _forks(team)]
    parts += ["<h3>Path</h3>", _path(team, names)]
    parts += ["<h3>Injects</h3>", _injects(team)]
    if team["conversations"]:
        parts += ["<h3>Conversations</h3>", _conversations(team)]
    if "adjustments" in team:
        parts += [
            "<h3>Facilitator's adjustments, observations and notes</h3>",
            _facilitator(team, names),
        ]
    parts.append(_messages(team))
    parts.append("</section>")
    return "\n".join(parts)


def _score(
    team: dict[str, Any], colours: dict[str, str], shown: list[str], hidden: list[str]
) -> list[str]:
    """The score table, its chart and the critical errors (once the assessment is out)."""
    name = team["team"]
    parts: list[str] = []
    rows = []
    scores = [team["score"]["competencies"][cid] for cid in shown]
    for c in scores:
        adjust = _signed(c["adjustments"]) if c["adjustments"] else ""
        rows.append(
            f'<tr><td>{e(c["name"])}</td><td class="num">{c["points"]}</td>'
            f'<td class="num">{c["path_best"]}</td>'
            f'<td class="num">{percent_text(c["percent"])}</td>'
            f'<td class="num">{c["best"]}</td><td class="num">{adjust}</td></tr>'
        )
    total = team["score"]["total"]
    rows.append(
        f'<tr class="total"><td>Total</td><td class="num">{total["points"]}</td>'
        f'<td class="num">{total["path_best"]}</td>'
        f'<td class="num">{percent_text(total["percent"])}</td>'
        f'<td class="num">{total["best"]}</td><td class="num"></td></tr>'
    )
    chart = competency_chart(
        f"Team {name}: score per competency, as a share of what it could have earned on "
        "the path it played",
        [(c["name"], [Bar(name, c["points"], c["path_best"], c["percent"])]) for c in scores],
        colours,
    )
    notes = "".join(
        f'<p class="muted">{e(c["name"])}: {e(c["note"])}.</p>'
        for c in (*scores, {**total, "name": "Total"})
        if c["note"]
    )
    parts += [
        "<h3>Score per competency</h3>",
        chart,
        '<table class="score"><thead><tr><th>Competency</th><th class="num">Points</th>'
        '<th class="num">Could earn on its path</th><th class="num">%</th>'
        '<th class="num">Best in the scenario</th>'
        '<th class="num">Facilitator adjustment</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>",
        f'<p class="muted">{e(PERCENT_BASIS)}</p>{_marked(scores)}{notes}',
    ]
    if hidden:
        parts.append(f'<p class="muted">Not assessed in this scenario: {e(", ".join(hidden))}.</p>')

    # critical errors, first of the decisions
    parts.append("<h3>Critical errors</h3>")
    if not team["critical"]:
        parts.append('<p class="muted">None.</p>')
    for error in team["critical"]:
        cause = ""
        if error["decision"] is not None:
            cause = (
                f"<br>Caused by decision {error['decision']}, “{e(error['label'])}”, chosen by "
                f"{_who(error)} in “{e(error['scene_title'])}”."
            )
            if error["rationale"]:
                cause += f"<blockquote>{e(error['rationale'])}</blockquote>"
        parts.append(
            f'<div class="critical"><strong>{time_text(error["clock"])} — '
            f"{e(error['message'])}</strong>{cause}</div>"
        )
    return parts


def _path(team: dict[str, Any], names: dict[str, str]) -> str:
    """The team's decisions and scene changes in time order (the ends of a long path)."""
    entries = path_entries(team["decisions"], team["scene_changes"])
    if not entries:
        return '<p class="muted">No decisions were made.</p>'

    def render(entry: tuple[float, int, dict[str, Any]]) -> str:
        _, kind, item = entry
        return _decision(item, names) if kind == 0 else _scene_change(item)

    left_out = team.get("left_out", {}).get("path", 0)
    return f'<ol class="path">{_shown(entries, render, "Entry", left_out=left_out)}</ol>'


def _decision(d: dict[str, Any], names: dict[str, str]) -> str:
    details = [f'<div class="detail"><span class="k">Chosen by</span> {_who(d)}</div>']
    if d["rationale"]:
        details.append(f"<blockquote>{e(d['rationale'])}</blockquote>")
    if "assessment" in d:  # released: the assessment, feedback and critical error
        details.append(
            f'<div class="detail"><span class="k">Assessment</span> '
            f"{_chips(d['assessment'], names)}</div>"
        )
    if d.get("feedback"):
        details.append(
            f'<div class="detail"><span class="k">Feedback</span> {e(d["feedback"])}</div>'
        )
    if d.get("critical"):
        details.append(
            f'<div class="detail neg"><strong>Critical error:</strong> {e(d["critical"])}</div>'
        )
    answering = " · answering an inject" if d["inject"] else ""
    cls = ' class="is-critical"' if d.get("critical") else ""
    return (
        f'<li{cls}><span class="time">{time_text(d["clock"])}</span><div>'
        f'<div class="scene">Decision {d["n"]} · {e(d["scene_title"])}{answering}</div>'
        f'<div class="choice">{e(d["label"])}</div>{"".join(details)}</div></li>'
    )


def _scene_change(change: dict[str, Any]) -> str:
    reason = (
        f'<div class="detail"><span class="k">Reason</span> {e(change["reason"])}</div>'
        if change.get("reason")
        else ""
    )
    cause = CHANGE_CAUSES.get(change["cause"], change["cause"])
    return (
        f'<li class="change"><span class="time">{time_text(change["clock"])}</span><div>'
        f'<div class="choice">{e(cause)}: now in “{e(change["scene_title"])}”</div>'
        f"{reason}</div></li>"
    )


def _injects(team: dict[str, Any]) -> str:
    if not team["injects"]:
        return '<p class="muted">No injects reached this team.</p>'
    private = any("objective" in i for i in team["injects"])
    released = all("expected" in i for i in team["injects"])
    head = ["Inject", "Delivered", "Expected action", "Team's response", "Response time"]
    if not released:
        head.remove("Expected action")
    if private:
        head += ["Objective", "Trigger"]
    rows = []
    for i in team["injects"]:
        sender = f", from {e(i['from'])}" if i["from"] else ""
        title = (
            f"<strong>{e(i['subject'])}</strong><br>"
            f'<span class="muted">{e(i["channel"].replace("_", " "))}{sender}</span>'
        )
        if i["status"] == "delivered" and i.get("reached") == []:
            delivered = (
                '<span class="muted">not delivered: no one was seated at '
                f"{time_text(i['delivered_at'])}</span>"
            )
        elif i["status"] == "delivered":
            delivered = time_text(i["delivered_at"]) + (
                '<br><span class="muted">by hand</span>' if i["manual"] else ""
            )
        elif i["status"] == "skipped":
            delivered = f"skipped at {time_text(i['skipped_at'])}" + (
                f'<br><span class="muted">{e(i["skip_reason"])}</span>'
                if i.get("skip_reason")
                else ""
            )
        else:
            delivered = '<span class="muted">not delivered</span>'
        if i["response"]:
            response = (
                f'{e(i["response"]["label"])}<br><span class="muted">{_who(i["response"])}</span>'
            )
        elif i["asks_response"]:
            reached = i["status"] == "delivered" and i.get("reached") != []
            response = "<em>no response</em>" if reached else "—"
        else:
            response = '<span class="muted">none asked</span>'
        cells = [title, delivered, response, e(duration_text(i["response_minutes"]))]
        if released:
            cells.insert(2, e(i["expected"]) or "—")
        if private:
            cells += [e(i.get("objective_name") or "—"), f"<code>{e(i.get('trigger'))}</code>"]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{h}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _facilitator(team: dict[str, Any], names: dict[str, str]) -> str:
    parts = ["<h4>Score adjustments</h4>"]
    if team["adjustments"]:
        adjustments = _shown(
            team["adjustments"],
            lambda a: (
                f"<li>{time_text(a['clock'])} · {e(a['competency_name'])} "
                f"{_signed(a['points'])}: {e(a['note'])}</li>"
            ),
            "Adjustment",
            left_out=team.get("left_out", {}).get("adjustments", 0),
        )
        parts.append(f'<ul class="plain">{adjustments}</ul>')
    else:
        parts.append('<p class="muted">None.</p>')
    parts.append("<h4>Observations</h4>")
    if team["observations"]:

        def observation(o: dict[str, Any]) -> str:
            about = (
                f" ({e(names.get(o['competency'], o['competency']))})" if o["competency"] else ""
            )
            label = OBSERVATION_TITLES.get(o["kind"], o["kind"])
            return (
                f"<li>{time_text(o['clock'])} · <strong>{e(label)}</strong>{about}: "
                f"{e(o['text'])}</li>"
            )

        items = _shown(team["observations"], observation, "Observation")
        parts.append(f'<ul class="plain">{items}</ul>')
    else:
        parts.append('<p class="muted">None.</p>')
    if "step_outs" in team:
        parts.append(
            f"<p><strong>Step-outs:</strong> {team['step_outs']} "
            '<span class="muted">(who stepped out, and when, stays private)</span></p>'
        )
    return "\n".join(parts)


def _marked(scores: list[dict[str, Any]]) -> str:
    """A note naming the points that came from marks on conversation lines ('' if none)."""
    marked = [c for c in scores if c.get("conversation")]
    if not marked:
        return ""
    listed = ", ".join(f"{e(c['name'])} {c['conversation']:+d}" for c in marked)
    return f'<p class="muted">Points include marks on conversation lines: {listed}.</p>'


def _conversations(team: dict[str, Any]) -> str:
    """Each conversation with a character as a transcript, with the marks on its lines."""
    parts = []
    for talk in team["conversations"]:
        parts.append(f"<h4>With {e(talk['name'])}</h4>")
        lines = _shown(talk["lines"], _line, "Line", row=True)
        parts.append(f'<table class="transcript"><tbody>{lines}</tbody></table>')
    return "".join(parts)


def _line(line: dict[str, Any]) -> str:
    """One line of a conversation's transcript, with its marks."""
    who = e(line["speaker"]) + (f" ({e(line['role_name'])})" if line["role_name"] else "")
    marks = "".join(
        f'<div class="mark">Marked: {e(m["competency_name"])} {_signed(m["points"])}'
        + (f" — {e(m['note'])}" if m["note"] else "")
        + "</div>"
        for m in line["marks"]
    )
    return (
        f'<tr><td class="num">{line["line"]}</td><td>{time_text(line["clock"])}</td>'
        f"<td><strong>{who}</strong></td><td>{e(line['text'])}{marks}</td></tr>"
    )


def _messages(team: dict[str, Any]) -> str:
    """The messages exercise control sent the team ('' when none)."""
    if not team["messages"]:
        return ""
    return (
        "<h4>Messages from exercise control</h4>"
        '<ul class="plain">'
        + _shown(
            team["messages"],
            lambda m: (
                f"<li>{time_text(m['clock'])} · {e(m['from'])} ({e(m['channel'])}): "
                f"<strong>{e(m['subject'])}</strong> — {e(m['text'])}</li>"
            ),
            "Message",
            left_out=team.get("left_out", {}).get("messages", 0),
        )
        + "</ul>"
    )


def _comparison(
    report: dict[str, Any], names: dict[str, str], colours: dict[str, str], competencies: list[str]
) -> str:
    head = "".join(
        f'<th class="num">{e(h)}</th>'
        for h in ["Finished", "Decisions", "Critical errors", "Total", "%"]
    )
    rows = []
    for row in report["comparison"]:
        name = row["team"]
        rows.append(
            f'<tr><td><span class="swatch" style="background:{colours[name]}"></span>{e(name)}'
            f"</td><td>{e(outcome_text(row['outcome'], row['finished_at'] is not None))}</td>"
            f'<td class="num">{time_text(row["finished_at"])}</td>'
            f'<td class="num">{row["decisions"]}</td><td class="num">{row["critical"]}</td>'
            f'<td class="num">{row["points"]}/{row["path_best"]}</td>'
            f'<td class="num">{percent_text(row["percent"])}</td></tr>'
        )
    chart = competency_chart(
        "Score per competency for every team, as a share of what each could have earned "
        "on the path it played",
        [
            (
                names[c],
                [
                    Bar(
                        row["team"],
                        row["competencies"][c]["points"],
                        row["competencies"][c]["path_best"],
                        row["competencies"][c]["percent"],
                    )
                    for row in report["comparison"]
                ],
            )
            for c in competencies
        ],
        colours,
    )
    legend = "".join(
        f'<span><span class="swatch" style="background:{colours[t]}"></span>{e(t)}</span>'
        for t in report["teams"]
    )
    return (
        '<section class="comparison" id="comparison"><h2>Comparison of teams</h2>'
        f"<table><thead><tr><th>Team</th><th>Outcome</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<h3>Competencies</h3><div class="legend">{legend}</div>{chart}</section>'
    )


def _bullets(entries: list[dict[str, Any]]) -> str:
    """A plain list of the entries' texts (or a note that there are none)."""
    if not entries:
        return '<p class="muted">None recorded.</p>'
    return '<ul class="plain">' + "".join(f"<li>{e(i['text'])}</li>" for i in entries) + "</ul>"


def _strengths(report: dict[str, Any]) -> str:
    parts = [
        '<section class="strengths" id="strengths"><h2>Strengths and areas for improvement</h2>'
    ]
    for team in report["teams"].values():
        parts.append(
            f'<h3>Team {e(team["team"])}</h3><div class="columns">'
            f"<div><h4>Strengths</h4>{_bullets(team['strengths'])}</div>"
            f"<div><h4>Areas for improvement</h4>{_bullets(team['improvements'])}</div></div>"
        )
    parts.append("</section>")
    return "\n".join(parts)


def _plan(report: dict[str, Any]) -> str:
    editable = ' contenteditable="true"'
    rows = [
        f"<tr><td>{e(r['team'])}</td><td>{e(r['area'])}</td>"
        f"<td{editable}>{e(r['recommendation'])}</td><td{editable}>{e(r['owner'])}</td>"
        f"<td{editable}>{e(r['due'])}</td></tr>"
        for r in report["improvement_plan"]
    ]
    rows += [f"<tr>{f'<td{editable}></td>' * 5}</tr>" for _ in range(BLANK_PLAN_ROWS)]
    widths = ("9%", "30%", "33%", "16%", "12%")
    head = "".join(
        f'<th style="width:{w}">{e(c)}</th>' for w, c in zip(widths, PLAN_COLUMNS, strict=True)
    )
    return (
        '<section class="plan" id="plan"><h2>Improvement plan</h2>'
        '<p class="muted">The facilitator\'s rows first, then each area for improvement to '
        "complete: what will change, who is responsible, and by when.</p>"
        f'<table class="plan"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _ratings(report: dict[str, Any]) -> str:
    """The HSEEP objective ratings of every team in the report."""
    rows = [
        f"<tr><td>{e(team['team'])}</td><td>{e(r['objective_name'])}</td>"
        f'<td><strong class="rating">{e(r["rating"])}</strong> {e(r["meaning"])}</td>'
        f"<td>{e(r['note'])}</td></tr>"
        for team in report["teams"].values()
        for r in team["ratings"]
    ]
    table = (
        "<table><thead><tr><th>Team</th><th>Objective</th><th>Rating</th><th>Note</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>No objective has been rated yet.</p>"
    )
    return (
        f'<section class="ratings" id="ratings"><h2>Objective ratings</h2>{table}'
        f'<p class="muted">{e(RATING_SCALE)}</p></section>'
    )


def _forks(team: dict[str, Any]) -> str:
    """Fork here: each fork as a small table and the expert's decisions."""
    if not team["forks"]:
        return "<p>No decision to fork yet.</p>"
    parts = []
    for fork in team["forks"]:
        if "error" in fork:
            parts.append(f"<p>Decision {fork['at']}: {e(fork['error'])}</p>")
            continue
        why = "a critical error" if fork["reason"] == "critical" else "the lowest-scoring decision"
        mine, expert = fork["team"], fork["expert"]
        first = f", “{e(mine['labels'][0])}”" if mine["labels"] else ""
        rows = "".join(
            f"<tr><td>{label}</td><td>{e(side['ending_title'] or 'no ending reached')}</td>"
            f'<td class="num">{side["score"]["total"]}</td>'
            f'<td class="num">{len(side["score"]["critical"])}</td></tr>'
            for label, side in (("What the team did", mine), ("The expert path", expert))
        )
        steps = "".join(f"<li>{e(label)}</li>" for label in expert["labels"])
        note = f'<p class="note">{e(incomplete_fork(expert))}</p>' if not expert["complete"] else ""
        parts.append(
            f'<div class="fork"><p>At decision {fork["at"]}{first} ({why}), from the very same '
            "state:</p><table><thead><tr><th></th><th>Ending</th><th>Total points</th>"
            f"<th>Critical errors</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p>Difference: <strong>{_signed(fork['difference'])}</strong> points on the "
            f"expert path. The expert's decisions from there:</p><ol>{steps}</ol>{note}</div>"
        )
    return "\n".join(parts)
