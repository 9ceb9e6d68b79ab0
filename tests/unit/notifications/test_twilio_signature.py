from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from notifications.twilio_signature import is_valid_twilio_signature, public_webhook_url

TOKEN = "12345678901234567890123456789012"
PUBLIC = "https://rdv.cc-selestat.fr/webhooks/twilio/status?convention=7"
PROXIED = "http://127.0.0.1:8000/webhooks/twilio/status?convention=7"  # what the app sees
PARAMS = {
    "MessageSid": "SM" + "a" * 32,
    "MessageStatus": "delivered",
    "To": "+33612345678",
    "AccountSid": "AC" + "b" * 32,
}


def sign(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    signature: str = RequestValidator(token).compute_signature(url, params)
    return signature


def check(signature: str | None, *, url: str = PUBLIC, params: dict[str, str] = PARAMS) -> bool:
    return is_valid_twilio_signature(
        auth_token=TOKEN, public_url=url, params=params, signature=signature
    )


def test_valid_signature() -> None:
    assert check(sign(PUBLIC, PARAMS))


def test_twilio_may_sign_with_the_default_port() -> None:
    with_port = "https://rdv.cc-selestat.fr:443/webhooks/twilio/status?convention=7"
    assert check(sign(with_port, PARAMS))


@pytest.mark.parametrize(
    "tampered",
    [
        {**PARAMS, "MessageStatus": "failed"},
        {**PARAMS, "ErrorCode": "30007"},
        {k: v for k, v in PARAMS.items() if k != "To"},
    ],
)
def test_tampered_params_fail(tampered: dict[str, str]) -> None:
    assert not check(sign(PUBLIC, PARAMS), params=tampered)


def test_signature_over_the_proxy_url_is_not_the_public_one() -> None:
    assert not check(sign(PUBLIC, PARAMS), url=PROXIED)
    assert not check(sign(PROXIED, PARAMS))  # a request someone signed for the inner URL


def test_query_string_is_part_of_the_signed_url() -> None:
    assert not check(sign(PUBLIC, PARAMS), url=PUBLIC.replace("convention=7", "convention=8"))


@pytest.mark.parametrize("missing", [None, ""])
def test_missing_header_fails(missing: str | None) -> None:
    assert not check(missing)


def test_another_token_or_an_empty_token_fails() -> None:
    assert not check(sign(PUBLIC, PARAMS, token="another-token-another-token-1234"))
    empty_signed = sign(PUBLIC, PARAMS, token="")
    assert not is_valid_twilio_signature(
        auth_token="", public_url=PUBLIC, params=PARAMS, signature=empty_signed
    )


@pytest.mark.parametrize(
    ("base", "path", "query", "expected"),
    [
        ("https://rdv.example.fr", "/hooks/sms", "", "https://rdv.example.fr/hooks/sms"),
        ("https://rdv.example.fr/", "/hooks/sms", "a=1", "https://rdv.example.fr/hooks/sms?a=1"),
        ("https://x.fr/creneau", "hooks/sms", "", "https://x.fr/creneau/hooks/sms"),
    ],
)
def test_public_webhook_url(base: str, path: str, query: str, expected: str) -> None:
    assert public_webhook_url(base, path, query) == expected
