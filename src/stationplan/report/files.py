"""Output files: directories checked before the work starts, files written atomically.

An output directory given on the command line (``--report``, ``--out``) is checked before
any computation, so a typo costs nothing; every file is written to a temporary file in
the same directory and renamed over its target (``os.replace``, atomic on POSIX), so an
interrupted run never leaves a file that looks complete.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from stationplan.errors import InputError

__all__ = ["check_output_dir", "make_output_dir", "write_atomic"]


def check_output_dir(path: Path | str, option: str) -> Path:
    """Check that ``path`` is, or can be created as, a writable directory; nothing is created.

    Raises InputError naming the path and ``option`` (e.g. ``--report``) when it is a file,
    lies below a file, or its nearest existing folder is not writable.
    """
    path = Path(path)
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        what = "exists" if existing == path else f"lies below {existing}, which"
        raise InputError(f"{what} is not a directory", path=path, field=option)
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "the directory" if existing == path else f"{existing}"
        raise InputError(f"cannot write: {where} is not writable", path=path, field=option)
    return path


def make_output_dir(path: Path | str) -> Path:
    """``mkdir -p path``; a failure (a file in the way, no permission) is an InputError."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the directory: {exc.strerror}", path=path) from None
    return path


def write_atomic(path: Path | str, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` via a temporary file renamed over it.

    Until the rename the target keeps its old content (or stays absent); the temporary file
    is removed on any failure, Ctrl-C included.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
