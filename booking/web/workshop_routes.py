"""The workshop pages (public, resident's link, staff), in one list for ``booking.routes``."""

from __future__ import annotations

from typing import Any

from booking.web import (
    workshops_manage,
    workshops_public,
    workshops_staff,
    workshops_staff_session,
)


def workshop_handlers() -> list[Any]:
    return [
        *workshops_public.HANDLERS,
        *workshops_manage.HANDLERS,
        workshops_staff.index,
        workshops_staff.new_form,
        workshops_staff.new_submit,
        workshops_staff.series_page,
        workshops_staff_session.session_page,
        workshops_staff_session.attendance,
        workshops_staff_session.cancel,
        workshops_staff_session.sheet_csv,
        workshops_staff_session.sheet_page,
    ]
