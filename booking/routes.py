"""Every route handler of the app, feature by feature (the factory mounts this list)."""

from __future__ import annotations

from typing import Any

from booking.api.appointments_public import PublicAppointments
from booking.api.desk import Desk
from booking.api.feeds_staff import FeedsStaff
from booking.api.health import health
from booking.api.residents_privacy import ResidentPrivacy
from booking.api.tokens import ApiTokens
from booking.api.workshops_public import PublicWorkshops
from booking.api.workshops_staff import StaffWorkshops
from booking.api.workshops_staff_sessions import StaffWorkshopSessions
from booking.web import feeds, staff_auth, staff_home, twilio_webhooks
from booking.web.page_routes import page_handlers
from booking.web.workshop_routes import workshop_handlers


def route_handlers() -> list[Any]:
    return [
        health,
        staff_auth.login_page,
        staff_auth.login_submit,
        staff_auth.logout,
        staff_auth.logout_everywhere,
        staff_home.staff_home,
        twilio_webhooks.twilio_status,
        twilio_webhooks.twilio_inbound,
        PublicAppointments,
        Desk,
        FeedsStaff,
        *feeds.HANDLERS,
        ResidentPrivacy,
        ApiTokens,
        *page_handlers(),
        PublicWorkshops,
        StaffWorkshops,
        StaffWorkshopSessions,
        *workshop_handlers(),
    ]
