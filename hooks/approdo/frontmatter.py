"""Front matter with line numbers, so that every error can point at the line to fix."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import key_line

# The same fences MkDocs accepts: a "---" line, YAML, then a "---" or "..." line.
_OPENING = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_FENCE = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass
class FrontMatter:
    """The parsed front matter of one Markdown file.

    ``data`` is None when there is no front matter or it could not be used; ``error`` then says
    why (with ``error_line``). ``lines`` maps each top-level key, and each nested key as a dotted
    path ("date.created", "offer.benefits"), to its 1-based line in the file.
    """

    data: dict[str, Any] | None
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    error: str = ""
    error_line: int = 1
    # The source text of each scalar value by dotted key: YAML 1.1 reads "yes" as true, and
    # some checks need to know what the author actually wrote.
    raw: dict[str, str] = field(default_factory=dict)

    def line(self, key: str, default: int = 1) -> int:
        """The line of ``key`` (a dotted path), or of its nearest parent, or ``default``."""
        return key_line(self.lines, key, default)


# Deeper than any front matter needs (a landing page's is 4 levels): PyYAML's scanner slows
# down with the square of the nesting and its composer recurses, so stop long before that.
MAX_DEPTH = 16


class _Refused(yaml.MarkedYAMLError):
    """YAML that is too costly to read: its message is the whole error."""


class _Checks:
    """What both loaders add to PyYAML's safe loading: they refuse a key given twice (PyYAML
    silently keeps the last one), any alias (recording the line of every key would follow each
    alias again, so nested aliases take exponential time) and nesting deeper than
    ``MAX_DEPTH``. PyYAML reads lazily, so it stops there, before the rest is even scanned."""

    depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(problem=f"YAML alias '*{event.anchor}' in front matter: anchors and "
                           "aliases are not supported (write the value out in full)",
                           problem_mark=event.start_mark)
        self.depth += 1
        try:
            # The concrete classes: libyaml's check_event compares classes, not isinstance.
            if self.depth > MAX_DEPTH and self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
                raise _Refused(problem=f"front matter nested more than {MAX_DEPTH} levels deep "
                               "(a few levels of lists and mappings)",
                               problem_mark=self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool, type(None))):
                # "{{ x }}: y" is a mapping used as a key: PyYAML fails with a bare TypeError.
                raise yaml.constructor.ConstructorError(
                    None, None, "a key that is a list or a mapping (quote it if it is text)",
                    key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # PyYAML raises a bare ValueError (no line) for 2026-02-30: keep the text instead, so
    # the date check can report "impossible date" at the right line.
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


def _int_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # "0x_" and "0b_" match YAML 1.1's int pattern but are no number: PyYAML raises a bare
    # ValueError. Keep the text, as for a date that does not exist.
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


class _UniqueKeyLoader(_Checks, yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML in pure Python: its error messages and lines are the ones authors read."""


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)

# libyaml (PyYAML's C scanner and parser), when PyYAML was built with it (its wheels are):
# reads front matter about five times faster than PyYAML's Python scanner. None: not used.
_CParser: type | None = None

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    _CParser = CParser

    class _FastLoader(_Checks, yaml.composer.Composer, CParser,  # type: ignore[misc]
                      yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """libyaml's events composed and constructed by the same Python code as
        ``_UniqueKeyLoader`` (so the same checks apply and nodes carry the same lines)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
    _FastLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


def _index_nodes(node: yaml.Node, offset: int, lines: dict[str, int], raw: dict[str, str],
                 path: str = "") -> None:
    """Record the line of every key and item, and the source text of every scalar value."""
    if isinstance(node, yaml.ScalarNode):
        raw[path] = node.value
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                child = f"{path}.{key_node.value}" if path else str(key_node.value)
                lines[child] = key_node.start_mark.line + offset
                _index_nodes(value_node, offset, lines, raw, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = f"{path}.{index}" if path else str(index)
            lines[child] = item.start_mark.line + offset
            _index_nodes(item, offset, lines, raw, child)


def _load(loader_class: type, yaml_text: str) -> tuple[yaml.Node | None, Any]:
    """Compose ``yaml_text`` once, then build the values from the same nodes."""
    loader = loader_class(yaml_text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _load_fast(yaml_text: str) -> tuple[yaml.Node | None, Any] | None:
    """``_load`` with libyaml, or None where the Python loader must decide: on any error (its
    messages and lines are the ones we report) and on tabs (libyaml accepts some that PyYAML
    refuses)."""
    if _CParser is None or "\t" in yaml_text:
        return None
    try:
        return _load(_FastLoader, yaml_text)
    except Exception:  # the Python loader reads it again and reports what is wrong
        return None


def parse(text: str) -> FrontMatter:
    """Split ``text`` into front matter and body, keeping the line of every key.

    Never raises on bad input: invalid YAML, a duplicate key or front matter that is not a
    mapping come back as ``error`` with the line to look at.
    """
    match = _FENCE.match(text)
    if match is None:
        if _OPENING.match(text):
            # MkDocs would show the whole front matter as text (after a horizontal rule).
            return FrontMatter(None, body=text, body_line=1, error_line=1, error=(
                "front matter opened with --- is never closed (a line with only --- after "
                "the last key; for a horizontal rule at the top write *** instead)"))
        return FrontMatter(data={}, body=text, body_line=1)
    yaml_text = match.group(1) or ""
    body = text[match.end():]
    body_line = text[: match.end()].count("\n") + 1
    # Line 1 is the opening fence, so YAML line 0 is file line 2.
    offset = 2
    parsed = _load_fast(yaml_text)
    if parsed is None:
        try:
            parsed = _load(_UniqueKeyLoader, yaml_text)
        except _Refused as exc:
            return FrontMatter(None, body=body, body_line=body_line, error=str(exc.problem),
                               error_line=(exc.problem_mark.line if exc.problem_mark else 0) + offset)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + offset if mark else offset
            problem = exc.problem or exc.context or "invalid YAML"
            if "'\\t'" in problem:
                problem = "a tab character (YAML is indented with spaces only)"
            return FrontMatter(None, body=body, body_line=body_line,
                               error=f"invalid YAML in front matter: {problem}", error_line=line)
        except yaml.YAMLError as exc:
            return FrontMatter(None, body=body, body_line=body_line,
                               error=f"invalid YAML in front matter: {exc}", error_line=offset)
    node, data = parsed
    if data is None or node is None:
        return FrontMatter(data={}, body=body, body_line=body_line)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        return FrontMatter(None, body=body, body_line=body_line,
                           error=f"front matter is {kind} (expected a mapping of keys to values)",
                           error_line=offset)
    lines: dict[str, int] = {}
    raw: dict[str, str] = {}
    _index_nodes(node, offset, lines, raw)
    return FrontMatter(data, lines, body, body_line, raw=raw)
