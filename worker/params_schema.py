"""The builtins' params schemas, exported from TypeScript (stages/model/*-params.ts → worker/schemas/*.params.json), are
the single definition of the worker's config fields: their defaults, types and ranges. A config is validated against
the schema (the paths the stage fills in added) and gets the same defaults Node fills in before the key is computed.
Errors name the field, in the worker's ConfigError style."""

import copy
import json
import os

from jsonschema import Draft7Validator, validators

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas")


class ConfigError(Exception):
    """Bad input: the message names the field. Reported as an input error (not retried, nothing published)."""


def load_params_schema(name: str) -> dict:
    with open(os.path.join(SCHEMAS, f"{name}.params.json")) as f:
        return json.load(f)


def _with_defaults(cls):
    """ajv's useDefaults: a missing property with a default gets a copy of it before its subschema is checked."""
    check_properties = cls.VALIDATORS["properties"]

    def properties(validator, props, instance, schema):
        if isinstance(instance, dict):
            for k, sub in props.items():
                if "default" in sub and k not in instance:
                    instance[k] = copy.deepcopy(sub["default"])
        yield from check_properties(validator, props, instance, schema)

    return validators.extend(cls, {"properties": properties})


_Validator = _with_defaults(Draft7Validator)


def defaults(schema: dict) -> dict:
    """The object the schema's defaults make of an empty config (nested objects with `default: {}` filled in)."""
    out: dict = {}
    for _ in range(2):  # twice, as in validate()
        for _ in _Validator({"type": "object", **schema}).iter_errors(out):
            pass  # e.g. a required field without a default: only the defaults are wanted here
    return out


def _field(error) -> str:
    return ".".join(str(p) for p in error.absolute_path)


def _message(error) -> str:
    field, v, inst, kw = _field(error), error.validator_value, error.instance, error.validator
    if kw == "additionalProperties":
        unknown = sorted(set(inst) - set(error.schema.get("properties", {})))
        prefix = f"{field}." if field else ""
        return f"{prefix}{unknown[0]}: unknown field (known: {', '.join(sorted(error.schema.get('properties', {})))})"
    if kw == "required":
        return error.message.split("'")[1] + ": required"
    say = {
        "enum": lambda: f"{inst!r} is not one of {', '.join(map(str, v))}",
        "minimum": lambda: f"must be >= {v}, got {inst}",
        "exclusiveMinimum": lambda: f"must be > {v}, got {inst}",
        "maximum": lambda: f"must be <= {v}, got {inst}",
        "exclusiveMaximum": lambda: f"must be < {v}, got {inst}",
        "type": lambda: f"must be {' or '.join(map(_type_name, v if isinstance(v, list) else [v]))}, got {inst!r}",
        "minItems": lambda: f"must have at least {v} items, got {inst!r}",
        "maxItems": lambda: f"must have at most {v} items, got {inst!r}",
        "minLength": lambda: f"must be at least {v} characters, got {inst!r}",
    }.get(kw, lambda: error.message)
    return f"{field or '(config)'}: {say()}"


def _type_name(t: str) -> str:
    return {
        "integer": "an integer",
        "number": "a number",
        "object": "an object",
        "array": "an array",
        "string": "a string",
        "boolean": "a boolean",
        "null": "null",
    }.get(t, t)


def validate(schema: dict, raw: dict) -> dict:
    """A deep copy of `raw` with the schema's defaults filled in; the first error (in field order) as a ConfigError.
    Optional fields without a default (e.g. model.vocabSize) are None when absent."""
    if not isinstance(raw, dict):
        raise ConfigError(f"(config): must be an object, got {raw!r}")
    cfg, v = copy.deepcopy(raw), _Validator({"type": "object", **schema})
    # Twice: an object defaulted by if/then (finetune's `model: {}` for init: scratch) is filled after `properties` ran.
    for _ in v.iter_errors(cfg):
        pass
    errors = sorted(v.iter_errors(cfg), key=lambda e: (len(e.absolute_path) == 0, list(map(str, e.absolute_path))))
    if errors:
        raise ConfigError(_message(errors[0]))
    _absent_to_none(schema, cfg)
    return cfg


def _absent_to_none(schema: dict, cfg: dict) -> None:
    for k, sub in schema.get("properties", {}).items():
        if k not in cfg:
            cfg[k] = None
        elif sub.get("type") == "object" and isinstance(cfg[k], dict):
            _absent_to_none(sub, cfg[k])
