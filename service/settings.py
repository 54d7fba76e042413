"""The service's configuration, read from the environment in one place."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service; each field is read from the environment variable
    of the same name in capitals (``ARTIFACTS_DIR``, ``MAX_BATCH_SIZE``, ...).

    Raises:
        pydantic.ValidationError: naming the variable whose value is not valid.
    """

    model_config = SettingsConfigDict(frozen=True)

    artifacts_dir: Path = Field(
        default=Path("artifacts"),
        description="Directory of the artifact bundle written by `python -m training`.",
    )
    default_threshold: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Decision threshold used when a request names none; unset means "
        "the threshold chosen at training time and recorded in the manifest.",
    )
    max_batch_size: int = Field(
        default=10_000, ge=1, description="Most transactions one request may hold."
    )
    max_body_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1,
        description="Largest request body accepted, in bytes (a full batch of "
        "10,000 transactions is about 8 MB of JSON).",
    )
    log_level: str = Field(default="INFO", description="A `logging` level name.")
    api_token: SecretStr | None = Field(
        default=None,
        min_length=1,
        description="When set, POST /predict requires `Authorization: Bearer <token>`.",
    )

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.upper()
        # getLevelName maps a known name to its number and anything else to a str.
        if not isinstance(logging.getLevelName(level), int):
            raise ValueError(
                f"LOG_LEVEL={value!r} is not a logging level "
                "(expected DEBUG, INFO, WARNING, ERROR or CRITICAL)"
            )
        return level
