"""Bad input as a security event: a request refused as malformed or hostile (400, 413, 415, 422,
431) is written to the audit log as ``request.refused``, where the monitor's failure-burst
detector counts it, and to the ``strongroom.security`` log.

What is recorded says what was refused and where it came from (method, route, status, error
code, peer address, User-Agent, request id), never the body, the query or a header value: those
may hold personal data or a secret. A client that floods the server with junk gets a bounded
number of audit entries (``AUDITED_PER_SECOND`` per peer address, with bursts of as many); the
rest is counted in the security log only, so nobody can fill the audit log from outside.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import compile_path

from strongroom.bootstrap import App
from strongroom.collect.ratelimit import RateLimiter
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome

REFUSED_AS_BAD_INPUT = frozenset({400, 413, 415, 422, 431})
AUDITED_PER_SECOND = 5

security_log = logging.getLogger("strongroom.security")


@dataclass(slots=True)
class RefusalRecorder:
    """Records refused bad input, a bounded number of audit entries per peer address."""

    app: App
    limiter: RateLimiter = field(default_factory=RateLimiter)

    async def record(self, request: Request, status: int, code: str, origin: Origin) -> None:
        route = _route_of(request)
        security_log.warning(
            "refused %s %s: %s %s from %s (request %s)",
            request.method,
            route,
            status,
            code,
            origin.ip or "unknown",
            origin.request_id,
        )
        if self.limiter.take(origin.ip or "unknown", AUDITED_PER_SECOND) is not None:
            return
        draft = AuditDraft(
            actor=Actor(PrincipalKind.ANONYMOUS, "unknown").label,
            action=AuditAction.REQUEST_REFUSED,
            outcome=Outcome.DENIED,
            resource_type="request",
            detail={"method": request.method, "route": route, "status": status, "code": code},
            origin=origin,
        )
        try:
            await run_in_threadpool(self._write, draft)
        except Exception as error:  # the refusal stands; the log says the audit write failed
            security_log.error("could not audit a refused request: %s", type(error).__name__)

    def _write(self, draft: AuditDraft) -> None:
        with self.app.uow_factory() as uow:
            self.app.audit.record(uow, [draft])
            uow.commit()


def _route_of(request: Request) -> str:
    """The route's template (``/api/v1/customers/{customer_id}``), never the path itself: a path
    can carry anything a client put in it. Refusals made before routing (a hostile Content-Type)
    are matched against the templates of the API's schema."""
    template = getattr(request.scope.get("route"), "path", None)
    if isinstance(template, str):
        return template
    path = request.url.path
    return next((t for t, regex in _templates(request.app) if regex.match(path)), "(no route)")


def _templates(api: FastAPI) -> list[tuple[str, re.Pattern[str]]]:
    cached: list[tuple[str, re.Pattern[str]]] | None = getattr(api.state, "route_templates", None)
    if cached is None:
        cached = [(path, compile_path(path)[0]) for path in api.openapi()["paths"]]
        api.state.route_templates = cached
    return cached
