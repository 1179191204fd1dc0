"""The file type sniffer: libmagic (python-magic) reads a file's bytes, never its name."""

from __future__ import annotations

import threading
from pathlib import Path

import magic

from strongroom.core.errors import ConfigurationError

_PARQUET_MAGIC = b"PAR1"
PARQUET_MEDIA_TYPE = "application/vnd.apache.parquet"


class MagicSniffer:
    """Implements ``core.intake.FileTypeSniffer`` with libmagic's MIME database.

    libmagic 5.44 does not know Parquet and calls it application/octet-stream; a file that also
    begins and ends with Parquet's own magic number (``PAR1``) is named Parquet instead.
    """

    def __init__(self) -> None:
        try:
            self._magic = magic.Magic(mime=True)
        except (magic.MagicException, OSError) as error:
            raise ConfigurationError(
                f"libmagic cannot be loaded ({error}); install libmagic1"
            ) from None
        self._lock = threading.Lock()  # a libmagic handle is not safe across threads

    def sniff(self, path: Path) -> str:
        with self._lock:
            media_type = str(self._magic.from_file(str(path)))
        if media_type == "application/octet-stream" and _is_parquet(path):
            return PARQUET_MEDIA_TYPE
        return media_type


def _is_parquet(path: Path) -> bool:
    size = path.stat().st_size
    if size < 2 * len(_PARQUET_MAGIC):
        return False
    with path.open("rb") as file:
        head = file.read(len(_PARQUET_MAGIC))
        file.seek(size - len(_PARQUET_MAGIC))
        return head == _PARQUET_MAGIC and file.read(len(_PARQUET_MAGIC)) == _PARQUET_MAGIC
