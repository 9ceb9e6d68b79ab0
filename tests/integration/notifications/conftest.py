"""Fixtures of the SMS delivery tests: a local Twilio, a sender on it, outbox rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest

from notifications.twilio_sender import TwilioSender
from tests.support.clock import FrozenClock
from tests.twilio_fake import FakeTwilio
from tests.twilio_fake.netguard import forbid_dns

OUR_NUMBER = "+33757000001"
DAYTIME = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Paris


@pytest.fixture(autouse=True)
def dns_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return forbid_dns(monkeypatch)


@pytest.fixture
def day_clock(clock: FrozenClock) -> FrozenClock:
    """The suite's clock, moved to a weekday morning outside quiet hours."""
    clock.set(DAYTIME)
    return clock


@pytest.fixture
def fake(day_clock: FrozenClock) -> Iterator[FakeTwilio]:
    """The fake stamps messages with the test clock, so reconciliation windows agree."""
    with FakeTwilio(clock=day_clock) as server:
        yield server


@pytest.fixture
async def twilio(fake: FakeTwilio) -> AsyncIterator[TwilioSender]:
    sender = TwilioSender(fake.sender_config(from_number=OUR_NUMBER, timeout=5.0))
    await sender.start()
    yield sender
    await sender.close()
