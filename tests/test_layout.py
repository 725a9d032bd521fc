"""The trainee screen's layout function over every scene of every shipped scenario: every
choice on offer gets its full height at 80×24, 100×30 and 160×48 (fast: no app runs)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest

from simtrain.scenario.compiled import Scenario
from simtrain.scenario.library import bundled_scenarios
from simtrain.scenario.runtime import Choice
from simtrain.scenario.validate import load_file
from simtrain.tui.layout import (
    BORDER,
    CHROME_ROWS,
    ITEM_PADDING,
    MIN_SCENE_ROWS,
    READING_WIDTH,
    SCROLLBAR,
    ChoicePlan,
    box_width,
    choice_entries,
    column_width,
    hidden_below,
    plan_choices,
    rows,
    side_width,
)
from simtrain.views.seat import ChoiceView

SIZES = [(80, 24), (100, 30), (160, 48)]
SHIPPED = {path.stem: path for path in bundled_scenarios()}


@cache
def scenario(name: str) -> Scenario:
    compiled = load_file(SHIPPED[name]).scenario
    assert compiled is not None
    return compiled


def offered(scenario: Scenario, scene: str, role: str) -> tuple[ChoiceView, ...]:
    """The scene's choices as ``role`` sees them, then the replies to the two injects of
    that role with the most to read, both open at once (the worst case for the layout)."""
    pairs: list[tuple[Choice, str | None]] = [(c, None) for c in scenario.scenes[scene].choices]
    mine = [i for i in scenario.injects if role in scenario.inject_roles(i)]
    mine.sort(key=lambda i: -sum(len(c.label) for c in scenario.injects[i].choices))
    for inject_id in mine[:2]:
        pairs.extend((c, inject_id) for c in scenario.injects[inject_id].choices)
    return tuple(
        ChoiceView(
            number=n,
            id=choice.id,
            label=choice.label,
            mine=role in scenario.choice_roles(choice.id),
            roles_text=" or ".join(
                scenario.role_names[r] for r in scenario.choice_roles(choice.id)
            ),
            inject=inject,
            reply_to=scenario.injects[inject].subject if inject else "",
        )
        for n, (choice, inject) in enumerate(pairs, 1)
    )


def cases(name: str) -> Iterator[tuple[str, str]]:
    compiled = scenario(name)
    for scene_id, scene in compiled.scenes.items():
        if scene.choices:
            for role in compiled.roles:
                yield scene_id, role


def test_the_side_panel_and_reading_width_fit_each_size() -> None:
    assert [side_width(w) for w, _ in SIZES] == [30, 30, 48]
    assert side_width(200) == 56 and column_width(200) == 144
    assert box_width(column_width(200)) == READING_WIDTH
    assert column_width(80, side=False) == 80


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_choice_of_every_scene_gets_its_full_height(name: str) -> None:
    checked = 0
    for scene, role in cases(name):
        entries = choice_entries(offered(scenario(name), scene, role))
        prompts = [prompt for _, prompt in entries]
        is_choice = [choice is not None for choice, _ in entries]
        for width, height in SIZES:
            for side in (True, False):
                box = box_width(column_width(width, side))
                column = height - CHROME_ROWS
                plan = plan_choices(prompts, box, column)
                inner = box - BORDER - ITEM_PADDING - SCROLLBAR
                where = f"{name}/{scene} for {role} at {width}×{height}"
                # each entry is given exactly the rows its wrapped text needs
                assert plan.rows == tuple(rows(p, inner) for p in prompts), where
                # the box shows the tallest choice whole, and never grows past the column
                assert max(plan.rows) + BORDER <= plan.height <= column, where
                if not plan.scrolls:
                    assert plan.height == plan.content + BORDER, where
                    assert hidden_below(plan, is_choice, 0) == 0, where
                else:
                    # what does not fit is counted ("3 more ↓"), never silently cut
                    assert plan.content + BORDER > column - MIN_SCENE_ROWS, where
                    assert hidden_below(plan, is_choice, 0) > 0, where
                    bottom = plan.content - (plan.height - BORDER)
                    assert hidden_below(plan, is_choice, bottom) == 0, where
                checked += 1
    assert checked


def test_the_minors_wing_shows_every_choice_whole_at_100_by_30() -> None:
    """Issue 10: the box was three rows high and showed only option 1 of 2 (the corrected
    scenario offers more; every one must fit whole)."""
    compiled = scenario("port-arrivals")
    choices = offered(compiled, "child_placement", "social_worker")
    scene_choices = tuple(c for c in choices if c.inject is None)
    prompts = [p for _, p in choice_entries(scene_choices)]
    plan = plan_choices(prompts, box_width(column_width(100)), 30 - CHROME_ROWS)
    assert len(scene_choices) >= 2
    assert not plan.scrolls and len(plan.rows) == len(scene_choices)
    assert plan.height == sum(plan.rows) + BORDER >= len(scene_choices) + BORDER


def test_the_plan_follows_the_width() -> None:
    """Issue 10: at 60 columns the heights were those of a wider box, cutting words."""
    compiled = scenario("port-arrivals")
    prompts = [p for _, p in choice_entries(offered(compiled, "age_question", "migration"))]
    wide, narrow = plan_choices(prompts, 96, 40), plan_choices(prompts, 40, 40)
    assert sum(narrow.rows) > sum(wide.rows)


def test_a_box_that_cannot_hold_every_choice_scrolls_and_counts() -> None:
    compiled = scenario("port-arrivals")
    prompts = [p for _, p in choice_entries(offered(compiled, "quay", "police"))]
    plan = plan_choices(prompts, 40, 14)
    assert plan.scrolls and plan.height <= 14
    assert plan == ChoicePlan(plan.height, plan.rows, True)
