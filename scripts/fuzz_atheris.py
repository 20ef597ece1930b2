"""Coverage-guided fuzzing (Atheris, libFuzzer) of the TLE/3LE and OMM readers (issue 14).

Any byte string, decoded as ``load_catalog`` does (UTF-8, bad bytes replaced), must end in a
Catalog or an InputError; any other exception is a crash that libFuzzer reports with the
input that caused it. Seeds: the repository's real element files. Optional: needs the
``fuzz`` extra (``pip install -e '.[fuzz]'``); ``make fuzz-atheris`` runs a seeded run.

    python scripts/fuzz_atheris.py -runs=20000 -seed=14 [corpus dir]
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from stationplan.errors import InputError
    from stationplan.orbit.elements import parse_omm_text, parse_tle_text


def test_one_input(data: bytes) -> None:
    """One input for both readers: a parsed catalog or an InputError, nothing else."""
    text = data.decode("utf-8", errors="replace")
    for reader in (parse_tle_text, parse_omm_text):
        with contextlib.suppress(InputError):
            reader(text, "atheris")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
