"""The console explains itself: ``?`` lists the keys with a sentence each, and every
console action is in the command palette."""

from __future__ import annotations

from textual.command import CommandList
from textual.widgets import DataTable, Static

from facilitator.dashboard import DashboardScreen
from facilitator.keys import KeysScreen, screen_keys
from facilitator.team import TeamScreen

from .test_facilitator import board, console, db, plain, until

__all__ = ["db"]  # the fixture, used by name


async def test_question_mark_lists_the_dashboard_keys_with_what_each_does(db) -> None:
    path, _ = db
    async with console(path) as (app, pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        text = plain(app.screen.query_one("#keys-list", Static))
        assert "Keys — Dashboard" in str(app.screen.query_one(".dialog-title").render())
        assert "Start — Start the exercise clock." in text
        # what does nothing yet is shown, dimmed and marked
        assert "Pause — Pause the clock (trainees cannot act while paused). (not now)" in text
        assert "Publish" in text and "Debrief" in text and "?  Keys" in text
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_every_key_of_every_console_screen_is_explained(db) -> None:
    path, _ = db
    async with console(path) as (app, pilot):
        await until(pilot, lambda: app.screen.query_one("#team-table", DataTable).row_count)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TeamScreen))
        keys = screen_keys(app.screen)
        assert {k.title for k in keys} >= {"Move", "Score", "Observe", "Message", "Keys"}
        assert all(k.explanation for k in keys), [k.title for k in keys if not k.explanation]
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Keys — Team red" in str(app.screen.query_one(".dialog-title").render())


async def test_the_command_palette_holds_every_console_action(db) -> None:
    path, _ = db
    async with console(path) as (app, pilot):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for action in ("Start (s)", "End (e)", "Debrief (d)", "Message (m)", "Injects (i)"):
            assert action in titles
        assert "Pause (p)" not in titles  # the clock is not running: nothing to pause
        await pilot.press("ctrl+p")
        await pilot.press(*"Start (s)")
        await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await until(pilot, lambda: board(app).clock.state == "running")
