"""Reading TOML data files with one-line errors (file, line, key path, problem).

Shared by every loader of bundled or user TOML: sites, vehicles, and later
stations and campaigns.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from stationplan.errors import InputError

_TOML_LINE = re.compile(r"line (\d+)")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse the TOML file at ``path``; unreadable or malformed files become InputError."""
    try:
        with open(path, "rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        line = int(match.group(1)) if match else None
        raise InputError(f"not valid TOML: {exc}", path=path, line=line) from None


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
    elif isinstance(first["input"], dict | list):
        reason = first["msg"]
    else:
        reason = f"{first['msg']} (got {first['input']!r})"
    if len(errors) > 1:
        reason += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return InputError(reason, path=path, field=key_path or None)


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
