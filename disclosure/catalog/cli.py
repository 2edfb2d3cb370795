"""``kaimen catalog import|export``: load departments' submission files (报送规范), and write them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from disclosure.catalog.submission import ImportReport, dumps, export_department, import_submission
from disclosure.catalog.submission_parse import MAX_BYTES
from disclosure.catalog.submission_validate import SubmissionError, shown
from disclosure.directory.models import Department
from portal.extensions import db

# Files with fewer items load in a blink: no progress bar for them.
PROGRESS_FROM = 20


@click.group()
def catalog() -> None:
    """The approval catalog: import and export submission files."""


class _Progress:
    """A progress bar on standard error, shown once an import turns out to be long."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < PROGRESS_FROM:
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)  # enough to know it is too large


@catalog.command("import")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
)
@click.option(
    "--dry-run", is_flag=True, help="Check the files and say what would change; write nothing."
)
@with_appcontext
def import_command(files: tuple[Path, ...], dry_run: bool) -> None:
    """Load submission FILES (YAML or JSON), one department each.

    A file with any error changes nothing; the others are loaded (each in its own transaction).
    """
    failed = 0
    for path in files:
        progress = _Progress(path.name)
        try:
            report = import_submission(_read(path), str(path), dry_run=dry_run, progress=progress)
        finally:
            progress.close()
        if not report.ok or dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        if report.ok:
            _show(report)
        else:
            failed += 1
            _show_errors(report.errors, report.file)
    if failed:
        raise SystemExit(1)


def _show_errors(errors: list[SubmissionError], file: str) -> None:
    for error in errors:
        click.echo(str(error), err=True)
    click.echo(
        ngettext(
            "%(file)s: %(num)d error; nothing was changed.",
            "%(file)s: %(num)d errors; nothing was changed.",
            len(errors),
            file=file,
        ),
        err=True,
    )


def _show(report: ImportReport) -> None:
    if report.dry_run:
        click.echo(
            _(
                "%(file)s (dry run, nothing written): %(summary)s",
                file=report.file,
                summary=report.summary(),
            )
        )
    else:
        click.echo(f"{report.file}: {report.summary()}")
    if report.department_created:
        click.echo("  " + _("department %(code)s: new", code=report.department))
    elif report.department_changed:
        click.echo("  " + _("department %(code)s: changed", code=report.department))
        if report.dry_run:
            for name, (old, new) in report.department_changes.items():
                click.echo(f"      {name}: {shown(old)} → {shown(new)}")
    for label, changes in (
        (_("leaders"), report.leaders),
        (_("staff"), report.staff),
        (_("positions"), report.positions),
    ):
        if changes:
            click.echo(
                "  "
                + _(
                    "%(what)s: %(created)d new, %(updated)d changed, %(removed)d removed",
                    what=label,
                    created=len(changes.created),
                    updated=len(changes.updated),
                    removed=len(changes.removed),
                )
            )
    for code in report.created:
        click.echo(f"  + {code}")
    for code in report.updated:
        click.echo(f"  ~ {code}: {', '.join(report.changes[code])}")
        if report.dry_run:  # before anything is written, show the values too
            for name, (old, new) in report.changes[code].items():
                click.echo(f"      {name}: {shown(old)} → {shown(new)}")
    if report.not_in_file:
        click.echo(
            "  "
            + ngettext(
                "%(num)d item of the department is not in the file and was left as it is: %(codes)s",
                "%(num)d items of the department are not in the file and were left as they are: %(codes)s",
                len(report.not_in_file),
                codes=", ".join(report.not_in_file),
            )
        )


@catalog.command("export")
@click.option("--department", "code", help="Code of one department (default: every department).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default=None,
    help="yaml (the default, or json when --output ends in .json).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="A file (one department) or a directory (one CODE.yaml per department). "
    "Default: standard output, for one department.",
)
@with_appcontext
def export_command(code: str | None, fmt: str | None, output: Path | None) -> None:
    """Write departments in the submission format, as `catalog import` reads them back."""
    if code:
        department = db.session.scalar(sa.select(Department).where(Department.code == code))
        if department is None:
            raise click.ClickException(_("No department has the code %(code)s.", code=code))
        departments = [department]
    else:
        if output is None:
            raise click.UsageError(
                _("Give --output DIRECTORY for every department, or --department CODE for one.")
            )
        departments = list(db.session.scalars(sa.select(Department).order_by(Department.code)))
    fmt = fmt or ("json" if output is not None and output.suffix == ".json" else "yaml")
    if output is None:
        click.echo(dumps(export_department(departments[0]), fmt), nl=False)
        return
    if code and not output.is_dir():
        targets = [(departments[0], output)]
    else:
        output.mkdir(parents=True, exist_ok=True)
        targets = [(d, output / f"{d.code}.{fmt}") for d in departments]
    for department, target in targets:
        target.write_text(dumps(export_department(department), fmt), encoding="utf-8")
        click.echo(_("Wrote %(file)s", file=target), err=True)
    if not targets:
        click.echo(_("There are no departments to export."), err=True)
