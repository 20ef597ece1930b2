"""The Typer application: registers every command and maps errors to exit codes.

Exit codes: 0 ok, 1 user error (one line naming the file, line or option),
2 infeasible request, 3 internal error (a bug). Command modules never import this one.
"""

from __future__ import annotations

import typer
from rich.markup import escape

from stationplan.cli import (
    demo,
    elements,
    fetch,
    plan,
    rendezvous,
    screen,
    serve,
    simulate,
    windows,
)
from stationplan.cli.console import err
from stationplan.errors import StationplanError

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help=(
        "Plan crewed space station campaigns: launch windows, rendezvous, campaign schedules, "
        "logistics and orbit decay, conjunction screening."
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


def main() -> None:
    """Console entry point: maps errors to exit codes (1 user, 2 infeasible, 3 internal)."""
    usage_errors, exit_requests = _click_exception_types()
    try:
        app(standalone_mode=False)
    except StationplanError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        raise SystemExit(1) from None
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
