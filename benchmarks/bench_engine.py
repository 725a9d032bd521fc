"""Engine benchmarks (issue: scenario format, validator and the pure engine).

Prints figures; it is not a test. Run: ``python benchmarks/bench_engine.py``.

* load + validate a synthetic 5,000-scene scenario, against a bare
  ``yaml.load(..., Loader=CSafeLoader)`` of the same text in the same run (target ≤ 3×);
* the whole ``simtrain validate`` command on a 200-scene scenario (target ≤ 0.5 s);
* building the engine (target ≤ 1 s);
* applying one choice (target ≤ 100 µs) and replaying 10,000 events (target ≤ 0.5 s);
* explore throughput on the shipped scenarios;
* peak memory with 50 teams on the 5,000-scene scenario (target ≤ 300 MB).
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simtrain.engine.events import Chose, Event, Moved  # noqa: E402
from simtrain.engine.explore import explore  # noqa: E402
from simtrain.engine.fold import Engine  # noqa: E402
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
    """The fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    text = synthetic(5000)
    print(f"synthetic scenario: 5,000 scenes, 15,000 choices, {len(text) / 1e6:.1f} MB of YAML")

    bare = best_of(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    ours = best_of(lambda: load_text(text, "synthetic.yaml"))
    result = load_text(text, "synthetic.yaml")
    assert result.scenario is not None, result.diagnostics[:3]
    print(f"load+validate 5,000 scenes:  {ours * 1000:8.1f} ms")
    print(f"bare yaml.load(CSafeLoader): {bare * 1000:8.1f} ms")
    print(f"  ratio: {ours / bare:.2f}x (target <= 3x)")

    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "s200.yaml"
        small.write_text(synthetic(200))
        command = [sys.executable, "-m", "simtrain.cli", "validate", str(small)]
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            runs.append(time.perf_counter() - start)
        print(
            f"'simtrain validate' on 200 scenes (whole command): {min(runs) * 1000:.0f} ms "
            f"best, {statistics.median(runs) * 1000:.0f} ms median (target <= 500 ms)"
        )

    scenario = result.scenario

    built = best_of(lambda: Engine(scenario), 3)
    print(f"build the engine (5,000 scenes): {built * 1000:.0f} ms (target <= 1 s)")

    engine = Engine(scenario)
    state = engine.initial_state()
    event = Chose("c0_a", "lead", 1.0)
    n = 20000
    start = time.perf_counter()
    for _ in range(n):
        engine.apply(state, event)
    per = (time.perf_counter() - start) / n
    print(f"apply one choice: {per * 1e6:.1f} us (target <= 100 us)")

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
    print(f"replay 10,000 events: {replay * 1000:.0f} ms (target <= 500 ms)")
    assert engine.replay(events) == walk

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
