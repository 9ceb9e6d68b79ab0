from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifications.policy import (
    PlannedMessage,
    SmsPolicy,
    adjust_for_quiet_hours,
    in_quiet_hours,
    may_send_now,
    plan_appointment_messages,
    plan_workshop_messages,
)
from notifications.templates import MessageKind

PARIS = ZoneInfo("Europe/Paris")
REUNION = ZoneInfo("Indian/Reunion")
POLICY = SmsPolicy()
CONFIRMATION = MessageKind.APPOINTMENT_CONFIRMATION
REMINDER = MessageKind.APPOINTMENT_REMINDER


def paris(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def plan(
    start: datetime,
    booked_at: datetime,
    *,
    channel: str = "online",
    now: datetime | None = None,
    tz: str = "Europe/Paris",
    policy: SmsPolicy = POLICY,
) -> list[tuple[MessageKind, datetime]]:
    messages = plan_appointment_messages(
        start=start,
        tz=tz,
        booked_at=booked_at,
        channel=channel,
        now=booked_at if now is None else now,
        policy=policy,
    )
    assert all(message.due_at.tzinfo is UTC for message in messages)
    return [(message.kind, message.due_at.astimezone(ZoneInfo(tz))) for message in messages]


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        (time(19, 59), False),
        (time(20, 0), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(8, 29), True),
        (time(8, 30), False),
        (time(12, 0), False),
    ],
)
def test_quiet_hours_wrap_midnight(local: time, quiet: bool) -> None:
    moment = datetime.combine(datetime(2026, 12, 1).date(), local, tzinfo=PARIS)
    assert in_quiet_hours(moment, PARIS, POLICY) is quiet


@pytest.mark.parametrize(
    ("policy", "local", "quiet"),
    [
        (SmsPolicy(quiet_start=time(0, 0), quiet_end=time(7, 0)), time(6, 59), True),
        (SmsPolicy(quiet_start=time(0, 0), quiet_end=time(7, 0)), time(7, 0), False),
        (SmsPolicy(quiet_start=time(0, 0), quiet_end=time(7, 0)), time(23, 0), False),
        (SmsPolicy(quiet_start=time(0, 0), quiet_end=time(0, 0)), time(3, 0), False),
    ],
)
def test_quiet_hours_other_windows(policy: SmsPolicy, local: time, quiet: bool) -> None:
    moment = datetime.combine(datetime(2026, 12, 1).date(), local, tzinfo=PARIS)
    assert in_quiet_hours(moment, PARIS, policy) is quiet


@pytest.mark.parametrize(
    ("due", "direction", "expected"),
    [
        (paris(2026, 12, 1, 22, 0), "later", paris(2026, 12, 2, 8, 30)),
        (paris(2026, 12, 2, 6, 0), "later", paris(2026, 12, 2, 8, 30)),
        (paris(2026, 12, 1, 22, 0), "earlier", paris(2026, 12, 1, 19, 45)),
        (paris(2026, 12, 2, 6, 0), "earlier", paris(2026, 12, 1, 19, 45)),
        (paris(2026, 12, 2, 20, 0), "earlier", paris(2026, 12, 2, 19, 45)),
        (paris(2026, 12, 2, 12, 0), "earlier", paris(2026, 12, 2, 12, 0)),
        (paris(2026, 12, 2, 19, 59), "later", paris(2026, 12, 2, 19, 59)),
        # DST: the night of the spring change is one hour shorter
        (paris(2026, 3, 29, 1, 0), "later", paris(2026, 3, 29, 8, 30)),
        (paris(2026, 3, 29, 6, 0), "earlier", paris(2026, 3, 28, 19, 45)),
    ],
)
def test_adjust_for_quiet_hours(due: datetime, direction: str, expected: datetime) -> None:
    adjusted = adjust_for_quiet_hours(due, PARIS, POLICY, direction=direction)  # type: ignore[arg-type]
    assert adjusted == expected
    assert adjusted.tzinfo is UTC


def test_adjust_uses_the_commune_time_zone() -> None:
    due = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 18:00 in Paris, 21:00 in Saint-Denis
    assert adjust_for_quiet_hours(due, PARIS, POLICY, direction="earlier") == due
    moved = adjust_for_quiet_hours(due, REUNION, POLICY, direction="earlier")
    assert moved == datetime(2026, 12, 1, 19, 45, tzinfo=REUNION)


def test_booking_a_week_ahead_gets_confirmation_and_two_reminders() -> None:
    booked = paris(2026, 11, 24, 10, 0)
    start = paris(2026, 12, 1, 14, 0)
    assert plan(start, booked) == [
        (CONFIRMATION, booked),
        (REMINDER, paris(2026, 11, 30, 14, 0)),
        (REMINDER, paris(2026, 12, 1, 12, 0)),
    ]


def test_booking_one_hour_before_gets_no_reminder() -> None:
    booked = paris(2026, 12, 1, 13, 0)
    assert plan(paris(2026, 12, 1, 14, 0), booked) == [(CONFIRMATION, booked)]


def test_late_evening_booking_for_the_next_morning() -> None:
    # confirmation waits for 8:30; the 7:00 reminder would move to 19:45, already past
    booked = paris(2026, 12, 1, 23, 0)
    assert plan(paris(2026, 12, 2, 10, 0), booked, channel="phone") == [
        (CONFIRMATION, paris(2026, 12, 2, 8, 30))
    ]


def test_confirmation_pushed_to_the_start_is_dropped() -> None:
    assert plan(paris(2026, 12, 2, 8, 30), paris(2026, 12, 1, 23, 0), channel="phone") == []


def test_early_reminder_moves_to_the_previous_evening() -> None:
    booked = paris(2026, 12, 1, 10, 0)
    # day-before reminder (today 9:00) is past; 2 h reminder 7:00 -> 19:45 this evening
    assert plan(paris(2026, 12, 2, 9, 0), booked) == [
        (CONFIRMATION, booked),
        (REMINDER, paris(2026, 12, 1, 19, 45)),
    ]


@pytest.mark.parametrize(
    ("ahead", "reminder_kept"),
    [(timedelta(hours=2, minutes=5), False), (timedelta(hours=2, minutes=15), True)],
)
def test_reminder_too_close_to_the_confirmation_is_dropped(
    ahead: timedelta, reminder_kept: bool
) -> None:
    start = paris(2026, 12, 1, 15, 0)
    kinds = [kind for kind, _ in plan(start, start - ahead)]
    assert kinds == ([CONFIRMATION, REMINDER] if reminder_kept else [CONFIRMATION])


def test_reminders_moved_to_the_same_evening_are_not_doubled() -> None:
    policy = SmsPolicy(reminder_offsets=(timedelta(hours=12), timedelta(hours=13)))
    start = paris(2026, 12, 2, 9, 0)  # both due in the night -> both 19:45
    planned = plan(start, paris(2026, 11, 20, 10, 0), policy=policy)
    assert planned == [
        (CONFIRMATION, paris(2026, 11, 20, 10, 0)),
        (REMINDER, paris(2026, 12, 1, 19, 45)),
    ]


@pytest.mark.parametrize(
    ("channel", "threshold", "ahead", "confirmed"),
    [
        ("online", timedelta(0), timedelta(hours=3), True),
        ("online", None, timedelta(days=10), False),
        ("online", timedelta(days=1), timedelta(hours=3), False),
        ("online", timedelta(days=1), timedelta(days=2), True),
        ("phone", None, timedelta(hours=3), True),
        ("desk", timedelta(days=1), timedelta(hours=3), True),
    ],
)
def test_confirmation_by_channel(
    channel: str, threshold: timedelta | None, ahead: timedelta, confirmed: bool
) -> None:
    policy = SmsPolicy(confirm_online_if_booked_ahead=threshold)
    start = paris(2026, 12, 1, 15, 0)
    kinds = [kind for kind, _ in plan(start, start - ahead, channel=channel, policy=policy)]
    assert (CONFIRMATION in kinds) is confirmed


def test_nothing_at_or_after_start() -> None:
    policy = SmsPolicy(reminder_offsets=(timedelta(0), -timedelta(hours=1), timedelta(minutes=30)))
    start = paris(2026, 12, 1, 15, 0)
    planned = plan(start, paris(2026, 11, 1, 10, 0), policy=policy)
    assert planned == [
        (CONFIRMATION, paris(2026, 11, 1, 10, 0)),
        (REMINDER, paris(2026, 12, 1, 14, 30)),
    ]


def test_dst_spring_day_before_reminder_keeps_the_local_hour() -> None:
    # summer time starts on Sunday 29 March 2026 at 2:00; the day before is only 23 hours
    start = paris(2026, 3, 29, 14, 0)
    planned = plan(start, paris(2026, 3, 20, 10, 0))
    assert planned[1:] == [
        (REMINDER, paris(2026, 3, 28, 14, 0)),
        (REMINDER, paris(2026, 3, 29, 12, 0)),
    ]
    assert start.astimezone(UTC) - planned[1][1].astimezone(UTC) == timedelta(hours=23)


def test_dst_autumn_week() -> None:
    # winter time starts on Sunday 25 October 2026 at 3:00; the day before is 25 hours
    start = paris(2026, 10, 26, 9, 30)
    planned = plan(start, paris(2026, 10, 19, 10, 0))
    assert planned[1:] == [
        (REMINDER, paris(2026, 10, 25, 9, 30)),
        (REMINDER, paris(2026, 10, 25, 19, 45)),
    ]
    assert planned[1][1].utcoffset() == timedelta(hours=1)


def test_reunion_commune_uses_its_own_local_time() -> None:
    start = datetime(2026, 12, 2, 9, 0, tzinfo=REUNION)
    booked = datetime(2026, 11, 25, 10, 0, tzinfo=REUNION)
    planned = plan(start, booked, tz="Indian/Reunion")
    assert planned == [
        (CONFIRMATION, booked),
        (REMINDER, datetime(2026, 12, 1, 9, 0, tzinfo=REUNION)),
        (REMINDER, datetime(2026, 12, 1, 19, 45, tzinfo=REUNION)),
    ]
    assert planned[2][1].astimezone(UTC).hour == 15


def test_workshop_plan_uses_workshop_kinds() -> None:
    messages = plan_workshop_messages(
        start=paris(2026, 12, 1, 14, 0),
        tz="Europe/Paris",
        booked_at=paris(2026, 11, 20, 10, 0),
        channel="online",
        now=paris(2026, 11, 20, 10, 0),
        policy=POLICY,
    )
    assert [m.kind for m in messages] == [
        MessageKind.WORKSHOP_REGISTRATION,
        MessageKind.WORKSHOP_REMINDER,
        MessageKind.WORKSHOP_REMINDER,
    ]


def test_invalid_arguments_are_refused() -> None:
    start = paris(2026, 12, 1, 14, 0)
    with pytest.raises(ValueError, match="channel"):
        plan(start, paris(2026, 11, 20, 10, 0), channel="fax")
    with pytest.raises(ValueError, match="aware"):
        plan(datetime(2026, 12, 1, 14, 0), paris(2026, 11, 20, 10, 0))


@pytest.mark.parametrize(
    ("now", "event_start", "allowed"),
    [
        (paris(2026, 12, 1, 12, 0), paris(2026, 12, 1, 14, 0), True),
        (paris(2026, 12, 1, 13, 59), paris(2026, 12, 1, 14, 0), True),
        (paris(2026, 12, 1, 14, 0), paris(2026, 12, 1, 14, 0), False),
        (paris(2026, 12, 1, 14, 1), paris(2026, 12, 1, 14, 0), False),
        (paris(2026, 12, 1, 21, 0), paris(2026, 12, 2, 14, 0), False),
        (paris(2026, 12, 2, 8, 29), None, False),
        (paris(2026, 12, 2, 8, 30), None, True),
    ],
)
def test_may_send_now(now: datetime, event_start: datetime | None, allowed: bool) -> None:
    assert (
        may_send_now(now=now, event_start=event_start, tz="Europe/Paris", policy=POLICY) is allowed
    )


def test_may_send_now_in_reunion() -> None:
    now = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 18:00 Paris, 21:00 Saint-Denis
    assert may_send_now(now=now, event_start=None, tz="Europe/Paris", policy=POLICY)
    assert not may_send_now(now=now, event_start=None, tz="Indian/Reunion", policy=POLICY)


@given(
    start_minutes=st.integers(min_value=0, max_value=60 * 24 * 30),
    lead_minutes=st.integers(min_value=0, max_value=60 * 24 * 10),
    channel=st.sampled_from(["online", "phone", "desk"]),
    tz=st.sampled_from(["Europe/Paris", "Indian/Reunion", "America/Cayenne"]),
)
def test_planned_messages_respect_every_rule(
    start_minutes: int, lead_minutes: int, channel: str, tz: str
) -> None:
    start = datetime(2026, 3, 15, tzinfo=UTC) + timedelta(minutes=start_minutes)
    booked = start - timedelta(minutes=lead_minutes)
    messages = plan_appointment_messages(
        start=start, tz=tz, booked_at=booked, channel=channel, now=booked, policy=POLICY
    )
    assert messages == sorted(messages, key=lambda m: m.due_at)
    for message in messages:
        assert isinstance(message, PlannedMessage)
        assert booked <= message.due_at < start
        assert may_send_now(now=message.due_at, event_start=start, tz=tz, policy=POLICY)
    for first, second in pairwise(messages):
        assert second.due_at - first.due_at > timedelta(minutes=10)
    assert sum(m.kind is CONFIRMATION for m in messages) <= 1
