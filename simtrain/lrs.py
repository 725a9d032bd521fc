"""Sending xAPI statements to a Learning Record Store (``simtrain report --format xapi
--send URL``).

Statements go to the LRS's statements resource in batches (``POST``, a JSON array), with
the ``X-Experience-API-Version: 1.0.3`` header and, when ``SIMTRAIN_LRS_AUTH`` is set,
HTTP basic authentication (``user:password``, or a whole ``Basic …`` value). A failed
request that may succeed later (no connection, a timeout, 429, 5xx) is retried with
exponential backoff; one the LRS refuses for good (400, 401, 403, 404…) stops the send
with the LRS's own words.

Never twice: every statement id is a stable UUID derived from its event
(:mod:`simtrain.report.xapi`), and an LRS stores one statement per id: it answers a
statement it already has with 204 (same content) or 409 (refused), never a second copy.
So a batch whose reply was lost is simply posted again, and a whole send can be run again
after a failure. When the LRS refuses a batch with 409 because it holds some of its ids
(a batch sent before, perhaps only in part), its statements are sent one by one with
``PUT ?statementId=…``: those the LRS already holds are counted as such and skipped. No
local record of sent ids is kept: the LRS is the one record, so two facilitators sending
the same exercise from two machines cannot duplicate it either.

Standard library only (urllib).
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simtrain.plaintext import clean_line
from simtrain.report.xapi import XAPI_VERSION

__all__ = ["AUTH_VARIABLE", "LrsError", "Sent", "send_statements"]

AUTH_VARIABLE = "SIMTRAIN_LRS_AUTH"
BATCH = 50
"""Statements per POST."""
ATTEMPTS = 5
"""Tries per request before giving up (waiting 0.5, 1, 2, 4 s in between by default)."""
TIMEOUT = 30.0
"""Seconds to wait for the LRS to answer one request."""
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


class LrsError(Exception):
    """The statements could not all be sent; the message says how far it got and why."""


@dataclass
class Sent:
    """What a send did."""

    stored: int = 0
    """Statements the LRS accepted in this send."""
    already: int = 0
    """Statements the LRS already held (sent before): not stored again."""
    batches: int = 0
    retries: int = 0

    def summary(self, url: str) -> str:
        total = self.stored + self.already
        text = f"sent {total} statement{'s' if total != 1 else ''} to {url}"
        text += f" in {self.batches} batch{'es' if self.batches != 1 else ''}"
        if self.already:
            text += f" ({self.already} the LRS already had, not stored again)"
        if self.retries:
            text += f"; {self.retries} request{'s' if self.retries != 1 else ''} retried"
        return text


Opener = Callable[[urllib.request.Request, float], Any]


def _open(request: urllib.request.Request, timeout: float) -> Any:
    return urllib.request.urlopen(request, timeout=timeout)


def authorization(auth: str | None) -> str | None:
    """The Authorization header for ``SIMTRAIN_LRS_AUTH`` (``user:password`` or ``Basic …``)."""
    if not auth:
        return None
    if auth.startswith("Basic "):
        return auth
    if ":" not in auth:
        raise LrsError(
            f"{AUTH_VARIABLE} must be 'key:secret' (the LRS's basic-auth credentials) or 'Basic …'"
        )
    return "Basic " + base64.b64encode(auth.encode("utf-8")).decode("ascii")


def send_statements(
    statements: Sequence[dict[str, Any]],
    url: str,
    *,
    auth: str | None = None,
    batch: int = BATCH,
    attempts: int = ATTEMPTS,
    backoff: float = 0.5,
    opener: Opener = _open,
    sleep: Callable[[float], None] = time.sleep,
) -> Sent:
    """Send ``statements`` to the statements endpoint ``url``; raises :class:`LrsError`."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise LrsError(
            f"'{url}' is not an LRS statements URL; give one such as "
            "https://lrs.example.org/xapi/statements"
        )
    sender = _Sender(url, authorization(auth), attempts, backoff, opener, sleep)
    for start in range(0, len(statements), batch):
        chunk = list(statements[start : start + batch])
        try:
            sender.post(chunk)
        except LrsError as exc:
            done = sender.sent.stored + sender.sent.already
            raise LrsError(
                f"{exc}; {done} of {len(statements)} statements were sent. Running the same "
                "command again is safe: the LRS stores each statement id once"
            ) from None
    return sender.sent


class _Sender:
    def __init__(
        self,
        url: str,
        auth: str | None,
        attempts: int,
        backoff: float,
        opener: Opener,
        sleep: Callable[[float], None],
    ) -> None:
        self.url = url
        self.auth = auth
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.opener = opener
        self.sleep = sleep
        self.sent = Sent()

    def post(self, chunk: list[dict[str, Any]]) -> None:
        status = self.request("POST", self.url, chunk)
        self.sent.batches += 1
        if status == 409:  # the LRS holds some of these ids already: one by one
            for statement in chunk:
                query = urllib.parse.urlencode({"statementId": statement["id"]})
                separator = "&" if "?" in self.url else "?"
                answer = self.request("PUT", f"{self.url}{separator}{query}", statement)
                if answer == 409:
                    self.sent.already += 1
                else:
                    self.sent.stored += 1
            return
        self.sent.stored += len(chunk)

    def request(self, method: str, url: str, body: Any) -> int:
        """The status of one request, retried while the failure may pass; 409 is returned
        (the caller decides), any other refusal raises :class:`LrsError`."""
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
        }
        if self.auth:
            headers["Authorization"] = self.auth
        problem = ""
        for attempt in range(self.attempts):
            if attempt:
                self.sent.retries += 1
                self.sleep(self.backoff * 2 ** (attempt - 1))
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with self.opener(request, TIMEOUT) as response:
                    return int(response.status)
            except urllib.error.HTTPError as exc:
                if exc.code == 409:
                    return 409
                said = _said(exc)
                problem = f"the LRS answered {exc.code} {exc.reason}{said}"
                if exc.code not in RETRYABLE:
                    if exc.code in (401, 403):
                        problem += f" (check {AUTH_VARIABLE})"
                    raise LrsError(problem) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                problem = f"could not reach the LRS at {self.url} ({reason})"
        raise LrsError(f"{problem}, {self.attempts} times")


def _said(error: urllib.error.HTTPError) -> str:
    """What the LRS said about a refusal, cut short (it may be a whole HTML page)."""
    try:
        body = error.read(400).decode("utf-8", "replace")
    except Exception:
        return ""
    text = clean_line(body, 200)
    return f": {text}" if text else ""
