"""CLI commands that live in their own modules; each exposes ``register(app)``.

They import the shared console and helpers from ``stationplan.cli`` (which
registers them at the end of its module, so those names already exist).
"""
