"""File import, wired: the file readers, the reject file and the import service of an app.

``run_import`` is the one place a file path is handed over to be parsed: checks that must run
before anything parses an import file (size, type, malware scan) belong at its start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from strongroom.adapters.filereaders import FileRecordReaders, file_sha256
from strongroom.adapters.rejectfiles import RejectFile
from strongroom.bootstrap.app import App
from strongroom.bootstrap.intake import admit_import_file
from strongroom.collect.imports.mapping import ImportMapping, parse_mapping
from strongroom.collect.imports.service import Importer, ImportFile, list_imports
from strongroom.core.errors import InvalidInputError
from strongroom.core.imports import FileFormat, ImportKind, ImportRun
from strongroom.core.models import Actor
from strongroom.vault.keyring import Keyring

# (bytes read, bytes in the file, rows read)
ImportProgress = Callable[[int, int, int], None]
_SUFFIXES = {".csv": FileFormat.CSV, ".jsonl": FileFormat.JSONL, ".ndjson": FileFormat.JSONL}
_SUFFIXES[".parquet"] = FileFormat.PARQUET
_MAX_MAPPING_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    run: ImportRun
    rejects: Path | None  # the reject file, if any row was refused


def run_import(
    app: App,
    path: Path,
    *,
    source: str,
    kind: ImportKind,
    actor: Actor,
    file_format: FileFormat | None = None,
    mapping_path: Path | None = None,
    rejects_path: Path | None = None,
    progress: ImportProgress | None = None,
) -> ImportOutcome:
    """Import the file at ``path`` into ``source``; every refused row goes to the reject file."""
    if not path.is_file():
        raise InvalidInputError(f"no file at {path}")
    admit_import_file(app.intake, path, actor=actor)  # size, type, scanners: before any parser
    file_format = file_format or format_of(path)
    mapping = load_mapping(mapping_path, kind) if mapping_path else ImportMapping(kind)
    reader = FileRecordReaders().open(path, file_format)
    file = ImportFile(source, kind, file_format, path.name, file_sha256(path))
    rejects = RejectFile(rejects_path or default_rejects_path(path, file_format))
    report = _reporter(progress, reader.total_bytes)
    try:
        run = importer(app).run(
            file=file, reader=reader, mapping=mapping, rejects=rejects, actor=actor, progress=report
        )
    finally:
        rejects.close()
    return ImportOutcome(run, Path(rejects.location) if rejects.count else None)


def importer(app: App) -> Importer:
    """The import service of ``app``; message ids are keyed with its pseudonym key."""
    with app.reader() as uow:
        keyring = Keyring.open(app.root_key, uow.data_keys.all())
    return Importer(
        uow_factory=app.uow_factory,
        ingestor=app.ingestor,
        audit=app.audit,
        clock=app.clock,
        keys=keyring,
    )


def import_runs(app: App, *, limit: int = 50) -> list[ImportRun]:
    """The newest import runs first."""
    return list_imports(uow_factory=app.reader, limit=limit)


def format_of(path: Path) -> FileFormat:
    """The format a file name says (.csv, .jsonl or .ndjson, .parquet)."""
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise InvalidInputError(
            f"cannot tell the format of {path.name!r} from its name: "
            "pass --format csv, jsonl or parquet"
        )
    return found


def load_mapping(path: Path, kind: ImportKind) -> ImportMapping:
    """Read and check a mapping file (TOML or JSON)."""
    if not path.is_file():
        raise InvalidInputError(f"no mapping file at {path}")
    if path.stat().st_size > _MAX_MAPPING_BYTES:
        raise InvalidInputError("the mapping file is over 1 MiB; it should be a few lines")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError("the mapping file is not UTF-8 text") from None
    return parse_mapping(text, kind=kind, suffix=path.suffix)


def default_rejects_path(path: Path, file_format: FileFormat) -> Path:
    """Beside the input: ``orders.csv`` -> ``orders.rejects.csv``; JSON Lines for other formats."""
    suffix = ".csv" if file_format is FileFormat.CSV else ".jsonl"
    return path.with_name(f"{path.stem}.rejects{suffix}")


def _reporter(progress: ImportProgress | None, total: int) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, rows: progress(done, total, rows)
