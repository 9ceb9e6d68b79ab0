"""Twilio webhooks end to end: signed delivery-status callbacks and inbound SMS (ANNULER,
STOP, START, help), posted by the local fake as Twilio would, to the app in process."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from booking.app import create_app
from booking.settings import Settings, TwilioSettings
from booking.tables import (
    Appointment,
    AuditLog,
    Commune,
    Convention,
    Counsellor,
    Service,
    Venue,
)
from notifications.dispatcher import DispatchConfig, Dispatcher
from notifications.senders import ConsoleSender
from notifications.tables import InboundMessage, OutboxMessage
from tests.integration.notifications.conftest import OUR_NUMBER
from tests.integration.notifications.helpers import add_message, add_resident, phone_status, row
from tests.support.clock import FrozenClock
from tests.support.lifespan import running_lifespan
from tests.twilio_fake import FakeTwilio

PUBLIC = "https://rdv.example.fr"
STATUS_PATH, INBOUND_PATH = "/webhooks/twilio/status", "/webhooks/twilio/inbound"
PHONE = "+33612345678"


def twilio_settings(settings: Settings, fake: FakeTwilio, *, token: str | None = None) -> Settings:
    return replace(
        settings,
        public_base_url=PUBLIC,
        dispatcher_enabled=False,
        twilio=TwilioSettings(
            account_sid=fake.account_sid,
            auth_token=fake.auth_token if token is None else token,
            from_number=OUR_NUMBER,
            api_base_url=fake.base_url,
        ),
    )


async def serve(app_settings: Settings, clock: FrozenClock) -> AsyncIterator[httpx.AsyncClient]:
    app: Any = create_app(app_settings, sms_sender=ConsoleSender(), clock=clock)
    async with running_lifespan(app):
        transport = httpx.ASGITransport(app=app, client=("54.172.60.1", 443))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@pytest.fixture
async def client(
    settings: Settings, fake: FakeTwilio, day_clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    async for c in serve(twilio_settings(settings, fake), day_clock):
        yield c


async def status_callback(
    fake: FakeTwilio,
    client: httpx.AsyncClient,
    sid: str,
    status: str,
    error_code: int | None = None,
) -> httpx.Response:
    return await fake.asend_status_callback(
        sid, status, PUBLIC + STATUS_PATH, error_code=error_code, post_to=STATUS_PATH, client=client
    )


async def inbound(
    fake: FakeTwilio, client: httpx.AsyncClient, body: str, from_: str = PHONE
) -> httpx.Response:
    return await fake.ainbound(
        PUBLIC + INBOUND_PATH, from_, body, post_to=INBOUND_PATH, client=client
    )


async def sent_message(fake: FakeTwilio, clock: FrozenClock, **fields: Any) -> tuple[int, str]:
    """An SMS the dispatcher handed to Twilio: the fake knows it, the outbox has its SID."""
    body = fields.pop("body", "Rappel de votre RDV demain a 14h00.")
    accepted = fake.seed_message(to=PHONE, body=body, date_created=clock(), status="queued")
    message_id = await add_message(
        clock(), body=body, status="sent", provider_id=accepted.sid, **fields
    )
    return message_id, accepted.sid


# --- delivery-status callbacks -----------------------------------------------------------


async def test_delivered_callback_updates_the_outbox(
    fake: FakeTwilio, client: httpx.AsyncClient, day_clock: FrozenClock
) -> None:
    message_id, sid = await sent_message(fake, day_clock)
    response = await status_callback(fake, client, sid, "sent")
    assert response.status_code == 204
    assert ((await row(message_id))["status"], (await row(message_id))["provider_status"]) == (
        "sent",
        "sent",
    )
    assert (await status_callback(fake, client, sid, "delivered")).status_code == 204
    delivered = await row(message_id)
    assert (delivered["status"], delivered["provider_status"]) == ("delivered", "delivered")
    # a late intermediate callback does not undo the final status
    assert (await status_callback(fake, client, sid, "sent")).status_code == 204
    assert (await row(message_id))["provider_status"] == "delivered"


@pytest.mark.parametrize(
    ("status", "code", "flag"),
    [
        ("undelivered", 21610, "unsubscribed"),
        ("failed", 21211, "invalid"),
        ("undelivered", 30003, "ok"),
    ],  # unreachable handset: not the number's fault
)
async def test_failed_callback_fails_and_flags_the_number(
    fake: FakeTwilio,
    client: httpx.AsyncClient,
    day_clock: FrozenClock,
    status: str,
    code: int,
    flag: str,
) -> None:
    resident = await add_resident(PHONE)
    message_id, sid = await sent_message(fake, day_clock, resident_id=resident)
    assert (await status_callback(fake, client, sid, status, code)).status_code == 204
    failed = await row(message_id)
    assert (failed["status"], failed["provider_status"]) == ("failed", status)
    assert failed["last_error"] == f"provider error {code}"
    assert await phone_status(resident) == (True, flag)


async def test_callback_for_an_unknown_message_is_acknowledged(
    fake: FakeTwilio, client: httpx.AsyncClient
) -> None:
    response = await status_callback(fake, client, "SM" + secrets.token_hex(16), "delivered")
    assert response.status_code == 204


# --- signatures ----------------------------------------------------------------------------


def _signed(fake: FakeTwilio, url: str, params: dict[str, str]) -> dict[str, str]:
    return fake.sign(url, params)


@pytest.mark.parametrize("path", [STATUS_PATH, INBOUND_PATH])
async def test_unsigned_tampered_or_misaddressed_requests_are_refused(
    fake: FakeTwilio, client: httpx.AsyncClient, day_clock: FrozenClock, path: str
) -> None:
    resident = await add_resident(PHONE)
    message_id, sid = await sent_message(fake, day_clock, resident_id=resident)
    if path == STATUS_PATH:
        params = fake.status_callback_params(sid, "undelivered", error_code=21610)
    else:
        params = fake.inbound_params(PHONE, "STOP")
    good = _signed(fake, PUBLIC + path, params)
    attempts = {
        "missing": ({}, params),
        "tampered": (good, {**params, "To": "+33699999999"}),
        "extra field": (good, {**params, "Extra": "1"}),
        "internal URL": (_signed(fake, "http://testserver" + path, params), params),
        "other query": (good, params),
        "other token": ({"X-Twilio-Signature": "A" * 28}, params),
    }
    for label, (headers, data) in attempts.items():
        target = path + "?x=1" if label == "other query" else path
        response = await client.post(target, data=data, headers=headers)
        assert response.status_code == 403, label
    assert (await row(message_id))["status"] == "sent"
    assert await phone_status(resident) == (True, "ok")
    assert await InboundMessage.count() == 0
    # the genuine request passes
    assert (await client.post(path, data=params, headers=good)).status_code in (200, 204)


async def test_signed_query_string_is_part_of_the_url(
    fake: FakeTwilio, client: httpx.AsyncClient, day_clock: FrozenClock
) -> None:
    message_id, sid = await sent_message(fake, day_clock)
    params = fake.status_callback_params(sid, "delivered")
    headers = fake.sign(PUBLIC + STATUS_PATH + "?attempt=2", params)
    response = await client.post(STATUS_PATH + "?attempt=2", data=params, headers=headers)
    assert response.status_code == 204
    assert (await row(message_id))["status"] == "delivered"


async def test_without_an_auth_token_every_webhook_is_refused(
    settings: Settings, fake: FakeTwilio, day_clock: FrozenClock
) -> None:
    async for client in serve(twilio_settings(settings, fake, token=""), day_clock):
        assert (await inbound(fake, client, "STOP")).status_code == 403


# --- inbound SMS ---------------------------------------------------------------------------


async def _place() -> dict[str, int]:
    commune = Commune(
        insee_code="67462",
        name="Sélestat",
        postcode="67600",
        slug="selestat",
        timezone="Europe/Paris",
    )
    await commune.save()
    convention = Convention(name="Centre Alsace", slug="centre-alsace")
    await convention.save()
    venue = Venue(
        commune=commune.id,
        name="Médiathèque Intercommunale",
        slug="mediatheque",
        address="1 rue de la Paix",
    )
    await venue.save()
    counsellor = Counsellor(first_name="Inès", last_name="Muller")
    await counsellor.save()
    service = Service(
        convention=convention.id,
        slug="demarches",
        public_label="Démarches",
        private_label="Suivi RSA confidentiel",
    )
    await service.save()
    return {"venue": int(venue.id), "counsellor": int(counsellor.id), "service": int(service.id)}


async def add_appointment(
    place: dict[str, int], resident: int, start: datetime, status: str = "booked"
) -> int:
    end = start + timedelta(minutes=45)
    appointment = Appointment(
        resident=resident,
        counsellor=place["counsellor"],
        venue=place["venue"],
        service=place["service"],
        starts_at=start,
        ends_at=end,
        blocked_from=start,
        blocked_until=end,
        status=status,
        channel="phone",
        manage_token_hash=secrets.token_hex(32),
        manage_token_expires_at=end,
    )
    await appointment.save()
    return int(appointment.id)


async def appointment_status(appointment_id: int) -> tuple[str, str]:
    found = (
        await Appointment.select(Appointment.status, Appointment.cancelled_by_kind)
        .where(Appointment.id == appointment_id)
        .first()
    )
    assert found is not None
    return found["status"], found["cancelled_by_kind"]


def reply_of(response: httpx.Response) -> str:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    text = response.text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert text.endswith("</Message></Response>")
    return text.removeprefix(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>'
    ).removesuffix("</Message></Response>")


@pytest.mark.parametrize("body", ["ANNULER", " annuler rdv ", "Annulé"])
async def test_annuler_cancels_the_next_appointment_and_confirms(
    fake: FakeTwilio, client: httpx.AsyncClient, day_clock: FrozenClock, body: str
) -> None:
    place = await _place()
    josiane = await add_resident(PHONE)
    kevin = await add_resident(PHONE, first_name="Kevin")  # same family phone
    now = day_clock()
    past = await add_appointment(place, josiane, now - timedelta(days=1))
    already = await add_appointment(place, josiane, now + timedelta(hours=2), status="cancelled")
    nearest = await add_appointment(place, kevin, now + timedelta(days=1))  # Wed 10:00 Paris
    later = await add_appointment(place, josiane, now + timedelta(days=7))
    reminder = await add_message(
        now, subject_kind="appointment", subject_id=nearest, due_at=now + timedelta(hours=20)
    )

    reply = reply_of(await inbound(fake, client, body))

    assert "nnulation enregistrée" in reply and "mer. 25 nov. à 10h00" in reply
    assert "Médiathèque Intercommunale" in reply and "Démarches" in reply
    assert "RSA" not in reply and f"{PUBLIC}/rdv" in reply
    assert await appointment_status(nearest) == ("cancelled", "resident")
    assert [(await appointment_status(a))[0] for a in (past, already, later)] == [
        "booked",
        "cancelled",
        "booked",
    ]
    assert (await row(reminder))["status"] == "cancelled"
    assert await OutboxMessage.count() == 1  # the reply is TwiML, not an outbox SMS
    audit = await AuditLog.select().where(AuditLog.entity_id == nearest).first()
    assert audit is not None and audit["action"] == "appointment.cancel"
    inbound_row = await InboundMessage.select().first()
    assert inbound_row is not None
    assert (inbound_row["from_phone"], inbound_row["body"], inbound_row["action"]) == (
        PHONE,
        body,
        "cancel",
    )


async def test_annuler_without_an_appointment_says_so(
    fake: FakeTwilio, client: httpx.AsyncClient
) -> None:
    await add_resident(PHONE)
    reply = reply_of(await inbound(fake, client, "ANNULER"))
    assert (
        reply
        == f"Créneau : aucun RDV à venir n'est enregistré pour ce numéro. Vos RDV : {PUBLIC}/rdv"
    )
    assert (await InboundMessage.select(InboundMessage.action).first()) == {
        "action": "cancel_nothing"
    }


async def test_a_repeated_webhook_acts_once(
    fake: FakeTwilio, client: httpx.AsyncClient, day_clock: FrozenClock
) -> None:
    place = await _place()
    resident = await add_resident(PHONE)
    first = await add_appointment(place, resident, day_clock() + timedelta(days=1))
    second = await add_appointment(place, resident, day_clock() + timedelta(days=2))
    params = fake.inbound_params(PHONE, "ANNULER")
    headers = fake.sign(PUBLIC + INBOUND_PATH, params)
    assert "nnulation enregistrée" in reply_of(
        await client.post(INBOUND_PATH, data=params, headers=headers)
    )
    again = await client.post(INBOUND_PATH, data=params, headers=headers)
    assert again.status_code == 200 and "<Message>" not in again.text
    assert await appointment_status(first) == ("cancelled", "resident")
    assert await appointment_status(second) == ("booked", "")


@pytest.mark.parametrize("body", ["STOP", "Arrêt"])
async def test_stop_opts_the_number_out_and_nothing_more_is_sent(
    fake: FakeTwilio, client: httpx.AsyncClient, day_clock: FrozenClock, body: str
) -> None:
    josiane = await add_resident(PHONE)
    kevin = await add_resident(PHONE, first_name="Kevin")
    other = await add_resident("+33698765432")
    pending = await add_message(day_clock(), resident_id=josiane)

    reply = reply_of(await inbound(fake, client, body))

    assert reply.startswith("Créneau : vous ne recevrez plus de SMS")
    assert await phone_status(josiane) == await phone_status(kevin) == (False, "unsubscribed")
    assert await phone_status(other) == (True, "ok")
    opt_outs = await AuditLog.select(AuditLog.entity_id).where(
        AuditLog.action == "resident.sms_opt_out"
    )
    assert sorted(r["entity_id"] for r in opt_outs) == [josiane, kevin]
    config = DispatchConfig(worker_id="w")
    report = await Dispatcher(ConsoleSender(), config, clock=day_clock).drain()
    assert report["skipped"] == 1 and (await row(pending))["status"] == "skipped"


async def test_start_opts_back_in_but_an_invalid_number_stays_invalid(
    fake: FakeTwilio, client: httpx.AsyncClient
) -> None:
    resident = await add_resident(PHONE)
    broken = await add_resident("+33698765432", phone_status="invalid")
    await inbound(fake, client, "STOP")
    reply = reply_of(await inbound(fake, client, "start"))
    assert reply == "Créneau : vos SMS sont réactivés. Répondez STOP pour ne plus en recevoir."
    assert await phone_status(resident) == (True, "ok")
    await inbound(fake, client, "STOP", from_="+33698765432")
    await inbound(fake, client, "START", from_="+33698765432")
    assert await phone_status(broken) == (True, "invalid")


@pytest.mark.parametrize("body", ["Bonjour, je serai en retard", "?", ""])
async def test_anything_else_gets_a_short_help_reply(
    fake: FakeTwilio, client: httpx.AsyncClient, day_clock: FrozenClock, body: str
) -> None:
    place = await _place()
    resident = await add_resident(PHONE)
    appointment = await add_appointment(place, resident, day_clock() + timedelta(days=1))
    reply = reply_of(await inbound(fake, client, body))
    assert "ANNULER" in reply and "STOP" in reply and len(reply) <= 160
    assert await appointment_status(appointment) == ("booked", "")
    assert await phone_status(resident) == (True, "ok")
