"""The ``strongroom`` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from typer.exceptions import TyperException

from strongroom.api.server import build_server
from strongroom.api.workers import MAX_WORKERS, bind_socket, serve_workers
from strongroom.bootstrap import App, build, initialise
from strongroom.cli import erasure as _erasure  # noqa: F401 - registers customers erase
from strongroom.cli import identity as _identity  # noqa: F401 - registers customers merge|unmerge...
from strongroom.cli import receipts as _receipts  # noqa: F401 - registers keys verify-receipt
from strongroom.cli import rotation as _rotation  # noqa: F401 - registers keys status|rotate|retire
from strongroom.cli import training as _training  # noqa: F401 - registers staff training ...
from strongroom.cli.admin import tokens_app
from strongroom.cli.analytics import analytics_app
from strongroom.cli.approvals import approvals_app
from strongroom.cli.audit import audit_app
from strongroom.cli.backups import backup_app
from strongroom.cli.cards import cards_app
from strongroom.cli.catalog import catalog
from strongroom.cli.consent import consent_app
from strongroom.cli.context import current_settings, local_actor, open_app, root_passphrase
from strongroom.cli.customers import customers_app
from strongroom.cli.demo import demo
from strongroom.cli.dsar import dsar_app
from strongroom.cli.holds import holds_app
from strongroom.cli.imports import import_file, imports_app
from strongroom.cli.incidents import incidents_app
from strongroom.cli.keys import keys_app
from strongroom.cli.lake import lake_app, warehouse_app
from strongroom.cli.machines import apps_app, service_keys_app, vendors_app
from strongroom.cli.monitor import alerts_app, honeytokens_app, monitor_app
from strongroom.cli.output import console, emit_error, emit_json
from strongroom.cli.policy import policy_app
from strongroom.cli.privacy import privacy_app
from strongroom.cli.quarantine import quarantine_app
from strongroom.cli.retention import retention_app
from strongroom.cli.scan import scan
from strongroom.cli.sources import sources_app
from strongroom.cli.staff import staff_app
from strongroom.core.errors import ConfigurationError, StrongroomError

app = typer.Typer(
    name="strongroom",
    help="Strongroom: a secure-by-default customer data platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(sources_app, name="sources")
app.add_typer(tokens_app, name="tokens")
app.add_typer(staff_app, name="staff")
app.add_typer(policy_app, name="policy")
app.add_typer(approvals_app, name="approvals")
app.add_typer(service_keys_app, name="service-keys")
app.add_typer(vendors_app, name="vendors")
app.add_typer(apps_app, name="apps")
app.add_typer(customers_app, name="customers")
app.add_typer(audit_app, name="audit")
app.add_typer(cards_app, name="cards")
app.add_typer(keys_app, name="keys")
app.add_typer(backup_app, name="backup")
app.add_typer(monitor_app, name="monitor")
app.add_typer(alerts_app, name="alerts")
app.add_typer(honeytokens_app, name="honeytokens")
app.add_typer(incidents_app, name="incidents")
app.add_typer(lake_app, name="lake")
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(analytics_app, name="analytics")
app.add_typer(consent_app, name="consent")
app.add_typer(dsar_app, name="dsar")
app.add_typer(privacy_app, name="privacy")
app.add_typer(holds_app, name="holds")
app.add_typer(retention_app, name="retention")
app.add_typer(quarantine_app, name="quarantine")
app.command("demo")(demo)
app.command("import")(import_file)
app.command("catalog")(catalog)
app.command("scan")(scan)
app.add_typer(imports_app, name="imports")


@app.command("init")
def init(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Create the data home: root key (file, env or HSM), database, keyring, TLS certificate."""
    settings = current_settings()
    report = initialise(
        settings, passphrase=root_passphrase(settings, confirm=True), actor=local_actor()
    )
    if as_json:
        emit_json(
            {
                "home": report.home,
                "database": report.database,
                "root_key": report.root_key_path,
                "tls_certificate": report.tls_cert_path,
            }
        )
        return
    console.print(f"Initialised {report.home}")
    console.print(f"  database:        {report.database}")
    console.print(f"  root key:        {report.root_key_path} ({report.root_key_advice})")
    console.print(f"  TLS certificate: {report.tls_cert_path} (self-signed)")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")] = 8443,
    cert: Annotated[Path | None, typer.Option(help="TLS certificate (PEM)")] = None,
    key: Annotated[Path | None, typer.Option(help="TLS private key (PEM)")] = None,
    insecure_dev: Annotated[
        bool, typer.Option("--insecure-dev", help="Plain HTTP, loopback only, for development")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=MAX_WORKERS, help="Worker processes sharing the port")
    ] = 1,
) -> None:
    """Serve the API over TLS (plain HTTP only with --insecure-dev on loopback)."""
    scheme = "http" if insecure_dev else "https"
    settings = current_settings()
    passphrase = root_passphrase(settings)

    def make_server(strongroom: App) -> uvicorn.Server:
        return build_server(
            strongroom, host=host, port=port, cert=cert, key=key, insecure_dev=insecure_dev
        )

    with open_app(settings, passphrase=passphrase) as strongroom:
        server = make_server(strongroom)  # checks keys, TLS files and transport settings first
        if workers == 1:
            console.print(f"Starting on {scheme}://{host}:{port}  (Ctrl+C to stop)")
            server.run()
            if not server.started:
                raise ConfigurationError(f"could not serve on {host}:{port}; is the port in use?")
            return
    try:
        sock = bind_socket(host, port)
    except OSError as error:
        raise ConfigurationError(f"could not serve on {host}:{port} ({error.strerror})") from None
    console.print(f"Starting {workers} workers on {scheme}://{host}:{port}  (Ctrl+C to stop)")
    failed = serve_workers(
        workers,
        sock=sock,
        open_app=lambda: build(settings, passphrase=passphrase),
        make_server=make_server,
    )
    if failed:
        raise ConfigurationError(f"{failed} of {workers} workers stopped with an error")


def run() -> None:
    """Entry point: errors become one line on stderr and a non-zero exit, never a traceback."""
    try:
        outcome = app(standalone_mode=False)
    except TyperException as error:  # usage errors: a bad option, a missing argument
        message = _usage_message(error)
        if message:  # empty when the help was shown for a bare group command
            emit_error(message)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(130)
    except StrongroomError as error:
        emit_error(error.message)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:
        emit_error(f"unexpected {type(error).__name__}; nothing was changed that was not committed")
        sys.exit(2)
    sys.exit(outcome if isinstance(outcome, int) else 0)


def _usage_message(error: TyperException) -> str:
    format_message = getattr(error, "format_message", None)
    message = format_message() if callable(format_message) else str(error)
    return " ".join(str(message).replace("Value error, ", "").split())
