"""Webhook URLs that point into the forum's own network are refused, when saved and again at
each delivery (a name may resolve elsewhere by then: DNS rebinding)."""
from __future__ import annotations

import socket

import pytest

from forum.exceptions import InvalidInput
from forum.models.webhooks import DeliveryStatus
from forum.services.discussion import posting
from forum.services.webhooks import addresses, endpoints
from tests import factories

REFUSED = ["http://10.0.0.7/hook", "http://192.168.1.20/hook", "http://172.16.5.5/",
           "http://169.254.169.254/latest/meta-data", "http://[::1]/hook",
           "http://[fe80::1]/hook", "http://[::ffff:10.0.0.1]/", "http://100.64.0.1/",
           "http://0.0.0.0/", "http://127.0.0.2/"]


@pytest.mark.parametrize("url", REFUSED)
def test_private_loopback_and_link_local_addresses_are_refused(admin, url):
    with pytest.raises(InvalidInput) as err:
        endpoints.create(admin, endpoints.EndpointData(url=url, kinds=["post.created"]))
    assert "url" in err.value.fields


@pytest.mark.parametrize("url", ["ftp://example.org/", "javascript:alert(1)", "http://",
                                 "http://user:pw@example.org/", "not a url",
                                 "http://example.org:99999/"])
def test_other_schemes_and_broken_urls_are_refused(admin, url):
    with pytest.raises(InvalidInput):
        endpoints.create(admin, endpoints.EndpointData(url=url, kinds=["post.created"]))


def test_loopback_is_allowed_only_where_the_setting_names_it(app, admin):
    url = "http://127.0.0.1:9/hook"
    assert endpoints.create(admin, endpoints.EndpointData(url=url, kinds=["post.created"]))
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ""
    with pytest.raises(InvalidInput):
        endpoints.create(admin, endpoints.EndpointData(url=url, kinds=["post.created"]))


def test_public_addresses_pass(app):
    assert addresses.allowed("93.184.216.34")
    assert addresses.allowed("2606:2800:220:1:248:1893:25c8:1946")
    assert not addresses.allowed("10.1.2.3")


def test_a_name_that_later_resolves_to_a_private_address_is_not_called(
        monkeypatch, receiver, register, run_jobs, db):
    rec = receiver()
    register(rec, "post.created")
    author = factories.make_user(verified=True)
    thread = factories.make_thread(factories.make_topic(), author)
    real = socket.getaddrinfo

    def rebound(host, port, *args, **kwargs):  # the name now points inside the network
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.9", port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebound)
    posting.reply(author, thread.id, "Ombunden adress")
    run_jobs(limit=1)
    monkeypatch.setattr(socket, "getaddrinfo", real)
    from sqlalchemy import select

    from forum.extensions import db as _db
    from forum.models.webhooks import WebhookDelivery

    row = _db.session.scalar(select(WebhookDelivery))
    assert rec.received == []
    assert row.status == DeliveryStatus.PENDING and "10.0.0.9" in row.error
