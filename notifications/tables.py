"""Piccolo tables of the notifications app: the SMS outbox and inbound messages.

The outbox refers to booking records by plain ids (``subject_kind``/``subject_id``) so that
this package never imports the booking app.
"""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMessage(Table):
    """One SMS to send. ``status``: pending -> claimed -> sent -> delivered | failed;
    or cancelled / skipped (quiet hours passed the event, opt-out)."""

    id = Serial(primary_key=True)
    kind = Varchar(length=40)
    to_phone = Varchar(length=16, index=True)
    body = Text()
    resident_id = Integer(null=True, default=None, index=True)
    subject_kind = Varchar(length=16, default="")
    subject_id = Integer(null=True, default=None, index=True)
    event_start = Timestamptz(null=True, default=None)
    timezone = Varchar(length=64, default="Europe/Paris")
    due_at = Timestamptz(index=True)
    status = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    claimed_at = Timestamptz(null=True, default=None)
    claimed_by = Varchar(length=64, default="")
    provider_id = Varchar(length=64, default="", index=True)
    provider_status = Varchar(length=32, default="")
    last_error = Varchar(length=300, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)


class InboundMessage(Table):
    """An SMS received from a resident, kept for the staff outbox view and trimmed by retention."""

    id = Serial(primary_key=True)
    from_phone = Varchar(length=16, index=True)
    body = Varchar(length=400)
    action = Varchar(length=32, default="")
    provider_id = Varchar(length=64, default="")
    received_at = Timestamptz(default=TimestamptzNow())
