"""The pure engine: team state folded from events, the exercise lifecycle, explore, scoring."""

from simtrain.engine.events import Chose, Event, InjectDelivered, Moved, ScoreAdjusted, TimerFired
from simtrain.engine.fold import Engine
from simtrain.engine.rules import Refused
from simtrain.engine.state import TeamState

__all__ = [
    "Chose",
    "Engine",
    "Event",
    "InjectDelivered",
    "Moved",
    "Refused",
    "ScoreAdjusted",
    "TeamState",
    "TimerFired",
]
