"""Staff login: password (+ TOTP or a recovery code), WebAuthn ceremonies, logout, the session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from strongroom.access.login import LoginOutcome, LoginRequest, SecondFactorNeeded
from strongroom.access.passwords import MAX_LENGTH as MAX_PASSWORD_LENGTH
from strongroom.access.sessions import is_session_token
from strongroom.api.deps import AppDep, CurrentActor, bearer_token, request_origin
from strongroom.core.errors import AuthenticationError

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

_HANDLE = Field(min_length=1, max_length=200)
# Room for what a browser's authenticator returns; the ceremony caps the encoded size too.
CredentialJson = dict[str, Any]


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    totp: str | None = Field(default=None, max_length=10, description="A 6-digit TOTP code")
    recovery_code: str | None = Field(default=None, max_length=40)


class LoginOut(BaseModel):
    """Either a session (``status: ok``) or what is still needed (``status: mfa_required``)."""

    status: str
    session: str | None = Field(default=None, description="Send as 'Authorization: Bearer ...'")
    name: str | None = None
    role: str | None = None
    mfa: str | None = None
    expires_at: datetime | None = Field(default=None, description="The absolute end")
    methods: list[str] = Field(default_factory=list, description="Second factors to choose from")
    login_ticket: str | None = Field(default=None, description="For the WebAuthn login")


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login_ticket: str = _HANDLE


class EnrolmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enrolment_code: str | None = Field(
        default=None, max_length=200, description="From `strongroom staff create`; or a session"
    )


class CeremonyOut(BaseModel):
    ceremony_id: str
    public_key: dict[str, Any] = Field(description="For navigator.credentials.create() / get()")


class CeremonyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ceremony_id: str = _HANDLE
    credential: CredentialJson = Field(description="The PublicKeyCredential, JSON-encoded")


class SessionOut(BaseModel):
    name: str
    role: str | None
    kind: str


def _login_out(outcome: LoginOutcome) -> LoginOut:
    if isinstance(outcome, SecondFactorNeeded):
        methods = list(outcome.methods)
        return LoginOut(status="mfa_required", methods=methods, login_ticket=outcome.login_ticket)
    return LoginOut(
        status="ok",
        session=outcome.token,
        name=outcome.principal_name,
        role=outcome.role,
        mfa=outcome.mfa.value,
        expires_at=outcome.expires_at,
    )


@router.post("/login", response_model=LoginOut)
async def login(body: LoginIn, request: Request, app: AppDep) -> LoginOut:
    """Log in; roles that need a security key get a login ticket for the WebAuthn step."""
    attempt = LoginRequest(
        body.username, body.password, body.totp, body.recovery_code, request_origin(request)
    )
    return _login_out(await run_in_threadpool(app.staff.login.login, attempt))


@router.post("/webauthn/authenticate/options", response_model=CeremonyOut)
async def authenticate_options(body: TicketIn, request: Request, app: AppDep) -> CeremonyOut:
    origin = request_origin(request)
    ceremony = await run_in_threadpool(
        lambda: app.staff.keys.begin_login(body.login_ticket, origin=origin)
    )
    return CeremonyOut(ceremony_id=ceremony.id, public_key=ceremony.options)


@router.post("/webauthn/authenticate/verify", response_model=LoginOut)
async def authenticate_verify(body: CeremonyIn, request: Request, app: AppDep) -> LoginOut:
    origin = request_origin(request)
    issued = await run_in_threadpool(
        lambda: app.staff.keys.finish_login(body.ceremony_id, body.credential, origin=origin)
    )
    return _login_out(issued)


@router.post("/webauthn/register/options", response_model=CeremonyOut)
async def register_options(body: EnrolmentIn, request: Request, app: AppDep) -> CeremonyOut:
    """Register a security key: with the one-time enrolment code, or from a live session."""
    token, origin = bearer_token(request), request_origin(request)

    def begin() -> Any:
        actor = None
        if body.enrolment_code is None:
            if not is_session_token(token):
                raise AuthenticationError(
                    "registering a security key needs an enrolment_code or a session "
                    "('Authorization: Bearer srs_...'); API tokens cannot add keys"
                )
            actor = app.staff.sessions.authenticate(token, origin=origin)
        return app.staff.keys.begin_registration(
            actor=actor, enrolment_code=body.enrolment_code, origin=origin
        )

    ceremony = await run_in_threadpool(begin)
    return CeremonyOut(ceremony_id=ceremony.id, public_key=ceremony.options)


@router.post("/webauthn/register/verify")
async def register_verify(body: CeremonyIn, request: Request, app: AppDep) -> dict[str, str]:
    origin = request_origin(request)
    await run_in_threadpool(
        lambda: app.staff.keys.finish_registration(body.ceremony_id, body.credential, origin=origin)
    )
    return {"status": "registered"}


@router.post("/logout")
async def logout(request: Request, app: AppDep) -> dict[str, str]:
    """End the session sent as the bearer token, at once."""
    token, origin = bearer_token(request), request_origin(request)
    await run_in_threadpool(lambda: app.staff.sessions.end(token, origin=origin))
    return {"status": "logged_out"}


@router.get("/session", response_model=SessionOut)
async def current_session(actor: CurrentActor) -> SessionOut:
    """Who the bearer credential stands for (a session, or an API token)."""
    return SessionOut(name=actor.name, role=actor.role, kind=actor.kind.value)
