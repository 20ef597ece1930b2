"""The README's examples run as written on a fresh clone (issue 14): every file they name
ships with the repository, and each command exits 0."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from cli_runner import run_cli as run

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = ".venv/bin/stationplan"


def readme_commands() -> list[list[str]]:
    """Each ``.venv/bin/stationplan ...`` command of the README's shell blocks, continuation
    lines joined and the optional ``[...]`` parts left out."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            if line.startswith(PROGRAM):
                words = shlex.split(re.sub(r"\[[^\]]*\]", " ", line))
                commands.append(words[1:])
    return commands


COMMANDS = readme_commands()
#: Examples checked for shipped files but not run here, and where they are run instead.
NOT_RUN = {
    "serve": "serves until stopped: tests/test_web_durability.py and test_web_browser.py run it",
    "fetch": "needs the network: tests/test_fetch.py runs it against a replayed answer",
}


def test_the_readme_shows_every_command():
    assert {c[0] for c in COMMANDS} >= {"windows", "rendezvous", "plan", "simulate", "screen"}


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_each_readme_example_names_files_that_ship_and_exits_0(args, capsysbinary, monkeypatch):
    monkeypatch.chdir(ROOT)
    for word in args:
        if "/" in word and not word.startswith("-"):
            assert (ROOT / word).exists(), f"{word} does not ship with the repository"
    if args[0] in NOT_RUN:
        pytest.skip(NOT_RUN[args[0]])
    code, _, err = run(capsysbinary, *args)
    assert code == 0, err
