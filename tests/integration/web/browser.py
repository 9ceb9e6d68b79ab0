"""A tiny form-filling 'browser' over httpx: submit the forms a page really has, as a
browser without JavaScript would (hidden fields, checked boxes, selected options)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, name, value)
    defaults: dict[str, Any] = field(default_factory=dict)  # checkboxes: a list


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif not self.forms:
            return
        form = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            form.fields.append((kind, a["name"], a.get("value", "")))
            if kind == "radio" and "checked" in a:
                form.defaults[a["name"]] = a.get("value", "on")
            elif kind == "checkbox" and "checked" in a:
                form.defaults.setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "radio", "checkbox"):
                form.defaults[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
            if self._select:
                form.defaults.setdefault(self._select, "")
        elif tag == "option" and self._select:
            form.fields.append(("option", self._select, a.get("value", "")))
            if "selected" in a:
                form.defaults[self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            form.defaults[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].defaults[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_with_action(html: str, action: str) -> Form:
    found = [f for f in forms_of(html) if f.action.split("?")[0] == action]
    assert found, f"no form posting to {action}"
    return found[0]


def options(form: Form, name: str, kind: str = "radio") -> list[str]:
    return [value for k, n, value in form.fields if n == name and k == kind]


class Browser:
    """Counts the form submissions a person makes (redirects are not submissions)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.submissions = 0
        self.page: httpx.Response | None = None

    async def open(self, url: str) -> httpx.Response:
        self.page = await self._follow(await self.client.get(url))
        return self.page

    async def submit(self, action: str, /, **values: Any) -> httpx.Response:
        assert self.page is not None
        form = form_with_action(self.page.text, action)
        data = {
            **form.defaults,
            **{k: v if isinstance(v, list) else str(v) for k, v in values.items() if v is not None},
        }
        data = {
            k: v for k, v in data.items() if k not in {k for k, v in values.items() if v is None}
        }
        self.submissions += 1
        if form.method == "post":
            response = await self.client.post(form.action, data=data)
        else:
            response = await self.client.get(form.action, params=data)
        self.page = await self._follow(response)
        return self.page

    async def _follow(self, response: httpx.Response) -> httpx.Response:
        while response.status_code in (301, 302, 303, 307):
            response = await self.client.get(response.headers["location"])
        return response
