"""``python -m stationplan`` runs the command line."""

from stationplan.cli.app import main

main()
