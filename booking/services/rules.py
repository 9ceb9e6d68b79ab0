"""Availability rules (*plages d'ouverture*): build, check, preview, create, deactivate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from booking.db import write_transaction
from booking.errors import InvalidInput, NotFound
from booking.services import audit
from booking.tables import AvailabilityRule, ConventionCommune, ConventionCounsellor, Service, Venue
from calendars.recurrence import Recurrence, parse_rrule, preview_occurrences

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
ORDINALS = {"1": "premier", "2": "deuxième", "3": "troisième", "4": "quatrième", "-1": "dernier"}


@dataclass(frozen=True, slots=True)
class RuleDraft:
    counsellor_id: int
    venue_id: int
    service_ids: tuple[int, ...]
    start_time: time
    end_time: time
    rrule: str
    first_day: date
    until: date | None = None
    exdates: tuple[date, ...] = ()

    @property
    def recurrence(self) -> Recurrence:
        return Recurrence(
            first_day=self.first_day, rrule=self.rrule, until=self.until, exdates=self.exdates
        )


def build_rrule(
    kind: str, weekdays: list[str], interval: int = 1, ordinal: str = "", weekday: str = ""
) -> str:
    """The RRULE of a form's choice: weekly days, nth weekday of the month, or one day."""
    if kind == "weekly":
        days = [d for d in WEEKDAYS if d in weekdays]
        if not days:
            raise InvalidInput("Cochez au moins un jour de la semaine.", field="weekdays")
        if not 1 <= interval <= 8:
            raise InvalidInput("L'intervalle va de 1 à 8 semaines.", field="interval")
        every = f";INTERVAL={interval}" if interval > 1 else ""
        return parse_rrule(f"FREQ=WEEKLY{every};BYDAY={','.join(days)}")
    if kind == "monthly":
        if ordinal not in ORDINALS or weekday not in WEEKDAYS:
            raise InvalidInput(
                "Choisissez le jour du mois, par exemple le premier samedi.", field="ordinal"
            )
        return parse_rrule(f"FREQ=MONTHLY;BYDAY={ordinal}{weekday}")
    if kind == "once":
        return ""
    raise InvalidInput("Choisissez une répétition.", field="kind")


def describe_rrule(rrule: str, first_day: date) -> str:
    """French words for the rules the form builds (others are shown as they are)."""
    if not rrule:
        return f"le {first_day.strftime('%d/%m/%Y')} seulement"
    parts = dict(p.split("=", 1) for p in rrule.split(";"))
    days = parts.get("BYDAY", "").split(",")
    if parts.get("FREQ") == "WEEKLY" and all(d in WEEKDAYS for d in days):
        names = ", ".join(WEEKDAY_NAMES[WEEKDAYS.index(d)] for d in days)
        interval = int(parts.get("INTERVAL", "1"))
        return f"chaque {names}" if interval == 1 else f"un {names} toutes les {interval} semaines"
    if parts.get("FREQ") == "MONTHLY" and len(days) == 1 and days[0][-2:] in WEEKDAYS:
        ordinal = ORDINALS.get(days[0][:-2], days[0][:-2])
        return f"le {ordinal} {WEEKDAY_NAMES[WEEKDAYS.index(days[0][-2:])]} du mois"
    return rrule


def check(draft: RuleDraft) -> None:
    if draft.end_time <= draft.start_time:
        raise InvalidInput("L'heure de fin doit suivre l'heure de début.", field="end_time")
    if draft.until is not None and draft.until < draft.first_day:
        raise InvalidInput("La date de fin doit suivre le premier jour.", field="until")
    try:
        parse_rrule(draft.rrule)
    except ValueError as err:
        raise InvalidInput("Cette répétition n'est pas valide.", field="kind") from err


def preview(draft: RuleDraft, tz: ZoneInfo, limit: int = 8) -> list[tuple[datetime, datetime]]:
    return preview_occurrences(draft.recurrence, draft.start_time, draft.end_time, tz, limit)


async def check_scope(draft: RuleDraft) -> str:
    """The venue is in a commune of one of the counsellor's conventions, and the services
    belong to those conventions. Returns the venue's time zone."""
    venue = (
        await Venue.select(Venue.commune, Venue.commune._.timezone.as_alias("tz"))
        .where((Venue.id == draft.venue_id) & Venue.active.eq(True))
        .first()
    )
    if venue is None:
        raise NotFound("Ce lieu n'existe pas.", field="venue")
    mine = {
        r["convention"]
        for r in await ConventionCounsellor.select(ConventionCounsellor.convention).where(
            ConventionCounsellor.counsellor == draft.counsellor_id
        )
    }
    covering = {
        r["convention"]
        for r in await ConventionCommune.select(ConventionCommune.convention).where(
            ConventionCommune.commune == venue["commune"]
        )
    }
    if not mine & covering:
        raise InvalidInput("Ce lieu n'est pas dans une commune de vos conventions.", field="venue")
    if draft.service_ids:
        services = await Service.select(Service.convention).where(
            Service.id.is_in(list(draft.service_ids))
        )
        if len(services) != len(draft.service_ids) or any(
            s["convention"] not in mine & covering for s in services
        ):
            raise InvalidInput("Un des motifs n'est pas proposé dans ce lieu.", field="services")
    return str(venue["tz"])


async def create(draft: RuleDraft, *, staff_id: int, now: datetime) -> int:
    check(draft)
    await check_scope(draft)
    async with write_transaction():
        rule = AvailabilityRule(
            counsellor=draft.counsellor_id,
            venue=draft.venue_id,
            service_ids=list(draft.service_ids),
            start_time=draft.start_time,
            end_time=draft.end_time,
            rrule=draft.rrule,
            first_day=draft.first_day,
            until=draft.until,
            rdates=[],
            exdates=[d.isoformat() for d in draft.exdates],
            active=True,
            created_at=now,
        )
        await rule.save()
        await audit.record(
            at=now,
            actor_kind="staff",
            actor_id=staff_id,
            action="availability_rule.create",
            entity="availability_rule",
            entity_id=int(rule.id),
        )
    return int(rule.id)


async def deactivate(rule_id: int, *, counsellor_id: int, staff_id: int, now: datetime) -> None:
    async with write_transaction():
        done = (
            await AvailabilityRule.update({AvailabilityRule.active: False})
            .where(
                (AvailabilityRule.id == rule_id) & (AvailabilityRule.counsellor == counsellor_id)
            )
            .returning(AvailabilityRule.id)
        )
        if not done:
            raise NotFound("Cette plage n'existe pas.")
        await audit.record(
            at=now,
            actor_kind="staff",
            actor_id=staff_id,
            action="availability_rule.deactivate",
            entity="availability_rule",
            entity_id=rule_id,
        )


async def rules_of(counsellor_id: int) -> list[dict[str, Any]]:
    return list(
        await AvailabilityRule.select(
            *AvailabilityRule.all_columns(),
            AvailabilityRule.venue._.name.as_alias("venue_name"),
        )
        .where((AvailabilityRule.counsellor == counsellor_id) & AvailabilityRule.active.eq(True))
        .order_by(AvailabilityRule.id)
    )
