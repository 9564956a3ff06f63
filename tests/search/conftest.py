import pytest


@pytest.fixture(autouse=True)
def _request(app):
    """Results carry links: build them as in a request."""
    with app.test_request_context():
        yield
