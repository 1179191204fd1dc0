"""``strongroom keys status|rotate|retire``: key versions, rotation without downtime, retirement."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.progress import Progress

from strongroom.bootstrap import App, rotate_root_key
from strongroom.cli.context import local_actor, open_app, root_passphrase
from strongroom.cli.keys import keys_app
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.core.errors import ApprovalRequiredError, InvalidInputError
from strongroom.core.policy import ApprovalKind
from strongroom.vault.keyring import KeyKind
from strongroom.vault.rotation import Rotation
from strongroom.vault.status import key_status

ROTATABLE = ("field-kek", "blind-index", "root")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _rotation(app: App) -> Rotation:
    return Rotation(
        uow_factory=app.uow_factory,
        root_key=app.root_key,
        vault=app.vault,
        audit=app.audit,
        clock=app.clock,
        actor=local_actor(),
    )


@keys_app.command("status")
def keys_status(as_json: JsonOption = False) -> None:
    """Show every key version, which is current, and how many records each still protects."""
    with open_app() as app:
        statuses = key_status(uow_factory=app.uow_factory)
    if as_json:
        emit_json([asdict(status) for status in statuses])
        return
    rows = [
        (
            s.kind,
            s.version,
            "yes" if s.current else "",
            s.created_at.isoformat(timespec="seconds"),
            s.retired_at.isoformat(timespec="seconds") if s.retired_at else "",
            s.index_bits or "",
            "" if s.records is None else s.records,
        )
        for s in statuses
    ]
    emit_table(
        "Keyring",
        ["kind", "version", "current", "created", "retired", "index bits", "records"],
        rows,
    )


@keys_app.command("rotate")
def keys_rotate(
    kind: Annotated[str, typer.Option(help="field-kek, blind-index or root")],
    resume: Annotated[
        bool, typer.Option(help="Finish an interrupted rotation instead of adding a version")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="Records a batch")] = 1000,
    approval: Annotated[
        str | None, typer.Option(help="A second person's approval id (four eyes)")
    ] = None,
) -> None:
    """Add a key version and move every record onto it in batches, while Strongroom serves.

    Needs a second person's approval (``approvals request --kind key_rotation --payload KIND``);
    finishing an interrupted rotation (--resume) does not."""
    if kind not in ROTATABLE:
        raise InvalidInputError(f"--kind must be one of {', '.join(ROTATABLE)}, not {kind!r}")
    if approval is None and not resume:
        raise ApprovalRequiredError(
            "key rotation needs a second person's approval: run strongroom approvals request "
            f"--kind key_rotation --payload {kind}, have another person approve it, then "
            "add --approval ID"
        )
    with open_app() as app:
        if approval is not None:
            app.policy.approvals.use(
                actor=local_actor(),
                approval_id=approval,
                kind=ApprovalKind.KEY_ROTATION,
                payload=kind,
            )
        if kind == "root":
            key_id = rotate_root_key(app, passphrase=root_passphrase(app.settings))
            console.print(f"The keyring is now wrapped by the new root key {key_id}")
            return
        rotation = _rotation(app)
        if not resume:
            population = max(app.settings.expected_customers, _customer_count(app))
            version = rotation.add_version(KeyKind(kind), population=population)
            console.print(f"Added {kind} version {version}; it is current for new data")
        _move_records(app, rotation, KeyKind(kind), batch_size)


def _customer_count(app: App) -> int:
    with app.uow_factory() as uow:
        return uow.customers.count()


def _move_records(app: App, rotation: Rotation, kind: KeyKind, batch_size: int) -> None:
    with Progress(console=console) as progress:
        if kind is KeyKind.FIELD_KEK:
            task = progress.add_task("Re-wrapping customer keys", total=_stale_keys(app))
            moved = rotation.rewrap_subject_keys(
                batch_size=batch_size, progress=lambda n: progress.advance(task, n)
            )
        else:
            task = progress.add_task("Rebuilding blind indexes", total=None)
            moved = rotation.rebuild_blind_indexes(
                batch_size=batch_size, progress=lambda n: progress.advance(task, n)
            )
    console.print(f"Done: {moved} records moved to the current {kind} version")


def _stale_keys(app: App) -> int:
    current = app.vault.current_version(KeyKind.FIELD_KEK)
    with app.uow_factory() as uow:
        counts = uow.subject_keys.count_by_kek_version()
    return sum(n for version, n in counts.items() if version != current)


@keys_app.command("retire")
def keys_retire(
    kind: Annotated[str, typer.Option(help="field-kek, blind-index or token")],
    version: Annotated[int, typer.Option(min=1, help="The version to destroy")],
) -> None:
    """Destroy a key version; refused while it is current or anything still uses it."""
    if kind not in ("field-kek", "blind-index", "token"):
        raise InvalidInputError("--kind must be field-kek, blind-index or token")
    with open_app() as app:
        _rotation(app).retire(KeyKind(kind), version)
    console.print(f"Retired {kind} version {version}")
