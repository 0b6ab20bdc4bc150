"""Schemathesis against the running app: no server error and no response outside the document."""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from quizapp.api.openapi import document
from tests.e2e.conftest import live_server  # noqa: F401 (the app served in a thread)
from tests.factories import make_bank

# The document the app serves (test_served_document_is_this_one checks that).
schema = schemathesis.openapi.from_dict(document())


@pytest.fixture
def api_session(app, live_server):  # noqa: F811
    """A guest's HTTP session with a CSRF token and one started attempt to explore."""
    with app.app_context():
        make_bank()
    session = requests.Session()
    session.headers["X-CSRFToken"] = session.get(live_server + "/api/v1/csrf").json()["csrf_token"]
    quizzes = session.get(live_server + "/api/v1/quizzes").json()["quizzes"]
    started = session.post(f"{live_server}/api/v1/quizzes/{quizzes[0]['id']}/attempts", json={})
    assert started.status_code == 201
    yield session
    session.close()


def test_served_document_is_this_one(live_server):  # noqa: F811
    assert requests.get(live_server + "/api/v1/openapi.json").json() == document()


def test_document_is_valid_openapi():
    validate(document())  # raises with the path of what is wrong
    broken = document()
    del broken["info"]["title"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_document(case, live_server, api_session):  # noqa: F811
    case.call_and_validate(
        base_url=live_server + "/api/v1",
        session=api_session,
        # A schema-valid answer can still be wrong for its question type (an option index that
        # does not exist): that is the documented 422, not a failure to accept valid data.
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
