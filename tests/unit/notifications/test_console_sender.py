from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

import pytest

from notifications.console_sender import ConsoleSender
from notifications.sender_base import SmsSender

RESIDENT = "+33612345678"
SHORT = "Votre RDV du mardi 4 novembre à 14h00 est confirmé. Mairie de Sélestat."
LONG = "Rappel atelier numérique jeudi 6/11 10h, EPN, apportez votre téléphone. " * 3  # 216 GSM-7
UCS2 = "Votre demande est bien reçue : le conseiller vous rappellera dès que possible, à bientôt."


async def test_send_keeps_the_message_home_and_reports_delivered() -> None:
    sender = ConsoleSender()
    await sender.start()
    first = await sender.send(to=RESIDENT, body=SHORT, status_callback="https://x.fr/cb")
    second = await sender.send(to=RESIDENT, body=SHORT, status_callback=None)
    await sender.close()
    assert re.fullmatch(r"console-[0-9a-f-]{36}", first.provider_id)
    assert first.provider_id != second.provider_id
    assert first.status == "delivered"


@pytest.mark.parametrize(("body", "segments"), [(SHORT, 1), (LONG, 2), (UCS2, 2)])
async def test_log_names_the_provider_id_and_segments_only(
    caplog: pytest.LogCaptureFixture, body: str, segments: int
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = await ConsoleSender().send(to=RESIDENT, body=body, status_callback=None)
    assert result.provider_id in caplog.text
    assert f"{segments} segment(s)" in caplog.text
    text = caplog.text
    for secret in (RESIDENT, RESIDENT[1:], "612345678", "06 12 34 56 78"):
        assert secret not in text
    for word in body.split():
        if len(word) > 3:
            assert word not in text, word


async def test_find_sent_never_finds_anything() -> None:
    sender = ConsoleSender()
    await sender.send(to=RESIDENT, body=SHORT, status_callback=None)
    since = datetime(2000, 1, 1, tzinfo=UTC)
    assert await sender.find_sent(to=RESIDENT, body=SHORT, since=since) is None


def test_is_an_sms_sender() -> None:
    sender = ConsoleSender()
    assert isinstance(sender, SmsSender) and sender.name == "console"
