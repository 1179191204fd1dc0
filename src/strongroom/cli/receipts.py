"""``strongroom keys verify-receipt``: check an erasure receipt's signature and signing key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from strongroom.cli.context import current_settings, open_app
from strongroom.cli.keys import keys_app
from strongroom.cli.output import console, emit_error, emit_json
from strongroom.core.errors import InvalidInputError
from strongroom.settings import Settings
from strongroom.vault.receipts import ErasureReceipt, ReceiptCheck, check_receipt, parse_receipt


@keys_app.command("verify-receipt")
def keys_verify_receipt(
    file: Annotated[Path, typer.Argument(help="The receipt, as `customers erase` wrote it")],
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Check only the receipt's own key; skip the data home"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Verify an erasure receipt: its Ed25519 signature, and its key against this data home's."""
    receipt = parse_receipt(_read(file))
    settings = current_settings()
    home_keys, skipped = _home_keys(settings, offline=offline)
    check = check_receipt(receipt, trusted_keys=home_keys)
    if as_json:
        emit_json(_as_dict(receipt, check, skipped))
    else:
        _print(receipt, check, skipped, settings)
    if not check.ok:
        failed = [name for name, ok in _outcomes(check).items() if ok == "failed"]
        emit_error(f"the receipt is NOT valid ({', '.join(failed)} failed): {check.problems[0]}")
        raise typer.Exit(1)


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"cannot read {file} ({type(error).__name__})") from None


def _home_keys(settings: Settings, *, offline: bool) -> tuple[dict[int, bytes] | None, str]:
    """This data home's audit-signing public keys, or None and why they were not checked."""
    if offline:
        return None, "--offline"
    if settings.key_provider == "file" and not settings.root_key_path.exists():
        return None, f"no data home at {settings.home}"
    with open_app(settings) as app:
        return app.erasure.home_signing_keys(), ""


def _outcomes(check: ReceiptCheck) -> dict[str, str]:
    home = {None: "skipped", True: "ok", False: "failed"}[check.home_key_matches]
    return {"signature": "ok" if check.signature_valid else "failed", "data_home_key": home}


def _as_dict(receipt: ErasureReceipt, check: ReceiptCheck, skipped: str) -> dict[str, Any]:
    return {
        "valid": check.ok,
        "checks": _outcomes(check),
        "skipped_because": skipped or None,
        "problems": list(check.problems),
        "receipt": receipt.as_dict(),
    }


def _print(receipt: ErasureReceipt, check: ReceiptCheck, skipped: str, settings: Settings) -> None:
    outcomes = _outcomes(check)
    console.print(f"signature:     {outcomes['signature']} (with the receipt's own public key)")
    if skipped:
        console.print(f"data home key: skipped ({skipped})")
    else:
        version = receipt.signing_key_version
        home = f"audit-signing key v{version} of {settings.home}"
        console.print(f"data home key: {outcomes['data_home_key']} ({home})")
    console.print(f"pseudonym:     {receipt.customer_pseudonym}")
    console.print(f"erased at:     {receipt.erased_at.isoformat()}")
    console.print(f"by:            {receipt.actor}", markup=False)
    console.print(f"reason:        {receipt.reason}", markup=False)
    destroyed = ", ".join(f"{k} v{v}" for k, v in receipt.key_versions_destroyed.items())
    console.print(f"destroyed:     {destroyed}", markup=False)
    if check.ok:
        console.print("[green]VALID[/]")
