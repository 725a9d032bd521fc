"""The pure engine: team state folded from events, the scene machine, explore, scoring."""

from simtrain.engine.events import Chose, Event, InjectDelivered, Moved, ScoreAdjusted, TimerFired
from simtrain.engine.machine import Engine
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
