"""The error the approval services raise when they refuse something; its message is for the user."""

from __future__ import annotations


class ApprovalError(ValueError):
    """A refusal the person should understand: the message is translated and says what to change.

    ``errors`` maps form field keys (or ``material:<key>``) to their messages, when the refusal
    is about particular fields.
    """

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})
