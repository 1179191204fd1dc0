"""Third-party apps: OAuth 2 client credentials (RFC 6749 section 4.4) and their access tokens.

An app is registered with scopes; each scope is a purpose that needs consent, and reads only the
profile fields declared for it in ``APP_PURPOSE_FIELDS``. Access tokens (``sro_``) live
``TOKEN_SECONDS`` and are stored only as their SHA-256.
"""

from __future__ import annotations

import builtins
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from strongroom.access.credentials import hash_secret, new_secret
from strongroom.access.machines import rules
from strongroom.access.machines.records import (
    ANONYMOUS,
    admin_draft,
    authorise_admin,
    record_refusal,
)
from strongroom.core.clock import Clock
from strongroom.core.errors import AuthenticationError, InvalidInputError, OAuthError
from strongroom.core.machines import AppToken, ThirdPartyApp
from strongroom.core.models import Actor, PrincipalKind
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome

ACCESS_TOKEN_PREFIX = "sro"  # noqa: S105 - a public marker, not a secret
CLIENT_SECRET_PREFIX = "sra"  # noqa: S105 - a public marker, not a secret
TOKEN_SECONDS = 900
GRANT_TYPE = "client_credentials"
MAX_CREDENTIAL_LENGTH = 200
# Scope tokens as RFC 6749 section 3.3 allows them, short enough to log.
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,64}")

# Which profile fields an app may read for each purpose a customer can grant it.
APP_PURPOSE_FIELDS: dict[str, tuple[str, ...]] = {
    "marketing": ("email", "first_name", "last_name", "name"),
    "analytics": ("age", "gender", "income_band", "occupation"),
    "third_party_sharing": ("email", "phone", "first_name", "last_name", "name", "address"),
}


@dataclass(frozen=True, slots=True)
class RegisteredApp:
    app: ThirdPartyApp
    client_secret: str  # shown once


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """The parameters of a token request, from the form or JSON body and HTTP Basic."""

    grant_type: str | None
    client_id: str | None
    client_secret: str | None
    scope: str | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class IssuedAppToken:
    access_token: str
    expires_in: int
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AppCaller:
    """An app authenticated by its access token: what the token allows."""

    app: ThirdPartyApp
    scopes: tuple[str, ...]
    actor: Actor


def check_app_scopes(scopes: Sequence[str]) -> tuple[str, ...]:
    """An app's registered scopes: purposes that need consent, each with its declared fields."""
    if not scopes:
        raise InvalidInputError("register the app with at least one --scope (a purpose)")
    for scope in scopes:
        if scope not in APP_PURPOSE_FIELDS:
            known = ", ".join(sorted(APP_PURPOSE_FIELDS))
            raise InvalidInputError(f"unknown app scope {scope!r}; the scopes are: {known}")
    return tuple(sorted(set(scopes)))


def app_actor(client_id: str, origin: Origin | None) -> Actor:
    return Actor(PrincipalKind.APP, client_id, origin=origin, scopes=frozenset())


class AppRegistry:
    """Registers apps, issues their access tokens and authenticates them."""

    def __init__(self, uow_factory: UnitOfWorkFactory, audit: AuditTrail, clock: Clock) -> None:
        self._uow_factory, self._audit, self._clock = uow_factory, audit, clock

    def register(self, *, actor: Actor, name: str, scopes: Sequence[str]) -> RegisteredApp:
        """A new app with its client id and secret (the secret shown once)."""
        authorise_admin(self._uow_factory, self._audit, actor)
        secret = new_secret(CLIENT_SECRET_PREFIX)
        app = ThirdPartyApp(
            client_id=f"app-{secrets.token_hex(8)}",
            name=rules.check_name(name, "app"),
            secret_hash=hash_secret(secret),
            scopes=check_app_scopes(scopes),
            created_at=self._clock.now(),
            created_by=actor.label,
        )
        detail: dict[str, str | int] = {"scopes": " ".join(app.scopes)}
        with self._uow_factory() as uow:
            uow.apps.add(app)
            draft = admin_draft(actor, AuditAction.APP_REGISTERED, "app", app.client_id, detail)
            self._audit.record(uow, [draft])
            uow.commit()
        return RegisteredApp(app, secret)

    def list(self, *, actor: Actor) -> builtins.list[ThirdPartyApp]:
        authorise_admin(self._uow_factory, self._audit, actor)
        with self._uow_factory() as uow:
            return uow.apps.list()

    def revoke(self, *, actor: Actor, client_id: str) -> None:
        """Revoke the app: its tokens stop working at the next call."""
        authorise_admin(self._uow_factory, self._audit, actor)
        with self._uow_factory() as uow:
            uow.apps.revoke(client_id, self._clock.now())
            draft = admin_draft(actor, AuditAction.APP_REVOKED, "app", client_id)
            self._audit.record(uow, [draft])
            uow.commit()

    def issue_token(self, request: TokenRequest) -> IssuedAppToken:
        """An access token for the client credentials grant; OAuthError (audited) if refused."""
        if not request.grant_type:
            raise OAuthError("grant_type is required", code="invalid_request")
        if request.grant_type != GRANT_TYPE:
            raise OAuthError("only client_credentials is supported", code="unsupported_grant_type")
        app = self._client(request)
        scopes = self._scopes(app, request)
        now = self._clock.now()
        secret = new_secret(ACCESS_TOKEN_PREFIX)
        token = AppToken(
            hash_secret(secret), app.client_id, scopes, now, now + timedelta(seconds=TOKEN_SECONDS)
        )
        draft = AuditDraft(
            actor=app_actor(app.client_id, None).label,
            action=AuditAction.APP_TOKEN_ISSUED,
            outcome=Outcome.SUCCESS,
            resource_type="app",
            resource_ids=(app.client_id,),
            detail={"scopes": " ".join(scopes)},
            origin=request.origin,
        )
        with self._uow_factory() as uow:
            uow.apps.forget_tokens(now)
            uow.apps.add_token(token)
            self._audit.record(uow, [draft])
            uow.commit()
        return IssuedAppToken(secret, TOKEN_SECONDS, scopes)

    def _client(self, request: TokenRequest) -> ThirdPartyApp:
        client_id, secret = request.client_id or "", request.client_secret or ""
        app = None
        if 0 < len(client_id) <= 64 and 0 < len(secret) <= MAX_CREDENTIAL_LENGTH:
            with self._uow_factory() as uow:
                app = uow.apps.get(client_id)
        if (
            app is None
            or app.revoked_at is not None
            or not hmac.compare_digest(app.secret_hash, hash_secret(secret))
        ):
            self._refuse_credential(app, "app_client", request.origin)
            raise OAuthError(
                "unknown client, wrong secret or revoked app", code="invalid_client", status=401
            )
        return app

    def _scopes(self, app: ThirdPartyApp, request: TokenRequest) -> tuple[str, ...]:
        asked = (request.scope or "").split(" ") if request.scope else list(app.scopes)
        outside = [s for s in asked if s not in app.scopes or not _SCOPE_TOKEN.fullmatch(s)]
        if outside or not asked:
            record_refusal(
                self._uow_factory,
                self._audit,
                action=AuditAction.ACCESS_DENIED,
                who=app_actor(app.client_id, None).label,
                resource_type="app",
                resource_id=app.client_id,
                detail={"reason": "invalid_scope"},
                origin=request.origin,
            )
            raise OAuthError(
                "a requested scope is not one this app was registered for", code="invalid_scope"
            )
        return tuple(sorted(set(asked)))

    def authenticate(self, token: str | None, origin: Origin) -> AppCaller:
        """The app behind a live access token; AuthenticationError (audited) otherwise."""
        found, app = None, None
        secret = token or ""
        if secret.startswith(f"{ACCESS_TOKEN_PREFIX}_") and len(secret) <= MAX_CREDENTIAL_LENGTH:
            with self._uow_factory() as uow:
                found = uow.apps.token(hash_secret(secret))
                app = uow.apps.get(found.client_id) if found else None
        now = self._clock.now()
        if found is None or app is None or app.revoked_at is not None or now >= found.expires_at:
            self._refuse_credential(app, "app_token", origin)
            raise AuthenticationError(
                "missing, unknown, expired or revoked access token; get one at POST /oauth/token"
            )
        return AppCaller(app, found.scopes, app_actor(app.client_id, origin))

    def _refuse_credential(
        self, app: ThirdPartyApp | None, credential: str, origin: Origin
    ) -> None:
        """Audit a failed app authentication (with the app, when its client id is known)."""
        record_refusal(
            self._uow_factory,
            self._audit,
            action=AuditAction.AUTH_FAILED,
            who=app_actor(app.client_id, None).label if app else ANONYMOUS,
            resource_type="credential",
            resource_id=app.client_id if app else None,
            detail={"credential": credential},
            origin=origin,
        )
