"""The monitor's config file: every mistake names the file, the table and the setting."""

from __future__ import annotations

import re
from typing import Any

import pytest

from strongroom.core.errors import ConfigurationError
from strongroom.monitor.config import default_config, parse_monitor_config
from strongroom.monitor.detectors import DETECTORS
from strongroom.monitor.detectors.volume import VolumeSpikeDetector

FILE = "/etc/strongroom/monitor.toml"


def test_without_a_file_every_detector_runs_with_its_built_in_settings() -> None:
    config = default_config()
    assert [d.name for d in config.detectors] == list(DETECTORS)
    assert all(d.settings.enabled for d in config.detectors)
    assert config.alerts.dedupe_hours == 24.0
    assert config.sinks == {}


def test_a_file_changes_only_what_it_names() -> None:
    document = {
        "detectors": {
            "volume_spike": {"threshold": 8, "baseline_days": 14, "severity": "critical"},
            "off_hours": {"enabled": False},
        },
        "alerts": {"dedupe_hours": 6},
        "sinks": {"syslog": {"address": "udp://127.0.0.1:514"}},
    }
    config = parse_monitor_config(document, source=FILE)
    spike = config.detector("volume_spike")
    assert isinstance(spike, VolumeSpikeDetector)
    assert (spike.settings.threshold, spike.settings.baseline_days) == (8.0, 14)
    assert spike.severity.value == "critical"
    assert config.detector("off_hours").settings.enabled is False
    assert config.detector("bulk_read").settings == DETECTORS["bulk_read"]().settings
    assert config.alerts.dedupe_hours == 6.0
    assert config.sinks == {"syslog": {"address": "udp://127.0.0.1:514"}}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {"detectors": {"volume_spiek": {}}},
            "[detectors.volume_spiek] is not a detector; the detectors are: volume_spike",
            id="an unknown detector",
        ),
        pytest.param(
            {"detectors": {"volume_spike": {"threshold": -1.0}}},
            "[detectors.volume_spike]: threshold = -1.0 is not above 0",
            id="a negative threshold",
        ),
        pytest.param(
            {"detectors": {"volume_spike": {"threshold": "high"}}},
            "[detectors.volume_spike]: threshold = 'high' is of the wrong type: it must be a "
            "number",
            id="a threshold of the wrong type",
        ),
        pytest.param(
            {"detectors": {"volume_spike": {"treshold": 6.0}}},
            "[detectors.volume_spike]: unknown setting 'treshold'; the settings here are:",
            id="a misspelt setting",
        ),
        pytest.param(
            {"detectors": {"bulk_read": {"threshold": 2.5}}},
            "[detectors.bulk_read]: threshold = 2.5 is of the wrong type: it must be a whole "
            "number",
            id="a fraction where a count belongs",
        ),
        pytest.param(
            {"detectors": {"off_hours": {"enabled": "yes"}}},
            "[detectors.off_hours]: enabled = 'yes' is of the wrong type: it must be a boolean",
            id="a string for a boolean",
        ),
        pytest.param(
            {"detectors": {"failure_burst": {"threshold": True}}},
            "[detectors.failure_burst]: threshold = True is of the wrong type",
            id="a boolean for a count",
        ),
        pytest.param(
            {"detectors": {"volume_spike": {"severity": "urgent"}}},
            "[detectors.volume_spike]: severity = 'urgent' is not one of: low, medium, high, "
            "critical",
            id="an unknown severity",
        ),
        pytest.param(
            {"detectors": {"bulk_read": {"actions": ["customer.read", "customer.export"]}}},
            "[detectors.bulk_read]: actions = ['customer.read', 'customer.export'] is not one of",
            id="an unknown audit action",
        ),
        pytest.param(
            {"detectors": {"volume_spike": {"threshold": float("nan")}}},
            "threshold = nan is not a finite number",
            id="not a number",
        ),
        pytest.param(
            {"detectors": {"volume_spike": {"baseline_days": 1}}},
            "baseline_days = 1 is below the minimum 2",
            id="a baseline too short",
        ),
        pytest.param(
            {"detectors": {"volume_spike": 6.0}},
            "[detectors.volume_spike] must be a table of settings, not float",
            id="a value where a table belongs",
        ),
        pytest.param(
            {"alerts": {"dedupe_hours": 0}},
            "[alerts]: dedupe_hours = 0 is not above 0",
            id="an empty dedupe window",
        ),
        pytest.param(
            {"detector": {}},
            "unknown section [detector]; the sections are: detectors, alerts, sinks",
            id="a misspelt section",
        ),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_file_table_and_key(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(
        ConfigurationError, match=re.escape(f"{FILE}: ") + ".*" + re.escape(message)
    ):
        parse_monitor_config(document, source=FILE)
