"""Absolute links for mail, built from KAIMEN_BASE_URL — never from the request's Host header."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The public address of ``endpoint``; works in a request, a CLI command or a job alike."""
    base = urlsplit(current_app.config["KAIMEN_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)
