"""``strongroom demo``: a fresh demo data home, filled through the real ingest API, then served."""

from __future__ import annotations

import secrets
import shutil
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import typer
import uvicorn
from rich.progress import Progress

from strongroom.access.rolegrants import approved_role_grant
from strongroom.access.tokens import issue_token
from strongroom.api.server import build_server
from strongroom.bootstrap import App, build, initialise
from strongroom.cli.context import current_settings, local_actor
from strongroom.cli.demo_data import batches, demo_messages
from strongroom.cli.output import console, emit_error
from strongroom.collect.sources import create_source
from strongroom.core.errors import ConfigurationError
from strongroom.core.models import Actor, Channel, PrincipalKind
from strongroom.core.policy import TrainingKind
from strongroom.settings import Settings

DEMO_MARKER = ".strongroom-demo"
DEMO_OPERATORS = ("demo-operator-ann", "demo-operator-ben")  # the two people of four eyes


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    write_key: str
    support_token: str
    dpo_token: str
    passphrase: str


@dataclass(frozen=True, slots=True)
class DemoPlan:
    url: str
    settings: Settings
    customers: int
    seed: int
    exit_after_load: bool


def demo(
    customers: Annotated[int, typer.Option(min=1, max=100_000, help="Synthetic customers")] = 300,
    host: Annotated[str, typer.Option(help="Address to serve on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on")] = 8443,
    seed: Annotated[int, typer.Option(help="Seed for the synthetic data")] = 7,
    fresh: Annotated[bool, typer.Option(help="Delete an earlier demo home first")] = False,
    exit_after_load: Annotated[bool, typer.Option(help="Stop once the data is loaded")] = False,
) -> None:
    """Create a demo data home, load synthetic customers through the HTTPS ingest API, serve it."""
    settings = current_settings()
    _prepare_home(settings.home, fresh=fresh)
    passphrase = (
        settings.root_passphrase.get_secret_value()
        if settings.root_passphrase
        else secrets.token_urlsafe(18)
    )
    initialise(settings, passphrase=passphrase, actor=local_actor())
    (settings.home / DEMO_MARKER).write_text(
        "A demo home: `strongroom demo --fresh` may delete it.\n"
    )
    plan = DemoPlan(f"https://{host}:{port}", settings, customers, seed, exit_after_load)
    app = build(settings, passphrase=passphrase)
    try:
        credentials = _credentials(app, passphrase)
        server = build_server(app, host=host, port=port, cert=None, key=None)
        outcome: list[str] = []
        loader = threading.Thread(
            target=_load_when_up, args=(server, plan, credentials, outcome), daemon=True
        )
        loader.start()
        server.run()
        loader.join(timeout=5)
    finally:
        app.close()
    if outcome != ["loaded"]:
        raise typer.Exit(1)


def _prepare_home(home: Path, *, fresh: bool) -> None:
    if not home.exists():
        return
    if not fresh:
        raise ConfigurationError(
            f"{home} exists: pass --fresh to replace the demo, or choose another STRONGROOM_HOME"
        )
    if not (home / DEMO_MARKER).exists():
        raise ConfigurationError(f"{home} is not a demo data home; it is left untouched")
    shutil.rmtree(home)


def _credentials(app: App, passphrase: str) -> DemoCredentials:
    actor = local_actor()
    source = create_source(
        uow_factory=app.uow_factory,
        audit=app.audit,
        clock=app.clock,
        actor=actor,
        name="demo-web",
        channel=Channel.WEB,
    )
    tokens = [_granted_token(app, role) for role in ("support", "dpo")]
    # The demo staff have done their training: without it the PII training gate masks PII.
    for role in ("support", "dpo"):
        for kind in TrainingKind:
            app.policy.training.record(actor=actor, name=f"demo-{role}", kind=kind)
    return DemoCredentials(source.write_key, tokens[0], tokens[1], passphrase)


def _granted_token(app: App, role: str) -> str:
    """A token of the new person ``demo-ROLE``: granting the role takes four eyes even here, so
    one demo operator asks, the other approves, and the audit log shows both."""
    asker, approver = (Actor(PrincipalKind.LOCAL, name, role="admin") for name in DEMO_OPERATORS)
    name = f"demo-{role}"
    approval = approved_role_grant(
        app.policy.approvals, asker=asker, approver=approver, name=name, role=role
    )
    issued = issue_token(
        uow_factory=app.uow_factory,
        audit=app.audit,
        clock=app.clock,
        actor=asker,
        principal_name=name,
        role=role,
        approval_id=approval.id,
    )
    return issued.token


def _load_when_up(
    server: uvicorn.Server, plan: DemoPlan, credentials: DemoCredentials, outcome: list[str]
) -> None:
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        example = _post_demo_data(plan, credentials.write_key)
    except (httpx.HTTPError, RuntimeError) as error:
        emit_error(f"loading the demo data failed: {error}")
        server.should_exit = True
        return
    outcome.append("loaded")
    _print_summary(plan, credentials, example)
    if plan.exit_after_load:
        server.should_exit = True


def _post_demo_data(plan: DemoPlan, write_key: str) -> str:
    """Send every demo call; returns one synthetic customer's email to try a lookup with."""
    messages = demo_messages(plan.customers, seed=plan.seed)
    cert = str(plan.settings.tls_cert_path)
    with (
        httpx.Client(
            base_url=plan.url,
            verify=ssl.create_default_context(cafile=cert),
            auth=(write_key, ""),
            timeout=30,
        ) as client,
        Progress(console=console) as progress,
    ):
        task = progress.add_task(f"Sending {plan.customers} customers' calls", total=len(messages))
        for batch in batches(messages):
            response = client.post("/v1/batch", json={"batch": batch})
            if response.status_code != 200:
                raise RuntimeError(f"/v1/batch answered {response.status_code}: {response.text}")
            progress.advance(task, len(batch))
    return next(str(m["traits"]["email"]) for m in messages if m["type"] == "identify")


def _print_summary(plan: DemoPlan, credentials: DemoCredentials, example_email: str) -> None:
    cert = plan.settings.tls_cert_path
    console.print(f"\n[bold green]Strongroom demo is serving on {plan.url}[/]")
    console.print(f"  TLS certificate:  {cert}")
    console.print(f"  support token:    {credentials.support_token}   (PII masked)")
    console.print(f"  dpo token:        {credentials.dpo_token}   (PII visible)")
    console.print(f"  write key:        {credentials.write_key}")
    console.print(f"  root passphrase:  {credentials.passphrase}   (this demo home only)")
    console.print("Try (a synthetic customer; the support token sees PII masked, dpo in full):")
    console.print(
        f"  curl --cacert {cert} -H 'Authorization: Bearer {credentials.support_token}' "
        f"'{plan.url}/api/v1/customers?email={example_email}'"
    )
    console.print(
        "Press Ctrl+C to stop." if not plan.exit_after_load else "Stopping (--exit-after-load)."
    )
