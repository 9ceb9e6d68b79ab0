"""Configuration is validated at start-up, with a message naming each bad variable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from booking.settings import ConfigError, load_settings


def test_defaults_generate_and_keep_a_secret_key(tmp_path: Path) -> None:
    env = {"CRENEAU_DATA_DIR": str(tmp_path)}
    first = load_settings(env)
    assert first.database_url == f"sqlite:///{tmp_path}/creneau.sqlite"
    assert first.engine == "sqlite" and len(first.secret_key) >= 32
    assert load_settings(env).secret_key == first.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"PUBLIC_BASE_URL": "rdv.example.fr"}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "https://rdv.example.fr/?a=1"}, "query or fragment"),
        ({"CRENEAU_ENV": "production", "PUBLIC_BASE_URL": "https://x.fr"}, "SECRET_KEY: required"),
        ({"CRENEAU_ENV": "production", "SECRET_KEY": "x" * 40}, "https:// in production"),
        ({"SECRET_KEY": "short"}, "at least 32"),
        ({"CRENEAU_ENV": "staging"}, "CRENEAU_ENV"),
        ({"TWILIO_ACCOUNT_SID": "AC123"}, "TWILIO_AUTH_TOKEN"),
        ({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t"}, "exactly one of"),
        ({"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM_NUMBER": "+3361",
          "TWILIO_SENDER_ID": "Mairie"}, "exactly one of"),
        ({"CRENEAU_RETENTION_MONTHS": "two"}, "CRENEAU_RETENTION_MONTHS"),
        ({"CRENEAU_DEFAULT_TIMEZONE": "Europe/Atlantis"}, "unknown time zone"),
        ({"EMBED_ALLOWED_ORIGINS": "https://ok.fr, javascript:alert(1)"}, "EMBED_ALLOWED_ORIGINS"),
    ],
)
def test_bad_configuration_is_refused_with_a_clear_message(
    tmp_path: Path, env: dict[str, str], fragment: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"CRENEAU_DATA_DIR": str(tmp_path), **env})
    assert fragment in str(refused.value)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"CRENEAU_DATA_DIR": str(tmp_path), "DATABASE_URL": "oracle://",
                       "PUBLIC_BASE_URL": "nope"})
    assert str(refused.value).count("\n") == 1


def test_the_cli_stops_before_starting_on_bad_configuration(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "CRENEAU_DATA_DIR": str(tmp_path),
           "DATABASE_URL": "mysql://root@localhost/x"}
    result = subprocess.run([sys.executable, "-m", "booking.cli", "migrate"], env=env,
                            capture_output=True, text=True, timeout=60, check=False,
                            cwd=Path(__file__).parents[3])
    assert result.returncode == 2
    assert "configuration is invalid" in result.stderr and "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
