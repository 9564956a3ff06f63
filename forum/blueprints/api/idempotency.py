"""`Idempotency-Key` on creating requests: the same key with the same request gets the
stored answer again (nothing is created twice); the same key with another request gets 422.
The key is claimed inside the transaction that does the work (see services.idempotency)."""
from __future__ import annotations

import functools
import hashlib
import json

from flask import current_app, request
from flask_babel import gettext as _

from forum.blueprints.api.auth import member
from forum.blueprints.api.problems import ApiProblem
from forum.services import idempotency

HEADER = "Idempotency-Key"
DOC = {"parameters": [{
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "Send the same key again to retry safely: the first answer is replayed."}]}


def idempotent(view):
    """Wrap a creating view, above flask-smorest's response decorator, so the answer seen
    here is the response as sent."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not key.strip() or len(key) > 255 or not key.isprintable():
            raise ApiProblem("bad-request", _("An Idempotency-Key is 1 to 255 printable "
                                              "characters."), code="bad_idempotency_key")
        claim, stored = idempotency.claim(member(), key, _fingerprint())
        if stored is not None:
            return _replay(stored)
        response = view(*args, **kwargs)
        idempotency.record(claim, response.status_code, response.get_data(as_text=True),
                           response.headers.get("Location"))
        return response

    return wrapper


def _fingerprint() -> str:
    """The request as sent: method, path and body (JSON compared by content, not spacing)."""
    raw = request.get_data()
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        body = raw
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def _replay(stored):
    response = current_app.response_class(stored.body, status=stored.status,
                                          mimetype="application/json")
    if stored.location:
        response.headers["Location"] = stored.location
    response.headers["Idempotent-Replayed"] = "true"
    return response
