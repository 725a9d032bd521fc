"""The scene graph as Mermaid or Graphviz DOT text, endings and critical choices marked."""

from __future__ import annotations

from simtrain.scenario.compiled import Scenario

_OUTCOME_STYLE = {
    "success": ("#d4edda", "#1e7e34"),
    "partial": ("#fff3cd", "#b8860b"),
    "failure": ("#f8d7da", "#bd2130"),
}


def _label(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _edges(scenario: Scenario) -> list[tuple[str, str, str, bool, bool]]:
    """(source, target, label, critical, dashed) for every choice with a goto and timer."""
    edges: list[tuple[str, str, str, bool, bool]] = []
    for scene_id, scene in scenario.scenes.items():
        for choice in scene.choices:
            if choice.goto is not None:
                edges.append((scene_id, choice.goto, choice.id, bool(choice.critical), False))
        if scene.timer is not None:
            edges.append((scene_id, scene.timer.goto, f"after {scene.timer.after}", False, True))
    return edges


def mermaid(scenario: Scenario) -> str:
    """A Mermaid flowchart: endings as rounded nodes coloured by outcome, critical
    choices as thick red edges, timers dashed, inject gotos from a note node."""
    lines = ["flowchart TD"]
    for scene_id, scene in scenario.scenes.items():
        title = _label(scene.title).replace('"', "'")
        if scene.ending is not None:
            lines.append(f'    {scene_id}(["{title}<br/>ending: {scene.ending.outcome}"])')
        elif scene_id == scenario.start:
            lines.append(f'    {scene_id}[["{title}<br/>start"]]')
        else:
            lines.append(f'    {scene_id}["{title}"]')
    critical_links: list[int] = []
    for index, (source, target, label, critical, dashed) in enumerate(_edges(scenario)):
        label = label.replace('"', "'")
        if critical:
            lines.append(f'    {source} ==>|"★ {label}"| {target}')
            critical_links.append(index)
        elif dashed:
            lines.append(f'    {source} -.->|"{label}"| {target}')
        else:
            lines.append(f'    {source} -->|"{label}"| {target}')
    for inject in scenario.injects.values():
        for forced in [inject.goto] + [c.goto for c in inject.choices]:
            if forced is not None:
                lines.append(f'    inject_{inject.id}>"inject {inject.id}"] -.-> {forced}')
    for scene_id, scene in scenario.scenes.items():
        if scene.ending is not None:
            fill, stroke = _OUTCOME_STYLE[scene.ending.outcome]
            lines.append(f"    style {scene_id} fill:{fill},stroke:{stroke},stroke-width:2px")
    for index in critical_links:
        lines.append(f"    linkStyle {index} stroke:#bd2130,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(scenario: Scenario) -> str:
    """A Graphviz digraph: endings as double octagons filled by outcome, critical choices
    as bold red edges with a ★, timers dashed."""
    lines = [
        f"digraph {_dot_quote(scenario.id)} {{",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for scene_id, scene in scenario.scenes.items():
        label = _label(scene.title)
        if scene.ending is not None:
            fill, stroke = _OUTCOME_STYLE[scene.ending.outcome]
            text = _dot_quote(f"{label}\nending: {scene.ending.outcome}")
            lines.append(
                f"  {scene_id} [label={text}, "
                f'shape=doubleoctagon, fillcolor="{fill}", color="{stroke}"];'
            )
        elif scene_id == scenario.start:
            lines.append(
                f"  {scene_id} [label={_dot_quote(label + chr(10) + 'start')}, penwidth=2];"
            )
        else:
            lines.append(f"  {scene_id} [label={_dot_quote(label)}];")
    for source, target, label, critical, dashed in _edges(scenario):
        attrs = [f"label={_dot_quote(('★ ' if critical else '') + label)}"]
        if critical:
            attrs.append('color="#bd2130", penwidth=2.5, fontcolor="#bd2130"')
        if dashed:
            attrs.append("style=dashed")
        lines.append(f"  {source} -> {target} [{', '.join(attrs)}];")
    for inject in scenario.injects.values():
        targets = [t for t in [inject.goto] + [c.goto for c in inject.choices] if t]
        if targets:
            lines.append(
                f"  inject_{inject.id} [label={_dot_quote('inject ' + inject.id)}, shape=note];"
            )
            for target in targets:
                lines.append(f"  inject_{inject.id} -> {target} [style=dotted];")
    lines.append("}")
    return "\n".join(lines) + "\n"
