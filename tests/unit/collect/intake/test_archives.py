"""Archive rules: every limit refuses from the archive's directory, before any extraction."""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from strongroom.collect.intake.archives import inspect_archive
from strongroom.collect.intake.policy import ArchiveLimits
from strongroom.core.errors import ArchiveRefusedError

CSV = b"id,email\n1,a@example.com\n"
LIMITS = ArchiveLimits(
    max_total_bytes=2_000_000, max_ratio=50, max_members=5, max_depth=2, max_nested_bytes=100_000
)


def _zip(members: dict[str, bytes], *, link: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if link is not None:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _tar(members: dict[str, bytes], *, symlink: str | None = None, gzipped: bool = False) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if symlink is not None:
            info = tarfile.TarInfo(symlink)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            archive.addfile(info)
    data = buffer.getvalue()
    return gzip.compress(data) if gzipped else data


def _check(tmp_path: Path, data: bytes, kind: str, limits: ArchiveLimits = LIMITS) -> int:
    path = tmp_path / f"archive.{kind}"
    path.write_bytes(data)
    return inspect_archive(path, kind, limits, compressed_size=len(data)).members


BOMB = b"\0" * 1_500_000  # deflates over a thousand times
NOISE = os.urandom(1_100_000)  # does not deflate: only the total size is too much

REFUSED: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("zip bomb (ratio)", lambda: _zip({"a.csv": BOMB}), "zip", "times its packed size"),
    (
        "zip total size",
        lambda: _zip({f"{i}.csv": NOISE for i in range(2)}),
        "zip",
        "unpacks to over",
    ),
    ("zip too many files", lambda: _zip({f"{i}.csv": CSV for i in range(6)}), "zip", "over 5"),
    ("zip traversal", lambda: _zip({"../evil.csv": CSV}), "zip", "escapes"),
    ("zip absolute", lambda: _zip({"/etc/cron.d/x.csv": CSV}), "zip", "escapes"),
    ("zip backslash", lambda: _zip({"..\\evil.csv": CSV}), "zip", "plain relative"),
    ("zip link", lambda: _zip({"a.csv": CSV}, link="b.csv"), "zip", "link"),
    ("zip wrong member type", lambda: _zip({"run.exe": b"MZ"}), "zip", "not an import type"),
    (
        "zip nested too deep",
        lambda: _zip({"a.zip": _zip({"b.zip": _zip({"c.csv": CSV})})}),
        "zip",
        "nested",
    ),
    ("zip damaged", lambda: b"PK\x03\x04 not really", "zip", "damaged"),
    ("tar traversal", lambda: _tar({"../../evil.csv": CSV}), "tar", "escapes"),
    ("tar symlink", lambda: _tar({"a.csv": CSV}, symlink="b.csv"), "tar", "link"),
    ("tgz bomb", lambda: _tar({"a.csv": BOMB}, gzipped=True), "tgz", "bomb"),
]


@pytest.mark.parametrize(("case", "make", "kind", "says"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_archives_are_refused_with_the_limit_they_break(
    tmp_path: Path, case: str, make: Callable[[], bytes], kind: str, says: str
) -> None:
    archive_kind = "tar" if kind == "tgz" else kind
    with pytest.raises(ArchiveRefusedError, match=says):
        _check(tmp_path, make(), archive_kind)


@pytest.mark.parametrize(
    ("make", "kind", "members"),
    [
        (lambda: _zip({"a.csv": CSV, "b.jsonl": b'{"a": 1}\n'}), "zip", 2),
        (lambda: _zip({"inner.zip": _zip({"c.csv": CSV}), "d.csv": CSV}), "zip", 3),
        (lambda: _tar({"dir/a.csv": CSV}), "tar", 1),
        (lambda: _tar({"a.csv": CSV, "b.parquet": b"PAR1PAR1"}, gzipped=True), "tar", 2),
    ],
)
def test_ordinary_archives_pass_and_are_counted(
    tmp_path: Path, make: Callable[[], bytes], kind: str, members: int
) -> None:
    assert _check(tmp_path, make(), kind) == members


def test_nothing_is_extracted_to_disk(tmp_path: Path) -> None:
    _check(tmp_path, _zip({"inner.zip": _zip({"c.csv": CSV})}), "zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.zip"]
