"""The Typer application: registers every command and maps errors to exit codes.

Exit codes: 0 ok, 1 user error (one line naming the file, line or option),
2 proven infeasible, 3 internal error (a bug), 4 gave up within the time limit (raise it),
130 interrupted (Ctrl-C). Command modules never import this one.
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.markup import escape

from stationplan.cli import (
    demo,
    elements,
    fetch,
    lunar,
    lunar_plan,
    plan,
    rendezvous,
    screen,
    serve,
    simulate,
    windows,
)
from stationplan.cli.console import err
from stationplan.errors import InfeasibleError, StationplanError

__all__ = ["app", "main"]

app = typer.Typer(
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
# Registration order is the order of ``stationplan --help``.
app.command()(windows.windows)
app.command()(rendezvous.rendezvous)
app.command("elements")(elements.elements_summary)
app.command()(demo.demo)
app.command()(plan.plan)
app.command("screen")(screen.screen_command)
app.command()(simulate.simulate)
app.command()(serve.serve)
app.command()(fetch.fetch)
lunar.app.command("plan")(lunar_plan.plan)
app.add_typer(lunar.app, name="lunar")


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
