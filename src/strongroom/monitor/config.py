"""The monitor's configuration file (TOML): which detectors run with which settings, the alert
dedupe window, and the alert sinks.

```toml
[detectors.volume_spike]
enabled = true
threshold = 6.0

[alerts]
dedupe_hours = 24

[sinks.webhook]            # checked by the sink registry (adapters.notifiers), not here
url = "https://hooks.example.com/strongroom"
```

A detector the file does not name runs with its built-in settings. Anything unknown or out of
range stops start-up with a message naming the file, the table and the key: nothing is
repaired or skipped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from strongroom.core.errors import ConfigurationError
from strongroom.core.params import parse_params
from strongroom.monitor.alerts import AlertSettings
from strongroom.monitor.detectors import DETECTORS, Detector

BUILT_IN = "the built-in monitor defaults"
SECTIONS = ("detectors", "alerts", "sinks")


@dataclass(frozen=True, slots=True)
class MonitorConfig:
    """Detectors (every registered one, configured or default), alert settings, sink tables."""

    detectors: tuple[Detector, ...]
    alerts: AlertSettings = field(default_factory=AlertSettings)
    sinks: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    source: str = BUILT_IN  # the file it came from, for messages

    def detector(self, name: str) -> Detector:
        return next(d for d in self.detectors if d.name == name)


def default_config() -> MonitorConfig:
    """Every detector with its built-in settings, no sinks."""
    return parse_monitor_config({}, source=BUILT_IN)


def parse_monitor_config(document: Mapping[str, object], *, source: str) -> MonitorConfig:
    """Check a parsed config file; ConfigurationError names the first bad setting and file."""
    for section in document:
        if section not in SECTIONS:
            raise ConfigurationError(
                f"{source}: unknown section [{section}]; the sections are: {', '.join(SECTIONS)}"
            )
    tables = _table(document.get("detectors", {}), f"{source}: [detectors]")
    for name in tables:
        if name not in DETECTORS:
            raise ConfigurationError(
                f"{source}: [detectors.{name}] is not a detector; the detectors are: "
                f"{', '.join(DETECTORS)}"
            )
    detectors = tuple(
        cls.from_table(
            _table(tables.get(name, {}), f"{source}: [detectors.{name}]"),
            where=f"{source}: [detectors.{name}]",
        )
        for name, cls in DETECTORS.items()
    )
    alerts = parse_params(
        AlertSettings,
        _table(document.get("alerts", {}), f"{source}: [alerts]"),
        where=f"{source}: [alerts]",
    )
    sinks = _table(document.get("sinks", {}), f"{source}: [sinks]")
    checked_sinks = {
        name: _table(value, f"{source}: [sinks.{name}]") for name, value in sinks.items()
    }
    return MonitorConfig(detectors, alerts, checked_sinks, source)


def _table(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            f"{where} must be a table of settings, not {type(value).__name__}; "
            "fix the file and start again"
        )
    return {str(key): item for key, item in value.items()}
