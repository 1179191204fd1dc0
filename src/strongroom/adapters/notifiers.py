"""Alert sinks: a signed webhook, syslog, and email over SMTP, chosen by ``[sinks.*]`` tables.

Each sink is a small class with a ``kind``, a ``Settings`` dataclass of checked parameters and
``send``; ``NOTIFIERS`` is the registry. Every I/O failure becomes a ``NotificationError`` that
says which sink and why, never a credential. Secrets (the webhook's HMAC key, the SMTP
password) come from the settings, never from the config file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import socket
import ssl
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, ClassVar
from urllib.parse import SplitResult, urlsplit

import httpx

from strongroom.core.clock import ensure_utc
from strongroom.core.errors import ConfigurationError, NotificationError
from strongroom.core.monitoring import Alert, Severity
from strongroom.core.params import param, parse_params

SEVERITIES = tuple(s.value for s in Severity)
SIGNATURE_HEADER = "X-Strongroom-Signature"
TIMESTAMP_HEADER = "X-Strongroom-Timestamp"
MIN_SECRET_CHARS = 16
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True, slots=True)
class NotifierSecrets:
    """The sinks' secrets, from the settings (``STRONGROOM_ALERT_*``)."""

    webhook_secret: str | None = None
    smtp_password: str | None = None


@dataclass(frozen=True, slots=True)
class SinkSettings:
    min_severity: str = param("low", "alerts below this severity are not sent", choices=SEVERITIES)
    timeout_seconds: float = param(10.0, "how long to wait for the sink", above=0, maximum=120)


def alert_document(alert: Alert) -> dict[str, Any]:
    """What every sink sends: the alert as JSON-ready data."""
    return {
        "id": alert.id,
        "detector": alert.detector,
        "severity": alert.severity.value,
        "status": alert.status.value,
        "principal": alert.principal,
        "signal": alert.signal,
        "summary": alert.summary,
        "count": alert.count,
        "first_seen": ensure_utc(alert.first_seen).isoformat(),
        "last_seen": ensure_utc(alert.last_seen).isoformat(),
        "explanation": alert.explanation,
    }


def _json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


class Notifier(ABC):
    """A sink: implements ``core.ports.AlertNotifier``."""

    kind: ClassVar[str]
    description: ClassVar[str]
    Settings: ClassVar[type[SinkSettings]] = SinkSettings
    settings: SinkSettings

    def __init__(self, settings: SinkSettings, secrets: NotifierSecrets, *, where: str) -> None:
        self.settings = settings
        self.check(secrets, where)

    @property
    def name(self) -> str:
        return self.kind

    @property
    def min_severity(self) -> Severity:
        return Severity(self.settings.min_severity)

    def check(self, secrets: NotifierSecrets, where: str) -> None:  # noqa: B027 - optional hook
        """Refuse settings that cannot work or are unsafe (ConfigurationError naming them)."""

    @abstractmethod
    def send(self, alert: Alert) -> None: ...


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The webhook signature header value: HMAC-SHA256 over ``timestamp.body``."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def signature_valid(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Whether ``header`` is the signature of ``body`` sent at ``timestamp`` (for receivers)."""
    return hmac.compare_digest(sign(secret, timestamp, body), header)


@dataclass(frozen=True, slots=True)
class WebhookSettings(SinkSettings):
    url: str = param("", "where alerts are POSTed: https, or http on a loopback address")


class WebhookNotifier(Notifier):
    """POSTs each alert as JSON, signed with HMAC-SHA256 (``X-Strongroom-Signature``)."""

    kind = "webhook"
    description = "POST the alert as JSON, signed with HMAC-SHA256 over timestamp and body"
    Settings = WebhookSettings
    settings: WebhookSettings

    def check(self, secrets: NotifierSecrets, where: str) -> None:
        url = urlsplit(self.settings.url)
        loopback = url.hostname in LOOPBACK
        if not (url.scheme == "https" or (url.scheme == "http" and loopback)) or not url.hostname:
            raise ConfigurationError(
                f"{where}: url = {self.settings.url!r} must be an https:// URL (http:// only on "
                "a loopback address); fix the file and start again"
            )
        secret = secrets.webhook_secret or ""
        if len(secret) < MIN_SECRET_CHARS:
            raise ConfigurationError(
                f"{where}: a webhook needs STRONGROOM_ALERT_WEBHOOK_SECRET, at least "
                f"{MIN_SECRET_CHARS} characters, to sign its alerts; set it and start again"
            )
        self._secret = secret

    def send(self, alert: Alert) -> None:
        body, timestamp = _json(alert_document(alert)), str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._secret, timestamp, body),
        }
        host = urlsplit(self.settings.url).hostname
        try:
            response = httpx.post(
                self.settings.url,
                content=body,
                headers=headers,
                timeout=self.settings.timeout_seconds,
                follow_redirects=False,
                trust_env=False,
            )
        except httpx.HTTPError as error:
            raise NotificationError(f"webhook {host}: {type(error).__name__}") from None
        if not response.is_success:
            raise NotificationError(f"webhook {host} answered {response.status_code}")


FACILITIES = {"auth": 4, "authpriv": 10, "daemon": 3, "user": 1} | {
    f"local{n}": 16 + n for n in range(8)
}
SYSLOG_SEVERITY = {  # RFC 5424 severities: 2 critical, 3 error, 4 warning, 5 notice
    Severity.CRITICAL: 2,
    Severity.HIGH: 3,
    Severity.MEDIUM: 4,
    Severity.LOW: 5,
}


@dataclass(frozen=True, slots=True)
class SyslogSettings(SinkSettings):
    address: str = param(
        "unix:///dev/log", "udp://HOST:PORT, tcp://HOST:PORT or unix:///PATH of the syslog daemon"
    )
    facility: str = param("auth", "the syslog facility", choices=tuple(FACILITIES))


class SyslogNotifier(Notifier):
    """Sends each alert as one RFC 5424 message (the JSON document as its text)."""

    kind = "syslog"
    description = "one RFC 5424 message per alert over UDP, TCP (octet counting) or a Unix socket"
    Settings = SyslogSettings
    settings: SyslogSettings

    def check(self, secrets: NotifierSecrets, where: str) -> None:
        address = urlsplit(self.settings.address)
        unix = address.scheme == "unix" and bool(address.path)
        network = address.scheme in {"udp", "tcp"} and bool(address.hostname and _port(address))
        if not (unix or network):
            raise ConfigurationError(
                f"{where}: address = {self.settings.address!r} must be udp://HOST:PORT, "
                "tcp://HOST:PORT or unix:///PATH; fix the file and start again"
            )

    def message(self, alert: Alert) -> bytes:
        pri = FACILITIES[self.settings.facility] * 8 + SYSLOG_SEVERITY[alert.severity]
        stamp = ensure_utc(alert.last_seen).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        host = socket.gethostname() or "-"
        text = _json(alert_document(alert)).decode("utf-8")
        return f"<{pri}>1 {stamp} {host} strongroom - alert - {text}".encode()

    def send(self, alert: Alert) -> None:
        address, data = urlsplit(self.settings.address), self.message(alert)
        try:
            if address.scheme == "unix":
                with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                    sock.settimeout(self.settings.timeout_seconds)
                    sock.sendto(data, address.path)
            elif address.scheme == "udp":
                target = (address.hostname or "", address.port or 514)
                with socket.socket(_family(target[0]), socket.SOCK_DGRAM) as sock:
                    sock.sendto(data, target)
            else:
                target = (address.hostname or "", address.port or 514)
                timeout = self.settings.timeout_seconds
                with socket.create_connection(target, timeout=timeout) as sock:
                    sock.sendall(str(len(data)).encode() + b" " + data)  # RFC 6587 framing
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise NotificationError(f"syslog {self.settings.address}: {reason}") from None


def _port(address: SplitResult) -> int | None:
    try:
        return address.port
    except ValueError:  # not a number, or out of range
        return None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


@dataclass(frozen=True, slots=True)
class EmailSettings(SinkSettings):
    min_severity: str = param("high", "alerts below this severity are not sent", choices=SEVERITIES)
    host: str = param("", "the SMTP server")
    port: int = param(587, "its port", minimum=1, maximum=65535)
    security: str = param(
        "starttls", "starttls, tls, or none (loopback only)", choices=("starttls", "tls", "none")
    )
    sender: str = param("", "the From address")
    recipients: tuple[str, ...] = param((), "the To addresses")
    username: str = param("", "SMTP login; its password is STRONGROOM_ALERT_SMTP_PASSWORD")


class EmailNotifier(Notifier):
    """Mails each alert (summary, then the JSON explanation) over SMTP with TLS."""

    kind = "email"
    description = "an email per alert over SMTP (STARTTLS or TLS; plain only on loopback)"
    Settings = EmailSettings
    settings: EmailSettings

    def check(self, secrets: NotifierSecrets, where: str) -> None:
        s = self.settings
        missing = [n for n, v in (("host", s.host), ("sender", s.sender)) if not v]
        missing += [] if s.recipients else ["recipients"]
        if missing:
            raise ConfigurationError(
                f"{where}: {', '.join(missing)} must be set for email alerts; fix the file"
            )
        if s.security == "none" and s.host not in LOOPBACK:
            raise ConfigurationError(
                f"{where}: security = 'none' sends alerts in the clear; it is allowed only to a "
                "loopback host; use starttls or tls"
            )
        if s.username and not secrets.smtp_password:
            raise ConfigurationError(
                f"{where}: username is set but STRONGROOM_ALERT_SMTP_PASSWORD is not; set it"
            )
        self._password = secrets.smtp_password

    def send(self, alert: Alert) -> None:
        s = self.settings
        try:
            with self._connect() as smtp:
                if s.username and self._password:
                    smtp.login(s.username, self._password)
                smtp.send_message(self.message(alert))
        except (smtplib.SMTPException, OSError) as error:
            raise NotificationError(
                f"email via {s.host}:{s.port}: {type(error).__name__}"
            ) from None

    def message(self, alert: Alert) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = (
            f"[Strongroom {alert.severity.value}] {alert.detector}: {alert.principal}"
        )
        message["From"] = self.settings.sender
        message["To"] = ", ".join(self.settings.recipients)
        details = json.dumps(alert_document(alert), indent=2, sort_keys=True)
        message.set_content(f"{alert.summary}\n\nAlert {alert.id}\n\n{details}\n")
        return message

    def _connect(self) -> smtplib.SMTP:
        s, context = self.settings, ssl.create_default_context()
        if s.security == "tls":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=context)
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        if s.security == "starttls":
            try:
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
        return smtp


NOTIFIERS: dict[str, type[Notifier]] = {
    notifier.kind: notifier for notifier in (WebhookNotifier, SyslogNotifier, EmailNotifier)
}


def build_notifiers(
    sinks: Mapping[str, Mapping[str, object]], *, source: str, secrets: NotifierSecrets
) -> list[Notifier]:
    """The sinks a config file's ``[sinks.KIND]`` tables describe; ConfigurationError if bad."""
    built: list[Notifier] = []
    for kind, table in sinks.items():
        where = f"{source}: [sinks.{kind}]"
        notifier = NOTIFIERS.get(kind)
        if notifier is None:
            raise ConfigurationError(
                f"{where} is not a sink; the sinks are: {', '.join(NOTIFIERS)}"
            )
        settings = parse_params(notifier.Settings, table, where=where)
        built.append(notifier(settings, secrets, where=where))
    return built
