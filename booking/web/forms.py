"""Form plumbing shared by the pages: field errors in order, trimmed values."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict

from booking.errors import DomainError

MAX_FIELD = 1000


class FieldErrors:
    """Field name -> French message, in the order the fields appear on the page.

    The error summary links each message to ``#<field>``: the input's id is its name.
    """

    def __init__(self) -> None:
        self.items: dict[str, str] = {}
        self.status = 422

    def add(self, field: str, message: str, status: int | None = None) -> None:
        self.items.setdefault(field, message)
        if status is not None:
            self.status = status

    def __bool__(self) -> bool:
        return bool(self.items)

    def __contains__(self, field: object) -> bool:
        return field in self.items

    def get(self, field: str) -> str | None:
        return self.items.get(field)

    @contextmanager
    def collect(self, default_field: str, fields: Collection[str] = ()) -> Iterator[None]:
        """Record a domain refusal raised in the block against its field when the page has
        it (one of ``fields``), else against ``default_field``."""
        try:
            yield
        except DomainError as err:
            named = err.field if err.field and err.field in fields else default_field
            self.add(named, err.message, err.status)


async def form_data(request: Request[Any, Any, Any]) -> FormMultiDict:
    return await request.form()


def text(form: FormMultiDict | Any, name: str, limit: int = 300) -> str:
    value = form.get(name)
    return str(value).strip()[: min(limit, MAX_FIELD)] if value is not None else ""


def number(value: Any) -> int | None:
    """A positive id from a form or query value, or None."""
    try:
        parsed = int(str(value))
    except (TypeError, ValueError):
        return None
    return parsed if 0 < parsed < 2**31 else None
