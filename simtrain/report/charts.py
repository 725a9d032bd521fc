"""SVG bar charts of competency scores, drawn by hand (no external assets)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

PALETTE = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#0f766e", "#a16207", "#be185d", "#475569")
"""Team colours, in team order, when a team's name is not a colour."""
NAMED = {
    "red": "#c0392b",
    "blue": "#1f5fa8",
    "green": "#15803d",
    "yellow": "#b7950b",
    "orange": "#d35400",
    "purple": "#7e22ce",
    "pink": "#be185d",
    "teal": "#0f766e",
    "brown": "#7c4a1e",
    "grey": "#475569",
    "gray": "#475569",
    "black": "#1f2937",
}
"""Teams called by a colour are drawn in it."""

PLOT_W = 390
VALUE_W = 130
CHAR_W = 6.6
"""Rough width of one character of a 12px label, to size the label column."""
BAR_H = 14
GAP = 3
GROUP_GAP = 12
TOP = 26


@dataclass(frozen=True)
class Bar:
    """One team's score on one competency."""

    team: str
    points: int
    best: int
    percent: int | None


def team_colours(teams: Sequence[str]) -> dict[str, str]:
    """A colour per team: its own name when that is a colour, else the palette in order."""
    colours: dict[str, str] = {}
    spare = [c for c in PALETTE if c not in {NAMED.get(t.lower()) for t in teams}]
    for team in teams:
        named = NAMED.get(team.lower())
        colours[team] = named if named else spare[len(colours) % len(spare)]
    return colours


def competency_chart(
    title: str,
    groups: Sequence[tuple[str, Sequence[Bar]]],
    colours: dict[str, str],
) -> str:
    """Horizontal bars: one group per competency, one bar per team, as a share of the best.

    The zero line and the best possible (100%) are marked; each bar is labelled with its
    points and percentage, so the chart reads in black and white too.
    """
    e = html.escape
    values = [b.percent for _, bars in groups for b in bars if b.percent is not None]
    low = max(-100, min([0, *values]))
    high = min(200, max([100, *values]))
    label_w = round(min(360, 16 + CHAR_W * max((len(name) for name, _ in groups), default=10)))
    width = label_w + PLOT_W + VALUE_W

    def x(value: float) -> float:
        clamped = min(high, max(low, value))
        return label_w + (clamped - low) / (high - low) * PLOT_W

    teams_per_group = max((len(bars) for _, bars in groups), default=1)
    group_h = teams_per_group * (BAR_H + GAP) - GAP
    height = TOP + len(groups) * (group_h + GROUP_GAP) + 10
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{e(title)}">',
        f"<title>{e(title)}</title>",
    ]
    # guides: 0%, 50%, 100% (the best possible)
    for mark in (-100, -50, 0, 50, 100, 150, 200):
        if not low <= mark <= high:
            continue
        gx = x(mark)
        cls = "zero" if mark == 0 else "best" if mark == 100 else "grid"
        parts.append(
            f'<line class="{cls}" x1="{gx:.1f}" y1="{TOP - 6}" x2="{gx:.1f}" y2="{height - 8}"/>'
        )
        label = "best" if mark == 100 else f"{mark}%"
        parts.append(f'<text class="axis" x="{gx:.1f}" y="{TOP - 10}">{label}</text>')
    y = TOP
    for name, bars in groups:
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + group_h / 2 + 4:.1f}">{e(name)}</text>'
        )
        for i, bar in enumerate(bars):
            by = y + i * (BAR_H + GAP)
            colour = colours.get(bar.team, PALETTE[0])
            if bar.percent is None:
                text = (
                    "no points on offer" if bar.points == 0 else f"{bar.points:+d} (none on offer)"
                )
                parts.append(
                    f'<text class="value muted" x="{x(0) + 4:.1f}" y="{by + BAR_H - 3}">'
                    f"{e(text)}</text>"
                )
                continue
            x0, x1 = sorted((x(0), x(bar.percent)))
            parts.append(
                f'<rect x="{x0:.1f}" y="{by}" width="{max(x1 - x0, 1.5):.1f}" height="{BAR_H}" '
                f'fill="{colour}"><title>{e(bar.team)}: {bar.points} of {bar.best} '
                f"({bar.percent}%)</title></rect>"
            )
            who = f"{e(bar.team)} " if len(bars) > 1 else ""
            parts.append(
                f'<text class="value" x="{width - VALUE_W + 6}" y="{by + BAR_H - 3}">'
                f'{who}<tspan class="num">{bar.points}/{bar.best} · {bar.percent}%</tspan></text>'
            )
        y += group_h + GROUP_GAP
    parts.append("</svg>")
    return "".join(parts)
