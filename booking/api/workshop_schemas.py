"""msgspec schemas of the workshop APIs (public and staff)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

import msgspec

from booking.api.schemas import Email, Id, Name, Phone, Reason
from booking.services.registrations import MAX_PARTY

Party = Annotated[int, msgspec.Meta(ge=1, le=MAX_PARTY)]
Title = Annotated[str, msgspec.Meta(max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=2000)]
Short = Annotated[str, msgspec.Meta(max_length=120)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=10080)]


class PublicSessionOut(msgspec.Struct):
    id: int
    starts_at: datetime
    ends_at: datetime
    label: str
    venue: str
    address: str
    commune: str
    capacity: int
    seats_left: int
    cancelled: bool
    registration_open: bool
    register_url: str


class PublicSeriesOut(msgspec.Struct):
    id: int
    slug: str
    title: str
    description: str
    level: str
    themes: list[str]
    registration_mode: str
    animators: list[str]
    series_seats_left: int
    url: str
    sessions: list[PublicSessionOut]


class ListingOut(msgspec.Struct):
    place_kind: str
    place_slug: str
    place_name: str
    series: list[PublicSeriesOut]


class RegistrationIn(msgspec.Struct, forbid_unknown_fields=True):
    """``session_id`` for one session; ``whole_series`` for the whole *parcours*."""

    first_name: Name
    last_name: Name
    phone: Phone
    session_id: Id | None = None
    whole_series: bool = False
    email: Email = ""
    party_size: Party = 1
    sms_consent: bool = True
    website: Annotated[str, msgspec.Meta(max_length=200)] = ""  # honeypot


class RegistrationOut(msgspec.Struct):
    status: str
    registration_ids: list[int]
    session_ids: list[int]
    waitlist_position: int | None
    manage_url: str


class RegisteredSessionOut(msgspec.Struct):
    session_id: int
    starts_at: datetime
    ends_at: datetime
    venue: str
    status: str
    session_cancelled: bool
    party_size: int


class RegistrationStatusOut(msgspec.Struct):
    series_id: int
    series_title: str
    status: str
    offer_expires_at: datetime | None
    waitlist_position: int | None
    cancellable: bool
    sessions: list[RegisteredSessionOut]


class SeriesIn(msgspec.Struct, forbid_unknown_fields=True):
    convention_id: Id
    venue_id: Id
    title: Title
    start_time: time
    end_time: time
    first_day: date
    rrule: Annotated[str, msgspec.Meta(max_length=200)] = ""
    until: date | None = None
    rdates: list[date] = msgspec.field(default_factory=list)
    exdates: list[date] = msgspec.field(default_factory=list)
    description: Text = ""
    level: str = "debutant"
    themes: list[Short] = msgspec.field(default_factory=list)
    capacity: Annotated[int, msgspec.Meta(ge=1, le=200)] = 10
    registration_mode: str = "session"
    counsellor_ids: list[Id] = msgspec.field(default_factory=list)
    external_animators: list[Short] = msgspec.field(default_factory=list)
    offer_minutes: Minutes = 1440
    cutoff_minutes: Minutes = 120
    status: str = "published"
    skip_holidays: bool = True
    force: bool = False  # create even if an animator is busy


class SeriesPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``until`` may be set to null to remove it."""

    venue_id: Id | msgspec.UnsetType = msgspec.UNSET
    title: Title | msgspec.UnsetType = msgspec.UNSET
    start_time: time | msgspec.UnsetType = msgspec.UNSET
    end_time: time | msgspec.UnsetType = msgspec.UNSET
    first_day: date | msgspec.UnsetType = msgspec.UNSET
    rrule: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    until: date | msgspec.UnsetType | None = msgspec.UNSET
    rdates: list[date] | msgspec.UnsetType = msgspec.UNSET
    exdates: list[date] | msgspec.UnsetType = msgspec.UNSET
    description: Text | msgspec.UnsetType = msgspec.UNSET
    level: str | msgspec.UnsetType = msgspec.UNSET
    themes: list[Short] | msgspec.UnsetType = msgspec.UNSET
    capacity: Annotated[int, msgspec.Meta(ge=1, le=200)] | msgspec.UnsetType = msgspec.UNSET
    registration_mode: str | msgspec.UnsetType = msgspec.UNSET
    counsellor_ids: list[Id] | msgspec.UnsetType = msgspec.UNSET
    external_animators: list[Short] | msgspec.UnsetType = msgspec.UNSET
    offer_minutes: Minutes | msgspec.UnsetType = msgspec.UNSET
    cutoff_minutes: Minutes | msgspec.UnsetType = msgspec.UNSET
    status: str | msgspec.UnsetType = msgspec.UNSET
    force: bool = False


class PlannedOut(msgspec.Struct):
    day: date
    starts_at: datetime
    ends_at: datetime
    label: str
    excluded: str  # why no session that day ("" when there is one)


class ConflictOut(msgspec.Struct):
    counsellor_id: int
    counsellor: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    session_starts_at: datetime


class PreviewOut(msgspec.Struct):
    timezone: str
    sessions: list[PlannedOut]
    conflicts: list[ConflictOut]


class SeriesSavedOut(msgspec.Struct):
    series_id: int
    slug: str
    created: list[int]
    moved: list[int]
    cancelled: list[int]


class StaffSessionOut(msgspec.Struct):
    id: int
    starts_at: datetime
    ends_at: datetime
    venue_id: int
    venue: str
    capacity: int
    seats_taken: int
    seats_left: int
    status: str
    edited: bool
    registrations: dict[str, int]


class StaffSeriesOut(msgspec.Struct):
    id: int
    slug: str
    title: str
    convention_id: int
    venue_id: int
    status: str
    registration_mode: str
    sessions: list[StaffSessionOut]


class SessionPatch(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: Annotated[int, msgspec.Meta(ge=1, le=200)] | None = None
    venue_id: Id | None = None
    force: bool = False


class CancelSessionIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason = ""


class ExceptionIn(msgspec.Struct, forbid_unknown_fields=True):
    day: date


class StaffRegistrationIn(msgspec.Struct, forbid_unknown_fields=True):
    first_name: Name
    last_name: Name
    phone: Phone
    email: Email = ""
    party_size: Party = 1
    sms_consent: bool = True
    channel: str = "phone"
    whole_series: bool = False


class RosterLineOut(msgspec.Struct):
    id: int
    resident_id: int
    first_name: str
    last_name: str
    phone: str
    party_size: int
    status: str
    channel: str
    created_at: datetime
    offer_expires_at: datetime | None
    whole_series: bool


class AttendanceIn(msgspec.Struct, forbid_unknown_fields=True):
    present: list[Id]


class AttendanceOut(msgspec.Struct):
    attended: int
    no_show: int


class OutcomeIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: str  # attended | no_show


class CancelRegistrationIn(msgspec.Struct, forbid_unknown_fields=True):
    whole_group: bool = False


class CountOut(msgspec.Struct):
    count: int
