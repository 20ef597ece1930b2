"""Access: reads open on loopback, writes need the token; CSRF-safe forms.

The token comes from ``STATIONPLAN_TOKEN`` or is generated at the first start and kept
next to the database (printed once). API clients send ``Authorization: Bearer TOKEN``;
the browser signs in once (a ``SameSite=Strict``, ``HttpOnly`` cookie) and every form
carries a CSRF field derived from the token (HMAC-SHA256), checked on each write.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, Request

__all__ = ["COOKIE", "Access", "is_loopback", "load_token"]

COOKIE = "stationplan_token"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) is a loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_token(folder: Path | None) -> tuple[str, bool]:
    """(token, generated now): ``STATIONPLAN_TOKEN``, else the stored one, else a new one."""
    given = os.environ.get("STATIONPLAN_TOKEN")
    if given:
        return given, False
    if folder is None:
        return secrets.token_urlsafe(24), True
    path = folder / "stationplan-token"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip(), False
    token = secrets.token_urlsafe(24)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(token + "\n", encoding="utf-8")
    path.chmod(0o600)
    return token, True


@dataclass(frozen=True)
class Access:
    """The token and whether reads need it too (bound to a non-loopback address)."""

    token: str
    reads_need_token: bool = False

    @property
    def csrf(self) -> str:
        """The CSRF field every form carries (derived from the token, not the token)."""
        return hmac.new(self.token.encode(), b"stationplan-csrf", hashlib.sha256).hexdigest()

    def _given(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        return request.headers.get("x-stationplan-token")

    def signed_in(self, request: Request) -> bool:
        """Whether the request carries the token (header) or the sign-in cookie."""
        given = self._given(request) or request.cookies.get(COOKIE)
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def check_read(self, request: Request) -> None:
        """401 unless reads are open or the request is signed in."""
        if self.reads_need_token and not self.signed_in(request):
            raise HTTPException(401, "this server needs the token for reads too (sign in)")

    def check_write(self, request: Request, csrf: str | None = None) -> None:
        """401 without the token; 403 when a cookie-signed form lacks the CSRF field."""
        given = self._given(request)
        if given is not None:
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                raise HTTPException(401, "wrong token")
            return
        cookie = request.cookies.get(COOKIE)
        if cookie is None or not hmac.compare_digest(cookie.encode(), self.token.encode()):
            raise HTTPException(
                401, "writes need the token: sign in, or send Authorization: Bearer TOKEN"
            )
        sent = csrf or request.headers.get("x-csrf-token") or ""
        if not hmac.compare_digest(sent.encode(), self.csrf.encode()):
            raise HTTPException(403, "missing or wrong CSRF field; reload the page")
