"""The volume-cap detector turns refusals at a role's hourly cap into one alert an hour."""

from __future__ import annotations

from datetime import timedelta

import pytest

from strongroom.core.trail import AuditAction, Outcome
from strongroom.monitor.detectors.caps import VolumeCapDetector, VolumeCapSettings
from strongroom.monitor.detectors.registry import DETECTORS
from strongroom.monitor.models import ScanContext

from .conftest import DAY0, Log


def _capped(log: Log, actor: str, minutes: list[int]) -> None:
    for minute in minutes:
        log.add(
            actor,
            DAY0 + timedelta(minutes=minute),
            action=AuditAction.VOLUME_EXCEEDED,
            outcome=Outcome.DENIED,
            ids=(),
            detail={"limit_per_hour": 500, "role": "support"},
        )


@pytest.mark.parametrize(
    ("minutes", "threshold", "findings"),
    [
        pytest.param([5], 1, 1, id="one refusal at the cap fires"),
        pytest.param([5, 6, 7], 1, 1, id="refusals in one hour make one finding"),
        pytest.param([5, 65], 1, 2, id="two hours make two findings"),
        pytest.param([5, 6], 3, 0, id="under the threshold stays quiet"),
    ],
)
def test_refusals_at_the_cap_are_reported_once_an_hour(
    log: Log, minutes: list[int], threshold: int, findings: int
) -> None:
    _capped(log, "staff:sam", minutes)
    log.add("staff:sam", DAY0, action=AuditAction.CUSTOMER_READ)  # ordinary reads do not count
    detector = VolumeCapDetector(VolumeCapSettings(threshold=threshold))
    found = detector.scan(log.entries, ScanContext())
    assert len(found) == findings
    if found:
        assert found[0].principal == "staff:sam"
        assert "500" in found[0].summary


def test_the_volume_cap_detector_is_registered() -> None:
    assert DETECTORS["volume_cap"] is VolumeCapDetector
