"""Run the ``stationplan`` console entry point in-process, as a user would from a shell."""

from __future__ import annotations

import sys

from stationplan.cli.app import main


def run_cli(capture, *args: str) -> tuple[int, str | bytes, str]:
    """Call ``stationplan ARGS`` and return (exit code, stdout, stderr).

    ``capture`` is pytest's ``capsys`` (stdout as text) or ``capsysbinary`` (stdout as
    bytes, e.g. for ICS files with CRLF line ends); stderr is always text.
    """
    old = sys.argv
    sys.argv = ["stationplan", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    captured = capture.readouterr()
    err = captured.err.decode() if isinstance(captured.err, bytes) else captured.err
    return code, captured.out, err
