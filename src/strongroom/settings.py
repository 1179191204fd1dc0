"""Typed settings: the only reader of the environment. Validated at start-up, failing closed."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from strongroom.core.errors import ConfigurationError

SUPPORTED_DATABASE_SCHEMES = ("sqlite:///", "postgresql+psycopg://")
MIN_PASSPHRASE_LENGTH = 12
# The names of adapters.keyproviders.KEY_PROVIDERS (a test keeps the two equal).
KeyProviderName = Literal["file", "env", "pkcs11"]
DEFAULT_PKCS11_KEY_LABEL = "strongroom-root"


def _default_home() -> Path:
    return Path.home() / ".strongroom"


def checkpoint_sink_problem(spec: str) -> str | None:
    """What is wrong with one audit checkpoint sink of the setting, or None."""
    if spec == "dir" or spec.startswith("dir:"):
        absolute = spec == "dir" or Path(spec[4:]).is_absolute()
        return None if absolute else "must name an absolute directory"
    try:
        parts = urlsplit(spec)
        port = parts.port
    except ValueError:
        return "has an invalid port"
    if parts.scheme in ("syslog", "syslog+udp", "syslog+tcp"):
        return None if parts.hostname and port else "must look like syslog://HOST:PORT"
    if parts.scheme in ("http", "https") and parts.hostname:
        # Plain HTTP would let anyone on the path drop or change checkpoints: loopback only.
        plain_remote = parts.scheme == "http" and not _is_loopback(parts.hostname)
        return "must use https (http only on loopback)" if plain_remote else None
    return "is not dir, dir:/PATH, syslog://HOST:PORT, syslog+tcp://HOST:PORT or https://URL"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _given(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value().strip())


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
    expected_customers: int = Field(
        default=1_000_000,
        ge=1,
        description="How many customers you expect; sizes new blind indexes (see docs/keys.md)",
    )
    key_provider: KeyProviderName = Field(
        default="file", description="Where the root key comes from: file, env or pkcs11"
    )
    root_key: SecretStr | None = Field(
        default=None, description="The root key itself, 32 bytes in base64 (key_provider env)"
    )
    pkcs11_module: Path | None = Field(
        default=None, description="Absolute path of the HSM's PKCS#11 module (key_provider pkcs11)"
    )
    pkcs11_token_label: str | None = Field(
        default=None, description="Label of the HSM token holding the root key"
    )
    pkcs11_pin: SecretStr | None = Field(default=None, description="User PIN of the HSM token")
    pkcs11_key_label: str = Field(
        default=DEFAULT_PKCS11_KEY_LABEL, min_length=1, description="Label of the root key object"
    )
    audit_checkpoint_entries: int = Field(
        default=1000, ge=1, description="Sign an audit checkpoint after this many new entries"
    )
    audit_checkpoint_seconds: float = Field(
        default=300.0, ge=1, description="... or after this many seconds with new entries"
    )
    audit_checkpoint_sinks: str = Field(
        default="dir",
        description="Where checkpoints are exported: dir, dir:/PATH, syslog://H:P, "
        "syslog+tcp://H:P, https://URL (comma-separated; empty for none)",
    )
    monitor_config: Path | None = Field(
        default=None,
        description="The monitor's TOML file (detectors, alerts, sinks); default: built-in",
    )
    alert_webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key that signs webhook alerts (16+ characters)"
    )
    alert_smtp_password: SecretStr | None = Field(
        default=None, description="Password of the SMTP login that sends email alerts"
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

    @field_validator("pkcs11_module")
    @classmethod
    def _absolute_module(cls, module: Path | None) -> Path | None:
        # A bare name would be looked up on the library search path, where another could hide.
        if module is not None and not module.is_absolute():
            raise ValueError("STRONGROOM_PKCS11_MODULE must be an absolute path")
        return module

    @field_validator("monitor_config")
    @classmethod
    def _absolute_monitor_config(cls, path: Path | None) -> Path | None:
        return None if path is None else path.expanduser().resolve()

    @field_validator("audit_checkpoint_sinks")
    @classmethod
    def _known_sinks(cls, value: str) -> str:
        specs = [spec.strip() for spec in value.split(",") if spec.strip()]
        for spec in specs:
            if problem := checkpoint_sink_problem(spec):
                raise ValueError(f"STRONGROOM_AUDIT_CHECKPOINT_SINKS: {spec!r} {problem}")
        if sum(spec == "dir" or spec.startswith("dir:") for spec in specs) > 1:
            raise ValueError("STRONGROOM_AUDIT_CHECKPOINT_SINKS names more than one directory")
        return ",".join(specs)

    @model_validator(mode="after")
    def _key_provider_configured(self) -> Settings:
        if self.key_provider == "env" and not _given(self.root_key):
            raise ValueError(
                "STRONGROOM_KEY_PROVIDER is env but STRONGROOM_ROOT_KEY is not set: set it to "
                "the root key, 32 random bytes in base64 (docs/key-providers.md shows how to "
                "make one)"
            )
        if self.key_provider == "pkcs11":
            needed = {
                "STRONGROOM_PKCS11_MODULE": self.pkcs11_module is not None,
                "STRONGROOM_PKCS11_TOKEN_LABEL": bool(self.pkcs11_token_label),
                "STRONGROOM_PKCS11_PIN": _given(self.pkcs11_pin),
            }
            missing = [name for name, given in needed.items() if not given]
            if missing:
                verb = "is" if len(missing) == 1 else "are"
                raise ValueError(
                    f"STRONGROOM_KEY_PROVIDER is pkcs11 but {' and '.join(missing)} {verb} not "
                    "set: set the HSM's module path, token label and user PIN"
                )
        return self

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
    def erasure_ledger_path(self) -> Path:
        """Signed erasure receipts, one per line, outside the database (and so its backups)."""
        return self.home / "erasures.jsonl"

    @property
    def audit_checkpoint_dir(self) -> Path:
        """Where the ``dir`` sink writes signed audit checkpoints, one JSON file each."""
        return self.home / "audit-checkpoints"

    @property
    def audit_checkpoint_sink_specs(self) -> tuple[str, ...]:
        return tuple(spec for spec in self.audit_checkpoint_sinks.split(",") if spec)

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
        field = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        where = f"invalid setting {field}" if field else "invalid settings"
        raise ConfigurationError(f"{where}: {message}") from None
