"""TwilioSender.find_sent: reconciling a claimed, unconfirmed SMS against Twilio's list."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from notifications.sender_base import PermanentSendError, TransientSendError
from notifications.twilio_sender import TwilioSender
from tests.twilio_fake import FakeTwilio
from tests.twilio_fake.netguard import forbid_dns

RESIDENT = "+33612345678"
OTHER = "+33698765432"
BODY = "Rappel : atelier « Mon espace santé » jeudi 6 nov. à 10h00, EPN de Sélestat."
NOW = datetime(2026, 11, 3, 9, 15, 42, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def dns_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return forbid_dns(monkeypatch)


@pytest.fixture
def fake() -> Any:
    with FakeTwilio(clock=lambda: NOW) as server:
        yield server


@pytest.fixture
async def sender(fake: FakeTwilio) -> AsyncIterator[TwilioSender]:
    sender = TwilioSender(fake.sender_config(from_number="+33757000001"))
    await sender.start()
    yield sender
    await sender.close()


def gets(fake: FakeTwilio) -> list[dict[str, str]]:
    return [r.query for r in fake.requests if r.method == "GET"]


async def test_finds_a_message_accepted_before_the_connection_dropped(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    fake.crash_after_accept()
    with pytest.raises(TransientSendError):
        await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    [accepted] = fake.messages
    found = await sender.find_sent(to=RESIDENT, body=BODY, since=NOW)
    assert found is not None
    assert (found.provider_id, found.to, found.body) == (accepted.sid, RESIDENT, BODY)
    assert found.status == "queued" and found.date_created == NOW.replace(microsecond=0)
    # still queued (no date_sent): the DateSent query misses it, the recent scan finds it
    first, second = gets(fake)
    assert first == {"To": RESIDENT, "DateSent>": "2026-11-03", "PageSize": "100"}
    assert "DateSent>" not in second and second["To"] == RESIDENT


async def test_a_sent_message_is_found_by_the_date_sent_query_alone(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    result = await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    fake.set_status(result.provider_id, "delivered")
    found = await sender.find_sent(to=RESIDENT, body=BODY, since=NOW)
    assert found is not None and found.provider_id == result.provider_id
    assert found.status == "delivered"
    assert len(gets(fake)) == 1


async def test_twilio_whole_seconds_do_not_hide_a_message_claimed_mid_second(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    since = NOW.replace(microsecond=700_000)  # claimed after Twilio's (truncated) stamp
    assert await sender.find_sent(to=RESIDENT, body=BODY, since=since) is not None


@pytest.mark.parametrize(
    ("to", "body", "age"),
    [
        (RESIDENT, BODY + " ", timedelta(0)),  # another body
        (OTHER, BODY, timedelta(0)),  # another recipient
        (RESIDENT, BODY, timedelta(hours=2)),  # the same text, sent well before the claim
    ],
)
async def test_none_when_nothing_matches(
    fake: FakeTwilio, sender: TwilioSender, to: str, body: str, age: timedelta
) -> None:
    fake.seed_message(to=to, body=body, date_created=NOW - age)
    assert await sender.find_sent(to=RESIDENT, body=BODY, since=NOW) is None


async def test_none_on_an_empty_account(sender: TwilioSender) -> None:
    assert await sender.find_sent(to=RESIDENT, body=BODY, since=NOW) is None


async def test_follows_next_page_uri_through_the_rewriting_client(
    fake: FakeTwilio, sender: TwilioSender, dns_lookups: list[str]
) -> None:
    fake.seed_message(to=RESIDENT, body=BODY, date_created=NOW + timedelta(seconds=1))
    for n in range(120):  # newer messages push ours to the second page
        fake.seed_message(to=RESIDENT, body=f"autre {n}", date_created=NOW + timedelta(minutes=n))
    found = await sender.find_sent(to=RESIDENT, body=BODY, since=NOW)
    assert found is not None and found.body == BODY
    assert [q.get("Page") for q in gets(fake)] == [None, "1"]
    assert not [host for host in dns_lookups if "twilio" in host]


@pytest.mark.parametrize(
    ("local_since", "utc_day"),
    [
        (datetime(2026, 11, 3, 10, 0, tzinfo=PARIS), "2026-11-03"),  # 09:00 UTC
        (datetime(2026, 11, 3, 0, 30, tzinfo=PARIS), "2026-11-02"),  # 23:30 UTC the day before
    ],
)
async def test_a_local_since_is_an_instant_and_its_utc_day_is_queried(
    fake: FakeTwilio, sender: TwilioSender, local_since: datetime, utc_day: str
) -> None:
    fake.seed_message(to=RESIDENT, body=BODY, date_created=NOW - timedelta(minutes=10))  # 09:05
    assert await sender.find_sent(to=RESIDENT, body=BODY, since=local_since) is not None
    assert gets(fake)[0]["DateSent>"] == utc_day


async def test_list_failures_are_classified(fake: FakeTwilio, sender: TwilioSender) -> None:
    fake.fail_next(503, method="GET")
    with pytest.raises(TransientSendError):
        await sender.find_sent(to=RESIDENT, body=BODY, since=NOW)
    fake.fail_next(403, code=20003, method="GET")
    with pytest.raises(PermanentSendError):
        await sender.find_sent(to=RESIDENT, body=BODY, since=NOW)


async def test_naive_since_is_refused(sender: TwilioSender) -> None:
    with pytest.raises(ValueError):
        await sender.find_sent(to=RESIDENT, body=BODY, since=datetime(2026, 11, 3, 9, 0))


async def test_look_up_logs_carry_no_phone_number(
    sender: TwilioSender, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await sender.find_sent(to=RESIDENT, body=BODY, since=NOW)
    assert "Twilio GET" in caplog.text
    assert RESIDENT[1:] not in caplog.text
