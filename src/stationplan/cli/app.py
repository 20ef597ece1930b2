"""The Typer application: lists every command (imported only when it runs) and maps errors
to exit codes.

Exit codes: 0 ok, 1 user error (one line naming the file, line or option),
2 proven infeasible, 3 internal error (a bug), 4 gave up within the time limit (raise it),
130 interrupted (Ctrl-C). Command modules never import this one.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any, NoReturn

import typer
from rich.markup import escape
from typer.core import TyperGroup

from stationplan.cli.console import err
from stationplan.errors import InfeasibleError, StationplanError

__all__ = ["app", "main"]

#: Every command: name → (module, attribute, kind), in the order of ``stationplan --help``.
#: A command's module (and what it imports: SciPy, pymsis, the web server ...) is imported
#: only when that command runs or a help text lists it ("command": a function registered
#: with ``app.command``; "group": a Typer sub-application).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "windows": ("stationplan.cli.windows", "windows", "command"),
    "rendezvous": ("stationplan.cli.rendezvous", "rendezvous", "command"),
    "elements": ("stationplan.cli.elements", "elements_summary", "command"),
    "demo": ("stationplan.cli.demo", "demo", "command"),
    "plan": ("stationplan.cli.plan", "plan", "command"),
    "screen": ("stationplan.cli.screen", "screen_command", "command"),
    "simulate": ("stationplan.cli.simulate", "simulate", "command"),
    "serve": ("stationplan.cli.serve", "serve", "command"),
    "fetch": ("stationplan.cli.fetch", "fetch", "command"),
    "lunar": ("stationplan.cli.lunar", "app", "group"),
}

#: Commands of a sub-application that live in their own module (a command module never
#: imports another): group → [(name, module, attribute)], registered when the group is built.
SUBCOMMANDS: dict[str, list[tuple[str, str, str]]] = {
    "lunar": [("plan", "stationplan.cli.lunar_plan", "plan")],
}


def _load_command(name: str) -> Any:
    """The click command of ``name``, built by Typer as an eager registration would."""
    module_name, attribute, kind = COMMANDS[name]
    target = getattr(importlib.import_module(module_name), attribute)
    command: Any
    if kind == "group":  # as ``app.add_typer`` would: no completion options of its own
        for sub, sub_module, sub_attribute in SUBCOMMANDS.get(name, []):
            if sub not in {c.name for c in target.registered_commands}:
                target.command(sub)(getattr(importlib.import_module(sub_module), sub_attribute))
        command = typer.main.get_group(target)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _LazyCommands(MutableMapping[str, Any]):
    """The group's command table: every name known up front, each command built on first
    access (so ``stationplan rendezvous`` imports neither SciPy's optimisers nor the web
    server, and ``--help`` and "Did you mean" still see every name, in order)."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _load_command(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:  # pragma: no cover - click never removes
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (n for n in self._built if n not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(n not in COMMANDS for n in self._built)


class _LazyGroup(TyperGroup):
    """Typer's group with the lazy command table of :data:`COMMANDS`."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands()


app = typer.Typer(
    cls=_LazyGroup,
    add_completion=False,
    no_args_is_help=True,
    help=(
        "Plan crewed space station campaigns: launch windows, rendezvous, campaign schedules, "
        "logistics and orbit decay, conjunction screening.\n\n"
        "Exit codes: 0 ok; 1 user error (one line naming the file, line or option); "
        "2 proven infeasible (the conflicting requirements are named); 3 internal error (a "
        "bug, please report it); 4 gave up within the time limit before proving a plan or its "
        "absence (raise --time-limit); 130 interrupted (Ctrl-C)."
    ),
)


@app.callback()
def _root() -> None:
    """(No options of its own: makes Typer build the group that holds :data:`COMMANDS`.)"""


def _click_exception_types() -> tuple[
    tuple[type[BaseException], ...], tuple[type[BaseException], ...]
]:
    """(usage errors, exit requests) of click and of the click copy newer Typers vendor."""
    import click

    usage: list[type[BaseException]] = [click.exceptions.ClickException]
    exits: list[type[BaseException]] = [click.exceptions.Exit, typer.Exit]
    try:
        from typer._click import exceptions as vendored  # Typer ≥ 0.20 ships its own click

        usage.append(vendored.ClickException)
    except ImportError:  # pragma: no cover - older Typer uses click itself
        pass
    return tuple(usage), tuple(exits)


def _one_line(message: str) -> str:
    """``message`` with control characters (from a file name or a value) shown escaped, so
    the error stays one line on any terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


#: Exit code of a run ended by Ctrl-C (128 + SIGINT, the shell convention).
EXIT_INTERRUPTED = 130


def main() -> None:
    """Console entry point: maps errors to exit codes (1 user, 2 infeasible, 3 internal,
    4 time limit, 130 interrupted)."""
    usage_errors, exit_requests = _click_exception_types()
    try:
        # Typer >= 0.2x returns the code of an Exit (130 for Ctrl-C) in non-standalone mode.
        code = app(standalone_mode=False)
    except StationplanError as exc:
        # A user error is one line; an explanation of infeasibility (exit 2) keeps its own
        # lines (the conflicting requirements, what to change), each escaped on its own.
        lines = str(exc).split("\n") if isinstance(exc, InfeasibleError) else [str(exc)]
        text = "\n".join(escape(_one_line(line)) for line in lines)
        err.print(f"[red]error:[/] {text}", highlight=False, soft_wrap=True)
        raise SystemExit(exc.exit_code) from None
    except (typer.Abort, KeyboardInterrupt):
        # click turns Ctrl-C into Abort (after printing an empty line).
        _interrupted()
    except usage_errors as exc:
        exc.show()  # type: ignore[attr-defined]
        raise SystemExit(1) from None
    except exit_requests as exc:
        raise SystemExit(getattr(exc, "exit_code", 0)) from None
    except Exception as exc:
        err.print(
            f"[red]internal error:[/] {escape(f'{type(exc).__name__}: {exc}')}", highlight=False
        )
        raise SystemExit(3) from None
    if isinstance(code, int) and not isinstance(code, bool) and code != 0:
        if code == EXIT_INTERRUPTED:
            _interrupted()
        raise SystemExit(code)


def _interrupted() -> NoReturn:
    err.print("[red]interrupted[/] (Ctrl-C)", highlight=False)
    raise SystemExit(EXIT_INTERRUPTED) from None
