"""The dispatcher's decisions, pure (``now`` is an argument): retry backoff and the last check
before a claimed message is handed to the provider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from notifications.policy import SmsPolicy, adjust_for_quiet_hours, in_quiet_hours

DEFAULT_BACKOFF: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=60),
)
"""Waits after the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final."""


def retry_delay(
    attempts: int,
    schedule: tuple[timedelta, ...] = DEFAULT_BACKOFF,
    *,
    retry_after: float | None = None,
) -> timedelta | None:
    """The wait before the next attempt once ``attempts`` attempts have failed (transiently);
    None: give up. A provider's ``Retry-After`` hint (seconds) lengthens the wait, never
    shortens it."""
    if attempts < 1:
        raise ValueError("attempts counts the failed attempts, so it is at least 1")
    if attempts > len(schedule):
        return None
    delay = schedule[attempts - 1]
    if retry_after is not None and retry_after > 0:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


class Verdict(StrEnum):
    SEND = "send"
    DEFER = "defer"  # back to pending, due at ``Decision.due_at``
    SKIP = "skip"  # never to be sent


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    due_at: datetime | None = None
    reason: str = ""


def before_send(
    *,
    now: datetime,
    event_start: datetime | None,
    tz: str,
    policy: SmsPolicy,
    recipient_ok: bool,
) -> Decision:
    """Send now, defer past the quiet hours, or skip (opted out, flagged phone, event begun,
    or quiet hours lasting until the event)."""
    if now.tzinfo is None or (event_start is not None and event_start.tzinfo is None):
        raise ValueError("now and event_start must be timezone-aware")
    now = now.astimezone(UTC)
    if not recipient_ok:
        return Decision(Verdict.SKIP, reason="recipient opted out or phone flagged")
    if event_start is not None and now >= event_start:
        return Decision(Verdict.SKIP, reason="event already started")
    zone = ZoneInfo(tz)
    if not in_quiet_hours(now, zone, policy):
        return Decision(Verdict.SEND)
    later = adjust_for_quiet_hours(now, zone, policy, direction="later")
    if event_start is not None and later >= event_start:
        return Decision(Verdict.SKIP, reason="quiet hours last until the event")
    return Decision(Verdict.DEFER, due_at=later, reason="quiet hours")
