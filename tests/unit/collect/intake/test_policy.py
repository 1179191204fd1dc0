"""The type table: a name's extension must be allowed on the channel and agree with the bytes."""

from __future__ import annotations

import pytest

from strongroom.collect.intake.policy import IntakePolicy, extension_of, safe_name
from strongroom.core.errors import ConfigurationError, UnsupportedFileTypeError
from strongroom.core.intake import IntakeChannel

POLICY = IntakePolicy()
IMPORT, DOCUMENT = IntakeChannel.IMPORT, IntakeChannel.DOCUMENT


@pytest.mark.parametrize(
    ("name", "channel", "sniffed", "agrees"),
    [
        ("customers.csv", IMPORT, "text/csv", True),
        ("customers.csv", IMPORT, "text/plain", True),
        ("customers.CSV", IMPORT, "text/csv", True),
        ("events.jsonl", IMPORT, "application/x-ndjson", True),
        ("events.parquet", IMPORT, "application/vnd.apache.parquet", True),
        ("batch.zip", IMPORT, "application/zip", True),
        ("batch.tar.gz", IMPORT, "application/gzip", True),
        ("id-card.pdf", DOCUMENT, "application/pdf", True),
        ("id-card.jpg", DOCUMENT, "image/jpeg", True),
        ("scan.png", DOCUMENT, "image/png", True),
        ("customers.csv", IMPORT, "application/x-dosexec", False),
        ("customers.csv", IMPORT, "application/zip", False),
        ("id-card.pdf", DOCUMENT, "text/html", False),
        ("scan.png", DOCUMENT, "image/jpeg", False),
        ("events.parquet", IMPORT, "application/octet-stream", False),
    ],
)
def test_extension_and_bytes_must_agree(
    name: str, channel: IntakeChannel, sniffed: str, agrees: bool
) -> None:
    file_type = POLICY.file_type(name, channel)
    if agrees:
        POLICY.check_content(file_type, sniffed)
    else:
        with pytest.raises(UnsupportedFileTypeError, match="bytes are"):
            POLICY.check_content(file_type, sniffed)


@pytest.mark.parametrize(
    ("name", "channel"),
    [
        ("payload.exe", IMPORT),
        ("noextension", IMPORT),
        ("report.pdf", IMPORT),  # documents only
        ("batch.zip", DOCUMENT),  # imports only
        ("page.html", DOCUMENT),
        (".csv", IMPORT),
    ],
)
def test_names_off_the_channel_allowlist_are_refused(name: str, channel: IntakeChannel) -> None:
    with pytest.raises(UnsupportedFileTypeError, match="not accepted"):
        POLICY.file_type(name, channel)


def test_the_settings_narrow_the_allowlist_and_refuse_unknown_types() -> None:
    narrow = IntakePolicy.from_settings(max_bytes=10, allowed=["csv", " pdf "])
    assert narrow.allowed_on(IMPORT) == ["csv"]
    with pytest.raises(UnsupportedFileTypeError):
        narrow.file_type("events.jsonl", IMPORT)
    with pytest.raises(ConfigurationError, match="exe"):
        IntakePolicy.from_settings(max_bytes=10, allowed=["csv", "exe"])


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\evil name.csv", "evil_name.csv"),
        ("a\x00b;rm -rf.csv", "a_b_rm_-rf.csv"),
        ("...", "unnamed"),
    ],
)
def test_original_names_are_reduced_to_safe_characters(given: str, kept: str) -> None:
    assert safe_name(given) == kept


def test_tar_gz_counts_as_tgz() -> None:
    assert extension_of("x/batch.TAR.GZ") == "tgz"
