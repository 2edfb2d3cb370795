"""Read a submission file (YAML or JSON) into plain data, remembering the line of every value.

Both readers produce the same thing: the data, and for each path such as
``("items", 3, "steps", 1, "time_limit")`` the line of its value (and of its key), so that every
error can name a line. They refuse what a hostile file could use against us: more than 5 MB,
YAML aliases (the "billion laughs"), deep nesting, bytes that are not UTF-8.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from json.decoder import scanstring
from pathlib import PurePath
from typing import Any

import yaml
from flask_babel import gettext as _
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

MAX_BYTES = 5 * 1024 * 1024
# The format needs six levels; anything much deeper is not a submission.
MAX_DEPTH = 32

Path = tuple[str | int, ...]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")


class ParseError(Exception):
    """The file cannot be read at all; ``line`` is where the reader gave up (or None)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Problem:
    """Something wrong that does not stop reading (a duplicate key)."""

    path: Path
    line: int
    message: str


@dataclass
class Located:
    """The data of a file, the line of each value and key, and the problems met on the way."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    key_lines: dict[Path, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: Path) -> int | None:
        """The line of the value at ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def key_line(self, path: Path) -> int | None:
        """The line of the key that names ``path`` (where an unknown field is written)."""
        return self.key_lines.get(tuple(path)) or self.line(path)


def parse(data: bytes, filename: str) -> Located:
    """Read ``data``: JSON if the name ends in .json (or the text starts with ``{``), else YAML."""
    if len(data) > MAX_BYTES:
        raise ParseError(
            _(
                "The file is larger than %(limit)d MB: split it, one department per file.",
                limit=MAX_BYTES // (1024 * 1024),
            )
        )
    text = _decode(data)
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".json" or (suffix not in (".yaml", ".yml") and text.lstrip()[:1] == "{"):
        return _JsonReader(text).read()
    return _read_yaml(text)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError(_("The file is UTF-16 text: save it as UTF-8."), 1)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            message = _("The file is not UTF-8 text: save it as UTF-8.")
        else:
            message = _(
                "The file is not UTF-8 text (it looks like GBK or GB18030): save it as UTF-8."
            )
        raise ParseError(message, line) from None
    if "\x00" in text:
        raise ParseError(_("The file contains a NUL character: it is not a text file."), None)
    return text


# --- YAML ---------------------------------------------------------------------------------------


def _read_yaml(text: str) -> Located:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or ""
        raise ParseError(
            _("YAML syntax error: %(problem)s", problem=problem),
            mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as error:
        raise ParseError(_("YAML syntax error: %(problem)s", problem=str(error))) from None
    except RecursionError:
        raise ParseError(_("The file is nested too deeply.")) from None
    if node is None:
        raise ParseError(_("The file is empty."), 1)
    return _YamlWalker().read(node)


class _YamlWalker:
    """Turns a composed node tree into data; refuses aliases, tags and duplicate keys."""

    def __init__(self) -> None:
        self.located = Located(None)
        self.seen: set[int] = set()
        self.constructor = yaml.constructor.SafeConstructor()

    def read(self, node) -> Located:
        self.located.data = self.walk(node, (), 0, node.start_mark.line + 1)
        return self.located

    def walk(self, node, path: Path, depth: int, used_at: int) -> Any:
        # A node reached twice is an alias (*name): refusing them stops "billion laughs" at once.
        if id(node) in self.seen:
            raise ParseError(
                _("YAML aliases (*name) are not allowed: write the value out in full."), used_at
            )
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise ParseError(_("The file is nested too deeply."), node.start_mark.line + 1)
        line = node.start_mark.line + 1
        self.located.lines[path] = line
        if isinstance(node, MappingNode):
            if node.tag != _MAP_TAG:
                raise ParseError(_("YAML tags (%(tag)s) are not allowed.", tag=node.tag), line)
            return self.mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ_TAG:
                raise ParseError(_("YAML tags (%(tag)s) are not allowed.", tag=node.tag), line)
            return [
                self.walk(child, (*path, index), depth + 1, child.start_mark.line + 1)
                for index, child in enumerate(node.value)
            ]
        if node.tag == _STR_TAG:
            return node.value  # most values: no need for the constructor
        try:
            return self.constructor.construct_object(node)
        except yaml.constructor.ConstructorError:
            raise ParseError(
                _("YAML tags (%(tag)s) are not allowed.", tag=node.tag), line
            ) from None
        except ValueError:
            raise ParseError(
                _("This value cannot be read: %(value)s", value=node.value), line
            ) from None

    def mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if id(key_node) in self.seen:
                raise ParseError(
                    _("YAML aliases (*name) are not allowed: write the value out in full."),
                    key_line,
                )
            self.seen.add(id(key_node))
            if not isinstance(key_node, ScalarNode):
                raise ParseError(_("A field name must be plain text."), key_line)
            key = key_node.value
            child = (*path, key)
            if key in result:
                self.located.problems.append(
                    Problem(
                        child,
                        key_line,
                        _(
                            "duplicate key %(key)s: it is already given on line %(line)d",
                            key=key,
                            line=self.located.key_lines[child],
                        ),
                    )
                )
                continue
            self.located.key_lines[child] = key_line
            result[key] = self.walk(value_node, child, depth + 1, key_line)
        return result


# --- JSON ---------------------------------------------------------------------------------------


class _JsonReader:
    """A strict JSON reader (RFC 8259) that records the line of every value and key."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [match.start() for match in re.finditer("\n", text)]
        self.located = Located(None)

    def line(self, index: int) -> int:
        return bisect_left(self.newlines, index) + 1

    def fail(self, problem: str, index: int):
        raise ParseError(_("JSON syntax error: %(problem)s", problem=problem), self.line(index))

    def skip(self, index: int) -> int:
        text = self.text
        while index < len(text) and text[index] in " \t\n\r":
            index += 1
        return index

    def read(self) -> Located:
        index = self.skip(0)
        if index == len(self.text):
            raise ParseError(_("The file is empty."), 1)
        self.located.data, index = self.value(index, (), 0)
        index = self.skip(index)
        if index != len(self.text):
            self.fail(_("unexpected text after the end of the document"), index)
        return self.located

    def value(self, index: int, path: Path, depth: int) -> tuple[Any, int]:
        text = self.text
        index = self.skip(index)
        if index >= len(text):
            self.fail(_("the file ends too early"), index)
        if depth > MAX_DEPTH:
            raise ParseError(_("The file is nested too deeply."), self.line(index))
        self.located.lines[path] = self.line(index)
        char = text[index]
        if char == "{":
            return self.object(index + 1, path, depth)
        if char == "[":
            return self.array(index + 1, path, depth)
        if char == '"':
            return self.string(index)
        match = _NUMBER.match(text, index)
        if match:
            integer, fraction, exponent = match.groups()
            try:
                number = float(match.group()) if fraction or exponent else int(integer)
            except ValueError:
                self.fail(_("a number is too long"), index)
            return number, match.end()
        for literal, constant in (("true", True), ("false", False), ("null", None)):
            if text.startswith(literal, index):
                return constant, index + len(literal)
        self.fail(_("unexpected character %(char)s", char=repr(char)), index)

    def string(self, index: int) -> tuple[str, int]:
        try:
            return scanstring(self.text, index + 1, True)
        except json.JSONDecodeError as error:
            self.fail(error.msg, error.pos)

    def object(self, index: int, path: Path, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        index = self.skip(index)
        if self.text.startswith("}", index):
            return result, index + 1
        while True:
            index = self.skip(index)
            if not self.text.startswith('"', index):
                self.fail(_("expected a field name in double quotes"), index)
            key_line = self.line(index)
            key, index = self.string(index)
            index = self.skip(index)
            if not self.text.startswith(":", index):
                self.fail(_("expected ':' after a field name"), index)
            child = (*path, key)
            if key in result:
                first = self.located.key_lines[child]
                # Read the repeated value for its syntax only: its lines must not replace the first's.
                kept = self.located.lines, self.located.key_lines
                self.located.lines, self.located.key_lines = {}, {}
                try:
                    index = self.value(index + 1, child, depth + 1)[1]
                finally:
                    self.located.lines, self.located.key_lines = kept
                self.located.problems.append(
                    Problem(
                        child,
                        key_line,
                        _(
                            "duplicate key %(key)s: it is already given on line %(line)d",
                            key=key,
                            line=first,
                        ),
                    )
                )
            else:
                self.located.key_lines[child] = key_line
                result[key], index = self.value(index + 1, child, depth + 1)
            index = self.skip(index)
            if self.text.startswith(",", index):
                index += 1
            elif self.text.startswith("}", index):
                return result, index + 1
            else:
                self.fail(_("expected ',' or '}'"), index)

    def array(self, index: int, path: Path, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        index = self.skip(index)
        if self.text.startswith("]", index):
            return result, index + 1
        while True:
            value, index = self.value(index, (*path, len(result)), depth + 1)
            result.append(value)
            index = self.skip(index)
            if self.text.startswith(",", index):
                index += 1
            elif self.text.startswith("]", index):
                return result, index + 1
            else:
                self.fail(_("expected ',' or ']'"), index)
