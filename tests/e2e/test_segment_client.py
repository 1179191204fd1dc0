"""Segment's own Python client (segment-analytics-python) talks to Strongroom unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from segment.analytics import Client  # type: ignore[import-untyped]
from segment.analytics import request as segment_request

from .harness import RunningServer, unique, unique_email

pytestmark = pytest.mark.e2e


@dataclass(frozen=True, slots=True)
class Reported:
    """One ``on_error`` call: the HTTP status (if any), the error and how many calls it lost."""

    status: int | None
    error: str
    calls: int


class ErrorLog:
    """The ``on_error`` callback, keeping what it was told (never falsy: the client tests it)."""

    def __init__(self) -> None:
        self.reports: list[Reported] = []

    def __call__(self, error: Exception, batch: list[dict[str, Any]]) -> None:
        """The client's ``on_error`` callback."""
        response = getattr(error, "response", None)
        if response is not None:
            # An open response keeps its connection, which would keep the server from stopping.
            response.close()
        self.reports.append(Reported(getattr(error, "status", None), str(error), len(batch)))


@pytest.fixture
def errors() -> ErrorLog:
    """What the client reported through ``on_error``."""
    return ErrorLog()


@pytest.fixture
def trusting_client_session(
    strongroom_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """requests trusts the data home's certificate, through a session this test owns and closes.

    The client posts through a module-level requests session; replacing it for the test keeps the
    connection to the server from outliving the test (an unclosed socket is a ResourceWarning).
    """
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(strongroom_server.cert))
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with requests.Session() as session:
        monkeypatch.setattr(segment_request, "_session", session)
        yield
        close_pooled_connections(session)


def close_pooled_connections(session: requests.Session) -> None:
    """Close the session's idle keep-alive connections now.

    ``Session.close()`` only forgets urllib3's pools, which close their connections when garbage
    collected; until then the server, asked to stop, waits for those connections to close.
    """
    for adapter in session.adapters.values():
        if isinstance(adapter, HTTPAdapter):
            pools = adapter.poolmanager.pools
            for key in list(pools.keys()):
                pool = pools.get(key)
                if pool is not None:
                    pool.close()


def _send_a_customer(analytics: Client, user: str, email: str, order_id: str) -> None:
    analytics.identify(user, {"email": email, "firstName": "Sig", "lastName": "Ment"})
    analytics.track(user, "Product Viewed", {"sku": "SKU-TEA-01", "price": 12.5})
    analytics.track(
        user,
        "Order Completed",
        {
            "order_id": order_id,
            "total": 37.5,
            "currency": "EUR",
            "products": [{"sku": "SKU-TEA-01", "price": 12.5, "quantity": 3}],
        },
    )


def _assert_arrived_once(server: RunningServer, email: str) -> None:
    profile = server.the_customer(email)
    assert profile["traits"]["email"] == email
    assert profile["traits"]["first_name"] == "Sig"
    assert profile["event_count"] == 3
    assert profile["order_count"] == 1
    assert Decimal(str(profile["order_total"])) == Decimal("37.50")


@pytest.mark.usefixtures("trusting_client_session")
def test_the_segment_client_delivers_identify_track_and_an_order_once(
    strongroom_server: RunningServer, errors: ErrorLog
) -> None:
    analytics = Client(
        write_key=strongroom_server.write_key,
        host=strongroom_server.base_url,
        on_error=errors,
        max_retries=1,
        upload_interval=0.1,
    )
    user, email = unique("segment-user"), unique_email("s")
    try:
        _send_a_customer(analytics, user, email, unique("order"))
        analytics.flush()
    finally:
        analytics.shutdown()
    assert errors.reports == []
    _assert_arrived_once(strongroom_server, email)


@pytest.mark.usefixtures("trusting_client_session")
def test_the_segment_client_in_sync_mode_delivers_each_call_once(
    strongroom_server: RunningServer, errors: ErrorLog
) -> None:
    analytics = Client(
        write_key=strongroom_server.write_key,
        host=strongroom_server.base_url,
        on_error=errors,
        sync_mode=True,
    )
    user, email = unique("segment-user"), unique_email("s")
    _send_a_customer(analytics, user, email, unique("order"))
    assert errors.reports == []
    _assert_arrived_once(strongroom_server, email)


@pytest.mark.usefixtures("trusting_client_session")
def test_the_segment_client_reports_a_wrong_write_key_through_on_error(
    strongroom_server: RunningServer, errors: ErrorLog
) -> None:
    """The control: on_error does get called when Strongroom refuses, so silence above means 200."""
    analytics = Client(
        write_key="srk_not-a-real-key",
        host=strongroom_server.base_url,
        on_error=errors,
        max_retries=1,
        upload_interval=0.1,
    )
    email = unique_email("s")
    try:
        analytics.identify(unique("segment-user"), {"email": email})
        analytics.flush()
    finally:
        analytics.shutdown()
    assert [(reported.status, reported.calls) for reported in errors.reports] == [(401, 1)]
    assert strongroom_server.find_by_email(email) == []
