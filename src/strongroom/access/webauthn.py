"""WebAuthn (security keys, passkeys) through the ``webauthn`` package: ceremony options and checks.

Why it cannot be phished: the browser writes the origin it is really on into the signed client
data, and the authenticator signs a hash of the relying party id it was registered for. An answer
made on a look-alike site names the wrong origin and the wrong rp id, so it is refused here even
when a proxy relays it in real time. Each challenge is single use and short-lived, and the
signature counter must grow, so an answer replayed later is refused too.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from strongroom.core.errors import AuthenticationError, InvalidInputError
from strongroom.core.models import Principal
from strongroom.core.staff import WebAuthnCredential

CHALLENGE_BYTES = 32
CEREMONY_LIFETIME = timedelta(minutes=2)
MAX_CREDENTIAL_JSON_BYTES = 16 * 1024
logger = logging.getLogger("strongroom.access.webauthn")


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """Who staff authenticate to: the rp id (a host name) and the one origin they log in from."""

    rp_id: str
    origin: str
    name: str = "Strongroom"

    def registration_options(
        self, principal: Principal, existing: list[WebAuthnCredential]
    ) -> tuple[dict[str, Any], bytes]:
        """Options for navigator.credentials.create(), and the challenge to keep server-side."""
        challenge = secrets.token_bytes(CHALLENGE_BYTES)
        options = generate_registration_options(
            rp_id=self.rp_id,
            rp_name=self.name,
            user_id=principal.id.encode("utf-8"),
            user_name=principal.name,
            challenge=challenge,
            timeout=int(CEREMONY_LIFETIME.total_seconds() * 1000),
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.DISCOURAGED,
                user_verification=UserVerificationRequirement.PREFERRED,
            ),
            exclude_credentials=[PublicKeyCredentialDescriptor(id=c.id) for c in existing],
        )
        return json.loads(options_to_json(options)), challenge

    def verify_registration(
        self, credential: dict[str, Any], challenge: bytes, *, principal_id: str, now: datetime
    ) -> WebAuthnCredential:
        """The new credential, if the authenticator's answer is for this rp, origin, challenge."""
        try:
            verified = verify_registration_response(
                credential=_checked(credential),
                expected_challenge=challenge,
                expected_rp_id=self.rp_id,
                expected_origin=self.origin,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as error:
            raise _refused("registration", error) from None
        return WebAuthnCredential(
            id=verified.credential_id,
            principal_id=principal_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            created_at=now,
        )

    def authentication_options(
        self, credentials: list[WebAuthnCredential]
    ) -> tuple[dict[str, Any], bytes]:
        """Options for navigator.credentials.get(), and the challenge to keep server-side."""
        challenge = secrets.token_bytes(CHALLENGE_BYTES)
        options = generate_authentication_options(
            rp_id=self.rp_id,
            challenge=challenge,
            timeout=int(CEREMONY_LIFETIME.total_seconds() * 1000),
            allow_credentials=[PublicKeyCredentialDescriptor(id=c.id) for c in credentials],
            user_verification=UserVerificationRequirement.PREFERRED,
        )
        return json.loads(options_to_json(options)), challenge

    def verify_authentication(
        self, credential: dict[str, Any], challenge: bytes, known: list[WebAuthnCredential]
    ) -> tuple[WebAuthnCredential, int]:
        """The person's credential that signed, and its new signature counter."""
        checked = _checked(credential)
        try:
            raw_id = base64url_to_bytes(str(checked.get("rawId") or checked.get("id") or ""))
        except (ValueError, TypeError):
            raise InvalidInputError("credential.rawId is not base64url") from None
        stored = next((c for c in known if c.id == raw_id), None)
        if stored is None:
            raise AuthenticationError("this security key is not registered for this person")
        try:
            verified = verify_authentication_response(
                credential=checked,
                expected_challenge=challenge,
                expected_rp_id=self.rp_id,
                expected_origin=self.origin,
                credential_public_key=stored.public_key,
                credential_current_sign_count=stored.sign_count,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as error:
            raise _refused("authentication", error) from None
        return stored, verified.new_sign_count


def _checked(credential: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(credential)) > MAX_CREDENTIAL_JSON_BYTES:
        raise InvalidInputError(
            f"the credential is over {MAX_CREDENTIAL_JSON_BYTES} bytes; send what the browser gave"
        )
    return credential


def _refused(ceremony: str, error: Exception) -> AuthenticationError:
    # The library's reason (wrong origin, rp id, counter...) goes to the server log, not the
    # client: it would tell a phishing kit what to fix.
    logger.warning("WebAuthn %s refused: %s", ceremony, type(error).__name__)
    return AuthenticationError(
        f"the security key's {ceremony} answer was refused: it was made for another site or "
        "challenge, or replayed; start the ceremony again on this site"
    )
