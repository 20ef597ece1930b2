"""Shared fixtures: paths to the read-only shared data beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
VALIDATION = SHARED / "validation" / "station-launches-2021-2022.json"
CATALOG_2024 = SHARED / "catalogs" / "satcat-2024-07.3le"
CATALOG_2022 = SHARED / "catalogs" / "satcat-2022-07.3le"


@pytest.fixture(scope="session")
def validation_path() -> Path:
    if not VALIDATION.exists():
        pytest.skip(f"validation data absent: {VALIDATION}")
    return VALIDATION
