"""When SMS are due: confirmation, reminders and quiet hours (pure: ``now`` is an argument).

Quiet hours are ``[quiet_start, quiet_end)`` in the commune's local time; the window may
wrap midnight (20:00-8:30) or not (0:00-7:00); equal bounds mean no quiet hours. Reminder
offsets of whole days are taken in local wall-clock time (the day-before reminder comes at
the same local hour across a DST change); the rest of an offset is absolute time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from notifications.templates import MessageKind

CHANNELS = frozenset({"online", "phone", "desk"})
MIN_GAP = timedelta(minutes=10)
"""A reminder due this close to an already planned message is dropped."""


@dataclass(frozen=True, slots=True)
class SmsPolicy:
    reminder_offsets: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=2))
    confirm_online_if_booked_ahead: timedelta | None = timedelta(0)
    """Online bookings are confirmed when made at least this long before the start (None:
    never); phone and desk bookings always are."""
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 30)
    evening_margin: timedelta = timedelta(minutes=15)
    """A message moved earlier out of quiet hours is due this long before ``quiet_start``,
    so that a dispatcher running a little late still sends it before the quiet hours."""


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    kind: MessageKind
    due_at: datetime  # UTC


def _aware(name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def in_quiet_hours(moment: datetime, tz: ZoneInfo, policy: SmsPolicy) -> bool:
    local = _aware("moment", moment).astimezone(tz).time().replace(tzinfo=None)
    start, end = policy.quiet_start, policy.quiet_end
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def adjust_for_quiet_hours(
    due: datetime, tz: ZoneInfo, policy: SmsPolicy, *, direction: Literal["earlier", "later"]
) -> datetime:
    """``due`` in UTC, moved out of quiet hours: "later" to their end, "earlier" to
    ``evening_margin`` before their start. Unchanged outside quiet hours."""
    due = _aware("due", due)
    if not in_quiet_hours(due, tz, policy):
        return due
    day = due.astimezone(tz).date()
    if direction == "later":
        end = _local_instant(day, policy.quiet_end, tz)
        return end if end > due else _local_instant(day + timedelta(days=1), policy.quiet_end, tz)
    begin = _local_instant(day, policy.quiet_start, tz)
    if begin > due:
        begin = _local_instant(day - timedelta(days=1), policy.quiet_start, tz)
    return begin - policy.evening_margin


def _before(start: datetime, offset: timedelta, tz: ZoneInfo) -> datetime:
    """``start - offset``: whole days in local wall-clock time, the rest in absolute time."""
    days = timedelta(days=offset.days)
    wall = start.astimezone(tz).replace(tzinfo=None) - days
    return wall.replace(tzinfo=tz).astimezone(UTC) - (offset - days)


def _confirms(channel: str, ahead: timedelta, policy: SmsPolicy) -> bool:
    if channel != "online":
        return True
    threshold = policy.confirm_online_if_booked_ahead
    return threshold is not None and ahead >= threshold


def plan_messages(
    *,
    start: datetime,
    tz: str,
    booked_at: datetime,
    channel: str,
    now: datetime,
    policy: SmsPolicy,
    confirmation: MessageKind,
    reminder: MessageKind,
) -> list[PlannedMessage]:
    """Confirmation (due now, moved later out of quiet hours) and reminders (due
    ``start - offset``, moved earlier), sorted by due time. Nothing is due at or after
    ``start``; a reminder due before ``now`` or ``booked_at``, or within ``MIN_GAP`` of
    an already planned message, is dropped."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    zone = ZoneInfo(tz)
    start, booked_at = _aware("start", start), _aware("booked_at", booked_at)
    now = _aware("now", now)
    planned: list[PlannedMessage] = []
    if _confirms(channel, start - booked_at, policy):
        due = adjust_for_quiet_hours(now, zone, policy, direction="later")
        if due < start:
            planned.append(PlannedMessage(confirmation, due))
    for offset in sorted(policy.reminder_offsets, reverse=True):
        if offset <= timedelta(0):
            continue
        due = adjust_for_quiet_hours(
            _before(start, offset, zone), zone, policy, direction="earlier"
        )
        if due >= start or due < now or due < booked_at:
            continue
        if any(abs(due - message.due_at) <= MIN_GAP for message in planned):
            continue
        planned.append(PlannedMessage(reminder, due))
    return sorted(planned, key=lambda message: message.due_at)


def plan_appointment_messages(
    *, start: datetime, tz: str, booked_at: datetime, channel: str, now: datetime, policy: SmsPolicy
) -> list[PlannedMessage]:
    return plan_messages(
        start=start,
        tz=tz,
        booked_at=booked_at,
        channel=channel,
        now=now,
        policy=policy,
        confirmation=MessageKind.APPOINTMENT_CONFIRMATION,
        reminder=MessageKind.APPOINTMENT_REMINDER,
    )


def plan_workshop_messages(
    *, start: datetime, tz: str, booked_at: datetime, channel: str, now: datetime, policy: SmsPolicy
) -> list[PlannedMessage]:
    """Same rules for a workshop registration (confirmed, not waitlisted)."""
    return plan_messages(
        start=start,
        tz=tz,
        booked_at=booked_at,
        channel=channel,
        now=now,
        policy=policy,
        confirmation=MessageKind.WORKSHOP_REGISTRATION,
        reminder=MessageKind.WORKSHOP_REMINDER,
    )


def may_send_now(
    *, now: datetime, event_start: datetime | None, tz: str, policy: SmsPolicy
) -> bool:
    """The dispatcher's last check: not in quiet hours, not at or after the event start."""
    now = _aware("now", now)
    if event_start is not None and now >= _aware("event_start", event_start):
        return False
    return not in_quiet_hours(now, ZoneInfo(tz), policy)
