"""Schemathesis over the OpenAPI schema: ≥ 1,000 generated requests, no 500, responses
that match the schema (status codes, content types, bodies)."""

from __future__ import annotations

import os
import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from stationplan.web.access import Access
from stationplan.web.app import create_app

TOKEN = "schema-token"
REQUESTS = {"count": 0}


# No network in tests: the fetch operation meets a closed local port (422, "offline").
os.environ["STATIONPLAN_CELESTRAK_URL"] = "http://127.0.0.1:9/gp.php"
FOLDER = tempfile.TemporaryDirectory(prefix="stationplan-schema-")
APP = create_app(f"sqlite:///{FOLDER.name}/web.db", Access(TOKEN))


@pytest.fixture(scope="module", autouse=True)
def at_least_a_thousand_requests():
    yield
    if REQUESTS["count"]:
        assert REQUESTS["count"] >= 1000, f"only {REQUESTS['count']} requests generated"


schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_meets_a_server_error(case):
    REQUESTS["count"] += 1
    # Schema-valid but meaningless requests (an unknown site, an end before the start, an
    # empty element file) are 422 by design, like the CLI's exit 1: that check is off.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"}, excluded_checks=[positive_data_acceptance]
    )
