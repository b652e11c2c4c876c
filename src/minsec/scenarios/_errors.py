"""Scenario errors as one readable line: the file, the line, the field and what to do.

:func:`one_line` turns a pydantic :class:`~pydantic.ValidationError` into a
:class:`~minsec.errors.MinsecError` such as ``x.yaml:7: events[0].magnitude.high: must be ≤ 1
(got 1.5)``, suggesting the nearest key for a misspelt one; :func:`bad_yaml` does the same for
text YAML cannot read (or a ``!!python/...`` tag it refuses).
"""

from __future__ import annotations

import re
from difflib import get_close_matches
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from minsec.errors import MinsecError

# The ``Tag(...)`` names of the union branches in spec.py: in an error's location, not fields.
_TAGS = {"fixed", "per_mineral", "group", "importers"}
_BOUNDS = {"greater_than_equal": ("≥", "ge"), "greater_than": (">", "gt"),
           "less_than_equal": ("≤", "le"), "less_than": ("<", "lt")}


def one_line(error: ValidationError, where: str, text: str | None,
             model: type[BaseModel]) -> MinsecError:
    """The first of ``error``'s problems as one line, with a count of the others.

    Parameters
    ----------
    error
        What ``model.model_validate`` raised.
    where
        The file (or ``<text>``, ``<scenario>``) the data came from.
    text
        The YAML text, to find the line of the field; ``None`` for data not read from text.
    model
        The model validated, to list the keys allowed where an unknown one sits.
    """
    errors = error.errors(include_url=False)
    first = errors[0]
    line = _line(text, first["loc"]) if text is not None else None
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    at = f"{where}:{line}" if line else where
    return MinsecError(f"{at}: {_field(first['loc'])}: {_message(first, model)}{more}")


def bad_yaml(error: yaml.YAMLError, where: str) -> MinsecError:
    """Text ``yaml.safe_load`` refused, as one line naming ``where`` and the line."""
    mark = getattr(error, "problem_mark", None)
    at = f"{where}:{mark.line + 1}" if mark is not None else where
    problem = str(getattr(error, "problem", None) or error)
    if tag := re.search(r"tag '([^']*)'", problem):
        return MinsecError(f"{at}: YAML tag {tag.group(1).replace('tag:yaml.org,2002:', '!!')}"
                           " is not allowed: scenario files are plain data")
    return MinsecError(f"{at}: not valid YAML: {excerpt(problem)}")


def excerpt(value: Any, limit: int = 80) -> str:
    """``value`` as text (``repr`` unless a string), cut to ``limit`` characters."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _field(loc: tuple[int | str, ...]) -> str:
    """The field path a person wrote, e.g. ``events[0].magnitude.high``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in _TAGS and part != "[key]":
            path += f".{part}" if path else part
    return path or "scenario"


def _message(error: Any, model: type[BaseModel]) -> str:
    kind, ctx, got = error["type"], error.get("ctx", {}), error.get("input")
    if kind in _BOUNDS:
        sign, key = _BOUNDS[kind]
        return f"must be {sign} {ctx[key]:g} (got {excerpt(repr(got))})"
    if kind == "extra_forbidden":
        allowed = _allowed(model, error["loc"])
        near = get_close_matches(str(error["loc"][-1]), allowed, n=1)
        hint = f"did you mean {near[0]}?" if near else f"allowed: {', '.join(allowed)}"
        return f"unknown key; {hint}"
    if kind == "missing":
        return "required"
    if kind == "value_error":
        return excerpt(str(ctx.get("error", error["msg"])), 200)
    if kind == "literal_error":
        return f"must be one of {ctx['expected']} (got {excerpt(repr(got))})"
    message = excerpt(error["msg"], 200)
    return f"{message[0].lower()}{message[1:]} (got {excerpt(repr(got))})"


def _allowed(root: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names of the model an unknown key sits in."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, str) and part not in _TAGS and part in model.model_fields:
            kinds = [model.model_fields[part].annotation]
            model = next((t for t in _types(kinds) if isinstance(t, type) and get_origin(t) is None
                          and issubclass(t, BaseModel)), model)
    return list(model.model_fields)


def _types(kinds: list[Any]) -> list[Any]:
    return [t for k in kinds for t in [k, *_types(list(get_args(k)))]]


def _line(text: str, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the YAML node at ``loc`` (or of its nearest ancestor)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            found = node.value[part] if part < len(node.value) else None
        else:
            found = None
        if found is None:
            break
        node = found
    return node.start_mark.line + 1 if node is not None else None
