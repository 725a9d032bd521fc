"""Scenario text on screen: CommonMark with tables and strikethrough, and no auto-links.

Textual's Markdown widget parses with markdown-it's "gfm-like" preset unless told
otherwise. Its one addition we do not want is linkify: turning any text that looks like a
web address into a link. A scenario's text is shown as its author wrote it, and the
unicode tables linkify compiles held about 1.2 MB of every seat's memory (issue 10's
target is 55 MB a seat).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from textual.widgets import Markdown


def scenario_parser() -> MarkdownIt:
    """The parser of every Markdown widget simtrain shows."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


class ScenarioMarkdown(Markdown):
    """A Markdown widget with :func:`scenario_parser`."""

    def __init__(
        self, markdown: str | None = None, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(markdown, id=id, classes=classes, parser_factory=scenario_parser)
