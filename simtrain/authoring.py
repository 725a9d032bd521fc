"""The trainer's authoring kit: a starter scenario to fill in, and the MSEL for the binder.

``new_scenario`` gives the text behind ``simtrain new ID``: a small, complete, valid
scenario whose comments teach the format by example. ``msel`` gives the text behind
``simtrain msel SCENARIO``: the master events list in the columns exercise controllers
use, as CSV or as a Markdown table for the printed control binder.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable

import yaml

from simtrain.scenario.compiled import Scenario
from simtrain.scenario.runtime import SCENARIO_ID_PATTERN, Choice, Inject

__all__ = ["MSEL_COLUMNS", "MSEL_FORMATS", "msel", "msel_rows", "new_scenario"]

MSEL_COLUMNS: tuple[str, ...] = (
    "id",
    "time or trigger",
    "from",
    "to",
    "channel",
    "subject",
    "message",
    "expected action",
    "objective",
    "notes",
    "content warning",
    "dilemmas",
)
"""The columns of the master events list, in the order controllers read them: the inject's
id, then the HSEEP ones (``notes`` are the cues for live role-players), then the content
warning trainees see before the message and, read-only, the options the facilitator
scores. ``simtrain msel --update-from`` reads every column but the last back."""

MSEL_FORMATS: tuple[str, ...] = ("csv", "md")
"""The text formats :func:`msel` can write (``xlsx`` is :func:`simtrain.msel.msel_xlsx`)."""

_SCENARIO_ID = re.compile(SCENARIO_ID_PATTERN)
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
"""A ``<`` that Markdown could read as the start of an HTML tag."""

_STARTER = """\
# yaml-language-server: $schema=./simtrain.schema.json
# ^ Editor help: run `simtrain schema > simtrain.schema.json` in this folder, and VS Code
#   (with the YAML extension) completes keys and underlines mistakes as you type.
#
# A starter scenario made by `simtrain new`. It is a small but complete exercise that
# shows every part of the format, with a comment on each. Replace the story with yours
# and delete what you do not need. While you write, run these (docs/authoring.md
# explains what each prints):
#   simtrain validate __ID__.yaml
#       errors and warnings, each at its line and column
#   simtrain explore __ID__.yaml
#       every ending, with the shortest `simtrain run` steps that reach it
#   simtrain graph __ID__.yaml
#       the scene graph (Mermaid; add --format dot for Graphviz)
#   simtrain run __ID__.yaml STEP...
#       play one team headless; steps: a choice id, as:ROLE, wait:10m, inject:ID
#   simtrain msel __ID__.yaml --format md
#       the injects as a master events list (MSEL) for the control binder
#
# Ids (roles, vars, documents, scenes, choices, injects) use a-z, 0-9 and _, start with
# a letter and are unique within their kind; choice ids are unique in the whole file.
# Text fields are Markdown. Durations read 45s, 10m, 1h30m. Keep the world fictional:
# Valdora (destination), Estrava (origin), Sarkan (transit); invented names only.

simtrain: 1                     # format version (required)
id: __ID__                      # required; name the file after it
title: __TITLE__                # required: what trainees and facilitators see
summary: |                      # shown in scenario lists: the case and what it trains
  A labour inspector and an NGO outreach worker visit a greenhouse farm near Talvik,
  Valdora, after a tip about workers from Estrava. Trains separating people from a
  controller, informed consent, ILO indicators, referral on reasonable grounds and
  non-punishment.
content_warning: >-             # shown to every trainee before the first scene
  This exercise concerns forced labour on a farm. Nothing is described in detail. Anyone
  may step out at any time with F9 and need not say why.
duration: 45m                   # planned length of play (explore checks that it fits)
min_decisions: 2                # (optional) explore warns when an ending comes sooner

# The competencies that choices are scored against. `trauma-informed` ships with
# simtrain: safety, trust, choice, identification, evidence, cooperation, rights and
# sensitivity (validate warns about any that no choice assesses). Your own instead:
#   rubric:
#     id: my-rubric
#     name: My rubric
#     competencies:
#       - id: safety
#         name: Safety and do-no-harm
#         description: The person's physical and emotional safety comes first.
rubric: trauma-informed

roles:                          # at least one; each participant plays one role
  - id: inspector
    name: Labour inspector
    brief: |                    # what this role knows and may do (shown on joining)
      You lead today's routine inspection of the Greenrow greenhouses. You may enter the
      premises, see payroll and contracts, and talk to any worker in private.
  - id: outreach
    name: NGO outreach worker
    brief: |
      You work for Open Hands Valdora and speak Estravan. You are here for the workers'
      wellbeing: you explain their rights and can offer a place in a shelter.

vars:                           # team variables and their starting values
  trust: 0                      # a number: `add: {trust: 1}` raises it
  interpreter_vetted: false     # true/false: `set: {interpreter_vetted: true}`
  indicators: []                # a list of texts: `add: {indicators: "..."}` appends

documents:                      # items that can enter a team's case file
  tip:
    title: Anonymous tip to the labour inspectorate
    body: |
      "Twelve people from Estrava work at Greenrow seven days a week. The foreman keeps
      their passports in the office. They say they owe him for the journey."
  payslips:
    title: Payslips for March
    body: Net pay of 180 crowns for a month of 70-hour weeks, "minus rent and transport".
    roles: [inspector]          # who can read it (default: every role)
  wage_records:
    title: Payroll provider's wage records
    body: Every worker's wages go to one account, opened the same day at the farm's address.
    roles: [inspector]

start: farm_gate                # the first scene (required)

scenes:
  farm_gate:
    title: At the farm gate
    text: |
      Six workers are packing tomatoes under plastic. A man in a clean jacket walks over
      and says he speaks for all of them: "They are happy here. Ask me anything."
    # shown to trainees before the text, with the choice to continue
    content_warning: This scene describes people held in forced labour.
    # cues for live role-players: facilitator only (MSEL and console), never on a seat
    notes_for_roleplayers: |
      The man is polite and helpful, and stays within earshot unless asked to leave twice.
    for_roles:                  # extra text only these roles see
      outreach: One young woman glances at the man each time before she answers.
    on_enter:                   # effects when a team enters: set, add, reveal
      reveal: [tip]
    timer: {after: 15m, goto: foreman_arrives}   # fires once if the team is still here
    choices:
      - id: note_indicators
        label: Write down the indicators you see before anyone speaks
        once: true              # at most once per team; a choice without goto stays
        add: {indicators: "speaks for the workers; passports kept in the office"}
        assess: {identification: 1}   # rubric points per competency, -5..5
        feedback: >-            # shown in the debrief: say why, name the standard
          Recording indicators lets the team weigh them together; one indicator prompts
          questions, several make reasonable grounds (ILO forced-labour indicators).
      - id: talk_privately
        label: Invite each worker to talk in private, away from the man, with the outreach worker
        roles: [outreach]       # who may choose it (default: every role)
        goto: private_talk      # next scene
        add: {trust: 1}
        assess: {safety: 2}
        feedback: >-
          Separating a person from a possible controller comes before any question; only
          then can they speak freely (WHO 2003: do no harm).
      - id: question_in_front
        label: Question the workers here, with the man standing beside them
        roles: [inspector]
        goto: foreman_arrives
        assess: {safety: -2}
        critical: Questioning possible victims in front of the suspected exploiter.
        feedback: >-
          They cannot speak freely in front of him, and it warns him (SAMHSA: safety;
          WHO 2003: do no harm).

  foreman_arrives:
    title: The foreman closes the conversation
    text: The man says the workers must get back to work now and walks them to the greenhouse.
    choices:
      - id: separate_now
        label: Calmly insist on private talks, as the inspection law allows
        goto: private_talk
        add: {trust: 1}
        assess: {safety: 1}
        feedback: Late, but separating them still protects them (WHO 2003).
      - id: withdraw_and_plan
        label: Leave, and plan a joint visit with the police for next week
        goto: workers_moved
        assess: {cooperation: 1, safety: -1}   # a trade-off: one competency for another
        feedback: >-
          Joint planning is right, but plan it before the visit: a warned employer moves
          the workers (OSCE: multi-agency cooperation).
        # dilemma: What a good rationale weighs  (marks a facilitator-scored option)

  private_talk:
    title: A private talk in the site office
    text: |
      The young woman, Mira, says a friend of her uncle paid for the trip. She owes
      4,000 crowns, and the foreman keeps her passport "so it does not get lost".
    choices:
      - id: explain_role
        label: Explain who you are, what happens with what she says, and that she may stop
        roles: [outreach]
        once: true
        add: {trust: 1}
        assess: {trust: 1, choice: 1}
        feedback: >-
          Informed consent includes the right to refuse or stop; explaining roles and
          limits builds trust (WHO 2003; SAMHSA: trustworthiness and transparency).
      - id: check_payslips
        label: Ask the office for the payslips
        roles: [inspector]
        once: true
        reveal: [payslips]      # adds documents to the team's case file
        assess: {evidence: 1}
        feedback: Wage documents corroborate her account, so the case need not rest on it.
      - id: refer
        label: Refer Mira to the national referral mechanism and offer a shelter place
        if: "trust >= 2 and has('payslips')"   # a condition: see Expressions in the guide
        goto: referred
        assess: {cooperation: 2, identification: 1}
        feedback: >-
          Reasonable grounds are enough to refer; she need not prove anything or agree to
          testify (CoE Convention art. 10 and 12).
      - id: fine_workers
        label: Report the workers for working without permits
        roles: [inspector]
        goto: fined
        assess: {rights: -2}
        critical: Punishing presumed victims for offences they were compelled to commit.
        feedback: >-
          The non-punishment principle forbids penalising victims for irregular work they
          were compelled to do (CoE Convention art. 26).

  referred:
    title: Referral made
    text: Mira and two co-workers accept a shelter place; the inspectorate opens a case.
    ending:                     # an ending scene: the team is done
      outcome: success          # success | partial | failure
      debrief: The team separated, explained, corroborated and referred.
  workers_moved:
    title: The workers were moved
    text: At the joint visit a week later, the greenhouses are staffed by new faces.
    ending: {outcome: partial, debrief: The plan was sound but came after the warning.}
  fined:
    title: Fines for irregular work
    text: The workers receive fines and removal orders; the foreman is not charged.
    ending: {outcome: failure, debrief: Presumed victims were punished.}

injects:                        # the master events list (MSEL): `simtrain msel` prints it
  - id: journalist_call         # a timed inject
    at: 10m                     # published at this exercise time
    to: [inspector]             # who receives it (default: every role)
    channel: phone              # phone, email, sms, radio, news, document, in_person
    from: Talvik Courier newsroom
    subject: Request for comment
    message: We hear you found trafficking victims at Greenrow. What are their names?
    expected: Refer the caller to the press office; disclose nothing that identifies anyone.
    objective: rights           # the competency this inject tests
    choices:                    # responses; they stay open beside the scene's choices
      - id: refer_to_press_office
        label: Refer the caller to the press office
        assess: {rights: 2}
        feedback: Protecting victims' identity is a legal duty (CoE Convention art. 11).
      - id: confirm_details
        label: Confirm a first name, off the record
        assess: {rights: -2}
        critical: Disclosing a presumed victim's identity to the media.
        feedback: There is no "off the record" for identity; it endangers her and her family.
  - id: interpreter_link        # a conditional inject: fires as soon as `when` holds
    when: "visited('private_talk') > 0"
    # content_warning: ...      # (optional) shown before the message, as on scenes
    channel: in_person
    from: Duty interpreter
    subject: I know the foreman
    message: The interpreter mentions that the foreman is a cousin of his.
    expected: Replace him with a vetted interpreter before the talk goes on.
    objective: sensitivity
    choices:
      - id: replace_interpreter
        label: Thank him and call a vetted interpreter from the register
        set: {interpreter_vetted: true}
        assess: {sensitivity: 2}
        feedback: An interpreter must have no link to the suspect (WHO 2003).
  - id: wage_records            # a manual inject: neither at nor when; published by hand
    channel: email
    from: Valdora Labour Inspectorate, records office
    subject: Wage records from the payroll provider
    message: |
      Attached are Greenrow's wage records for the last six months.

      Note that all wages are paid into a single account.
    expected: Compare them with the payslips; suggest a financial investigation.
    objective: evidence
    reveal: [wage_records]      # effects on delivery: set, add, reveal, goto
    add: {indicators: "wages paid into one account"}
    # goto: foreman_arrives     # (optional) move the team to a scene on delivery
"""
"""The starter scenario, with ``__ID__`` and ``__TITLE__`` still to fill in."""


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as that same string."""
    try:
        plain = yaml.safe_load(text) == text
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)


def new_scenario(scenario_id: str) -> str:
    """The YAML text of a valid starter scenario with this id, commented to teach the format."""
    if not isinstance(scenario_id, str) or not _SCENARIO_ID.fullmatch(scenario_id):
        raise ValueError(
            f"{scenario_id!r} is not a valid scenario id: use lower-case letters, digits, "
            "'-' and '_', starting with a letter (for example port-arrivals)."
        )
    words = re.sub(r"[-_]+", " ", scenario_id).strip()
    title = words[:1].upper() + words[1:]
    fields = {
        "id: __ID__": f"id: {_yaml_scalar(scenario_id)}",
        "title: __TITLE__": f"title: {_yaml_scalar(title)}",
    }
    lines = []
    for line in _STARTER.splitlines():
        for placeholder, value in fields.items():
            if line.startswith(placeholder):  # keep the comment column
                line = f"{value:<31} {line[line.index('#') :]}"
        lines.append(line.replace("__ID__", scenario_id))
    return "\n".join(lines) + "\n"


def trigger_text(at: str | None, when: str | None) -> str:
    """When an inject is published: ``at 25m``, ``when <condition>``, ``at 25m or when
    <condition>`` or ``manual`` (the MSEL's "time or trigger")."""
    parts = ([f"at {at}"] if at is not None else []) + (
        [f"when {when}"] if when is not None else []
    )
    return " or ".join(parts) or "manual"


def _order(scenario: Scenario) -> list[Inject]:
    """Timed injects in time order, then conditional ones, then manual ones (each in file
    order within its kind)."""

    def key(item: tuple[int, Inject]) -> tuple[int, float, int]:
        index, inject = item
        if inject.id in scenario.inject_at:
            return (0, scenario.inject_at[inject.id], index)
        if inject.when is not None:
            return (1, 0.0, index)
        return (2, 0.0, index)

    return [inject for _, inject in sorted(enumerate(scenario.injects.values()), key=key)]


def msel_rows(scenario: Scenario) -> list[dict[str, str]]:
    """One row per inject, keyed by :data:`MSEL_COLUMNS`, in the order they are published."""
    names = scenario.competency_names
    rows = []
    for inject in _order(scenario):
        to = (
            ", ".join(scenario.role_names.get(r, r) for r in inject.to)
            if inject.to is not None
            else "every role"
        )
        values = (
            inject.id,
            trigger_text(inject.at, inject.when),
            inject.from_,
            to,
            inject.channel.replace("_", " "),
            inject.subject,
            inject.message.strip(),
            inject.expected.strip(),
            names.get(inject.objective, inject.objective) if inject.objective else "",
            (inject.notes_for_roleplayers or "").strip(),
            (inject.content_warning or "").strip(),
            _dilemmas(inject.choices),
        )
        rows.append(dict(zip(MSEL_COLUMNS, values, strict=True)))
    return rows


def _dilemmas(choices: Iterable[Choice]) -> str:
    """The options the facilitator scores (dilemmas), one line each."""
    return "\n".join(
        f"Dilemma, facilitator-scored (no single right answer): “{choice.label}” — "
        f"{choice.dilemma.strip()}"
        for choice in choices
        if choice.dilemma
    )


def _facilitator_notes(notes: str | None, choices: Iterable[Choice]) -> str:
    """A scene's facilitator-only notes: the cues for live role-players and the options the
    facilitator scores (dilemmas)."""
    parts = [f"Role-players: {notes.strip()}"] if notes else []
    dilemmas = _dilemmas(choices)
    return "\n".join([*parts, dilemmas] if dilemmas else parts)


def scene_notes(scenario: Scenario) -> list[tuple[str, str]]:
    """(scene title, facilitator notes) for every scene with role-player cues or dilemmas."""
    found = []
    for scene in scenario.scenes.values():
        notes = _facilitator_notes(scene.notes_for_roleplayers, scene.choices)
        if notes:
            found.append((scene.title, notes))
    return found


FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@")
"""How a CSV cell starts that a spreadsheet would run as a formula."""


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: a formula-like start is prefixed with ``'``
    (``simtrain msel --update-from`` takes it off again)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(rows: Iterable[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MSEL_COLUMNS)
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Text safe inside one Markdown table cell: pipes escaped, line breaks as ``<br>``."""
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = _TAG_START.sub("&lt;", text)
    return "<br>".join(line.strip() for line in text.splitlines())


def _markdown(scenario: Scenario, rows: list[dict[str, str]]) -> str:
    lines = [f"# MSEL — {_cell(scenario.title)} ({scenario.id})", ""]
    if scenario.model.duration:
        lines += [f"Planned duration: {scenario.model.duration}.", ""]
    warning = scenario.model.content_warning
    if warning:
        lines += [f"Content warning shown before the first scene: {_cell(warning)}", ""]
    if not rows:
        lines.append("This scenario has no injects.")
    else:
        lines.append("| " + " | ".join(MSEL_COLUMNS) + " |")
        lines.append("|" + "|".join(" --- " for _ in MSEL_COLUMNS) + "|")
        for row in rows:
            lines.append("| " + " | ".join(_cell(row[c]) for c in MSEL_COLUMNS) + " |")
    scenes = scene_notes(scenario)
    if scenes:
        lines += ["", "## Scenes: role-player cues and facilitator-scored dilemmas", ""]
        lines += ["| scene | facilitator notes |", "| --- | --- |"]
        lines += [f"| {_cell(title)} | {_cell(notes)} |" for title, notes in scenes]
    return "\n".join(lines) + "\n"


def msel(scenario: Scenario, fmt: str) -> str:
    """The master events list of a scenario as CSV (``fmt="csv"``) or Markdown (``"md"``)."""
    if fmt not in MSEL_FORMATS:
        raise ValueError(f"unknown MSEL format {fmt!r}: use csv or md.")
    rows = msel_rows(scenario)
    return _csv(rows) if fmt == "csv" else _markdown(scenario, rows)
