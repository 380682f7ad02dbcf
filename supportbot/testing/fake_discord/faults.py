"""REST faults the fake injects: rate limits and server errors, each for a number of requests.

A fault matches a method and a path pattern (``fnmatch`` style, on the path after ``/api/v10``,
e.g. ``/channels/*/messages``). Gateway faults live on the gateway itself
(:meth:`FakeDiscord.drop_gateway` and friends) because they act on a live connection.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass

from aiohttp import web

__all__ = ["RestFault", "RestFaults"]


@dataclass
class RestFault:
    method: str
    path: str
    status: int
    times: int
    retry_after: float = 0.0
    is_global: bool = False
    via: bool = True

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.method in ("*", method) and fnmatch.fnmatchcase(path, self.path)

    def response(self) -> web.Response:
        if self.status == 429:
            body = {"message": "You are being rate limited.", "retry_after": self.retry_after, "global": self.is_global}
            # Real 429s from Discord carry a Via header; without it discord.py assumes a Cloudflare ban.
            headers = {"Via": "1.1 google"} if self.via else {}
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
            return web.Response(
                status=429, body=json.dumps(body).encode(), content_type="application/json", headers=headers
            )
        return web.Response(status=self.status, text=f"{self.status}: fake server error", content_type="text/plain")


class RestFaults:
    """The queue of pending REST faults; each request consumes at most one."""

    def __init__(self) -> None:
        self._faults: list[RestFault] = []
        #: Every fault that fired, as ``(method, path, status)``, for assertions.
        self.fired: list[tuple[str, str, int]] = []

    def rate_limit(
        self,
        path: str,
        *,
        method: str = "*",
        retry_after: float = 0.1,
        times: int = 1,
        is_global: bool = False,
        via: bool = True,
    ) -> None:
        """Answer the next ``times`` matching requests with 429 and ``retry_after`` seconds."""
        self._faults.append(RestFault(method, path, 429, times, retry_after, is_global, via))

    def server_error(self, path: str, *, method: str = "*", status: int = 502, times: int = 1) -> None:
        """Answer the next ``times`` matching requests with a 5xx status."""
        self._faults.append(RestFault(method, path, status, times))

    def take(self, method: str, path: str) -> web.Response | None:
        for fault in self._faults:
            if fault.matches(method, path):
                fault.times -= 1
                self.fired.append((method, path, fault.status))
                return fault.response()
        return None
