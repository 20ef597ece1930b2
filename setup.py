"""Build the compiled sieve kernel; everything else is declared in pyproject.toml.

The extension is optional: without a working C compiler the install still succeeds (with
setuptools' warning) and screening falls back to the slower NumPy sieve, saying so.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "stationplan.screening._sievec",
            ["src/stationplan/screening/_sievec.c"],
            # Bit-identical sub-window separations in the enumeration and its de-duplication.
            extra_compile_args=["-O3", "-ffp-contract=off"],
            optional=True,
        ),
        Extension(
            "stationplan.screening._jsonc",
            ["src/stationplan/screening/_jsonc.c"],
            # Conjunction records as JSON text; conjunction.py falls back to Python without it.
            extra_compile_args=["-O2"],
            optional=True,
        ),
    ]
)
