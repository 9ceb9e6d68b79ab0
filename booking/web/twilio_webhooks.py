"""Twilio webhooks: delivery-status callbacks and inbound SMS.

Both require a valid ``X-Twilio-Signature`` computed over ``PUBLIC_BASE_URL`` + path
(+ query), the URL Twilio called; anything else gets 403, and so does every request when
no auth token is configured.

Inbound replies are TwiML (``<Response><Message>…</Message></Response>``, text/xml): Twilio
sends the reply at once on the resident's thread, with no outbox row, quiet hours or retry
(the resident has just written to us). The inbound message and the action taken are kept in
``inbound_message`` for the staff.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from litestar import Request, Response, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import PermissionDeniedException

from booking.context import request_context
from booking.db import write_transaction
from booking.errors import AlreadyCancelled
from booking.services import appointments, audit
from booking.settings import Settings
from notifications.delivery_status import (
    INBOUND_PATH,
    STATUS_CALLBACK_PATH,
    apply_status_callback,
)
from notifications.gsm import to_gsm7
from notifications.inbound import InboundCommand, parse_command
from notifications.recipients import opt_in, opt_out
from notifications.tables import InboundMessage
from notifications.templates import MessageContext, MessageKind, compose
from notifications.twilio_signature import (
    SIGNATURE_HEADER,
    is_valid_twilio_signature,
    public_webhook_url,
)

NOTHING_TO_CANCEL = "Créneau : aucun RDV à venir n'est enregistré pour ce numéro. Vos RDV : {link}"
SMS_ENABLED_AGAIN = "Créneau : vos SMS sont réactivés. Répondez STOP pour ne plus en recevoir."


async def _signed_form(request: Request[Any, Any, Any], settings: Settings) -> FormMultiDict:
    form = await request.form()
    query = request.scope.get("query_string", b"").decode("latin-1")
    url = public_webhook_url(settings.public_base_url, request.url.path, query)
    if not is_valid_twilio_signature(
        auth_token=settings.twilio.auth_token,
        public_url=url,
        params=form,
        signature=request.headers.get(SIGNATURE_HEADER),
    ):
        raise PermissionDeniedException("invalid Twilio signature")
    return form


def _error_code(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@post(STATUS_CALLBACK_PATH, include_in_schema=False, status_code=204)
async def twilio_status(request: Request[Any, Any, Any]) -> None:
    ctx = request_context(request)
    form = await _signed_form(request, ctx.settings)
    async with write_transaction():
        await apply_status_callback(
            provider_id=form.get("MessageSid") or form.get("SmsSid") or "",
            provider_status=form.get("MessageStatus") or form.get("SmsStatus") or "",
            error_code=_error_code(form.get("ErrorCode")),
        )


def _twiml(text: str | None) -> Response[str]:
    inner = f"<Message>{escape(text)}</Message>" if text else ""
    return Response(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>',
        media_type="text/xml",
        status_code=200,
    )


def _without_event(now: datetime, settings: Settings, link: str = "") -> MessageContext:
    return MessageContext(start=now, tz=settings.default_timezone, place="", link=link)


async def _cancel(phone: str, now: datetime, settings: Settings) -> tuple[str, str]:
    links = appointments.Links(settings.public_base_url)
    try:
        facts = await appointments.cancel_next_by_phone(phone, now=now, links=links)
    except AlreadyCancelled:  # the same request raced itself: nothing left to cancel
        facts = None
    if facts is None:
        return "cancel_nothing", to_gsm7(NOTHING_TO_CANCEL.format(link=links.book_again()))
    return "cancel", compose(
        MessageKind.INBOUND_CANCEL_CONFIRMED,
        MessageContext(
            start=facts.start, tz=facts.tz, place=facts.place, label=facts.label, link=facts.link
        ),
    )


async def _consent(phone: str, now: datetime, *, given: bool) -> None:
    async with write_transaction():
        changed = await (opt_in(phone) if given else opt_out(phone))
        for resident_id in changed:
            await audit.record(
                at=now,
                actor_kind="resident",
                actor_id=None,
                action="resident.sms_opt_in" if given else "resident.sms_opt_out",
                entity="resident",
                entity_id=resident_id,
                channel="sms",
            )


async def _act(
    command: InboundCommand, phone: str, now: datetime, settings: Settings
) -> tuple[str, str]:
    """(action recorded, reply text)."""
    if command is InboundCommand.CANCEL:
        return await _cancel(phone, now, settings)
    if command is InboundCommand.STOP:
        await _consent(phone, now, given=False)
        return "stop", compose(MessageKind.INBOUND_STOP_CONFIRMED, _without_event(now, settings))
    if command is InboundCommand.START:
        await _consent(phone, now, given=True)
        return "start", to_gsm7(SMS_ENABLED_AGAIN)
    link = appointments.Links(settings.public_base_url).book_again()
    return "help", compose(MessageKind.INBOUND_HELP, _without_event(now, settings, link))


@post(INBOUND_PATH, include_in_schema=False, status_code=200)
async def twilio_inbound(request: Request[Any, Any, Any]) -> Response[str]:
    ctx = request_context(request)
    form = await _signed_form(request, ctx.settings)
    phone, body = form.get("From") or "", form.get("Body") or ""
    sid = (form.get("MessageSid") or form.get("SmsSid") or "")[:64]
    now = ctx.clock()
    async with write_transaction():  # the action and its record commit together
        if sid and await InboundMessage.exists().where(InboundMessage.provider_id == sid):
            return _twiml(None)  # Twilio retried a request we already acted on
        action, reply = await _act(parse_command(body), phone, now, ctx.settings)
        await InboundMessage(
            from_phone=phone[:16], body=body[:400], action=action, provider_id=sid, received_at=now
        ).save()
    return _twiml(reply)
