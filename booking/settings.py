"""Typed settings read from the environment and validated once, at start-up."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATA_DIR = "data"


class ConfigError(Exception):
    """Bad configuration: the message lists every problem, one per line."""


@dataclass(frozen=True, slots=True)
class TwilioSettings:
    account_sid: str = ""
    auth_token: str = ""
    from_number: str = ""
    messaging_service_sid: str = ""
    sender_id: str = ""
    api_base_url: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.account_sid)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    public_base_url: str
    secret_key: str
    environment: str = "development"
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    twilio: TwilioSettings = field(default_factory=TwilioSettings)
    embed_allowed_origins: tuple[str, ...] = ()
    dispatcher_enabled: bool = True
    dispatch_interval_seconds: float = 15.0
    retention_months: int = 24
    default_timezone: str = "Europe/Paris"
    resident_cutoff_hours: int = 24
    booking_rate_per_hour: int = 20
    booking_rate_per_phone_day: int = 5
    staff_rate_per_hour: int = 300
    sms_daily_cap: int = 6
    slot_cache_entries: int = 256

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def engine(self) -> str:
        return "postgres" if self.database_url.startswith("postgres") else "sqlite"


def sqlite_path(database_url: str) -> str:
    """The file path of a ``sqlite:///relative`` or ``sqlite:////absolute`` URL."""
    path = database_url.removeprefix("sqlite:///")
    if not path or path == database_url:
        raise ConfigError(f"DATABASE_URL: no file path in {database_url!r}")
    return path


def database_url_from_env(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    data_dir = env.get("CRENEAU_DATA_DIR", DEFAULT_DATA_DIR)
    return env.get("DATABASE_URL") or f"sqlite:///{data_dir}/creneau.sqlite"


def _check_url(name: str, value: str, errors: list[str]) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors.append(f"{name}: expected an absolute http(s) URL, got {value!r}")
    elif parts.query or parts.fragment:
        errors.append(f"{name}: must not carry a query or fragment")


def _int(env: Mapping[str, str], name: str, default: int, errors: list[str]) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        errors.append(f"{name}: expected a whole number, got {raw!r}")
        return default
    if value < 0:
        errors.append(f"{name}: must not be negative")
    return value


def _secret_key(env: Mapping[str, str], production: bool, data_dir: Path, errors: list[str]) -> str:
    key = env.get("SECRET_KEY", "")
    if key:
        if len(key) < 32:
            errors.append("SECRET_KEY: at least 32 characters are required")
        return key
    if production:
        errors.append("SECRET_KEY: required when CRENEAU_ENV=production")
        return ""
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _twilio(env: Mapping[str, str], errors: list[str]) -> TwilioSettings:
    tw = TwilioSettings(
        account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
        auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
        from_number=env.get("TWILIO_FROM_NUMBER", ""),
        messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID", ""),
        sender_id=env.get("TWILIO_SENDER_ID", ""),
        api_base_url=env.get("TWILIO_API_BASE_URL", ""),
    )
    if not any((tw.account_sid, tw.auth_token, tw.from_number, tw.messaging_service_sid,
                tw.sender_id)):
        return tw
    if not (tw.account_sid.startswith("AC") and tw.auth_token):
        errors.append("TWILIO_ACCOUNT_SID (AC…) and TWILIO_AUTH_TOKEN are both required")
    senders = [s for s in (tw.from_number, tw.messaging_service_sid, tw.sender_id) if s]
    if len(senders) != 1:
        errors.append(
            "Twilio: set exactly one of TWILIO_FROM_NUMBER, TWILIO_MESSAGING_SERVICE_SID, "
            "TWILIO_SENDER_ID"
        )
    if tw.api_base_url:
        _check_url("TWILIO_API_BASE_URL", tw.api_base_url, errors)
    return tw


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise ConfigError naming every bad variable."""
    env = os.environ if env is None else env
    errors: list[str] = []
    environment = env.get("CRENEAU_ENV", "development")
    if environment not in ("development", "production", "test"):
        errors.append(f"CRENEAU_ENV: expected development, production or test, got {environment!r}")
    production = environment == "production"
    data_dir = Path(env.get("CRENEAU_DATA_DIR", DEFAULT_DATA_DIR))

    database_url = database_url_from_env(env)
    if database_url.startswith("sqlite:///"):
        sqlite_path(database_url)
    elif not database_url.startswith(("postgres://", "postgresql://")):
        errors.append(
            "DATABASE_URL: expected sqlite:///path/to/file.sqlite or postgresql://user@host/db, "
            f"got {database_url.split(':', 1)[0]}:…"
        )

    public_base_url = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    _check_url("PUBLIC_BASE_URL", public_base_url, errors)
    if production and not public_base_url.startswith("https://"):
        errors.append("PUBLIC_BASE_URL: must be https:// in production")

    origins = tuple(o.strip().rstrip("/") for o in env.get("EMBED_ALLOWED_ORIGINS", "").split(",")
                    if o.strip())
    for origin in origins:
        _check_url("EMBED_ALLOWED_ORIGINS", origin, errors)

    tz = env.get("CRENEAU_DEFAULT_TIMEZONE", "Europe/Paris")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(f"CRENEAU_DEFAULT_TIMEZONE: unknown time zone {tz!r}")

    settings = Settings(
        database_url=database_url,
        public_base_url=public_base_url,
        secret_key="",
        environment=environment,
        data_dir=data_dir,
        twilio=_twilio(env, errors),
        embed_allowed_origins=origins,
        dispatcher_enabled=env.get("CRENEAU_DISPATCHER", "on") != "off",
        dispatch_interval_seconds=float(_int(env, "CRENEAU_DISPATCH_INTERVAL", 15, errors)),
        retention_months=_int(env, "CRENEAU_RETENTION_MONTHS", 24, errors),
        default_timezone=tz,
        resident_cutoff_hours=_int(env, "CRENEAU_RESIDENT_CUTOFF_HOURS", 24, errors),
        booking_rate_per_hour=_int(env, "CRENEAU_BOOKING_RATE_PER_HOUR", 20, errors),
        booking_rate_per_phone_day=_int(env, "CRENEAU_BOOKING_RATE_PER_PHONE_DAY", 5, errors),
        staff_rate_per_hour=_int(env, "CRENEAU_STAFF_RATE_PER_HOUR", 300, errors),
        sms_daily_cap=_int(env, "CRENEAU_SMS_DAILY_CAP", 6, errors),
        slot_cache_entries=_int(env, "CRENEAU_SLOT_CACHE_ENTRIES", 256, errors),
    )
    if errors:
        raise ConfigError("\n".join(errors))
    key = _secret_key(env, production, data_dir, errors)
    if errors:
        raise ConfigError("\n".join(errors))
    return replace(settings, secret_key=key)
