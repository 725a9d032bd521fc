"""The after-action report as Markdown (CommonMark with pipe tables)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from simtrain.report.document import PERCENT_BASIS, assessed, not_assessed
from simtrain.report.text import UPPER_BOUND_NOTE, WITHHELD, outcome_text, percent_text
from simtrain.text import assessment_text, duration_text, time_text

BLANK_PLAN_ROWS = 3
"""Empty improvement-plan rows to fill in by hand, after the suggested ones."""
PLAN_COLUMNS = [
    "Team",
    "Issue / area for improvement",
    "Corrective action",
    "Responsible (agency or role)",
    "Due date",
]
"""The improvement plan's columns (HSEEP's AAR/IP)."""
FORK_STEPS_SHOWN = 8
"""The expert's decisions listed under a fork (then how many more)."""
RATING_SCALE = (
    "Ratings (HSEEP): P — performed without challenges; S — performed with some challenges; "
    "M — performed with major challenges; U — unable to be performed."
)
_TYPED = re.compile(r"([\\`*_\[\]<>|#])")
OBSERVATION_TITLES = {
    "strength": "Strength",
    "improvement": "Area for improvement",
    "note": "Private note",
}
"""Headings of the observation kinds."""


def typed(text: object) -> str:
    """Text a person typed (names, rationales, notes): every Markdown character escaped."""
    return _TYPED.sub(r"\\\1", " ".join(str(text or "").split()))


def authored(text: object) -> str:
    """Scenario text (Markdown by the format): one line, safe inside a table cell."""
    return " ".join(str(text or "").split()).replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    """A pipe table; ``align`` has one letter per column: l (default) or r."""
    marks = ["--:" if (align[i : i + 1] == "r") else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _who(item: dict[str, Any]) -> str:
    name = typed(item.get("actor")) or "someone"
    return f"{name} ({authored(item.get('role_name'))})"


def render_markdown(report: dict[str, Any]) -> str:
    """The whole report as one Markdown document."""
    out: list[str] = []
    exercise, scenario = report["exercise"], report["scenario"]
    names = {c["id"]: c["name"] for c in report["rubric"]["competencies"]}
    out += [f"# After-action report: {typed(exercise['title'])}", ""]
    released = report.get("assessment_released", True)
    if report["audience"] == "team" and released:
        out += [
            f"> The version for team **{typed(report['team'])}**: your decisions, scores and "
            "the feedback on them.",
            "",
        ]
    elif report["audience"] == "team":
        out += [f"> {WITHHELD.format(team=typed(report['team']))}", ""]
    out += _table(
        ["", ""],
        [
            ["Exercise", f"`{exercise['id']}`, created {exercise['created']}"],
            ["Scenario", f"{authored(scenario['title'])} (`{scenario['id']}`)"],
            ["Rubric", authored(report["rubric"]["name"] or report["rubric"]["id"])],
            ["State", f"{exercise['state']}, exercise time {time_text(exercise['clock'])}"],
            ["Teams", ", ".join(typed(t) for t in exercise["teams"])],
        ],
    )
    out.append("")
    if report["rubric"].get("best_is_upper_bound"):
        out += [f"> {UPPER_BOUND_NOTE}", ""]
    shown, hidden = (assessed(report), not_assessed(report)) if released else ([], [])
    for team in report["teams"].values():
        out += _team(team, names, shown, hidden)
    if not released:
        return "\n".join(out)
    if "comparison" in report:
        out += _comparison(report, names, shown)
    out += ["## Strengths and areas for improvement", ""]
    for team in report["teams"].values():
        out += [f"### Team {typed(team['team'])}", "", "**Strengths**", ""]
        out += [f"- {typed(s['text'])}" for s in team["strengths"]] or ["- None recorded."]
        out += ["", "**Areas for improvement**", ""]
        out += [f"- {typed(s['text'])}" for s in team["improvements"]] or ["- None recorded."]
        out.append("")
    out += ["## Objective ratings", ""]
    ratings = [
        [typed(team["team"]), authored(r["objective_name"]), f"**{r['rating']}** — {r['meaning']}",
         typed(r["note"])]
        for team in report["teams"].values()
        for r in team["ratings"]
    ]  # fmt: skip
    if ratings:
        out += _table(["Team", "Objective", "Rating", "Note"], ratings)
    else:
        out.append("No objective has been rated yet.")
    out += ["", RATING_SCALE, ""]
    out += ["## Improvement plan", ""]
    rows = [
        [typed(r["team"]), typed(r["area"]), typed(r["recommendation"]), typed(r["owner"]),
         typed(r["due"])]
        for r in report["improvement_plan"]
    ]  # fmt: skip
    rows += [[" ", " ", " ", " ", " "] for _ in range(BLANK_PLAN_ROWS)]
    out += _table(PLAN_COLUMNS, rows)
    out.append("")
    return "\n".join(out)


def _forks(team: dict[str, Any]) -> list[str]:
    """Fork here: at each critical error (or the lowest-scoring decision), what the team
    did beside the expert path from the very same state."""
    out = ["### Fork here", ""]
    if not team["forks"]:
        return [*out, "No decision to fork yet.", ""]
    for fork in team["forks"]:
        out += fork_summary(fork, typed, authored)
        out.append("")
    return out


def incomplete_fork(expert: dict[str, Any]) -> str:
    """The sentence under a fork whose expert search ran out of budget."""
    return (
        f"(The search stopped early: {expert['stopped']}; this is the best path found in "
        "the time a report allows, not necessarily the best there is.)"
    )


def fork_summary(
    fork: dict[str, Any], typed: Callable[[object], str], authored: Callable[[object], str]
) -> list[str]:
    """One fork as lines of Markdown (the text formats share it)."""
    at = fork["at"]
    if "error" in fork:
        return [f"Decision {at}: {typed(fork['error'])}"]
    why = "a critical error" if fork["reason"] == "critical" else "its lowest-scoring decision"
    team, expert = fork["team"], fork["expert"]
    first = team["labels"][0] if team["labels"] else ""
    lines = [
        f"At decision {at}" + (f", “{authored(first)}”" if first else "") + f" ({why}), "
        "from the very same state:",
        "",
    ]
    rows = []
    for label, side in (("What the team did", team), ("The expert path", expert)):
        ending = authored(side["ending_title"]) if side["ending_title"] else "no ending reached"
        score = side["score"]
        rows.append([label, ending, str(score["total"]), str(len(score["critical"]))])
    lines += _table(["", "Ending", "Total points", "Critical errors"], rows, "llrr")
    steps = [f"“{authored(label)}”" for label in expert["labels"][:FORK_STEPS_SHOWN]]
    more = len(expert["labels"]) - len(steps)
    lines += [
        "",
        f"Difference: {fork['difference']:+d} points on the expert path. The expert's "
        "decisions from there: " + (" → ".join(steps) or "none")
        + (f" … and {more} more." if more > 0 else "."),
    ]  # fmt: skip
    if not expert.get("complete", True):
        lines.append(incomplete_fork(expert))
    return lines


def _team(
    team: dict[str, Any], names: dict[str, str], shown: list[str], hidden: list[str]
) -> list[str]:
    out = [f"## Team {typed(team['team'])}", ""]
    outcome = outcome_text(team["outcome"], team["ended"])
    line = f"**Outcome: {outcome}**"
    if team["ended"]:
        line += (
            f" — reached “{authored(team['scene']['title'])}” at {time_text(team['finished_at'])}."
        )
        if team["ending_debrief"]:
            line += f" {authored(team['ending_debrief'])}"
    else:
        line += f" — last in “{authored(team['scene']['title'])}”."
    out += [line, ""]
    people = ", ".join(
        f"{typed(p['name'])} ({authored(p['role_name'])})" for p in team["participants"]
    )
    out += [f"Participants: {people or 'nobody joined'}.", ""]
    if "score" in team:
        out += _score(team, shown, hidden)
        out += _forks(team)
    out += ["### Path", ""]
    out += _path(team, names) or ["No decisions were made."]
    out.append("")

    out += ["### Injects", ""]
    out += _injects(team) or ["No injects reached this team."]
    out.append("")

    if team["conversations"]:
        out += _conversations(team)

    if "adjustments" in team:
        out += _facilitator(team, names)
    if team["messages"]:
        out += ["**Messages from exercise control**", ""]
        out += [
            f"- {time_text(m['clock'])} · {typed(m['from'])} ({typed(m['channel'])}): "
            f"{typed(m['subject'])} — {typed(m['text'])}"
            for m in team["messages"]
        ]
        out.append("")
    if "step_outs" in team:
        out += [
            f"**Step-outs:** {team['step_outs']} (who stepped out, and when, stays private).",
            "",
        ]
    return out


def _score(team: dict[str, Any], shown: list[str], hidden: list[str]) -> list[str]:
    """The score table and the critical errors (only once the assessment is released)."""
    out = ["### Score", ""]
    scores = [team["score"]["competencies"][cid] for cid in shown]
    rows = [
        [
            authored(c["name"]),
            str(c["points"]),
            str(c["path_best"]),
            _share_cell(c),
            str(c["best"]),
            f"{c['adjustments']:+d}" if c["adjustments"] else "",
        ]
        for c in scores
    ]
    total = team["score"]["total"]
    rows.append(
        [
            "**Total**",
            str(total["points"]),
            str(total["path_best"]),
            _share_cell(total),
            str(total["best"]),
            "",
        ]
    )
    out += _table(
        [
            "Competency",
            "Points",
            "Could earn on its path",
            "%",
            "Best in the scenario",
            "Facilitator adjustment",
        ],
        rows,
        "lrrrrr",
    )
    out += ["", PERCENT_BASIS]
    marked = [c for c in scores if c.get("conversation")]
    if marked:
        out.append(
            "Points include marks on conversation lines: "
            + ", ".join(f"{authored(c['name'])} {c['conversation']:+d}" for c in marked)
            + "."
        )
    out += [f"{authored(c['name'])}: {c['note']}." for c in scores if c["note"]]
    if total["note"]:
        out.append(f"Total: {total['note']}.")
    out.append("")
    if hidden:
        out += [f"Not assessed in this scenario: {', '.join(authored(h) for h in hidden)}.", ""]

    out += ["### Critical errors", ""]
    if not team["critical"]:
        out += ["None.", ""]
    for i, error in enumerate(team["critical"], 1):
        text = f"{i}. **{time_text(error['clock'])}** — {authored(error['message'])}"
        if error["decision"] is not None:
            text += (
                f" Caused by decision {error['decision']}, “{authored(error['label'])}”, "
                f"chosen by {_who(error)} in “{authored(error['scene_title'])}”."
            )
            if error["rationale"]:
                text += f" Rationale: “{typed(error['rationale'])}”"
        out.append(text)
    if team["critical"]:
        out.append("")
    return out


def _conversations(team: dict[str, Any]) -> list[str]:
    """Each conversation with a character as a transcript, with the marks on its lines."""
    out = ["### Conversations", ""]
    for talk in team["conversations"]:
        out += [f"**With {authored(talk['name'])}**", ""]
        for line in talk["lines"]:
            who = typed(line["speaker"])
            if line["role_name"]:
                who += f" ({authored(line['role_name'])})"
            out.append(
                f"- Line {line['line']} · {time_text(line['clock'])} · **{who}**: "
                f"{typed(line['text'])}"
            )
            out += [
                f"  - Marked: {authored(m['competency_name'])} {m['points']:+d}"
                + (f" — {typed(m['note'])}" if m["note"] else "")
                for m in line["marks"]
            ]
        out.append("")
    return out


def _facilitator(team: dict[str, Any], names: dict[str, str]) -> list[str]:
    """The facilitator's adjustments and observations."""
    out = ["### Facilitator's adjustments, observations and notes", ""]
    out += ["**Score adjustments**", ""]
    out += [
        f"- {time_text(a['clock'])} · {authored(a['competency_name'])} {a['points']:+d}: "
        f"{typed(a['note'])}"
        for a in team["adjustments"]
    ] or ["- None."]
    out += ["", "**Observations**", ""]
    out += [
        f"- {time_text(o['clock'])} · {OBSERVATION_TITLES.get(o['kind'], o['kind'])}"
        + (f" ({authored(names.get(o['competency'], o['competency']))})" if o["competency"] else "")
        + f": {typed(o['text'])}"
        for o in team["observations"]
    ] or ["- None."]
    out.append("")
    return out


def _path(team: dict[str, Any], names: dict[str, str]) -> list[str]:
    """Decisions and the scene changes nobody chose, in time order."""
    items: list[tuple[float, int, list[str]]] = []
    for d in team["decisions"]:
        lines = [
            f"- **{time_text(d['clock'])}** · decision {d['n']} in “{authored(d['scene_title'])}”"
            + (" (answering an inject)" if d["inject"] else "")
            + f": **{authored(d['label'])}** — {_who(d)}",
        ]
        if d["rationale"]:
            lines.append(f"  - Rationale: “{typed(d['rationale'])}”")
        if "assessment" not in d:  # the debrief is not released yet
            items.append((d["clock"], 0, lines))
            continue
        lines.append(f"  - Assessment: {assessment_text(d['assessment'], names)}")
        if d["feedback"]:
            lines.append(f"  - Feedback: {authored(d['feedback'])}")
        if d["critical"]:
            lines.append(f"  - **Critical error:** {authored(d['critical'])}")
        items.append((d["clock"], 0, lines))
    causes = {
        "timer": "time ran out",
        "facilitator": "the facilitator moved the team",
        "inject": "an inject moved the team",
    }
    for change in team["scene_changes"]:
        text = (
            f"- **{time_text(change['clock'])}** · _{causes.get(change['cause'], change['cause'])}"
            f"_ to “{authored(change['scene_title'])}”"
        )
        if change.get("reason"):
            text += f" (reason: {typed(change['reason'])})"
        items.append((change["clock"], 1, [text]))
    items.sort(key=lambda item: (item[0], item[1]))
    return [line for _, _, lines in items for line in lines]


def _injects(team: dict[str, Any]) -> list[str]:
    private = any("objective" in i for i in team["injects"])
    released = all("expected" in i for i in team["injects"])
    header = ["Inject", "Delivered", "Expected action", "Response", "Response time"]
    if not released:
        header.remove("Expected action")
    if private:
        header += ["Objective", "Trigger"]
    rows: list[list[str]] = []
    for i in team["injects"]:
        title = f"{authored(i['subject'])} ({i['channel'].replace('_', ' ')}" + (
            f", from {authored(i['from'])})" if i["from"] else ")"
        )
        if i["status"] == "delivered" and i.get("reached") == []:
            delivered = f"not delivered: no one was seated at {time_text(i['delivered_at'])}"
        elif i["status"] == "delivered":
            delivered = time_text(i["delivered_at"]) + (" by hand" if i["manual"] else "")
        elif i["status"] == "skipped":
            delivered = f"skipped at {time_text(i['skipped_at'])}" + (
                f": {typed(i['skip_reason'])}" if i.get("skip_reason") else ""
            )
        else:
            delivered = "not delivered"
        if i["response"]:
            r = i["response"]
            response = f"{authored(r['label'])} — {_who(r)}"
        elif i["asks_response"]:
            response = "no response" if _reached(i) else "—"
        else:
            response = "none asked"
        row = [title, delivered, response, duration_text(i["response_minutes"])]
        if released:
            row.insert(2, authored(i["expected"]) or "—")
        if private:
            row += [authored(i.get("objective_name") or "—"), f"`{i.get('trigger')}`"]
        rows.append(row)
    return _table(header, rows) if rows else []


def _comparison(
    report: dict[str, Any], names: dict[str, str], competencies: list[str]
) -> list[str]:
    out = ["## Comparison of teams", ""]
    header = ["Team", "Outcome", "Finished", "Decisions", "Critical errors", "Total"]
    header += [authored(names[c]) for c in competencies]
    rows = []
    for row in report["comparison"]:
        rows.append(
            [
                typed(row["team"]),
                outcome_text(row["outcome"], row["finished_at"] is not None),
                time_text(row["finished_at"]),
                str(row["decisions"]),
                str(row["critical"]),
                f"{row['points']}/{row['path_best']} ({percent_text(row['percent'])})",
                *(_points_cell(row["competencies"][c]) for c in competencies),
            ]
        )
    out += _table(header, rows, "lllrrr" + "r" * len(competencies))
    out += ["", f"Each competency: points (%). {PERCENT_BASIS}", ""]
    return out


def _reached(inject: dict[str, Any]) -> bool:
    """Whether an inject reached a person: delivered while someone was seated (or before
    the roster was kept, when ``reached`` is unknown)."""
    return inject["status"] == "delivered" and inject.get("reached") != []


def _share_cell(score: dict[str, Any]) -> str:
    """A percentage cell; "see below" when a note explains it (below zero, above 100%)."""
    return percent_text(score["percent"]) + (" (see below)" if score["note"] else "")


def _points_cell(score: dict[str, Any]) -> str:
    """``points (percent)`` of one competency."""
    return f"{score['points']} ({percent_text(score['percent'])})"
