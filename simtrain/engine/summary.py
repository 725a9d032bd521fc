"""A team's state as the JSON object of ``run --json``, ``act --json`` and ``status``."""

from __future__ import annotations

from typing import Any

from simtrain.engine.explore import best_scores
from simtrain.engine.state import TeamState
from simtrain.scenario.compiled import Scenario


def team_json(scenario: Scenario, state: TeamState) -> dict[str, Any]:
    """The fields SPEC §4 fixes, plus the exercise-time extras of each path step."""
    best = best_scores(scenario)
    return {
        "scenario": scenario.id,
        "scene": state.scene,
        "ended": state.ended,
        "outcome": state.outcome,
        "vars": {k: (list(v) if isinstance(v, list | tuple) else v) for k, v in state.vars.items()},
        "case_file": list(state.case_file),
        "inbox": list(state.inbox),
        "path": [
            {
                "scene": p.scene,
                "choice": p.choice,
                "role": p.role,
                "clock": round(p.clock, 3),
                "actor": p.actor,
                "rationale": p.rationale,
                "inject": p.inject,
            }
            for p in state.path
        ],
        "score": {
            "competencies": {
                c: {"points": state.points.get(c, 0), "max": best.get(c, 0)}
                for c in scenario.competencies
            },
            "critical": [{"choice": c.choice, "message": c.message} for c in state.critical],
        },
    }
