"""The web face: ``stationplan serve`` (FastAPI, SQLAlchemy storage, a worker pool).

Calls ``stationplan.services`` exactly as the CLI does; never imports the CLI.
"""
