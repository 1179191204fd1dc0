"""The registry: chosen by configuration, one span per stretch of text, a threshold."""

from __future__ import annotations

import pytest

from strongroom.collect.detectors.base import Span
from strongroom.collect.detectors.registry import build_registry, resolve_overlaps
from strongroom.core.errors import ConfigurationError


def test_configuration_chooses_the_detectors() -> None:
    registry = build_registry(["email", "iban"])
    assert registry.names == ("email", "iban")
    text = "ann@example.org +44 20 7946 0958"
    assert [s.type for s in registry.detect(text)] == ["email"]


def test_an_unknown_detector_name_is_refused_naming_it() -> None:
    with pytest.raises(ConfigurationError, match="passport"):
        build_registry(["email", "passport"])


def test_the_threshold_drops_weak_spans() -> None:
    assert build_registry(["nl_bsn"]).detect("id 111222333") == []
    assert [s.score for s in build_registry(["nl_bsn"], threshold=0.2).detect("111222333")] == [0.3]


def test_where_spans_overlap_the_surest_wins() -> None:
    spans = [Span(0, 11, "phone", 0.5), Span(0, 11, "us_ssn", 0.6), Span(20, 25, "email", 0.9)]
    assert resolve_overlaps(spans) == [Span(0, 11, "us_ssn", 0.6), Span(20, 25, "email", 0.9)]


def test_a_dashed_ssn_is_an_ssn_not_a_phone_number() -> None:
    assert [s.type for s in build_registry().detect("536-90-4399")] == ["us_ssn"]


def test_spans_serialise_as_the_scan_output_shape() -> None:
    assert Span(1, 3, "email", 0.9).as_json() == {
        "start": 1,
        "end": 3,
        "type": "email",
        "score": 0.9,
    }
