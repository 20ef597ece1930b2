"""stationplan — plan crewed space station campaigns.

Launch windows, rendezvous, scheduling, logistics and conjunction screening,
built on python-sgp4 (Vallado's SGP4), Skyfield, SciPy and OR-Tools.
"""

__version__ = "0.1.0"
