"""Schemathesis against the served OpenAPI document: generated requests for every operation,
as an anonymous reader and with a write token, find no server error and no answer that
breaks the document's own schemas. Bounded: a few examples per operation."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from forum.services import accounts
from tests import factories

EXAMPLES = 15
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def served(app, db):
    """The app with a small forum in it, limits out of the way, and a write token."""
    app.config.update(API_LIMIT="1000000 per minute", POST_LIMIT="1000000 per minute",
                      THREAD_LIMIT="1000000 per minute", FLAG_LIMIT="1000000 per minute",
                      POST_LIMIT_IP="1000000 per minute", THREAD_LIMIT_IP="1000000 per minute",
                      FLAG_LIMIT_IP="1000000 per minute")
    author = factories.make_user(verified=True)
    thread = factories.make_thread(author=author, posts=3)
    factories.make_post(thread, factories.make_user(verified=True))
    writer = factories.make_user(verified=True)
    _token, secret = accounts.create_token(writer, "schemathesis", ("read", "write"))
    app.config["SCHEMATHESIS_TOKEN"] = secret
    return app


def test_the_api_keeps_to_its_document(served):
    """Every operation, EXAMPLES generated cases, each sent without and with the token."""
    from forum.extensions import limiter

    def one_request(environ, start_response):  # its own app context, as under a server
        with served.app_context():
            return list(served.wsgi_app(environ, start_response))

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", one_request)
    token = served.config["SCHEMATHESIS_TOKEN"]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def holds(case):
            limiter.reset()
            case.call_and_validate(checks=CHECKS)
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        holds()
