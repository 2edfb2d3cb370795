"""Languages: Simplified Chinese by default, English on request, remembered in a cookie and on the account."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_login import current_user

LANGUAGE_COOKIE = "kaimen_lang"


def supported_locale(value: str | None) -> str | None:
    if not value:
        return None
    languages = current_app.config["LANGUAGES"]
    if value in languages:
        return value
    # Accept the short and hyphenated spellings people and browsers use ("zh", "zh-CN", "en-GB").
    primary = value.replace("-", "_").split("_")[0].lower()
    for code in languages:
        if code.split("_")[0].lower() == primary:
            return code
    return None


def select_locale() -> str:
    """The reader's choice (cookie, then account); otherwise Chinese (also outside a request: CLI)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = supported_locale(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    if current_user and current_user.is_authenticated:
        chosen = supported_locale(current_user.locale)
        if chosen:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang(locale: str) -> str:
    """The BCP 47 tag for <html lang>: zh_Hans_CN → zh-Hans-CN."""
    return str(locale).replace("_", "-")
