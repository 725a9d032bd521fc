"""Fork here, in words: the team's continuation beside the expert's, as plain lines for
``simtrain fork`` and the facilitator's debrief (the JSON is :meth:`Fork.to_json`)."""

from __future__ import annotations

from typing import Any

from simtrain.scenario.compiled import Scenario


def _side(label: str, side: dict[str, Any], scenario: Scenario) -> list[str]:
    score = side["score"]
    ending = side["ending"]
    if ending is None:
        where = "no ending reached"
    else:
        scene = scenario.scenes.get(ending)
        outcome = scene.ending.outcome if scene is not None and scene.ending else None
        where = f"ending {ending}" + (f" ({outcome})" if outcome else "")
    criticals = len(score["critical"])
    lines = [
        f"{label}: {where}; total {score['total']} points, "
        f"{criticals} critical error{'s' if criticals != 1 else ''}",
        "  steps: " + (" ".join(side["steps"]) or "(none)"),
    ]
    lines += [f"  ★ critical: {c['choice']}: {c['message']}" for c in score["critical"]]
    return lines


def fork_lines(data: dict[str, Any], scenario: Scenario, team: str = "the team") -> list[str]:
    """``data`` (the JSON of ``simtrain fork``) as lines a person reads: each side's
    steps, ending and score, then the difference per competency."""
    at, mine, expert = data["at"], data["team"], data["expert"]
    lines = [f"Fork at decision {at} of {team}:"]
    lines += _side("what the team did", mine, scenario)
    lines += _side("the expert path", expert, scenario)
    if not expert.get("complete", True):
        lines.append(
            f"  (the search stopped early: {expert.get('stopped')}; this is the best path "
            "found so far, not necessarily the best there is)"
        )
    difference = expert["score"]["total"] - mine["score"]["total"]
    lines.append(
        f"difference: {difference:+d} points on the expert path; critical errors: team "
        f"{len(mine['score']['critical'])}, expert {len(expert['score']['critical'])}"
    )
    for competency, score in expert["score"]["competencies"].items():
        theirs = mine["score"]["competencies"][competency]["points"]
        lines.append(
            f"  {competency:<16} team {theirs:>4}   expert {score['points']:>4}   "
            f"(max {score['max']})"
        )
    return lines
