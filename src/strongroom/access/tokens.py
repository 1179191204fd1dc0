"""Staff API tokens: issue (shown once), revoke, and authenticate."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.access.approvals import FourEyes
from strongroom.access.credentials import display_prefix, hash_secret, new_id, new_secret
from strongroom.access.policy import role_named
from strongroom.access.rolegrants import use_role_grant
from strongroom.core.clock import Clock
from strongroom.core.errors import AuthenticationError, ConflictError, NotFoundError
from strongroom.core.models import Actor, ApiToken, Principal, PrincipalKind
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome

TOKEN_PREFIX = "srt"  # noqa: S105 - a public marker that makes leaked tokens easy to scan for
_MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True, slots=True)
class IssuedToken:
    id: str
    principal_name: str
    role: str
    token: str  # the only time the secret exists outside the caller's hands


def issue_token(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    clock: Clock,
    actor: Actor,
    principal_name: str,
    role: str,
    approval_id: str | None,
) -> IssuedToken:
    """Issue a token for ``principal_name``, creating that staff principal with ``role`` if new.

    Creating the principal grants it the role, which needs ``approval_id``: a second person's
    approval of ``role_grant_payload(principal_name, role)`` (four eyes). A further token for a
    principal that already holds ``role`` grants nothing and needs none."""
    role_named(role)
    now = clock.now()
    four_eyes = FourEyes(uow_factory=uow_factory, audit=audit, clock=clock)
    with uow_factory() as uow:
        principal = uow.principals.by_name(principal_name)
        if principal is not None and principal.role != role:
            raise ConflictError(
                f"{principal_name!r} already exists with the role {principal.role!r}; "
                "issue the token with that role"
            )
        refused = None
        if principal is None:
            refused = use_role_grant(
                four_eyes, uow, actor=actor, name=principal_name, role=role, approval_id=approval_id
            )
            principal = Principal(new_id(), principal_name, role, now)
            if refused is None:
                uow.principals.add(principal)
        if refused is None:
            secret = new_secret(TOKEN_PREFIX)
            token = ApiToken(
                new_id(), principal.id, hash_secret(secret), display_prefix(secret), now
            )
            uow.tokens.add(token)
            audit.record(uow, [_admin_draft(actor, AuditAction.TOKEN_CREATED, token.id, role)])
            uow.commit()
    if refused is not None:  # the transaction was left uncommitted: nothing was created
        raise refused.audited()
    return IssuedToken(token.id, principal_name, role, secret)


def revoke_token(
    *, uow_factory: UnitOfWorkFactory, audit: AuditTrail, clock: Clock, actor: Actor, token_id: str
) -> None:
    """Revoke a token at once; requests with it fail from the next one on."""
    with uow_factory() as uow:
        token = uow.tokens.get(token_id)
        if token is None:
            raise NotFoundError(
                f"no token with id {token_id!r}; use the id printed when it was created"
            )
        uow.tokens.revoke(token_id, clock.now())
        audit.record(uow, [_admin_draft(actor, AuditAction.TOKEN_REVOKED, token_id, None)])
        uow.commit()


def authenticate_token(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    token: str | None,
    origin: Origin | None = None,
) -> Actor:
    """The staff actor holding ``token`` (acting from ``origin``); a bad token is audited."""
    if token and token.startswith(f"{TOKEN_PREFIX}_") and len(token) <= _MAX_TOKEN_LENGTH:
        with uow_factory() as uow:
            found = uow.tokens.by_hash(hash_secret(token))
        if found is not None:
            _, principal = found
            kind, role = PrincipalKind.STAFF, principal.role
            return Actor(kind, principal.name, role, principal.id, origin=origin)
    record_failed_authentication(
        uow_factory=uow_factory, audit=audit, credential="staff_token", origin=origin
    )
    raise AuthenticationError(
        "missing, unknown or revoked API token; send 'Authorization: Bearer <token>'"
    )


def record_failed_authentication(
    *,
    uow_factory: UnitOfWorkFactory,
    audit: AuditTrail,
    credential: str,
    origin: Origin | None = None,
) -> None:
    """Audit a refused credential in its own transaction (the request itself stores nothing)."""
    draft = AuditDraft(
        actor=Actor(PrincipalKind.ANONYMOUS, "unknown").label,
        action=AuditAction.AUTH_FAILED,
        outcome=Outcome.DENIED,
        resource_type="credential",
        detail={"credential": credential},
        origin=origin,
    )
    with uow_factory() as uow:
        audit.record(uow, [draft])
        uow.commit()


def _admin_draft(actor: Actor, action: AuditAction, token_id: str, role: str | None) -> AuditDraft:
    detail: dict[str, str | int] = {"role": role} if role else {}
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type="api_token",
        resource_ids=(token_id,),
        purpose="administration",
        detail=detail,
        origin=actor.origin,
    )
