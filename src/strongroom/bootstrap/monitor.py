"""The composition root's monitoring part: the config file, the alert sinks, the live watch.

Kept beside ``bootstrap`` (which calls ``build_monitoring``) so that the root stays readable;
like it, this module alone may import both adapters and capabilities.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from pydantic import SecretStr

from strongroom.access.screening import InputScreen
from strongroom.adapters.notifiers import Notifier, NotifierSecrets, build_notifiers
from strongroom.collect.internal import InternalFeed
from strongroom.collect.service import Ingestor
from strongroom.core.clock import Clock
from strongroom.core.errors import ConfigurationError
from strongroom.core.monitoring import IncidentOpener
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.monitor.alerts import AlertService
from strongroom.monitor.config import MonitorConfig, default_config, parse_monitor_config
from strongroom.monitor.detectors.security import HoneytokenAccessDetector
from strongroom.monitor.honeytokens import HoneytokenAlarm
from strongroom.settings import Settings


@dataclass
class Monitoring:
    """The monitor's services, wired: detectors and sinks as configured, the live watch."""

    config: MonitorConfig
    alerts: AlertService
    alarm: HoneytokenAlarm | None  # None when the honeytoken_access detector is disabled
    feed: InternalFeed
    screen: InputScreen

    def close(self) -> None:
        if self.alarm is not None:
            self.alarm.close()


def load_monitor_config(settings: Settings) -> MonitorConfig:
    """The file ``STRONGROOM_MONITOR_CONFIG`` names, checked; the built-in defaults without one."""
    path = settings.monitor_config
    if path is None:
        return default_config()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigurationError(
            f"STRONGROOM_MONITOR_CONFIG names {path}, which cannot be read "
            f"({error.strerror or type(error).__name__}); fix the path or unset it"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"{path}: not valid TOML ({error}); fix the file") from None
    return parse_monitor_config(document, source=str(path))


@dataclass(frozen=True, slots=True)
class MonitorSetup:
    """The checked config file and the alert sinks it names: what start-up refuses if bad."""

    config: MonitorConfig
    notifiers: tuple[Notifier, ...]


def load_monitor_setup(settings: Settings) -> MonitorSetup:
    """The config file and its ``[sinks.*]`` (secrets from the settings); ConfigurationError."""
    config = load_monitor_config(settings)
    secrets = NotifierSecrets(
        webhook_secret=_secret(settings.alert_webhook_secret),
        smtp_password=_secret(settings.alert_smtp_password),
    )
    notifiers = build_notifiers(config.sinks, source=config.source, secrets=secrets)
    return MonitorSetup(config, tuple(notifiers))


def build_monitoring(
    setup: MonitorSetup,
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    clock: Clock,
    ingestor: Ingestor,
    incidents: IncidentOpener | None = None,
) -> Monitoring:
    """The alert service over the sinks, the live honeytoken watch, the internal feed.

    ``incidents``: critical alerts open an incident through it.
    """
    config = setup.config
    alerts = AlertService(
        uow_factory=uow_factory,
        audit=audit,
        clock=clock,
        notifiers=setup.notifiers,
        incidents=incidents,
        settings=config.alerts,
    )
    detector = config.detector(HoneytokenAccessDetector.name)
    alarm = None
    if isinstance(detector, HoneytokenAccessDetector) and detector.settings.enabled:
        alarm = HoneytokenAlarm(
            uow_factory=uow_factory, alerts=alerts, detector=detector, clock=clock
        )
    feed = InternalFeed(ingestor=ingestor, uow_factory=uow_factory, audit=audit, clock=clock)
    return Monitoring(config, alerts, alarm, feed, InputScreen(uow_factory, audit))


def _secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()
