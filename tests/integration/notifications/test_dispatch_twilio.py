"""The dispatcher against a local Twilio, through Twilio's real async client: sends, retries
with backoff, permanent failures, quiet hours, events begun, crash reconciliation."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from notifications.dispatcher import DispatchConfig, Dispatcher
from notifications.sender_base import SmsSender
from notifications.senders import ConsoleSender
from notifications.tables import OutboxMessage
from notifications.twilio_sender import TwilioSender
from tests.integration.notifications.conftest import OUR_NUMBER
from tests.integration.notifications.helpers import add_message, add_resident, phone_status, row
from tests.support.clock import FrozenClock
from tests.twilio_fake import FakeTwilio

CALLBACK = "https://rdv.example.fr/webhooks/twilio/status"
PHONE = "+33612345678"
MIN = timedelta(minutes=1)


def dispatcher(
    sender: SmsSender, clock: FrozenClock, worker: str = "worker-a", **config: Any
) -> Dispatcher:
    return Dispatcher(
        sender, DispatchConfig(worker_id=worker, status_callback=CALLBACK, **config), clock=clock
    )


def posts(fake: FakeTwilio) -> int:
    return sum(1 for r in fake.requests if r.method == "POST")


def gets(fake: FakeTwilio) -> int:
    return sum(1 for r in fake.requests if r.method == "GET")


async def test_sends_what_is_due_once_and_records_the_sid(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    now = day_clock()
    first = await add_message(now, body="Premier message")
    second = await add_message(now - MIN, to_phone="+33698765432", body="Second message")
    later = await add_message(now, due_at=now + timedelta(hours=1), body="Plus tard")

    report = await dispatcher(twilio, day_clock).drain()

    assert (report["claimed"], report["sent"]) == (2, 2)
    by_body = {m.body: m for m in fake.messages}
    assert sorted(by_body) == ["Premier message", "Second message"]
    for message_id, body in ((first, "Premier message"), (second, "Second message")):
        sent = await row(message_id)
        assert sent["status"] == "sent" and sent["provider_id"] == by_body[body].sid
        assert (sent["provider_status"], sent["attempts"], sent["sent_at"]) == ("queued", 1, now)
        assert sent["claimed_by"] == "worker-a"
    assert by_body["Premier message"].status_callback == CALLBACK
    assert by_body["Premier message"].from_ == OUR_NUMBER
    assert (await row(later))["status"] == "pending"
    assert (await dispatcher(twilio, day_clock).drain())["claimed"] == 0
    assert len(fake.messages) == 2


async def test_server_error_is_retried_after_a_reconciliation(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    message_id = await add_message(day_clock())
    fake.fail_next(503)
    report = await dispatcher(twilio, day_clock).drain()
    assert report["retry"] == 1
    retried = await row(message_id)
    assert retried["status"] == "pending" and retried["attempts"] == 1
    assert retried["due_at"] == day_clock() + MIN
    assert retried["provider_status"] == "unconfirmed"  # a 5xx may hide an accepted message
    assert "503" in retried["last_error"] and retried["claimed_by"] == ""
    assert (await dispatcher(twilio, day_clock).drain())["claimed"] == 0  # not due yet

    day_clock.advance(MIN)
    report = await dispatcher(twilio, day_clock).drain()
    assert report["sent"] == 1
    [message] = fake.messages
    sent = await row(message_id)
    assert (sent["status"], sent["provider_id"], sent["attempts"]) == ("sent", message.sid, 2)
    assert gets(fake) >= 1 and posts(fake) == 2  # looked for it first, then sent it


async def test_backoff_schedule_then_gives_up(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    message_id = await add_message(day_clock(), event_start=day_clock() + timedelta(days=2))
    fake.fail_next(500, count=5)
    waits = []
    for _ in range(4):
        await dispatcher(twilio, day_clock).drain()
        pending = await row(message_id)
        assert pending["status"] == "pending"
        waits.append(pending["due_at"] - day_clock())
        day_clock.set(pending["due_at"])
    assert waits == [MIN, 5 * MIN, 15 * MIN, 60 * MIN]
    report = await dispatcher(twilio, day_clock).drain()
    assert report["failed"] == 1
    failed = await row(message_id)
    assert failed["status"] == "failed" and failed["attempts"] == 5
    assert failed["last_error"].startswith("gave up after 5 attempts")
    assert posts(fake) == 5 and not fake.messages


async def test_rate_limit_waits_as_asked_and_needs_no_reconciliation(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    message_id = await add_message(day_clock())
    fake.fail_next(429, code=20429, retry_after=300)
    await dispatcher(twilio, day_clock).drain()
    limited = await row(message_id)
    assert limited["due_at"] == day_clock() + 5 * MIN and limited["provider_status"] == ""
    day_clock.advance(5 * MIN)
    assert (await dispatcher(twilio, day_clock).drain())["sent"] == 1
    assert gets(fake) == 0 and len(fake.messages) == 1


@pytest.mark.parametrize(("code", "flag"), [(21211, "invalid"), (21610, "unsubscribed")])
async def test_permanent_error_fails_and_flags_the_number(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock, code: int, flag: str
) -> None:
    mother = await add_resident(PHONE, first_name="Josiane")
    son = await add_resident(PHONE, first_name="Kevin")  # a family shares the mobile
    neighbour = await add_resident("+33698765432", first_name="Paul")
    message_id = await add_message(day_clock(), resident_id=mother)
    fake.fail_next(400, code=code)
    report = await dispatcher(twilio, day_clock).drain()
    assert report["failed"] == 1
    failed = await row(message_id)
    assert failed["status"] == "failed" and str(code) in failed["last_error"]
    assert await phone_status(mother) == await phone_status(son) == (True, flag)
    assert await phone_status(neighbour) == (True, "ok")
    # what else was waiting for that number is skipped, not sent
    next_one = await add_message(day_clock(), resident_id=son, body="Autre message")
    assert (await dispatcher(twilio, day_clock).drain())["skipped"] == 1
    assert (await row(next_one))["status"] == "skipped" and posts(fake) == 1


async def test_other_refusals_fail_without_flagging(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    resident = await add_resident(PHONE)
    message_id = await add_message(day_clock(), resident_id=resident)
    fake.fail_next(400, code=21606)  # our sender number is not allowed: not the resident's fault
    await dispatcher(twilio, day_clock).drain()
    assert (await row(message_id))["status"] == "failed"
    assert await phone_status(resident) == (True, "ok")


async def test_quiet_hours_defer_to_the_morning(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    evening = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)  # 21:30 in Paris
    day_clock.set(evening)
    message_id = await add_message(evening, event_start=evening + timedelta(days=1))
    report = await dispatcher(twilio, day_clock).drain()
    assert report["deferred"] == 1 and not fake.requests
    deferred = await row(message_id)
    morning = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)  # 8:30 in Paris
    assert (deferred["status"], deferred["due_at"], deferred["attempts"]) == ("pending", morning, 0)
    day_clock.set(morning)
    assert (await dispatcher(twilio, day_clock).drain())["sent"] == 1


async def test_quiet_hours_follow_the_row_zone(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    day_clock.set(datetime(2026, 11, 24, 20, 30, tzinfo=UTC))  # 10:30 in Tahiti
    await add_message(day_clock(), timezone="Pacific/Tahiti")
    assert (await dispatcher(twilio, day_clock).drain())["sent"] == 1


async def test_nothing_is_sent_once_the_event_has_started(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    begun = await add_message(day_clock(), event_start=day_clock() - MIN)
    until_event = await add_message(  # 23:00 in Paris, the event at 8:00: never in time
        day_clock(),
        due_at=datetime(2026, 11, 24, 22, 0, tzinfo=UTC),
        event_start=datetime(2026, 11, 25, 7, 0, tzinfo=UTC),
    )
    day_clock.set(datetime(2026, 11, 24, 22, 0, tzinfo=UTC))
    report = await dispatcher(twilio, day_clock).drain()
    assert report["skipped"] == 2 and not fake.requests
    assert (await row(begun))["last_error"] == "event already started"
    assert (await row(until_event))["last_error"] == "quiet hours last until the event"


async def test_opted_out_or_flagged_recipients_are_skipped(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    now = day_clock()
    skipped = [
        await add_message(now, resident_id=await add_resident("+33600000001", sms_consent=False)),
        await add_message(
            now, resident_id=await add_resident("+33600000002", phone_status="invalid")
        ),
        await add_message(
            now, resident_id=await add_resident("+33600000003", phone_status="unsubscribed")
        ),
        await add_message(now, resident_id=987654),  # resident gone
    ]
    ok = await add_message(now, resident_id=await add_resident("+33600000004"), body="Pour vous")
    report = await dispatcher(twilio, day_clock).drain()
    assert (report["skipped"], report["sent"]) == (4, 1)
    assert [(await row(i))["status"] for i in skipped] == ["skipped"] * 4
    assert (await row(ok))["status"] == "sent"
    assert [m.body for m in fake.messages] == ["Pour vous"]


async def test_dropped_connection_after_acceptance_is_reconciled_not_resent(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    message_id = await add_message(day_clock())
    fake.crash_after_accept()
    await dispatcher(twilio, day_clock).drain()
    [accepted] = fake.messages  # Twilio has it, we never heard back
    unsure = await row(message_id)
    assert (unsure["status"], unsure["provider_status"]) == ("pending", "unconfirmed")
    day_clock.advance(MIN)
    report = await dispatcher(twilio, day_clock).drain()
    assert report["reconciled"] == 1
    done = await row(message_id)
    assert (done["status"], done["provider_id"]) == ("sent", accepted.sid)
    assert posts(fake) == 1 and len(fake.messages) == 1


async def test_claim_of_a_dead_dispatcher_is_reconciled_after_the_lease(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    now = day_clock()
    crashed_after_send = await add_message(
        now,
        body="Parti avant le crash",
        status="claimed",
        claimed_by="dead:1:x",
        claimed_at=now - 6 * MIN,
    )
    result = await twilio.send(to=PHONE, body="Parti avant le crash", status_callback=None)
    crashed_before_send = await add_message(
        now, body="Jamais parti", status="claimed", claimed_by="dead:1:x", claimed_at=now - 6 * MIN
    )
    still_leased = await add_message(
        now,
        body="Encore en cours",
        status="claimed",
        claimed_by="alive:2:y",
        claimed_at=now - 2 * MIN,
    )

    report = await dispatcher(twilio, day_clock).drain()

    assert (report["claimed"], report["reconciled"], report["sent"]) == (2, 1, 1)
    recovered = await row(crashed_after_send)
    assert (recovered["status"], recovered["provider_id"]) == ("sent", result.provider_id)
    assert recovered["claimed_by"] == "worker-a"
    assert (await row(crashed_before_send))["status"] == "sent"
    leased = await row(still_leased)
    assert (leased["status"], leased["claimed_by"]) == ("claimed", "alive:2:y")
    assert Counter(m.body for m in fake.messages) == {"Parti avant le crash": 1, "Jamais parti": 1}


async def test_a_provider_message_recorded_on_another_row_is_not_taken(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    """The same text twice to one number (rebooked then cancelled again): the second row's
    reconciliation must not claim the first row's SMS."""
    body = "RDV du mar. 24 nov. a 14h00 annule."
    earlier = await twilio.send(to=PHONE, body=body, status_callback=None)
    await add_message(day_clock(), body=body, status="sent", provider_id=earlier.provider_id)
    second = await add_message(day_clock(), body=body, provider_status="unconfirmed")
    report = await dispatcher(twilio, day_clock).drain()
    assert report["sent"] == 1
    resent = await row(second)
    assert resent["provider_id"] not in ("", earlier.provider_id)
    assert len(fake.messages) == 2


class StolenDuringSend:
    """Another dispatcher takes the row over while this one is sending (lease overrun)."""

    name = "stolen"

    def __init__(self, inner: SmsSender) -> None:
        self.inner = inner

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def send(self, *, to: str, body: str, status_callback: str | None) -> Any:
        await OutboxMessage.update({OutboxMessage.claimed_by: "worker-b"}).where(
            OutboxMessage.body == body
        )
        return await self.inner.send(to=to, body=body, status_callback=status_callback)

    async def find_sent(self, *, to: str, body: str, since: datetime) -> Any:
        return await self.inner.find_sent(to=to, body=body, since=since)


async def test_a_dispatcher_that_lost_its_claim_writes_nothing(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    message_id = await add_message(day_clock())
    await dispatcher(StolenDuringSend(twilio), day_clock).drain()
    taken = await row(message_id)
    assert (taken["status"], taken["claimed_by"], taken["provider_id"]) == (
        "claimed",
        "worker-b",
        "",
    )


async def test_two_dispatchers_in_one_process_send_each_message_once(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    import asyncio

    for i in range(60):
        await add_message(day_clock(), to_phone=f"+336100{i:05d}", body=f"Message {i}")
    a = dispatcher(twilio, day_clock, "worker-a", batch_size=5, concurrency=4)
    b = dispatcher(twilio, day_clock, "worker-b", batch_size=5, concurrency=4)
    reports = await asyncio.gather(a.drain(), b.drain())
    assert sum(r["sent"] for r in reports) == 60
    assert Counter(m.body for m in fake.messages) == {f"Message {i}": 1 for i in range(60)}
    statuses = await OutboxMessage.select(OutboxMessage.status).distinct()
    assert [s["status"] for s in statuses] == ["sent"]


async def test_console_sender_keeps_messages_in_the_outbox(day_clock: FrozenClock) -> None:
    message_id = await add_message(day_clock())
    report = await dispatcher(ConsoleSender(), day_clock).drain()
    assert report["sent"] == 1
    kept = await row(message_id)
    assert kept["status"] == "sent" and kept["provider_id"].startswith("console-")


async def test_an_abandoned_claim_deferred_by_the_night_is_still_reconciled(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    """A dispatcher died right after sending at 19:59; its row is taken over at 20:05 (quiet
    hours) and deferred: in the morning it must be looked up, not sent again."""
    day_clock.set(datetime(2026, 11, 24, 18, 59, tzinfo=UTC))  # 19:59 in Paris
    body = "Rappel de votre RDV demain a 14h00."
    message_id = await add_message(
        day_clock(),
        body=body,
        status="claimed",
        claimed_by="dead:1:x",
        claimed_at=day_clock(),
        event_start=datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
    )
    accepted = await twilio.send(to=PHONE, body=body, status_callback=None)
    day_clock.set(datetime(2026, 11, 24, 19, 5, tzinfo=UTC))  # 20:05, the lease has passed
    assert (await dispatcher(twilio, day_clock).drain())["deferred"] == 1
    assert (await row(message_id))["provider_status"] == "unconfirmed"
    day_clock.set(datetime(2026, 11, 25, 7, 30, tzinfo=UTC))
    assert (await dispatcher(twilio, day_clock).drain())["reconciled"] == 1
    assert (await row(message_id))["provider_id"] == accepted.provider_id
    assert len(fake.messages) == 1


async def test_daily_cap_per_recipient(
    fake: FakeTwilio, twilio: TwilioSender, day_clock: FrozenClock
) -> None:
    now = day_clock()
    ids = [await add_message(now, body=f"Message {n}") for n in range(5)]
    other = await add_message(now, to_phone="+33698765432", body="Autre numéro")

    report = await dispatcher(twilio, day_clock, daily_cap=3).drain()

    assert (report["sent"], report["capped"]) == (4, 2)
    statuses = Counter([(await row(i))["status"] for i in ids])
    assert statuses == Counter({"sent": 3, "skipped": 2})
    assert (await row(other))["status"] == "sent"
    assert posts(fake) == 4
