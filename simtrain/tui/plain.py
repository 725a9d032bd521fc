"""Showing text from people and scenarios as text: never parsed as Textual markup.

A display name such as ``bad [/] x`` is invalid markup and crashed every screen that
showed it; ``[@click=app.quit]`` became a clickable action. Widgets that show such text
take a :class:`~textual.content.Content` (plain by construction), are created with
``markup=False``, or, for notifications, go through :class:`PlainNotify`.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.content import Content
from textual.notifications import SeverityLevel

from simtrain.plaintext import clean_text


def plain(text: object) -> Content:
    """``text`` as Textual content shown exactly as written (and without control codes)."""
    return Content(clean_text(str(text)))


class PlainNotify(App[Any]):
    """An app whose notifications are always plain text.

    Screens and widgets pass ``markup=True`` on by default (``Widget.notify``), so the
    app's own default would not be enough: here no notification is ever parsed."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Textual's notify, never parsing markup: notifications quote names, labels and
        messages that are nobody's markup (``markup`` is accepted and ignored)."""
        super().notify(
            clean_text(message),
            title=clean_text(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )
