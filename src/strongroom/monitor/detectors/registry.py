"""The registry: every detector by name, as the config file's ``[detectors.NAME]`` tables say."""

from __future__ import annotations

from strongroom.monitor.detectors.base import Detector
from strongroom.monitor.detectors.caps import VolumeCapDetector
from strongroom.monitor.detectors.habits import (
    FirstDataClassDetector,
    FirstSeenOriginDetector,
    OffHoursDetector,
)
from strongroom.monitor.detectors.security import (
    FailureBurstDetector,
    HoneytokenAccessDetector,
    SuspiciousInputDetector,
)
from strongroom.monitor.detectors.volume import (
    BulkReadDetector,
    PeerDeviationDetector,
    VolumeSpikeDetector,
)

DETECTORS: dict[str, type[Detector]] = {
    detector.name: detector
    for detector in (
        VolumeSpikeDetector,
        OffHoursDetector,
        FirstSeenOriginDetector,
        FirstDataClassDetector,
        PeerDeviationDetector,
        BulkReadDetector,
        FailureBurstDetector,
        SuspiciousInputDetector,
        HoneytokenAccessDetector,
        VolumeCapDetector,
    )
}


def default_detectors() -> list[Detector]:
    """Every detector with its built-in settings, in registry order."""
    return [detector() for detector in DETECTORS.values()]
