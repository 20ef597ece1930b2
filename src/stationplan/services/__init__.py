"""The application layer: requests as the CLI (and later the web) make them.

Each function takes parsed inputs (catalogs, ids, times) and returns results as
library objects or JSON-ready dictionaries; printing is the faces' job. Nothing
here imports a face (``stationplan.cli``, ``stationplan.web``).
"""
