"""Engine benchmarks (issue 13): validation as users run it, the engine at depth, memory.

Prints figures; it is not a test. Run: ``python -m benchmarks.bench_engine [--quick]``.

* the whole ``simtrain validate`` command on synthetic scenarios of 100 → 20,000 scenes,
  against a whole process that does a bare ``yaml.load(..., Loader=CSafeLoader)`` of the
  same file, with the garbage collector off on both sides (simtrain's reader turns it off
  while it builds; the baseline does the same): target ≤ 3× at 5,000 and 20,000 scenes,
  and a flat time per scene (linear growth); each command's peak memory (ru_maxrss);
* load + validate in-process against ``yaml.load`` in-process, GC off on both sides;
* building the engine (target ≤ 1 s);
* applying one choice at the start and after 1,000 and 5,000 visited scenes (target
  ≤ 100 µs at any depth) and replaying 10,000 events (target ≤ 0.5 s);
* explore throughput on the shipped scenarios (not with ``--quick``);
* peak memory with 50 teams on the 5,000-scene scenario (target ≤ 300 MB).
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import simtrain  # noqa: E402
from benchmarks.machine import compile_once, load_note, run_measured  # noqa: E402
from simtrain.engine.events import Chose, Event, Moved  # noqa: E402
from simtrain.engine.explore import explore  # noqa: E402
from simtrain.engine.fold import Engine  # noqa: E402
from simtrain.scenario.compiled import Scenario  # noqa: E402
from simtrain.scenario.validate import load_text  # noqa: E402

COMPETENCIES = [
    "safety",
    "trust",
    "choice",
    "identification",
    "evidence",
    "cooperation",
    "rights",
    "sensitivity",
]


def synthetic(scenes: int) -> str:
    """A valid scenario with ``scenes`` scenes of 3 choices each (conditions, assessments)."""
    out = [
        "simtrain: 1",
        f"id: synthetic-{scenes}",
        f"title: Synthetic scenario with {scenes} scenes",
        "rubric: trauma-informed",
        "roles:",
        "  - {id: lead, name: Lead}",
        "  - {id: support, name: Support}",
        "vars:",
        "  trust: 0",
        "  flagged: false",
        "documents:",
        "  file_a: {title: File A, body: 'Some text.'}",
        "start: s0",
        "scenes:",
    ]
    last = scenes - 1
    for i in range(scenes):
        comp_a = COMPETENCIES[i % 8]
        comp_b = COMPETENCIES[(i + 3) % 8]
        out += [
            f"  s{i}:",
            f"    title: Scene {i}",
            f"    text: Scene number {i} of the synthetic scenario, with a little text to read.",
        ]
        if i == 0:
            out += ["    on_enter: {reveal: [file_a]}"]
        if i == last:
            out += ["    ending: {outcome: success, debrief: Done.}"]
            continue
        nxt, skip = i + 1, min(i + 2, last)
        out += [
            "    choices:",
            f"      - id: c{i}_a",
            f"        label: Go on from {i}",
            f"        goto: s{nxt}",
            "        add: {trust: 1}",
            f"        assess: {{{comp_a}: 1}}",
            "        feedback: Good.",
            f"      - id: c{i}_b",
            f"        label: Skip ahead from {i}",
            f"        if: \"trust >= 2 and not chosen('c{i}_a')\"",
            f"        goto: s{skip}",
            "        roles: [lead]",
            f"        assess: {{{comp_b}: -1}}",
            "        feedback: Risky.",
            f"      - id: c{i}_c",
            f"        label: Note something in {i}",
            "        once: true",
            "        if: \"visited('s0') > 0 or flagged\"",
            "        set: {flagged: true}",
            "        assess: {trust: 1}",
            "        feedback: Careful.",
        ]
    return "\n".join(out) + "\n"


def best_of(func: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs, in seconds, with the garbage collector off."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            func()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def process(command: list[str], runs: int = 2) -> tuple[float, float]:
    """A whole command in a fresh process: (best seconds, peak RSS in MB)."""
    best, peak = float("inf"), 0.0
    for _ in range(runs):
        took, mb = run_measured(command, subprocess.DEVNULL)
        best, peak = min(best, took), max(peak, mb)
    return best, peak


BASELINE = (
    "import gc, sys, yaml\n"
    "gc.disable()\n"
    "with open(sys.argv[1], encoding='utf-8') as f:\n"
    "    yaml.load(f.read(), Loader=yaml.CSafeLoader)\n"
)
"""The fair baseline process: read the file and parse it with libyaml, GC off."""


def validate_curve(sizes: list[int]) -> None:
    """The whole validate command against the baseline process, size by size."""
    print(
        "whole 'simtrain validate' vs a process doing bare yaml.load(CSafeLoader), GC off on "
        f"both sides ({load_note()}):"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for scenes in sizes:
            path = Path(tmp) / f"s{scenes}.yaml"
            path.write_text(synthetic(scenes), encoding="utf-8")
            runs = 1 if scenes >= 10000 else 2
            command = [sys.executable, "-m", "simtrain.cli", "validate", str(path)]
            ours, ours_mb = process(command, runs)
            bare, bare_mb = process([sys.executable, "-c", BASELINE, str(path)], runs)
            print(
                f"  {scenes:>6,} scenes ({path.stat().st_size / 1e6:5.1f} MB): validate "
                f"{ours:6.2f} s ({ours / scenes * 1e6:6.0f} us/scene, {ours_mb:4.0f} MB) | "
                f"bare parse {bare:6.2f} s ({bare_mb:4.0f} MB) | ratio {ours / bare:4.2f}x"
                + ("  (target <= 3x)" if scenes >= 5000 else "")
            )


def depth_figures(scenario: Scenario) -> None:
    """Applying one choice at the start and deep into a long walk."""
    engine = Engine(scenario)
    state = engine.initial_state()
    walked = 0
    for depth in (0, 1000, 4998):  # s4999 is the ending
        while walked < depth:
            state = engine.apply(state, Chose(f"c{walked}_a", "lead", float(walked)))
            walked += 1
        event = Chose(f"c{walked}_a", "lead", float(walked))
        n = 2000
        start = time.perf_counter()
        for _ in range(n):
            engine.apply(state, event)
        per = (time.perf_counter() - start) / n
        print(
            f"apply one choice after {len(state.visits):>5,} visited scenes: {per * 1e6:6.1f} us "
            f"(target <= 100 us, {load_note()})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes, no explore")
    args = parser.parse_args()
    sizes = [1000, 5000, 20000] if args.quick else [100, 1000, 5000, 10000, 20000]
    compile_once(sys.executable, Path(simtrain.__file__).parent)
    validate_curve(sizes)

    text = synthetic(5000)
    bare = best_of(lambda: yaml.load(text, Loader=yaml.CSafeLoader), 3)
    ours = best_of(lambda: load_text(text, "synthetic.yaml"), 3)
    result = load_text(text, "synthetic.yaml")
    assert result.scenario is not None, result.diagnostics[:3]
    print(
        f"in-process, 5,000 scenes, GC off on both sides: load+validate {ours * 1000:.0f} ms, "
        f"bare yaml.load(CSafeLoader) {bare * 1000:.0f} ms: {ours / bare:.2f}x ({load_note()})"
    )

    scenario = result.scenario
    built = best_of(lambda: Engine(scenario), 3)
    print(f"build the engine (5,000 scenes): {built * 1000:.0f} ms (target <= 1 s)")
    depth_figures(scenario)

    engine = Engine(scenario)
    events = []
    walk = engine.initial_state()
    for i in range(10000):
        scene = int(walk.scene[1:])
        if walk.ended:  # the facilitator sends the team round again
            ev: Event = Moved("s0", float(i), "again")
        else:
            ev = Chose(f"c{scene}_a", "lead", float(i))
        events.append(ev)
        walk = engine.apply(walk, ev)
    replay = best_of(lambda: engine.replay(events), 3)
    print(f"replay 10,000 events: {replay * 1000:.0f} ms (target <= 500 ms, {load_note()})")
    assert engine.replay(events) == walk

    if not args.quick:
        for path in sorted((ROOT / "scenarios").glob("*.yaml")):
            loaded = load_text(path.read_text(), str(path))
            if loaded.scenario is None:
                print(f"explore {path.name}: (not valid, skipped)")
                continue
            start = time.perf_counter()
            found = explore(loaded.scenario)
            took = time.perf_counter() - start
            print(
                f"explore {path.name}: {found.states} states in {took:.2f} s = "
                f"{found.states / took:,.0f} states/s (complete: {found.complete})"
            )

    print("peak memory, 50 teams on 5,000 scenes:", peak_memory_mb(), "MB (target <= 300 MB)")


def peak_memory_mb() -> str:
    """Max RSS of a fresh process that loads the scenario and holds 50 teams' states."""
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from benchmarks.bench_engine import synthetic\n"
        "from simtrain.scenario.validate import load_text\n"
        "from simtrain.engine.fold import Engine\n"
        "from simtrain.engine.events import Chose\n"
        "def hwm():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) / 1024\n"
        "base = hwm()\n"
        "s = load_text(synthetic(5000)).scenario\n"
        "e = Engine(s)\n"
        "teams = [e.apply(e.initial_state(), Chose('c0_a', 'lead', 0.0)) for t in range(50)]\n"
        "print(f'{hwm():.0f} (interpreter and imports alone: {base:.0f})')\n"
    ) % str(ROOT)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


if __name__ == "__main__":
    main()
