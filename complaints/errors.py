"""The error the complaint services raise when they refuse something; its message is for the user."""

from __future__ import annotations


class ComplaintError(ValueError):
    """A refusal the person should understand: the message is translated and says what to change."""
