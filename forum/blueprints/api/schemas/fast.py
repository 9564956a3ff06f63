"""A faster `dump` for the API's response schemas. marshmallow walks every field through
several layers of calls; for the plain field types the API uses, the same result comes from
one attribute read and one conversion. `FastSchema.dump` builds that plan once per schema
class from the schema's own fields, so the schema stays the one definition (validation and
the OpenAPI document are unchanged); any other field type is still serialised by marshmallow.
tests/api/test_fast_dump.py checks that both give identical output."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing

Step = tuple[str, str, Callable[[Any, Any], Any]]  # (key, attribute, convert(value, obj))


def _plain(field: fields.Field) -> Callable[[Any, Any], Any] | None:
    """The conversion marshmallow would apply to a value of this field, where it is simple."""
    if isinstance(field, fields.Nested):
        dump = plan_of(field.nested) if isinstance(field.nested, type) else None
        if dump is None:
            return None
        if field.many:
            return lambda value, _obj: None if value is None else [dump(v) for v in value]
        return lambda value, _obj: None if value is None else dump(value)
    if isinstance(field, fields.List):
        inner = _plain(field.inner)
        if inner is None:
            return None
        return lambda value, _obj: None if value is None else [inner(v, None) for v in value]
    if isinstance(field, fields.Dict):
        return lambda value, _obj: None if value is None else dict(value)
    if isinstance(field, fields.DateTime) and field.format in (None, "iso"):
        return lambda value, _obj: None if value is None else value.isoformat()
    for kind, convert in ((fields.Boolean, bool), (fields.Integer, int), (fields.String, str)):
        if type(field) is kind:
            return lambda value, _obj, c=convert: None if value is None else c(value)
    return None


_PLANS: dict[type, Callable[[Any], dict]] = {}


def plan_of(schema_cls: type[Schema]) -> Callable[[Any], dict] | None:
    """obj -> dict, as schema_cls().dump(obj) would give, or None if a field needs marshmallow."""
    if schema_cls in _PLANS:
        return _PLANS[schema_cls]
    schema = schema_cls()
    steps: list[Step] = []
    for key, field in schema.dump_fields.items():
        attribute = field.attribute or key
        if isinstance(field, fields.Function) and "." not in attribute:
            steps.append((field.data_key or key, "", lambda _v, obj, f=field.serialize_func: f(obj)))
            continue
        convert = _plain(field) if "." not in attribute else None
        if convert is None:
            steps.append((field.data_key or key, "",
                          lambda _v, obj, f=field, k=key: f.serialize(k, obj)))
            continue
        steps.append((field.data_key or key, attribute, convert))

    def dump(obj) -> dict:
        out = {}
        if isinstance(obj, dict):
            for key, attribute, convert in steps:
                value = obj.get(attribute, missing) if attribute else None
                if value is not missing:
                    out[key] = convert(value, obj)
            return out
        for key, attribute, convert in steps:
            value = getattr(obj, attribute, missing) if attribute else None
            if value is not missing:
                out[key] = convert(value, obj)
        return out

    _PLANS[schema_cls] = dump
    return dump


class FastSchema(Schema):
    """A Schema whose plain dumps (no only/exclude) take the planned path."""

    def dump(self, obj, *, many: bool | None = None):
        plan = plan_of(type(self)) if not (self.only or self.exclude) else None
        if plan is None:
            return super().dump(obj, many=many)
        if many if many is not None else self.many:
            return [plan(item) for item in obj]
        return plan(obj)
