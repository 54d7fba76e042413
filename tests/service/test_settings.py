"""Configuration from the environment, and the command's early checks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from service.__main__ import main
from service.settings import Settings


def test_every_setting_is_read_from_its_environment_variable(monkeypatch):
    monkeypatch.setenv("ARTIFACTS_DIR", "/srv/bundle")
    monkeypatch.setenv("DEFAULT_THRESHOLD", "0.35")
    monkeypatch.setenv("MAX_BATCH_SIZE", "250")
    monkeypatch.setenv("MAX_BODY_BYTES", "65536")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("API_TOKEN", "abc")

    settings = Settings()

    assert settings.artifacts_dir == Path("/srv/bundle")
    assert settings.default_threshold == 0.35
    assert settings.max_batch_size == 250
    assert settings.max_body_bytes == 65536
    assert settings.log_level == "DEBUG"
    assert settings.api_token.get_secret_value() == "abc"


def test_defaults_take_the_bundles_threshold_and_need_no_token():
    settings = Settings()

    assert settings.artifacts_dir == Path("artifacts")
    assert settings.default_threshold is None
    assert settings.api_token is None


def test_the_token_is_not_shown_in_the_settings_repr(monkeypatch):
    monkeypatch.setenv("API_TOKEN", "do-not-print-me")

    assert "do-not-print-me" not in repr(Settings())


@pytest.mark.parametrize(
    ("variable", "value", "field"),
    [
        ("DEFAULT_THRESHOLD", "1.5", "default_threshold"),
        ("DEFAULT_THRESHOLD", "high", "default_threshold"),
        ("MAX_BATCH_SIZE", "0", "max_batch_size"),
        ("MAX_BODY_BYTES", "lots", "max_body_bytes"),
        ("LOG_LEVEL", "LOUD", "log_level"),
        ("API_TOKEN", "", "api_token"),
    ],
)
def test_an_invalid_value_is_refused_naming_the_setting(
    monkeypatch, variable, value, field
):
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError, match=field):
        Settings()


def test_the_command_refuses_invalid_settings_in_one_line(monkeypatch, caplog):
    monkeypatch.setenv("MAX_BATCH_SIZE", "-3")

    assert main(["--artifacts", "anywhere"]) == 2
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "MAX_BATCH_SIZE: Input should be greater than or equal to 1" in (
        record.getMessage()
    )
    assert "\n" not in record.getMessage()


@pytest.mark.parametrize(
    ("argument", "value"), [("--port", "99999"), ("--port", "-1"), ("--workers", "0")]
)
def test_the_command_refuses_an_impossible_port_or_worker_count(
    argument, value, capsys
):
    with pytest.raises(SystemExit) as stopped:
        main([argument, value])

    assert stopped.value.code == 2
    assert f"argument {argument}" in capsys.readouterr().err


def test_the_command_refuses_a_missing_bundle_before_serving(
    monkeypatch, tmp_path, caplog
):
    monkeypatch.delenv("ARTIFACTS_DIR", raising=False)

    assert main(["--artifacts", str(tmp_path / "missing")]) == 1
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert str(tmp_path / "missing") in record.getMessage()
