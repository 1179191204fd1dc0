"""The audit checkpoint settings: defaults, and bad values stopping start-up with their name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from strongroom.core.errors import ConfigurationError
from strongroom.settings import load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what each test gives: no STRONGROOM_* of the machine running the tests."""
    for name in list(os.environ):
        if name.startswith("STRONGROOM_"):
            monkeypatch.delenv(name)


def test_checkpoints_default_to_every_1000_entries_or_5_minutes_into_the_home(
    tmp_path: Path,
) -> None:
    settings = load_settings(home=tmp_path)
    assert settings.audit_checkpoint_entries == 1000
    assert settings.audit_checkpoint_seconds == 300
    assert settings.audit_checkpoint_sink_specs == ("dir",)
    assert settings.audit_checkpoint_dir == tmp_path / "audit-checkpoints"


def test_sinks_are_read_from_the_environment_as_a_comma_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "STRONGROOM_AUDIT_CHECKPOINT_SINKS",
        " dir , syslog://127.0.0.1:5514,syslog+tcp://logs.example:6514, https://w.example/cp ",
    )
    assert load_settings(home=tmp_path).audit_checkpoint_sink_specs == (
        "dir",
        "syslog://127.0.0.1:5514",
        "syslog+tcp://logs.example:6514",
        "https://w.example/cp",
    )


def test_an_empty_sink_list_means_no_sinks(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path, audit_checkpoint_sinks="")
    assert settings.audit_checkpoint_sink_specs == ()


@pytest.mark.parametrize(
    ("sinks", "message"),
    [
        ("ftp://x", "'ftp://x' is not dir, dir:/PATH"),
        ("syslog://host", "must look like syslog://HOST:PORT"),
        ("syslog://host:99999", "has an invalid port"),
        ("http://witness.example/cp", "must use https (http only on loopback)"),
        ("dir:relative/path", "must name an absolute directory"),
        ("dir,dir:/var/lib/cp", "names more than one directory"),
    ],
)
def test_a_bad_sink_stops_start_up_naming_the_setting(
    tmp_path: Path, sinks: str, message: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(home=tmp_path, audit_checkpoint_sinks=sinks)
    assert "STRONGROOM_AUDIT_CHECKPOINT_SINKS" in caught.value.message
    assert message in caught.value.message


def test_plain_http_is_allowed_to_a_witness_on_loopback(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path, audit_checkpoint_sinks="http://127.0.0.1:8080/cp")
    assert settings.audit_checkpoint_sink_specs == ("http://127.0.0.1:8080/cp",)


@pytest.mark.parametrize(
    ("field", "value"), [("audit_checkpoint_entries", 0), ("audit_checkpoint_seconds", 0.5)]
)
def test_a_checkpoint_interval_below_one_is_refused(
    tmp_path: Path, field: str, value: float
) -> None:
    with pytest.raises(ConfigurationError, match=f"invalid setting {field}"):
        load_settings(home=tmp_path, **{field: value})
