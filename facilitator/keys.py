"""The console explains itself: ``?`` lists the keys of the screen in front, and every
console action is also a command of the command palette (Ctrl+P).

Both are built from the screens' own key bindings and the docstrings of their actions,
so a new action shows up in the key list and the palette without being listed twice.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

KEY_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "left": "←",
    "right": "→",
    "home": "Home",
    "end": "End",
    "ctrl+p": "Ctrl+P",
}
"""How keys are written for people."""


@dataclass(frozen=True)
class KeyHelp:
    """One key of a screen: what it does, in a word and in a sentence."""

    key: str
    title: str
    explanation: str
    action: str
    available: bool
    """Whether it does something now (e.g. Pause only while the clock runs)."""


def _key_text(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return " / ".join(KEY_NAMES.get(k, k) for k in binding.key.split(","))


def _explanation(owner: object, action: str) -> str:
    """The first paragraph of the action method's docstring."""
    name = action.split("(", 1)[0]
    if name.startswith("app."):
        return "Leave the console." if name == "app.quit" else ""
    method = getattr(owner, f"action_{name}", None)
    doc = inspect.getdoc(method) if method is not None else None
    return " ".join((doc or "").split("\n\n", 1)[0].split())


def screen_keys(screen: Screen[object]) -> list[KeyHelp]:
    """The keys of ``screen`` and of the app behind it, in the order they are declared."""
    found: list[KeyHelp] = []
    seen: set[str] = set()
    app = screen.app
    sources: list[tuple[object, list[BindingType]]] = [
        (screen, list(getattr(type(screen), "BINDINGS", []))),
        (app, list(getattr(type(app), "BINDINGS", []))),
    ]
    for owner, bindings in sources:
        for binding in bindings:
            if not isinstance(binding, Binding) or binding.action in seen:
                continue
            seen.add(binding.action)
            name = binding.action.split("(", 1)[0]
            check = getattr(owner, "check_action", None)
            available = True
            if check is not None and not name.startswith("app."):
                available = check(name, ()) is not False
            found.append(
                KeyHelp(
                    key=_key_text(binding),
                    title=binding.description or name.replace("_", " "),
                    explanation=_explanation(owner, binding.action),
                    action=binding.action,
                    available=bool(available),
                )
            )
    return found


def keys_text(keys: list[KeyHelp]) -> Text:
    """The key list as text: key, title, explanation; what does nothing now is dimmed."""
    text = Text()
    width = max((len(k.key) for k in keys), default=1)
    for index, key in enumerate(keys):
        if index:
            text.append("\n")
        style = "" if key.available else "dim"
        text.append(key.key.rjust(width), style="bold " + style if style else "bold")
        text.append(f"  {key.title}", style=style or "bold")
        if key.explanation:
            text.append(f" — {key.explanation}", style=style)
        if not key.available:
            text.append(" (not now)", style="dim italic")
    return text


class KeysScreen(ModalScreen[None]):
    """Every key of the screen behind, with a sentence each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def __init__(self, keys: list[KeyHelp], where: str) -> None:
        super().__init__()
        self.keys = keys
        self.where = where

    def compose(self) -> ComposeResult:
        """Title, the keys, a hint."""
        with Vertical(classes="dialog", id="keys"):
            yield Label(f"Keys — {self.where}", classes="dialog-title")
            with VerticalScroll(id="keys-scroll"):
                yield Static(keys_text(self.keys), id="keys-list")
            yield Label(
                "Ctrl+P opens the command palette: type a few letters of any action. "
                "Escape closes.",
                classes="dialog-detail",
            )

    def on_mount(self) -> None:
        """Let the arrows scroll a long list."""
        self.query_one("#keys-scroll", VerticalScroll).focus()


def screen_title(screen: Screen[object]) -> str:
    """What the key list calls a screen ("Dashboard", "Team red"...)."""
    title = getattr(screen, "KEYS_TITLE", "") or type(screen).__name__.removesuffix("Screen")
    team = getattr(screen, "team", None)
    return f"{title} {team}" if isinstance(team, str) else str(title)


def console_commands(screen: Screen[object]) -> Iterator[SystemCommand]:
    """The screen's actions that do something now, as command palette entries."""
    for key in screen_keys(screen):
        if not key.available or key.action in ("help", "command_palette"):
            continue
        target = screen.app if key.action.startswith("app.") else screen
        action = key.action.removeprefix("app.")

        async def run(target: object = target, action: str = action) -> None:
            await target.run_action(action)  # type: ignore[attr-defined]

        yield SystemCommand(f"{key.title} ({key.key})", key.explanation or key.title, run)
