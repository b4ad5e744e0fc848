"""Responses are compressed when the client accepts it (issue 16, item 7)."""

from __future__ import annotations

import httpx


def test_the_home_page_is_sent_compressed(server: str) -> None:
    """The home page (mostly repeated unit lists) is gzip-compressed to under a quarter, and
    a client that does not ask for it gets it plain."""
    plain = httpx.get(server + "/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    with httpx.stream("GET", server + "/", headers={"Accept-Encoding": "gzip"}) as packed:
        assert packed.headers["content-encoding"] == "gzip"
        body = packed.read()
        sent = packed.num_bytes_downloaded
    assert body == plain.content
    assert sent < len(plain.content) / 4, (sent, len(plain.content))
