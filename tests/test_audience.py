"""The one visibility policy: what the facilitator, a team and a seat may read."""

from __future__ import annotations

import pytest

from simtrain.engine.events import (
    AlertAcknowledged,
    AnyEvent,
    Chose,
    InjectSkipped,
    MessageSent,
    Moved,
    Observed,
    ScoreAdjusted,
    SteppedBack,
    SteppedOut,
)
from simtrain.scenario.compiled import Scenario
from simtrain.scenario.validate import load_file
from simtrain.views.audience import Audience

FACILITATOR = Audience.facilitator()
TEAM = Audience.of_team("red")
SEAT = Audience.seat("red", "social_worker", released=False)
SEAT_AFTER = Audience.seat("red", "social_worker", released=True)

STRENGTH = Observed(category="strength", text="calm, clear consent", clock=3.0)
NOTE = Observed(category="note", text="Asha seems upset: check in at the break", clock=3.0)
SCORE = ScoreAdjusted("victim_centred", 2, 4.0, note="good pacing")
TO_POLICE = MessageSent(subject="lab result", to=("police",), clock=5.0)
TO_ALL = MessageSent(subject="shift change", clock=5.0)


@pytest.fixture(scope="module")
def port() -> Scenario:
    result = load_file("scenarios/port-arrivals.yaml")
    assert result.scenario is not None
    return result.scenario


@pytest.mark.parametrize("event", [SteppedOut(clock=1.0), SteppedBack(clock=2.0),
                                   AlertAcknowledged(alert=1, clock=2.0)])  # fmt: skip
def test_welfare_signals_and_console_bookkeeping_reach_no_timeline(event: AnyEvent) -> None:
    for reader in (FACILITATOR, TEAM, SEAT, SEAT_AFTER):
        assert not reader.sees(event)


def test_private_notes_and_skips_are_the_facilitators_alone() -> None:
    skipped = InjectSkipped("tv_crew", 6.0, reason="running late")
    assert FACILITATOR.sees(NOTE) and FACILITATOR.sees(skipped)
    for reader in (TEAM, SEAT, SEAT_AFTER):
        assert not reader.sees(NOTE)
        assert not reader.sees(skipped)
    assert FACILITATOR.private and not TEAM.private and not SEAT_AFTER.private


def test_a_seat_reads_the_assessment_only_after_the_release() -> None:
    assert not SEAT.sees_assessment
    assert not SEAT.sees(STRENGTH) and not SEAT.sees(SCORE)
    assert SEAT_AFTER.sees(STRENGTH) and SEAT_AFTER.sees(SCORE)
    assert TEAM.sees(STRENGTH) and FACILITATOR.sees(SCORE)


def test_a_seat_reads_messages_to_its_team_or_its_role_only() -> None:
    assert SEAT.sees(TO_ALL)
    assert not SEAT.sees(TO_POLICE)
    assert Audience.seat("red", "police", released=False).sees(TO_POLICE)
    assert TEAM.sees(TO_POLICE) and FACILITATOR.sees(TO_POLICE)


def test_decisions_and_moves_are_the_teams_own_record() -> None:
    for reader in (FACILITATOR, TEAM, SEAT):
        assert reader.sees(Chose("medical_first", "social_worker", 1.0))
        assert reader.sees(Moved("quay", 2.0, reason="stuck"))


def test_a_seat_reads_the_documents_and_injects_of_its_role(port: Scenario) -> None:
    police_only = next(
        d for d in port.model.documents if "social_worker" not in port.document_roles(d)
    )
    shared = next(d for d in port.model.documents if "social_worker" in port.document_roles(d))
    assert not SEAT.may_read(port, police_only) and SEAT.may_read(port, shared)
    assert TEAM.may_read(port, police_only) and FACILITATOR.may_read(port, police_only)
    tv = "tv_crew"
    assert "social_worker" not in port.inject_roles(tv)
    assert not SEAT.receives_inject(port, tv)
    assert Audience.seat("red", "police", released=False).receives_inject(port, tv)
    assert TEAM.receives_inject(port, tv)


def test_a_reader_reads_its_own_team_only() -> None:
    assert SEAT.reads_team("red") and not SEAT.reads_team("blue")
    assert TEAM.reads_team("red") and not TEAM.reads_team("blue")
    assert FACILITATOR.reads_team("blue")
