"""The dispatcher's pure decisions: retry backoff and the last check before sending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifications.dispatch_rules import (
    DEFAULT_BACKOFF,
    Decision,
    Verdict,
    before_send,
    retry_delay,
)
from notifications.policy import SmsPolicy

MIN = timedelta(minutes=1)
PARIS = "Europe/Paris"
POLICY = SmsPolicy()  # quiet hours 20:00-8:30 local time


def paris(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    """A Paris wall-clock time in winter (UTC+1), as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


@pytest.mark.parametrize(
    ("attempts", "expected"),
    [(1, 1 * MIN), (2, 5 * MIN), (3, 15 * MIN), (4, 60 * MIN), (5, None), (9, None)],
)
def test_backoff_schedule_then_give_up(attempts: int, expected: timedelta | None) -> None:
    assert retry_delay(attempts) == expected


@pytest.mark.parametrize(
    ("attempts", "retry_after", "expected"),
    [
        (1, 120.0, 2 * MIN),  # the provider asks for longer: it wins
        (2, 30.0, 5 * MIN),  # shorter than the schedule: the schedule wins
        (1, 0.0, 1 * MIN),
        (1, None, 1 * MIN),
        (5, 10.0, None),  # a hint never revives a message given up
    ],
)
def test_retry_after_only_lengthens(
    attempts: int, retry_after: float | None, expected: timedelta | None
) -> None:
    assert retry_delay(attempts, retry_after=retry_after) == expected


def test_custom_schedule_and_bad_count() -> None:
    schedule = (timedelta(seconds=10),)
    assert retry_delay(1, schedule) == timedelta(seconds=10)
    assert retry_delay(2, schedule) is None
    assert len(DEFAULT_BACKOFF) == 4
    with pytest.raises(ValueError, match="at least 1"):
        retry_delay(0)


@pytest.mark.parametrize(
    ("now", "event_start", "recipient_ok", "expected"),
    [
        # day time, event tomorrow: send
        (paris(2, 10), paris(3, 14), True, Decision(Verdict.SEND)),
        # no event (a reply, an offer with no start): send by day
        (paris(2, 10), None, True, Decision(Verdict.SEND)),
        # opted out / phone flagged: skipped whatever the time
        (
            paris(2, 10),
            paris(3, 14),
            False,
            Decision(Verdict.SKIP, reason="recipient opted out or phone flagged"),
        ),
        # the event has begun (or begins right now): never
        (paris(3, 14), paris(3, 14), True, Decision(Verdict.SKIP, reason="event already started")),
        (paris(3, 15), paris(3, 14), True, Decision(Verdict.SKIP, reason="event already started")),
        # 22:00: deferred to 8:30 the next morning
        (
            paris(2, 22),
            paris(3, 14),
            True,
            Decision(Verdict.DEFER, due_at=paris(3, 8, 30), reason="quiet hours"),
        ),
        # 6:00: deferred to 8:30 the same morning
        (
            paris(3, 6),
            paris(3, 14),
            True,
            Decision(Verdict.DEFER, due_at=paris(3, 8, 30), reason="quiet hours"),
        ),
        # 20:00 sharp is quiet; 8:30 sharp is not
        (
            paris(2, 20),
            None,
            True,
            Decision(Verdict.DEFER, due_at=paris(3, 8, 30), reason="quiet hours"),
        ),
        (paris(3, 8, 30), paris(3, 14), True, Decision(Verdict.SEND)),
        # quiet hours last until the event (8:00): skipped rather than sent late
        (
            paris(2, 23),
            paris(3, 8),
            True,
            Decision(Verdict.SKIP, reason="quiet hours last until the event"),
        ),
        (
            paris(2, 23),
            paris(3, 8, 30),
            True,
            Decision(Verdict.SKIP, reason="quiet hours last until the event"),
        ),
    ],
)
def test_before_send(
    now: datetime, event_start: datetime | None, recipient_ok: bool, expected: Decision
) -> None:
    decision = before_send(
        now=now, event_start=event_start, tz=PARIS, policy=POLICY, recipient_ok=recipient_ok
    )
    assert decision == expected


def test_quiet_hours_follow_the_commune_zone() -> None:
    """21:00 UTC is 22:00 in Paris (quiet) but 01:00 the next day in Réunion (quiet too) and
    11:00 in Tahiti (day): the row's zone decides."""
    now = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
    verdicts = {
        tz: before_send(now=now, event_start=None, tz=tz, policy=POLICY, recipient_ok=True).verdict
        for tz in ("Europe/Paris", "Indian/Reunion", "Pacific/Tahiti")
    }
    assert verdicts == {
        "Europe/Paris": Verdict.DEFER,
        "Indian/Reunion": Verdict.DEFER,
        "Pacific/Tahiti": Verdict.SEND,
    }


def test_deferral_across_the_spring_dst_change() -> None:
    """The night of 28-29 March 2026 loses an hour: 8:30 local is then 6:30 UTC."""
    now = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)  # 23:00 in Paris (UTC+1)
    decision = before_send(now=now, event_start=None, tz=PARIS, policy=POLICY, recipient_ok=True)
    assert decision.due_at == datetime(2026, 3, 29, 6, 30, tzinfo=UTC)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        before_send(
            now=datetime(2026, 12, 2, 10),
            event_start=None,
            tz=PARIS,
            policy=POLICY,
            recipient_ok=True,
        )
