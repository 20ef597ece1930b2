"""Current element sets: CelesTrak's GP service (OMM JSON) by catalog number or group.

The query is CelesTrak's documented GP interface (https://celestrak.org/NORAD/documentation/
gp-data-formats.php): ``gp.php?CATNR=25544&FORMAT=JSON`` or ``gp.php?GROUP=stations&FORMAT=
JSON``. The answer is parsed like any OMM file (``orbit.elements``). ``STATIONPLAN_CELESTRAK_URL``
replaces the base address (a mirror, or a local server replaying a recorded response).
"""

from __future__ import annotations

import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from stationplan.errors import InputError
from stationplan.orbit.elements import Catalog, parse_omm_text

__all__ = ["DEFAULT_BASE_URL", "GPQuery", "fetch_gp"]

DEFAULT_BASE_URL = "https://celestrak.org/NORAD/elements/gp.php"
_GROUP = re.compile(r"^[a-z0-9-]{1,40}$")
#: Largest answer read (a full catalogue of ~30,000 objects is ~20 MB of JSON).
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class GPQuery:
    """One GP request: a catalog number or a group name (exactly one)."""

    catnr: int | None = None
    group: str | None = None

    def __post_init__(self) -> None:
        if (self.catnr is None) == (self.group is None):
            raise InputError("give either a catalog number or a group", field="--catnr/--group")
        if self.catnr is not None and not 1 <= self.catnr <= 999_999_999:
            raise InputError("a catalog number is 1–999999999", field="--catnr")
        if self.group is not None and not _GROUP.match(self.group):
            raise InputError(
                "a group is lower-case letters, digits and dashes (e.g. stations)",
                field="--group",
            )

    def url(self, base_url: str | None = None) -> str:
        """The GP address of this query (JSON format)."""
        base = base_url or os.environ.get("STATIONPLAN_CELESTRAK_URL") or DEFAULT_BASE_URL
        key = {"CATNR": str(self.catnr)} if self.catnr is not None else {"GROUP": str(self.group)}
        return f"{base}?{urllib.parse.urlencode({**key, 'FORMAT': 'JSON'})}"

    @property
    def name(self) -> str:
        """A file name for the answer."""
        return f"gp-catnr-{self.catnr}.json" if self.catnr is not None else f"gp-{self.group}.json"


def fetch_gp(
    query: GPQuery, base_url: str | None = None, timeout_s: float = 30.0
) -> tuple[bytes, Catalog]:
    """Download and parse the GP answer for ``query``: (raw JSON bytes, catalog).

    Raises :class:`InputError` when the service cannot be reached (offline), answers an
    error, or answers no element set (CelesTrak says "No GP data found").
    """
    url = query.url(base_url)
    request = urllib.request.Request(url, headers={"User-Agent": "stationplan"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url} answered HTTP {exc.code}", field="fetch") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(
            f"cannot reach {url} ({reason}); offline, use a stored element set", field="fetch"
        ) from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{url} answered more than {MAX_BYTES} bytes", field="fetch")
    text = data.decode("utf-8", errors="replace")
    if not text.lstrip().startswith(("[", "{")):
        raise InputError(f"{url} answered no GP data: {text.strip()[:120]}", field="fetch")
    return data, parse_omm_text(text, query.name)
