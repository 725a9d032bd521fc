"""The channels an inject or a facilitator's message comes by, and their names on screen.

A module of its own, without pydantic, so the command line can list them cheaply.
"""

from __future__ import annotations

from typing import Literal, get_args

Channel = Literal["phone", "email", "sms", "radio", "news", "document", "in_person"]

CHANNELS: tuple[str, ...] = get_args(Channel)
"""Every channel, in the order menus list them."""
CHANNEL_NAMES: dict[str, str] = {
    "phone": "Phone call",
    "email": "Email",
    "sms": "Text message",
    "radio": "Radio",
    "news": "News",
    "document": "Document",
    "in_person": "In person",
}
"""How each channel is named on screen."""

__all__ = ["CHANNELS", "CHANNEL_NAMES", "Channel"]
