"""The ``kaimen`` console script: Flask's CLI (run, db, shell, routes) around Kaimen's app."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from portal import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Kaimen (开门): public consultation and complaint forum."""
