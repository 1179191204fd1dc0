"""Typed settings: the only reader of the environment. Validated at start-up, failing closed."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from strongroom.core.errors import ConfigurationError

SUPPORTED_DATABASE_SCHEMES = ("sqlite:///", "postgresql+psycopg://")
MIN_PASSPHRASE_LENGTH = 12


def _default_home() -> Path:
    return Path.home() / ".strongroom"


class Settings(BaseSettings):
    """Strongroom's settings, from ``STRONGROOM_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="STRONGROOM_", extra="forbid")

    home: Path = Field(default_factory=_default_home, description="The data home directory")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the data home"
    )
    root_passphrase: SecretStr | None = Field(
        default=None, description="Opens the root key file; asked for at a terminal when unset"
    )
    token: SecretStr | None = Field(
        default=None, description="A staff API token for CLI commands that read customer data"
    )
    dev_mode: bool = Field(
        default=False, description="Relaxes the root key file permission check; never in production"
    )

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, home: Path) -> Path:
        return home.expanduser().resolve()

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(SUPPORTED_DATABASE_SCHEMES):
            schemes = " or ".join(SUPPORTED_DATABASE_SCHEMES)
            raise ValueError(f"STRONGROOM_DATABASE_URL must start with {schemes}")
        return url

    @field_validator("root_passphrase")
    @classmethod
    def _strong_passphrase(cls, passphrase: SecretStr | None) -> SecretStr | None:
        if passphrase is not None and len(passphrase.get_secret_value()) < MIN_PASSPHRASE_LENGTH:
            raise ValueError(
                f"STRONGROOM_ROOT_PASSPHRASE must be at least {MIN_PASSPHRASE_LENGTH} characters"
            )
        return passphrase

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.home / 'strongroom.sqlite3'}"
        return self

    @property
    def database(self) -> str:
        assert self.database_url is not None  # set by the validator above
        return self.database_url

    @property
    def root_key_path(self) -> Path:
        return self.home / "root.key"

    @property
    def tls_cert_path(self) -> Path:
        return self.home / "tls" / "cert.pem"

    @property
    def tls_key_path(self) -> Path:
        return self.home / "tls" / "key.pem"


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings; invalid ones raise ConfigurationError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigurationError(f"invalid setting {field}: {message}") from None
