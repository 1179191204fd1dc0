"""Transport through the running server with real TLS clients: versions, ciphers, headers,
plain HTTP, hostile Content-Types and headers, and mutual TLS for service keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import ssl
import warnings
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .harness import RunningServer, assert_error, create_home, serving, unique

pytestmark = pytest.mark.e2e


def _handshake(server: RunningServer, context: ssl.SSLContext) -> str:
    """The negotiated protocol version; ssl.SSLError if the server refuses the handshake."""
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return str(tls.version())


def _client_context(server: RunningServer, version: ssl.TLSVersion, ciphers: str) -> ssl.SSLContext:
    context = server.ssl_context()
    context.check_hostname = False
    context.minimum_version = context.maximum_version = version
    context.set_ciphers(ciphers)
    return context


def _refused_by_server(error: ssl.SSLError) -> bool:
    """The server ended the handshake (an alert, or closing on us), after our ClientHello went
    out: not our own client refusing to offer the version or cipher."""
    return isinstance(error, ssl.SSLEOFError) or "ALERT" in str(error)


def test_tls_1_1_is_refused_by_the_server(strongroom_server: RunningServer) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is what we try, on purpose
        context = _client_context(strongroom_server, ssl.TLSVersion.TLSv1_1, "DEFAULT:@SECLEVEL=0")
    with pytest.raises(ssl.SSLError) as refused:
        _handshake(strongroom_server, context)
    assert _refused_by_server(refused.value)


def test_tls_1_2_takes_only_ecdhe_with_aead_ciphers(strongroom_server: RunningServer) -> None:
    v12 = ssl.TLSVersion.TLSv1_2
    for weak in ("AES128-SHA", "AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA"):
        with pytest.raises(ssl.SSLError) as refused:
            _handshake(strongroom_server, _client_context(strongroom_server, v12, weak))
        assert _refused_by_server(refused.value)
    strong = _client_context(strongroom_server, v12, "ECDHE-ECDSA-AES128-GCM-SHA256")
    assert _handshake(strongroom_server, strong) == "TLSv1.2"
    chacha = _client_context(strongroom_server, v12, "ECDHE-ECDSA-CHACHA20-POLY1305")
    assert _handshake(strongroom_server, chacha) == "TLSv1.2"


def test_tls_1_3_works(strongroom_server: RunningServer) -> None:
    context = _client_context(strongroom_server, ssl.TLSVersion.TLSv1_3, "DEFAULT")
    assert _handshake(strongroom_server, context) == "TLSv1.3"


def test_plain_http_to_the_tls_port_is_never_answered_or_redirected(
    strongroom_server: RunningServer,
) -> None:
    request = b"GET /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    answer = b""
    with socket.create_connection(("127.0.0.1", strongroom_server.port), timeout=10) as raw:
        raw.sendall(request)
        try:
            while chunk := raw.recv(4096):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    assert not answer.startswith(b"HTTP/")
    assert b"Location" not in answer
    assert b"301" not in answer
    assert b"308" not in answer


def test_every_answer_carries_hsts_and_the_security_headers(
    strongroom_server: RunningServer,
) -> None:
    with strongroom_server.client() as client:
        answers = [
            client.get("/healthz"),
            client.get("/api/v1/customers/abc"),
            client.get("/nowhere"),
        ]
    for response in answers:
        assert response.headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains"
        )
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-7",
        "../../etc/passwd",
        "application/json" + "\t" * 200 + "x",
    ],
)
def test_a_hostile_content_type_on_a_json_route_is_415(
    strongroom_server: RunningServer, content_type: str
) -> None:
    with strongroom_server.staff("dpo") as client:
        response = client.post(
            "/api/v1/customers/abc/consents",
            content=b'{"purpose": "marketing", "granted": true}',
            headers={"Content-Type": content_type},
        )
    assert_error(response, 415, "unsupported_media_type")


def test_the_token_endpoint_refuses_other_content_types_with_the_one_body(
    strongroom_server: RunningServer,
) -> None:
    with strongroom_server.client() as client:
        response = client.post(
            "/oauth/token", content=b"grant_type=x", headers={"Content-Type": "text/plain"}
        )
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer srv_' OR 1=1 --",
        "Bearer srt_" + "A" * 5000,
        "Bearer sro_\u00e9\u00e8",
        "Basic Zm9vOmJhcg==",
        "Bearer",
    ],
)
def test_malformed_tokens_are_401_with_the_one_body(
    strongroom_server: RunningServer, authorization: str
) -> None:
    with strongroom_server.client() as client:
        response = client.get(
            "/api/v1/customers",
            params={"email": "a@example.com"},
            headers={"Authorization": authorization.encode("utf-8")},  # type: ignore[dict-item]
        )
    assert_error(response, 401, "unauthenticated")


def test_an_oversized_header_is_refused_and_the_server_carries_on(
    strongroom_server: RunningServer,
) -> None:
    with strongroom_server.client() as client:
        huge = client.get("/healthz", headers={"X-Padding": "a" * 200_000})
        after = client.get("/healthz")
    assert 400 <= huge.status_code < 500
    assert after.status_code == 200


# --- mutual TLS -----------------------------------------------------------------------------


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool,
) -> x509.Certificate:  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def _write(path: Path, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
    path.with_suffix(".crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    path.with_suffix(".key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _client_pki(directory: Path) -> str:
    """A client CA (ca.crt), a client it signed (client.*) and one it did not (rogue.*)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("strongroom test client CA", ca_key, None, ca_key, ca=True)
    _write(directory / "ca", ca, ca_key)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _certificate("billing-sync", client_key, ca, ca_key, ca=False)
    _write(directory / "client", client, client_key)
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    rogue = _certificate("billing-sync", rogue_key, None, rogue_key, ca=False)
    _write(directory / "rogue", rogue, rogue_key)
    return hashlib.sha256(client.public_bytes(serialization.Encoding.DER)).hexdigest()


def test_a_service_key_bound_to_a_client_certificate_needs_it(tmp_path: Path) -> None:
    fingerprint = _client_pki(tmp_path)
    home = create_home(tmp_path / "home")
    home.env["STRONGROOM_TLS_CLIENT_CA"] = str(tmp_path / "ca.crt")
    issued = home.cli_json(
        "service-keys", "create", unique("mtls"), "--role", "support", "--days", "1",
        "--cert-fingerprint", fingerprint,
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {issued['key']}"}
    params = {"email": "nobody@example.com"}
    with serving(home, tmp_path / "server.log") as served:

        def call(cert: str | None) -> httpx.Response:
            context = ssl.create_default_context(cafile=str(home.cert))
            if cert:
                context.load_cert_chain(tmp_path / f"{cert}.crt", tmp_path / f"{cert}.key")
            with httpx.Client(base_url=served.base_url, verify=context, trust_env=False) as client:
                return client.get("/api/v1/customers", params=params, headers=headers)

        without = call(None)
        with_cert = call("client")
        with pytest.raises(httpx.TransportError):
            call("rogue")  # not signed by the client CA: the handshake fails
    assert "certificate" in assert_error(without, 401)["message"]
    assert with_cert.status_code == 200, with_cert.text
