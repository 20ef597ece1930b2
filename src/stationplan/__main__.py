"""``python -m stationplan`` runs the command line."""

from .cli import main

main()
