"""Anomaly detectors over the audit log: a base class, the detectors, and their registry.

The stable API: ``DETECTORS`` (name -> class), ``Detector`` (``name``, ``description``,
``Settings``, ``from_table``, ``parameters``, ``start``, ``scan``), ``DetectorRun``
(``feed``, ``finish``), ``run_detectors`` (one pass, many detectors) and ``default_detectors``.
"""

from __future__ import annotations

from strongroom.monitor.detectors.base import (
    Detector,
    DetectorRun,
    DetectorSettings,
    run_detectors,
)
from strongroom.monitor.detectors.registry import DETECTORS, default_detectors

__all__ = [
    "DETECTORS",
    "Detector",
    "DetectorRun",
    "DetectorSettings",
    "default_detectors",
    "run_detectors",
]
