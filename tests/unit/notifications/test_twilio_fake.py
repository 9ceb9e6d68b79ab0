"""The local Twilio-compatible server itself, spoken to with plain httpx."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from notifications.twilio_signature import is_valid_twilio_signature
from tests.twilio_fake import FakeTwilio, Scripted

NOW = datetime(2026, 11, 3, 9, 15, 42, tzinfo=UTC)
RESIDENT = "+33612345678"
OUR_NUMBER = "+33757000001"


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(clock=lambda: NOW) as server:
        yield server


@pytest.fixture
def api(fake: FakeTwilio) -> Iterator[httpx.Client]:
    prefix = f"{fake.base_url}/2010-04-01/Accounts/{fake.account_sid}"
    auth = (fake.account_sid, fake.auth_token)
    with httpx.Client(base_url=prefix, auth=auth, trust_env=False) as client:
        yield client


def create(api: httpx.Client, **form: str) -> httpx.Response:
    return api.post("/Messages.json", data={"To": RESIDENT, "From": OUR_NUMBER, **form})


def test_create_answers_twilio_shape(fake: FakeTwilio, api: httpx.Client) -> None:
    response = create(api, Body="Bonjour", StatusCallback="https://x.fr/cb")
    assert response.status_code == 201
    data = response.json()
    assert re.fullmatch(r"SM[0-9a-f]{32}", data["sid"])
    assert (data["status"], data["to"], data["from"], data["body"]) == (
        "queued",
        RESIDENT,
        OUR_NUMBER,
        "Bonjour",
    )
    assert parsedate_to_datetime(data["date_created"]) == NOW.replace(microsecond=0)
    assert data["date_sent"] is None and data["price"] is None and data["error_code"] is None
    assert data["num_segments"] == "1" and data["direction"] == "outbound-api"
    assert data["uri"] == f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{data['sid']}.json"
    assert api.get(f"/Messages/{data['sid']}.json").json() == data
    assert fake.messages[0].status_callback == "https://x.fr/cb"


def test_messaging_service_sends_are_accepted(api: httpx.Client) -> None:
    response = api.post(
        "/Messages.json",
        data={"To": RESIDENT, "MessagingServiceSid": "MG" + "1" * 32, "Body": "x"},
    )
    assert response.status_code == 201 and response.json()["status"] == "accepted"


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"To": ""}, 21604),
        ({"Body": ""}, 21602),
        ({"From": ""}, 21603),
        ({"To": "0612345678"}, 21211),
    ],
)
def test_create_validates_like_twilio(api: httpx.Client, form: dict[str, str], code: int) -> None:
    response = create(api, **{"Body": "x", **form})
    assert response.status_code == 400 and response.json()["code"] == code


def test_wrong_credentials_and_foreign_accounts_are_refused(fake: FakeTwilio) -> None:
    url = f"{fake.base_url}/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
    bad = httpx.get(url, auth=(fake.account_sid, "nope"), trust_env=False)
    assert bad.status_code == 401 and bad.json()["code"] == 20003
    other = url.replace(fake.account_sid, "AC" + "9" * 32)
    auth = (fake.account_sid, fake.auth_token)
    assert httpx.get(other, auth=auth, trust_env=False).status_code == 404
    assert len(fake.requests) == 2


def test_list_filters_by_recipient_and_date_sent(fake: FakeTwilio, api: httpx.Client) -> None:
    old = fake.seed_message(to=RESIDENT, body="old", date_created=NOW - timedelta(days=2))
    today = fake.seed_message(to=RESIDENT, body="today", date_created=NOW)
    fake.seed_message(to="+33698765432", body="other", date_created=NOW)
    queued = fake.seed_message(to=RESIDENT, body="queued", date_created=NOW, status="queued")

    def sids(**query: str) -> list[str]:
        return [m["sid"] for m in api.get("/Messages.json", params=query).json()["messages"]]

    assert set(sids(To=RESIDENT)) == {old.sid, today.sid, queued.sid}
    assert sids(To=RESIDENT, **{"DateSent>": "2026-11-03"}) == [today.sid]  # queued: no date
    assert sids(To=RESIDENT, **{"DateSent<": "2026-11-02"}) == [old.sid]
    assert sids(To=RESIDENT, DateSent="2026-11-01") == [old.sid]
    assert sids(To=RESIDENT, **{"DateSent>": "2026-11-03T09:15:43Z"}) == []


def test_list_pages_newest_first(fake: FakeTwilio, api: httpx.Client) -> None:
    for n in range(5):
        fake.seed_message(to=RESIDENT, body=str(n), date_created=NOW + timedelta(minutes=n))
    first = api.get("/Messages.json", params={"To": RESIDENT, "PageSize": 2}).json()
    assert [m["body"] for m in first["messages"]] == ["4", "3"]
    assert (first["page"], first["page_size"], first["previous_page_uri"]) == (0, 2, None)
    next_uri = first["next_page_uri"]
    assert next_uri.startswith(f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json?")
    assert dict(parse_qsl(next_uri.split("?")[1])) == {"To": RESIDENT, "PageSize": "2", "Page": "1"}
    last = api.get(next_uri.replace("Page=1", "Page=2").split(fake.account_sid)[1]).json()
    assert [m["body"] for m in last["messages"]] == ["0"] and last["next_page_uri"] is None


def test_scripted_answers_are_used_once_by_the_matching_method(
    fake: FakeTwilio, api: httpx.Client
) -> None:
    fake.fail_next(503, method="GET")
    fake.fail_next(429, code=20429, retry_after=7)
    limited = create(api, Body="x")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert limited.json()["code"] == 20429
    assert create(api, Body="x").status_code == 201
    assert api.get("/Messages.json").status_code == 503
    assert api.get("/Messages.json").status_code == 200


def test_crash_after_accept_records_then_hangs_up(fake: FakeTwilio, api: httpx.Client) -> None:
    fake.script(Scripted(crash_after_accept=True))
    with pytest.raises(httpx.RemoteProtocolError):
        create(api, Body="Rappel")
    assert [m.body for m in fake.messages] == ["Rappel"]


def test_stop_wakes_a_delayed_request() -> None:
    fake = FakeTwilio().start()
    fake.delay_next(600, method=None)
    failures: list[BaseException] = []

    def call() -> None:
        try:
            httpx.get(fake.base_url + "/2010-04-01/Accounts/AC1/Messages.json", trust_env=False)
        except httpx.HTTPError as exc:
            failures.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    while not fake.requests:
        threading.Event().wait(0.01)
    fake.stop()
    caller.join(timeout=30)
    assert not caller.is_alive() and len(failures) == 1


def test_concurrent_creates_are_all_recorded(fake: FakeTwilio, api: httpx.Client) -> None:
    threads = [
        threading.Thread(target=create, args=(api,), kwargs={"Body": str(n)}) for n in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(int(m.body) for m in fake.messages) == list(range(20))
    assert len({m.sid for m in fake.messages}) == 20


def signature_ok(fake: FakeTwilio, public_url: str, form: dict[str, str], headers: Any) -> bool:
    return is_valid_twilio_signature(
        auth_token=fake.auth_token,
        public_url=public_url,
        params=form,
        signature=headers.get("x-twilio-signature"),
    )


def test_status_callback_is_signed_and_updates_the_message(
    fake: FakeTwilio, api: httpx.Client
) -> None:
    sid = create(api, Body="x").json()["sid"]
    public = "https://rdv.example.fr/webhooks/twilio/status?c=1"
    fake.send_status_callback(
        sid, "undelivered", public, error_code=30003, post_to=fake.base_url + "/hook?c=1"
    )
    hook = fake.requests[-1]
    assert hook.path == "/hook" and hook.form["MessageStatus"] == "undelivered"
    assert (hook.form["MessageSid"], hook.form["To"], hook.form["ErrorCode"]) == (
        sid,
        RESIDENT,
        "30003",
    )
    assert signature_ok(fake, public, hook.form, hook.headers)
    assert not signature_ok(fake, fake.base_url + "/hook?c=1", hook.form, hook.headers)
    message = fake.message(sid)
    assert (message.status, message.error_code, message.date_sent) == ("undelivered", 30003, NOW)


def test_inbound_sms_is_signed(fake: FakeTwilio) -> None:
    url = fake.base_url + "/webhooks/twilio/inbound"
    fake.inbound(url, RESIDENT, "STOP")
    hook = fake.requests[-1]
    assert (hook.form["From"], hook.form["To"], hook.form["Body"]) == (
        RESIDENT,
        fake.phone_number,
        "STOP",
    )
    assert signature_ok(fake, url, hook.form, hook.headers)


async def test_async_webhooks_go_through_a_given_client(fake: FakeTwilio) -> None:
    seen: list[httpx.Request] = []

    def app(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    url = "https://rdv.example.fr/webhooks/twilio/status"
    async with httpx.AsyncClient(transport=httpx.MockTransport(app)) as client:
        await fake.asend_status_callback(
            "SM" + "0" * 32, "delivered", url, to=RESIDENT, client=client
        )
        await fake.ainbound("https://rdv.example.fr/in", RESIDENT, "Oui", client=client)
    status, inbound = (dict(parse_qsl(r.content.decode())) for r in seen)
    assert str(seen[0].url) == url and status["To"] == RESIDENT
    assert signature_ok(fake, url, status, seen[0].headers)
    assert signature_ok(fake, "https://rdv.example.fr/in", inbound, seen[1].headers)
