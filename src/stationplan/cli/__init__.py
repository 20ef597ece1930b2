"""The ``stationplan`` command line: a thin shell over the library.

``app`` builds the Typer application and maps errors to exit codes; ``console``
holds the shared consoles and option parsers; every other module is one command
(or one shared renderer) and imports neither ``app`` nor another command. The
entry point is :func:`stationplan.cli.app.main`.
"""
