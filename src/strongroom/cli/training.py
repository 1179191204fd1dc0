"""``strongroom staff training record|status``: the records the training gate reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

import typer

from strongroom.access.training import TrainingStatus
from strongroom.cli.context import local_actor, open_app
from strongroom.cli.output import console, emit_json, emit_table
from strongroom.cli.staff import staff_app
from strongroom.core.errors import InvalidInputError
from strongroom.core.policy import TrainingKind

training_app = typer.Typer(
    help="Security training and policy acknowledgements (the PII training gate).",
    no_args_is_help=True,
)
staff_app.add_typer(training_app, name="training")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
_KINDS = {"security": TrainingKind.SECURITY_TRAINING, "policy-ack": TrainingKind.POLICY_ACK}


def _day(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(12), tzinfo=UTC)
    except ValueError:
        raise InvalidInputError(
            f"--completed-at must be a date YYYY-MM-DD, not {value!r}"
        ) from None


@training_app.command("record")
def training_record(
    name: Annotated[str, typer.Argument(help="The person's login name")],
    kind: Annotated[str, typer.Option(help="security (training) or policy-ack")],
    policy_version: Annotated[
        str | None, typer.Option(help="Acknowledged policy version (default: the one in force)")
    ] = None,
    completed_at: Annotated[
        str | None, typer.Option(help="The day it was completed, YYYY-MM-DD (default: now)")
    ] = None,
) -> None:
    """Record that a person completed security training or acknowledged the policy."""
    if kind not in _KINDS:
        raise InvalidInputError(f"--kind must be security or policy-ack, not {kind!r}")
    with open_app() as app:
        record = app.policy.training.record(
            actor=local_actor(),
            name=name,
            kind=_KINDS[kind],
            policy_version=policy_version,
            completed_at=_day(completed_at),
        )
    console.print(f"Recorded {record.kind.value} for {name} on {record.completed_at:%Y-%m-%d}")


def _json(status: TrainingStatus) -> dict[str, object]:
    at = status.security_training_at
    return {
        "name": status.principal,
        "security_training_at": at.isoformat() if at else None,
        "security_training_current": status.security_training_current,
        "acknowledged_version": status.acknowledged_version,
        "policy_acknowledged": status.policy_acknowledged,
        "current": status.current,
    }


@training_app.command("status")
def training_status(
    name: Annotated[str | None, typer.Argument(help="One person (default: everyone)")] = None,
    as_json: JsonOption = False,
) -> None:
    """Whose training is current; without it, PII permissions answer 403 training_required."""
    with open_app() as app:
        statuses = app.policy.training.status(name)
    if as_json:
        emit_json([_json(s) for s in statuses])
        return
    rows = [
        (
            s.principal,
            f"{s.security_training_at:%Y-%m-%d}" if s.security_training_at else "never",
            s.acknowledged_version or "",
            "yes" if s.current else "NO",
        )
        for s in statuses
    ]
    emit_table("Training", ["name", "security training", "policy acknowledged", "current"], rows)
