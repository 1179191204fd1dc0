"""``strongroom keys ...``: the keyring, its rotation, and erasure receipts."""

from __future__ import annotations

import typer

keys_app = typer.Typer(help="Keys: status, rotation, retirement, receipts.", no_args_is_help=True)
