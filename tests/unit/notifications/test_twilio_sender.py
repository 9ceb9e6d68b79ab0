"""TwilioSender.send through Twilio's real async client, over HTTP, to the local fake."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from notifications.console_sender import ConsoleSender
from notifications.sender_base import PermanentSendError, SmsSender, TransientSendError
from notifications.senders import make_sms_sender
from notifications.twilio_http import rewrite_twilio_url
from notifications.twilio_sender import TwilioConfig, TwilioSender
from tests.twilio_fake import FakeTwilio
from tests.twilio_fake.netguard import forbid_dns

RESIDENT = "+33612345678"
OUR_NUMBER = "+33757000001"
SERVICE_SID = "MG" + "0123456789abcdef" * 2
SID = re.compile(r"SM[0-9a-f]{32}")
BODY = "Rappel : RDV mardi 4 nov. à 14h00 à la médiathèque. Pour annuler : https://x.fr/a/Zt3"

MakeSender = Callable[..., Awaitable[TwilioSender]]


@pytest.fixture(autouse=True)
def dns_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return forbid_dns(monkeypatch)


@pytest.fixture
def fake() -> Any:
    with FakeTwilio() as server:
        yield server


@pytest.fixture
async def make_sender(fake: FakeTwilio) -> AsyncIterator[MakeSender]:
    started: list[TwilioSender] = []

    async def make(**fields: Any) -> TwilioSender:
        if not {"from_number", "messaging_service_sid", "sender_id"} & fields.keys():
            fields["from_number"] = OUR_NUMBER
        sender = TwilioSender(fake.sender_config(**fields))
        await sender.start()
        started.append(sender)
        return sender

    yield make
    for sender in started:
        await sender.close()


async def test_send_from_number_reaches_the_fake_and_never_resolves_twilio(
    fake: FakeTwilio, make_sender: MakeSender, dns_lookups: list[str]
) -> None:
    sender = await make_sender()
    result = await sender.send(to=RESIDENT, body=BODY, status_callback="https://rdv.example.fr/cb")
    assert SID.fullmatch(result.provider_id)
    assert result.status == "queued"
    [message] = fake.messages
    assert (message.sid, message.to, message.body) == (result.provider_id, RESIDENT, BODY)
    assert message.from_ == OUR_NUMBER and message.messaging_service_sid is None
    assert message.status_callback == "https://rdv.example.fr/cb"
    [request] = fake.requests
    assert request.path == f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
    assert request.headers["authorization"].startswith("Basic ")
    assert not [host for host in dns_lookups if "twilio" in host]


async def test_send_with_messaging_service(fake: FakeTwilio, make_sender: MakeSender) -> None:
    sender = await make_sender(messaging_service_sid=SERVICE_SID)
    result = await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    assert result.status == "accepted"
    [message] = fake.messages
    assert message.messaging_service_sid == SERVICE_SID and message.from_ is None
    assert "From" not in fake.requests[0].form


async def test_send_with_alphanumeric_sender_id(fake: FakeTwilio, make_sender: MakeSender) -> None:
    sender = await make_sender(sender_id="Mairie 67")
    await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    assert fake.messages[0].from_ == "Mairie 67"


async def test_no_status_callback_sends_no_field(fake: FakeTwilio, make_sender: MakeSender) -> None:
    sender = await make_sender()
    await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    assert "StatusCallback" not in fake.requests[0].form
    assert fake.messages[0].status_callback is None


@pytest.mark.parametrize(
    ("status", "retry_after", "maybe_accepted"),
    [(500, None, True), (503, None, True), (429, 7.0, False)],
)
async def test_5xx_and_429_are_transient(
    fake: FakeTwilio,
    make_sender: MakeSender,
    status: int,
    retry_after: float | None,
    maybe_accepted: bool,
) -> None:
    fake.fail_next(status, code=20429 if status == 429 else None, retry_after=retry_after)
    sender = await make_sender()
    with pytest.raises(TransientSendError) as raised:
        await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    assert raised.value.status == status
    assert raised.value.retry_after == retry_after
    assert raised.value.maybe_accepted is maybe_accepted
    assert fake.messages == []
    # the next request is answered normally: nothing stuck in the client
    assert SID.fullmatch(
        (await sender.send(to=RESIDENT, body=BODY, status_callback=None)).provider_id
    )


async def test_timeout_is_transient_and_maybe_accepted(
    fake: FakeTwilio, make_sender: MakeSender
) -> None:
    fake.delay_next(30)  # the fake wakes at once when stopped
    sender = await make_sender(timeout=0.3)
    with pytest.raises(TransientSendError) as raised:
        await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    assert raised.value.maybe_accepted and raised.value.status is None


async def test_connection_refused_is_transient_and_not_accepted() -> None:
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = TwilioConfig(
        account_sid="AC" + "0" * 32,
        auth_token="t",
        from_number=OUR_NUMBER,
        api_base_url=f"http://127.0.0.1:{port}",
    )
    sender = TwilioSender(config)
    await sender.start()
    try:
        with pytest.raises(TransientSendError) as raised:
            await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    finally:
        await sender.close()
    assert raised.value.maybe_accepted is False


async def test_connection_dropped_after_accept_is_transient(
    fake: FakeTwilio, make_sender: MakeSender
) -> None:
    fake.crash_after_accept()
    sender = await make_sender()
    with pytest.raises(TransientSendError) as raised:
        await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    assert raised.value.maybe_accepted
    assert [m.body for m in fake.messages] == [BODY]  # Twilio has it: reconcile before resend


@pytest.mark.parametrize(
    ("code", "flag"),
    [
        (21211, "invalid"),
        (21614, "invalid"),
        (21610, "unsubscribed"),
        (21408, None),  # region not enabled on the account: not the number's fault
        (21602, None),
    ],
)
async def test_4xx_are_permanent_with_phone_flag(
    fake: FakeTwilio, make_sender: MakeSender, code: int, flag: str | None
) -> None:
    fake.fail_next(400, code=code)
    sender = await make_sender()
    with pytest.raises(PermanentSendError) as raised:
        await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    assert (raised.value.code, raised.value.status, raised.value.flag_phone) == (code, 400, flag)


async def test_error_text_never_quotes_the_number(make_sender: MakeSender) -> None:
    sender = await make_sender()
    with pytest.raises(PermanentSendError) as raised:  # the fake's own 21211 quotes the number
        await sender.send(to="0612345678", body=BODY, status_callback=None)
    assert raised.value.flag_phone == "invalid"
    assert "0612345678" not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


async def test_wrong_credentials_are_permanent(fake: FakeTwilio, make_sender: MakeSender) -> None:
    sender = await make_sender(auth_token="not-the-token")
    with pytest.raises(PermanentSendError) as raised:
        await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    assert (raised.value.status, raised.value.code, raised.value.flag_phone) == (401, 20003, None)
    assert fake.messages == []


async def test_http_logs_carry_no_phone_number(
    make_sender: MakeSender, caplog: pytest.LogCaptureFixture
) -> None:
    sender = await make_sender()
    with caplog.at_level(logging.DEBUG):
        await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    assert "Twilio POST" in caplog.text
    assert RESIDENT not in caplog.text and RESIDENT[1:] not in caplog.text
    assert BODY not in caplog.text


async def test_send_before_start_is_refused(fake: FakeTwilio) -> None:
    sender = TwilioSender(fake.sender_config(from_number=OUR_NUMBER))
    with pytest.raises(RuntimeError):
        await sender.send(to=RESIDENT, body=BODY, status_callback=None)
    await sender.start()
    await sender.close()
    await sender.close()
    assert fake.requests == []


@pytest.mark.parametrize(
    "base",
    ["http://127.0.0.1:8099", "http://127.0.0.1:8099/"],
)
@pytest.mark.parametrize(
    "url",
    [
        "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?Page=1",
        "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Messages.json?Page=1",
        "https://TWILIO.COM/2010-04-01/Accounts/AC1/Messages.json?Page=1",
    ],
)
def test_every_twilio_host_is_rewritten(base: str, url: str) -> None:
    assert (
        rewrite_twilio_url(url, base)
        == "http://127.0.0.1:8099/2010-04-01/Accounts/AC1/Messages.json?Page=1"
    )


def test_rewrite_keeps_a_path_prefix_and_leaves_other_hosts_alone() -> None:
    url = "https://api.twilio.com/2010-04-01/x.json"
    assert rewrite_twilio_url(url, "http://h:1/twilio/") == "http://h:1/twilio/2010-04-01/x.json"
    assert rewrite_twilio_url(url, "") == url
    assert rewrite_twilio_url("https://nottwilio.com/a", "http://h:1") == "https://nottwilio.com/a"


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"from_number": OUR_NUMBER, "messaging_service_sid": SERVICE_SID},
        {"from_number": OUR_NUMBER, "sender_id": "Mairie"},
        {"sender_id": "ABCDEFGHIJKL"},
        {"sender_id": "12345"},
        {"sender_id": "Mairie-X"},
        {"sender_id": "Mairié"},
        {"messaging_service_sid": "MG123"},
        {"from_number": OUR_NUMBER, "api_base_url": "ftp://127.0.0.1"},
        {"from_number": OUR_NUMBER, "auth_token": ""},
        {"from_number": OUR_NUMBER, "timeout": 0},
    ],
)
def test_inconsistent_configuration_is_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        TwilioSender(TwilioConfig(**{"account_sid": "AC1", "auth_token": "t", **fields}))


@pytest.mark.parametrize("sender_id", ["A", "Mairie 67", "CRENEAU", "Conseil 9"])
def test_valid_sender_ids(sender_id: str) -> None:
    TwilioSender(TwilioConfig(account_sid="AC1", auth_token="t", sender_id=sender_id))


def test_factory_picks_console_without_credentials_and_twilio_with_them() -> None:
    console = make_sms_sender()
    twilio = make_sms_sender(account_sid="AC1", auth_token="t", from_number=OUR_NUMBER)
    assert isinstance(console, ConsoleSender) and isinstance(twilio, TwilioSender)
    assert isinstance(twilio, SmsSender) and twilio.name == "twilio"
    with pytest.raises(ValueError):
        make_sms_sender(account_sid="AC1", auth_token="t")
