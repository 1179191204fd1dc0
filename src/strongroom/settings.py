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
    identity_blocked_values: str | None = Field(
        default=None,
        description="Identifier values never used to link customers, comma-separated; a leading "
        "+ adds to the built-in list (see docs/identity.md)",
    )
    identity_limits: str | None = Field(
        default=None,
        description="Per-type identifier limits of one customer, e.g. anonymous_id=50,email=3",
    )
    lake_dir: Path | None = Field(
        default=None, description="The Parquet lake's directory; default: lake/ in the data home"
    )
    warehouse_path: Path | None = Field(
        default=None, description="The DuckDB warehouse file; default: warehouse.duckdb in the home"
    )
    max_upload_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=1,
        description="The largest file intake accepts (imports and documents); larger is 413",
    )
    clamd_address: str | None = Field(
        default=None,
        description="clamd's unix socket path or HOST:PORT; unset: YARA rules only",
    )
    intake_allowed_types: str = Field(
        default="csv,jsonl,ndjson,parquet,zip,tar,tgz,pdf,png,jpg,jpeg,txt",
        description="File extensions intake accepts (comma-separated; see docs/intake.md)",
    )
    retention_event_months: int = Field(
        default=13, ge=1, le=1200, description="Months behavioral events are kept"
    )
    retention_order_months: int = Field(
        default=120,
        ge=1,
        le=1200,
        description="Months orders are kept (books and records: 10 years in Germany, 6 in the UK)",
    )

    tls_client_ca: Path | None = Field(
        default=None,
        description="PEM file of the CA(s) whose client certificates the server accepts (mutual "
        "TLS); unset: no client certificates are asked for",
    )
    analytics_min_group_size: int = Field(
        default=5,
        ge=2,
        le=1000,
        description="k: analytics suppress every group of fewer customers (never lowered per run)",
    )
    spark_master: str = Field(
        default="local[2]",
        min_length=1,
        description="Spark master URL for `--engine spark`, e.g. local[4], spark://host:7077",
    )
    spark_warehouse_uri: str | None = Field(
        default=None,
        description="Parquet of the warehouse tables for Spark (a directory or s3a:// URI "
        "holding <table>.parquet); default: a fresh copy of the DuckDB warehouse",
    )
    webauthn_rp_id: str | None = Field(
        default=None,
        description="WebAuthn relying party id: the host name staff log in at, e.g. "
        "strongroom.example.com; unset: no security keys, so roles that need them cannot log in",
    )
    webauthn_origin: str | None = Field(
        default=None,
        description="The exact origin staff log in from, e.g. https://strongroom.example.com",
    )
    session_idle_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="A staff session ends after this long unused"
    )
    session_absolute_minutes: int = Field(
        default=8 * 60,
        ge=1,
        le=7 * 24 * 60,
        description="A staff session ends this long after login, however busy",
    )
    policy_file: Path | None = Field(
        default=None,
        description="An access policy file (TOML) used instead of the applied or built-in one",
    )

    @field_validator("webauthn_origin")
    @classmethod
    def _secure_origin(cls, origin: str | None) -> str | None:
        if origin is None:
            return None
        parts = urlsplit(origin)
        secure = parts.scheme == "https" or (
            parts.scheme == "http" and _is_loopback(parts.hostname or "")
        )
        if not (secure and parts.hostname) or parts.path not in ("", "/") or parts.query:
            raise ValueError(
                "STRONGROOM_WEBAUTHN_ORIGIN must be an origin such as https://host[:port] "
                "(http only on loopback), with no path"
            )
        return origin.rstrip("/")

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

    @field_validator("monitor_config", "policy_file")
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

    @property
    def lake_path(self) -> Path:
        """The lake's root directory (see docs/lake-and-warehouse.md)."""
        path = self.lake_dir or self.home / "lake"
        return path.expanduser().resolve()

    @property
    def warehouse_file(self) -> Path:
        """The DuckDB file the warehouse is built in."""
        path = self.warehouse_path or self.home / "warehouse.duckdb"
        return path.expanduser().resolve()

    @property
    def documents_dir(self) -> Path:
        """Customers' documents, sealed under their own keys, named by random ids."""
        return self.home / "documents"

    @property
    def quarantine_dir(self) -> Path:
        """Refused files, sealed, waiting for the security team."""
        return self.home / "quarantine"

    @property
    def intake_staging_dir(self) -> Path:
        """Uploads being received, deleted once admitted and sealed, or refused."""
        return self.home / "intake-staging"


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
