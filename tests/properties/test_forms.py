"""Property tests of every form: each WTForms class of the app, and every POST route of the
authorisation matrix, given arbitrary text (bidi marks, joiners, combining marks, NUL, invalid
UTF-8, markup, huge values, fields of the wrong shape) answers with a form error or a clear
4xx, never a 5xx, and hands its validators only text the database can store."""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField

from forum.forms import Form
from tests.properties.conftest import profile
from tests.properties.strategies import texts
from tests.test_authorization_matrix import ROWS, _world, send
from tests.test_hostile_requests import _doer

POST_ROWS = [row for row in ROWS if row.method == "POST"]


def _form_classes() -> list[type[Form]]:
    """Every subclass of the app's base form, from every module of the blueprints."""
    import forum.blueprints

    for module in pkgutil.walk_packages(forum.blueprints.__path__, "forum.blueprints."):
        importlib.import_module(module.name)
    found, todo = set(), [Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _encoded(value: str) -> str:
    """As a hostile client can send it: UTF-8, with lone surrogates as the invalid bytes
    they would be."""
    return quote_from_bytes(value.encode("utf-8", "surrogatepass"))


def _body(data: dict) -> str:
    pairs = []
    for key, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append(f"{_encoded(str(key))}={_encoded(str(one))}")
    return "&".join(pairs)


def values(original):
    """The row's own value, hostile text, a big value, a number or several values at once."""
    kept = st.just(original)
    return st.one_of(kept, kept, texts, st.integers().map(str),
                     st.integers(1, 60_000).map(lambda n: "å" * n),
                     st.lists(texts, min_size=2, max_size=3))


def _choices(field) -> list[tuple]:
    """Two choices of the kind the field's coerce makes (views fill in ids, say)."""
    try:
        return [(field.coerce("1"), "A"), (field.coerce("2"), "B")]
    except (TypeError, ValueError):
        return [("a", "A"), ("b", "B")]


@pytest.mark.parametrize("form_class", _form_classes(), ids=lambda c: c.__qualname__)
def test_every_form_class_validates_any_text_without_an_error(app, form_class):
    """Each field gets text (or several values); validation answers True or False. Fields
    whose choices a view fills in first get choices here."""
    @profile(10)
    @given(st.data())
    def check(data):
        with app.test_request_context(method="POST"):
            fields = list(form_class(formdata=MultiDict())._fields)
            formdata = MultiDict()
            for name in fields:
                for value in data.draw(st.lists(texts, max_size=2), label=name):
                    formdata.add(name, value)
            form = form_class(formdata=formdata)
            for field in form:
                if getattr(field, "choices", ...) is None:
                    field.choices = _choices(field)
            assert form.validate() in (True, False)
            for field in form:
                if isinstance(field, StringField) and not isinstance(field, PasswordField) \
                        and isinstance(field.data, str):
                    assert "\x00" not in field.data
                    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in field.data)

    check()


@pytest.mark.parametrize("row", POST_ROWS, ids=[row.id for row in POST_ROWS])
def test_every_form_route_answers_hostile_input_with_no_server_error(app, db, row):
    """The route's own fields (from its matrix row) with hostile values, and extra fields,
    posted by a member the route lets through."""
    world, kind = _world(), _doer(row)
    base = row.data(world) or {"body": "x"}
    # The URL once: an example that gets through (a delete) must not leave the next one
    # reading the id of a row that is gone.
    url = row.url(world)
    fixed = dataclasses.replace(row, url=lambda _world: url)

    @profile(4)
    @given(st.fixed_dictionaries({key: values(value) for key, value in base.items()}),
           st.dictionaries(texts, texts, max_size=2))
    def check(data, extra):
        response = send(app, world, kind, fixed, data=_body({**extra, **data}),
                        content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, response.get_data(as_text=True)[:800]
        response.close()

    check()
