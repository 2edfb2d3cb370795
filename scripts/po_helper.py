#!/usr/bin/env python
"""Small chores on gettext catalogues for scripts/update-translations.

    po_helper.py identity PO...      fill every empty msgstr with its msgid (the
                                     English catalogue: sources are English)
    po_helper.py unfuzzy-header PO...
                                     drop the "fuzzy" flag `pybabel init` puts on
                                     a new catalogue's header; `compile` would
                                     otherwise skip the whole catalogue
    po_helper.py check PO...         list entries that are empty or fuzzy (these
                                     are not shipped); exit 1 if a catalogue's
                                     header is fuzzy, since it would not compile

A file is rewritten only when something changed, with the same layout as
`pybabel update --no-wrap` produces.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po


def load(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, abort_invalid=True)


def save(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0)


def entries(catalog: Catalog):
    """Real messages, without the header entry (whose id is empty)."""
    return (m for m in catalog if m.id)


def label(message: Message) -> str:
    text = message.id[0] if message.pluralizable else message.id
    return repr(text if len(text) <= 70 else text[:67] + "...")


def fill_identity(message: Message, num_plurals: int) -> bool:
    """Set empty translation slots to the source text; True if anything changed."""
    if message.pluralizable:
        singular, plural = message.id[0], message.id[1]
        old = (
            list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
        )
        old += [""] * (num_plurals - len(old))
        new = [s or (singular if i == 0 else plural) for i, s in enumerate(old)]
        if new == old:
            return False
        message.string = tuple(new)
        return True
    if message.string:
        return False
    message.string = message.id
    return True


def cmd_identity(paths: list[Path]) -> int:
    for path in paths:
        catalog = load(path)
        filled = sum(fill_identity(m, catalog.num_plurals) for m in entries(catalog))
        header_was_fuzzy = catalog.fuzzy
        catalog.fuzzy = False
        fuzzy = [m for m in entries(catalog) if m.fuzzy]
        for m in fuzzy:
            print(f"{path}: warning: fuzzy entry is not shipped: {label(m)}", file=sys.stderr)
        if filled or header_was_fuzzy:
            save(path, catalog)
        print(f"{path}: {filled} entries filled with their source text")
    return 0


def cmd_unfuzzy_header(paths: list[Path]) -> int:
    for path in paths:
        catalog = load(path)
        if catalog.fuzzy:
            catalog.fuzzy = False
            save(path, catalog)
    return 0


def cmd_check(paths: list[Path]) -> int:
    status = 0
    for path in paths:
        catalog = load(path)
        if catalog.fuzzy:
            print(
                f"{path}: error: the header is marked fuzzy; `compile` would skip this catalogue",
                file=sys.stderr,
            )
            status = 1
        todo = []
        for m in entries(catalog):
            strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
            if m.fuzzy:
                todo.append(("fuzzy", m))
            elif not all(strings):
                todo.append(("untranslated", m))
        total = sum(1 for _ in entries(catalog))
        print(f"{path}: {total - len(todo)} of {total} entries translated")
        for why, m in todo:
            where = f"{m.locations[0][0]}:{m.locations[0][1]}" if m.locations else "?"
            print(f"  {why}: {label(m)} ({where})")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["identity", "unfuzzy-header", "check"])
    parser.add_argument("po", nargs="+", type=Path)
    args = parser.parse_args(argv)
    command = {"identity": cmd_identity, "unfuzzy-header": cmd_unfuzzy_header, "check": cmd_check}
    return command[args.command](args.po)


if __name__ == "__main__":
    sys.exit(main())
