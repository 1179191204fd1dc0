"""Start-up reads the monitor's config file and its sinks, and refuses a bad one by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from strongroom.bootstrap.monitor import load_monitor_setup
from strongroom.core.errors import ConfigurationError
from strongroom.settings import load_settings


def test_without_a_config_file_the_built_in_defaults_apply(tmp_path: Path) -> None:
    setup = load_monitor_setup(load_settings(home=tmp_path))
    assert setup.config.source == "the built-in monitor defaults"
    assert setup.notifiers == ()


def test_a_config_file_with_sinks_builds_them_with_secrets_from_the_settings(
    tmp_path: Path,
) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(
        '[sinks.webhook]\nurl = "https://hooks.example.com/a"\n'
        '[sinks.syslog]\naddress = "udp://127.0.0.1:514"\n'
    )
    settings = load_settings(home=tmp_path, monitor_config=config, alert_webhook_secret="s" * 32)
    setup = load_monitor_setup(settings)
    assert [n.name for n in setup.notifiers] == ["webhook", "syslog"]
    assert setup.config.source == str(config)


def test_a_webhook_without_its_secret_stops_start_up(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text('[sinks.webhook]\nurl = "https://hooks.example.com/a"\n')
    with pytest.raises(ConfigurationError, match="STRONGROOM_ALERT_WEBHOOK_SECRET"):
        load_monitor_setup(load_settings(home=tmp_path, monitor_config=config))


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigurationError) as raised:
        load_monitor_setup(load_settings(home=tmp_path, monitor_config=missing))
    assert (
        f"STRONGROOM_MONITOR_CONFIG names {missing}, which cannot be read" in raised.value.message
    )


def test_a_file_that_is_not_toml_is_named_with_the_line(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text("[detectors.volume_spike]\nthreshold = = 6\n")
    with pytest.raises(ConfigurationError) as raised:
        load_monitor_setup(load_settings(home=tmp_path, monitor_config=config))
    assert raised.value.message.startswith(f"{config}: not valid TOML")
    assert "line 2" in raised.value.message
