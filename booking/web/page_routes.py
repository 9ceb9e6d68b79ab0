"""The server-rendered pages of issue 7 (residents' booking and staff tools), in one list."""

from __future__ import annotations

from typing import Any

from booking.web import (
    resident_booking,
    resident_manage,
    staff_agenda,
    staff_availability,
    staff_commune_agenda,
    staff_desk,
    staff_feed,
    staff_townhall,
)


def page_handlers() -> list[Any]:
    return [
        resident_booking.start,
        resident_booking.choose_service,
        resident_booking.choose_slot,
        resident_booking.details_form,
        resident_booking.details_submit,
        resident_manage.confirmation,
        resident_manage.manage,
        resident_manage.cancel_confirm,
        resident_manage.cancel_submit,
        resident_manage.move_form,
        resident_manage.move_submit,
        staff_desk.desk,
        staff_desk.desk_choose,
        staff_desk.desk_book,
        staff_desk.desk_booked,
        staff_agenda.agenda_index,
        staff_agenda.agenda_day,
        staff_agenda.agenda_week,
        staff_agenda.day_sheet_page,
        staff_agenda.mark_outcome,
        staff_agenda.cancel_form,
        staff_agenda.cancel_submit,
        staff_commune_agenda.commune_day,
        staff_availability.rules_list,
        staff_availability.rules_submit,
        staff_availability.rule_deactivate,
        staff_availability.absences_list,
        staff_availability.absences_submit,
        staff_feed.feed_page,
        staff_feed.feed_submit,
        staff_townhall.townhall,
        staff_townhall.outbox,
    ]
