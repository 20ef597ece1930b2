"""Reading TOML data files with one-line errors (file, line, key path, problem).

Shared by every loader of bundled or user TOML: sites, vehicles, stations, logistics and
campaigns (read, validate against a pydantic model, look an id up).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from stationplan.errors import InputError

_TOML_LINE = re.compile(r"line (\d+)")

_Model = TypeVar("_Model", bound=BaseModel)
_Value = TypeVar("_Value")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse the TOML file at ``path``; unreadable or malformed files become InputError.

    TOML is UTF-8 (TOML 1.0, "Spec"): other bytes name the line that holds them. Nesting
    so deep that the parser would exhaust Python's recursion limit is refused too.
    """
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a TOML file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 (byte 0x{data[exc.start]:02x}); TOML files must be UTF-8",
            path=path,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        line = int(match.group(1)) if match else None
        raise InputError(f"not valid TOML: {exc}", path=path, line=line) from None
    except RecursionError:
        raise InputError("not valid TOML: arrays or tables nested too deeply", path=path) from None


def read_bundled_toml(*parts: str) -> tuple[dict[str, Any], Path]:
    """Parse the bundled file ``stationplan/data/<parts...>``; also return its path (for
    messages: with a zipped package it names a temporary copy)."""
    resource = resources.files("stationplan").joinpath("data", *parts)
    with resources.as_file(resource) as path:
        return read_toml(path), path


def validate_toml(model: type[_Model], document: dict[str, Any], path: Path | str) -> _Model:
    """``model.model_validate(document)``, a failure mapped to one InputError line."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise input_error_from_validation(exc, path) from None


def lookup(table: Mapping[str, _Value], key: str, what: str, known: str = "known") -> _Value:
    """``table[key]``, or an InputError naming the unknown ``what`` and the known ids."""
    try:
        return table[key]
    except KeyError:
        ids = ", ".join(sorted(table))
        raise InputError(f"unknown {what} {key!r}; {known}: {ids}") from None


def input_error_from_validation(exc: ValidationError, path: Path | str) -> InputError:
    """Map a pydantic error to one InputError line: file, key path, problem, offending value.

    The key path joins the error location with dots and brackets for list
    indices (``vehicles.shenzhou.profiles[0].duration_h``). When several values
    are wrong, the first is named and the count of the others is appended.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    key_path = _key_path(first["loc"])
    if first["type"] == "missing":
        reason = "missing required key"
    elif first["type"] == "extra_forbidden":
        reason = "unknown key"
    else:
        reason = _pydantic_message(first)
        offending = repr(first["input"])
        if not isinstance(first["input"], dict | list) and offending not in reason:
            reason += f" (got {offending})"
    if len(errors) > 1:
        reason += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return InputError(reason, path=path, field=key_path or None)


#: Prefixes pydantic puts before the text of a ValueError / AssertionError raised in a
#: validator ("Value error, '2022-13-01' is not ..."): our validators' own words suffice.
_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


def _pydantic_message(error: Mapping[str, Any]) -> str:
    """The error's message without pydantic's "Value error, " style prefix."""
    message = str(error["msg"])
    for prefix in _PYDANTIC_PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _key_path(loc: tuple[int | str, ...]) -> str:
    key_path = ""
    for part in loc:
        if isinstance(part, int):
            key_path += f"[{part}]"
        elif part == "[key]":
            key_path += " (the key itself)"
        else:
            key_path += f".{part}" if key_path else str(part)
    return key_path
