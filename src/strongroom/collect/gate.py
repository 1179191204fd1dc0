"""The gate in front of ingest: which source sent a request, and whether it may send it.

In order: the write key (unknown, revoked, expired or mismatched: 401), the browser origin
(not allowed for the source: 403), the rate limit (429), the batch signature when the source
requires one or the request carries one (bad, stale or replayed: 401). Every refusal but the
rate limit is audited as a failed authentication, which the monitor watches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from strongroom.access.tokens import record_failed_authentication
from strongroom.collect.origins import origin_of
from strongroom.collect.ratelimit import DEFAULT_RATE_LIMIT, RateLimiter
from strongroom.collect.signing import SignatureRefused, SignedBody, open_signing_secret, verify
from strongroom.collect.sources import BROWSER_CHANNELS, find_key
from strongroom.core.clock import Clock
from strongroom.core.errors import (
    AuthenticationError,
    ConflictError,
    PermissionDeniedError,
    RateLimitedError,
)
from strongroom.core.models import Source, WriteKey
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import Origin
from strongroom.vault.tokenization import TokenKeys


@dataclass(frozen=True, slots=True)
class Caller:
    """What a request says about who sent it."""

    header_key: str | None  # from HTTP Basic or Bearer
    body_key: str | None  # the body's ``writeKey``
    browser_origin: str | None  # the Origin header, if any
    origin: Origin  # the connection, for the audit log


class SourceGate:
    """Authenticates tracking requests to their source and enforces its settings."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        clock: Clock,
        keys: TokenKeys,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock
        self.keys = keys  # the token keys that seal signing secrets
        self._limiter = limiter or RateLimiter()

    def __repr__(self) -> str:
        return "SourceGate()"

    def identify(self, caller: Caller) -> Source:
        """The source of a live key whose browser origin, if any, it allows."""
        source, _ = self._identify(caller)
        return source

    def admit(self, caller: Caller, signed: SignedBody) -> Source:
        """``identify``, then the rate limit and, where due, the batch signature."""
        source, key = self._identify(caller)
        wait = self._limiter.take(source.id, source.rate_limit or DEFAULT_RATE_LIMIT)
        if wait is not None:
            raise RateLimitedError(
                f"this source sent more than its rate limit; retry after {wait} s",
                retry_after=wait,
            )
        if source.require_signature or signed.present:
            self._check_signature(source, key, signed, caller.origin)
        return source

    def allows_preflight(self, browser_origin: str | None) -> bool:
        """Whether any active web or mobile source accepts calls from this browser origin."""
        wanted = origin_of(browser_origin) if browser_origin else None
        if wanted is None:
            return False
        with self._uow_factory() as uow:
            sources = uow.sources.list()
        return any(
            s.disabled_at is None and s.channel in BROWSER_CHANNELS and wanted in s.allowed_origins
            for s in sources
        )

    def _identify(self, caller: Caller) -> tuple[Source, WriteKey]:
        header, body = caller.header_key, caller.body_key
        if header and body and header != body:
            self._refuse("write_key_mismatch", caller.origin)
            raise AuthenticationError("the write key in the header and the one in the body differ")
        found = find_key(uow_factory=self._uow_factory, write_key=header or body, clock=self._clock)
        if found is None:
            self._refuse("write_key", caller.origin)
            raise AuthenticationError("unknown, revoked or expired write key")
        source, key = found
        browser = caller.browser_origin
        if browser is not None and origin_of(browser) not in source.allowed_origins:
            self._refuse("write_key_origin", caller.origin)
            raise PermissionDeniedError(
                "this source does not accept calls from this origin: add it with "
                "`strongroom sources settings NAME --allow-origin ORIGIN`"
            )
        return source, key

    def _check_signature(
        self, source: Source, key: WriteKey, signed: SignedBody, origin: Origin
    ) -> None:
        now = self._clock.now()
        try:
            if key.signing_secret is None:
                raise SignatureRefused(
                    "this write key has no signing secret: rotate the source's key to get one",
                    audit_as="batch_signature",
                )
            secret = open_signing_secret(self.keys, key.signing_secret, key_id=key.id)
            verified = verify(secret, signed, now=now)
            self._remember(source, verified.digest, verified.expires_at)
        except SignatureRefused as refused:
            self._refuse(refused.audit_as, origin)
            raise AuthenticationError(refused.reason) from None

    def _remember(self, source: Source, digest: bytes, expires_at: datetime) -> None:
        try:
            with self._uow_factory() as uow:
                uow.sources.forget_signatures(self._clock.now())
                uow.sources.remember_signature(source.id, digest, expires_at)
                uow.commit()
        except ConflictError:
            raise SignatureRefused(
                "this signature was used before: sign each batch, and each retry, anew",
                audit_as="batch_signature_replayed",
            ) from None

    def _refuse(self, credential: str, origin: Origin) -> None:
        record_failed_authentication(
            uow_factory=self._uow_factory, audit=self._audit, credential=credential, origin=origin
        )
