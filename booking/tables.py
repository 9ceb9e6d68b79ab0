"""Piccolo tables of the booking app (tables only: no behaviour here).

Every instant is a ``Timestamptz`` stored in UTC; local times of day (rules, workshop
series) are ``Time`` columns interpreted in the commune's zone. Small lists are kept in
``JSON`` columns (decoded with ``booking.db.json_list``).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Commune(Table):
    id = Serial(primary_key=True)
    insee_code = Varchar(length=5, unique=True)
    name = Varchar(length=120)
    postcode = Varchar(length=5, index=True)
    slug = Varchar(length=140, unique=True)
    timezone = Varchar(length=64, default="Europe/Paris")
    holiday_region = Varchar(length=8, default="")


class Convention(Table):
    id = Serial(primary_key=True)
    name = Varchar(length=200)
    slug = Varchar(length=140, unique=True)
    seat_commune = ForeignKey(Commune, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class ConventionCommune(Table):
    """Membership of a commune in a convention, with its optional share of counsellor time."""

    id = Serial(primary_key=True)
    convention = ForeignKey(Convention, index=True)
    commune = ForeignKey(Commune, index=True)
    time_share_percent = Integer(null=True, default=None)


class Venue(Table):
    """A place shared by every convention that covers its commune."""

    id = Serial(primary_key=True)
    commune = ForeignKey(Commune, index=True)
    name = Varchar(length=200)
    slug = Varchar(length=140, unique=True)
    kind = Varchar(length=32, default="town_hall")
    address = Varchar(length=300, default="")
    accessibility = Text(default="")
    phone = Varchar(length=20, default="")
    opening_hours = Text(default="")
    computers = Integer(default=0)
    active = Boolean(default=True)


class Counsellor(Table):
    id = Serial(primary_key=True)
    first_name = Varchar(length=100)
    last_name = Varchar(length=100)
    email = Varchar(length=254, default="")
    active = Boolean(default=True)
    feed_token_hash = Varchar(length=64, null=True, default=None, unique=True)
    feed_token_created_at = Timestamptz(null=True, default=None)


class ConventionCounsellor(Table):
    id = Serial(primary_key=True)
    convention = ForeignKey(Convention, index=True)
    counsellor = ForeignKey(Counsellor, index=True)


class Service(Table):
    """A *motif*: what a resident needs help with, and how it is booked and reminded."""

    id = Serial(primary_key=True)
    convention = ForeignKey(Convention, index=True)
    slug = Varchar(length=140)
    public_label = Varchar(length=120)
    private_label = Varchar(length=120, default="")
    description = Text(default="")
    what_to_bring = Text(default="")
    duration_minutes = Integer(default=45)
    buffer_before_minutes = Integer(default=0)
    buffer_after_minutes = Integer(default=0)
    step_minutes = Integer(null=True, default=None)
    min_notice_minutes = Integer(default=120)
    horizon_days = Integer(default=60)
    online_bookable = Boolean(default=True)
    location_kind = Varchar(length=16, default="venue")
    reminder_offsets_minutes = JSON(default=[1440, 120])
    confirm_online_ahead_minutes = Integer(null=True, default=0)
    active = Boolean(default=True)


class AvailabilityRule(Table):
    """A *plage d'ouverture*: counsellor x venue x services, local hours, a recurrence."""

    id = Serial(primary_key=True)
    counsellor = ForeignKey(Counsellor, index=True)
    venue = ForeignKey(Venue, index=True)
    service_ids = JSON(default=[])
    start_time = Time()
    end_time = Time()
    rrule = Varchar(length=200, default="")
    first_day = Date()
    until = Date(null=True, default=None)
    rdates = JSON(default=[])
    exdates = JSON(default=[])
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Absence(Table):
    """A counsellor's unavailability; ``rrule`` repeats the first span in ``timezone``."""

    id = Serial(primary_key=True)
    counsellor = ForeignKey(Counsellor, index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    rrule = Varchar(length=200, default="")
    until = Date(null=True, default=None)
    timezone = Varchar(length=64, default="Europe/Paris")
    reason = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class ClosureSource(Table):
    """An iCalendar of closures (uploaded or fetched from a URL) for a venue or a commune."""

    id = Serial(primary_key=True)
    venue = ForeignKey(Venue, null=True, index=True)
    commune = ForeignKey(Commune, null=True, index=True)
    url = Varchar(length=500, default="")
    label = Varchar(length=200, default="")
    last_refreshed_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class VenueClosure(Table):
    """A venue (or, with ``commune`` set, every venue of a commune) is closed."""

    id = Serial(primary_key=True)
    venue = ForeignKey(Venue, null=True, index=True)
    commune = ForeignKey(Commune, null=True, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    reason = Varchar(length=200, default="")
    source = ForeignKey(ClosureSource, null=True, index=True)
    source_uid = Varchar(length=300, default="")


class Resident(Table):
    """A *usager*: the minimum needed to receive them and text them."""

    id = Serial(primary_key=True)
    first_name = Varchar(length=100)
    last_name = Varchar(length=100)
    phone = Varchar(length=16, index=True)
    email = Varchar(length=254, default="")
    commune = ForeignKey(Commune, null=True)
    sms_consent = Boolean(default=True)
    phone_status = Varchar(length=16, default="ok")
    created_at = Timestamptz(default=TimestamptzNow())
    last_activity_at = Timestamptz(default=TimestamptzNow(), index=True)
    anonymised_at = Timestamptz(null=True, default=None)


class StaffUser(Table):
    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=200)
    password_hash = Varchar(length=200)
    active = Boolean(default=True)
    counsellor = ForeignKey(Counsellor, null=True)
    sessions_valid_after = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class RoleAssignment(Table):
    """A role with its scope: admin (none), coordinator (convention), agent (commune),
    counsellor (counsellor)."""

    id = Serial(primary_key=True)
    staff = ForeignKey(StaffUser, index=True)
    role = Varchar(length=16)
    convention = ForeignKey(Convention, null=True)
    commune = ForeignKey(Commune, null=True)
    counsellor = ForeignKey(Counsellor, null=True)


class StaffSession(Table):
    id = Serial(primary_key=True)
    staff = ForeignKey(StaffUser, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked = Boolean(default=False)


class LoginAttempt(Table):
    """Failed logins, for throttling per account and per address (no passwords kept)."""

    id = Serial(primary_key=True)
    email = Varchar(length=254, index=True)
    address = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class Appointment(Table):
    id = Serial(primary_key=True)
    resident = ForeignKey(Resident, index=True)
    counsellor = ForeignKey(Counsellor, index=True)
    venue = ForeignKey(Venue, index=True)
    service = ForeignKey(Service)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    blocked_from = Timestamptz()
    blocked_until = Timestamptz()
    status = Varchar(length=16, default="booked", index=True)
    channel = Varchar(length=8, default="online")
    created_by = ForeignKey(StaffUser, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    cancelled_at = Timestamptz(null=True, default=None)
    cancelled_by_kind = Varchar(length=16, default="")
    cancelled_by = ForeignKey(StaffUser, null=True)
    cancel_reason = Varchar(length=300, default="")
    override_reason = Varchar(length=300, default="")
    outcome_by = ForeignKey(StaffUser, null=True)
    manage_token_hash = Varchar(length=64, unique=True)
    manage_token_expires_at = Timestamptz()
    sequence = Integer(default=0)
    rescheduled_from = Integer(null=True, default=None)


class WorkshopSeries(Table):
    """A *parcours* or a one-off workshop; sessions come from its recurrence."""

    id = Serial(primary_key=True)
    convention = ForeignKey(Convention, index=True)
    venue = ForeignKey(Venue, index=True)
    title = Varchar(length=200)
    slug = Varchar(length=140, unique=True)
    description = Text(default="")
    level = Varchar(length=16, default="debutant")
    themes = JSON(default=[])
    capacity = Integer(default=10)
    registration_mode = Varchar(length=8, default="session")
    start_time = Time()
    end_time = Time()
    rrule = Varchar(length=200, default="")
    first_day = Date()
    until = Date(null=True, default=None)
    rdates = JSON(default=[])
    exdates = JSON(default=[])
    external_animators = JSON(default=[])
    offer_minutes = Integer(default=1440)
    cutoff_minutes = Integer(default=120)
    status = Varchar(length=16, default="published")
    created_by = ForeignKey(StaffUser, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class WorkshopAnimator(Table):
    id = Serial(primary_key=True)
    series = ForeignKey(WorkshopSeries, index=True)
    counsellor = ForeignKey(Counsellor, index=True)


class WorkshopSession(Table):
    id = Serial(primary_key=True)
    series = ForeignKey(WorkshopSeries, index=True)
    venue = ForeignKey(Venue, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = Integer()
    seats_taken = Integer(default=0)
    status = Varchar(length=16, default="scheduled")
    edited = Boolean(default=False)
    sequence = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
    cancelled_at = Timestamptz(null=True, default=None)


class Registration(Table):
    """A resident (and party) in one session; a whole-*parcours* registration is one row per
    session sharing ``group_key``."""

    id = Serial(primary_key=True)
    resident = ForeignKey(Resident, index=True)
    session = ForeignKey(WorkshopSession, index=True)
    group_key = Varchar(length=32, default="", index=True)
    party_size = Integer(default=1)
    status = Varchar(length=16, default="confirmed", index=True)
    channel = Varchar(length=8, default="online")
    created_by = ForeignKey(StaffUser, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    offer_expires_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancelled_by_kind = Varchar(length=16, default="")
    manage_token_hash = Varchar(length=64, index=True)
    manage_token_expires_at = Timestamptz()


class ApiToken(Table):
    id = Serial(primary_key=True)
    staff = ForeignKey(StaffUser, index=True)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    scopes = JSON(default=[])
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)


class AuditLog(Table):
    """Who did what to which record; never personal data in ``detail``."""

    id = Serial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_kind = Varchar(length=16)
    actor_id = Integer(null=True, default=None)
    action = Varchar(length=64)
    entity = Varchar(length=32)
    entity_id = Integer(null=True, default=None)
    detail = JSON(default={})


class RateCounter(Table):
    """Fixed-window counters shared by every process (rate limits, SMS caps)."""

    id = Serial(primary_key=True)
    key = Varchar(length=128, unique=True)
    window_start = Timestamptz()
    hits = Integer(default=0)
