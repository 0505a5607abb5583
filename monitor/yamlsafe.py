"""Safe, precise YAML reading for config files: plain data, a line for every key path, typed access.

Owns: turning a YAML file into plain Python data (dict, list, str, int, float, bool, None) while
refusing what a config file never needs and an attacker might send: tags of any kind (``!!python/
object``, ``!foo``), duplicate keys (PyYAML silently keeps the last), alias bombs and recursive
aliases, merge keys, several documents, files over a size cap, text that is not UTF-8 (a lone
surrogate written as a ``"\\uD800"`` escape). Scalars follow the YAML 1.2 core schema, so ``no``
stays a string (not False) and ``1:30`` stays a string (not 90).
Also owns ``At``: a cursor over the data that checks types and raises ``ConfigError`` naming the
file, the line of the offending node and its dotted key path (``sources[2].every``); and the
small text formats config values are written in: durations, sizes, ``${ENV}`` references.
Also owns the hints for what YAML does to a value its writer meant otherwise: a value that starts
with a quote ends at the closing quote, ``: `` inside a plain value, ``#`` starting a comment (read
from the file's lines, since YAML has already taken them), and which values were quoted.
Does not own: the schema (``monitor.config`` says which keys exist and what they mean).
"""

from __future__ import annotations

import codecs
import importlib
import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from monitor.errors import ConfigError

#: larger config files are refused before parsing
MAX_FILE_BYTES = 1024 * 1024
#: values that aliases may add to a file, all aliases together, before we call it a bomb
MAX_ALIAS_EXPANSIONS = 10_000
MAX_DEPTH = 64

_T = TypeVar("_T")
_ENV_REF = re.compile(r"\$\{([^}]*)\}|\$\{")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = r"(\d+(?:\.\d+)?|\.\d+)"
_DURATION = re.compile("".join(rf"(?:{_NUMBER}\s*{unit}\s*)?" for unit in "wdhms"))
_UNIT_SECONDS = (7 * 86400, 86400, 3600, 60, 1)
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)", re.IGNORECASE)
_SIZE_FACTOR = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_TAG = "tag:yaml.org,2002:"


class _CoreResolver(Resolver):
    """YAML 1.2 core schema: only true/false are booleans, no sexagesimal numbers, no dates."""

    # our own table, not the YAML 1.1 one; PyYAML keeps resolvers in a class attribute
    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012


_CoreResolver.add_implicit_resolver(
    _TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver(
    _TAG + "null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_CoreResolver.add_implicit_resolver(
    _TAG + "int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_CoreResolver.add_implicit_resolver(
    _TAG + "float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def _tag_hint(event: ScalarEvent | CollectionStartEvent) -> str:
    """What to write when a plain value starts with ``!`` (a query's ``!word`` exclusion)."""
    tag = event.tag or ""
    if not isinstance(event, ScalarEvent) or tag.startswith("!!") or not tag.startswith("!"):
        return ""
    return (
        " (a plain value that starts with '!' is a YAML tag: to start a value, such as a query"
        " excluding a word, with '!', wrap the whole value in single quotes or write it as a"
        " block: key: > and the value on the next line)"
    )


class _Refused(Exception):
    """Something the file says that we do not accept, at a 1-based line (and key path)."""

    def __init__(self, message: str, line: int, key: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.key = key


class _Composer(Reader, Scanner, Parser, Composer, _CoreResolver):
    """PyYAML's composer (text -> node graph); nothing is constructed.

    Refuses explicit tags, and counts what aliases would expand to *here*, where the alias is
    written (the node graph forgets that): a billion-laughs file is a few lines of text whose
    graph is small but whose data is not. An alias to a node still being composed is recursive.
    """

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        self._start()

    def _start(self) -> None:
        Composer.__init__(self)
        _CoreResolver.__init__(self)
        #: node id -> how many values it holds with aliases expanded; present once composed
        self.sizes: dict[int, int] = {}
        self.expanded = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            assert node is not None
            self._count_alias(node, line)
            return node
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag is not None:
            raise _Refused(f"tags are not allowed: {_short_tag(event.tag)}{_tag_hint(event)}", line)
        node = super().compose_node(parent, index)
        assert node is not None
        self.sizes[id(node)] = 1 + sum(self.sizes[id(child)] for child in _children(node))
        return node

    def _count_alias(self, node: Node, line: int) -> None:
        if id(node) not in self.sizes:
            raise _Refused("recursive alias (it refers to itself)", line)
        self.expanded += self.sizes[id(node)]
        if self.expanded > MAX_ALIAS_EXPANSIONS:
            raise _Refused(f"aliases expand to too many values (over {MAX_ALIAS_EXPANSIONS})", line)


# libyaml's scanner and parser (C) under the same composer: reading a watchlist of thousands of
# topics is then several times faster (the pure-Python scanner took most of the time). The
# events, marks and so the checks and lines are the same; errors are reported by the pure-Python
# reader (``read_yaml`` re-reads a file libyaml refuses), so their wording does not change.
def _libyaml() -> Any:
    """libyaml's parser class, or None when PyYAML was built without it."""
    try:
        return importlib.import_module("yaml.cyaml").CParser
    except ImportError:
        return None


_CParser = _libyaml()


def _compose(text: str) -> Node | None:
    if _CParser is None:
        return _Composer(text).get_single_node()
    try:
        return _FastComposer(text).get_single_node()
    except yaml.YAMLError:
        return _Composer(text).get_single_node()


if _CParser is not None:

    class _FastComposer(_Composer, _CParser):  # type: ignore[misc, valid-type]  # C base
        """``_Composer`` reading libyaml's events."""

        def __init__(self, text: str) -> None:
            _CParser.__init__(self, text)
            self._start()

        # the composer's methods, not the C parser's own composer
        get_single_node = Composer.get_single_node
        compose_document = Composer.compose_document
        check_event = _CParser.check_event
        peek_event = _CParser.peek_event
        get_event = _CParser.get_event


def _children(node: Node) -> Iterator[Node]:
    if isinstance(node, SequenceNode):
        yield from node.value
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            yield key
            yield value


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """A YAML file as plain data, with the line where each key path was written."""

    #: the file name used in error messages
    file: str
    #: the document as plain data; None for an empty file
    data: object
    #: dotted key path (``sources[2].every``; the root is ``""``) -> 1-based line
    lines: dict[str, int]
    #: key path of each value written in quotes -> its quote (``"`` or ``'``): YAML drops them
    quoted: dict[str, str] = field(default_factory=dict)
    #: the file's lines as written (hints read what YAML took away: quotes, comments)
    text: tuple[str, ...] = ()

    def line(self, path: str) -> int | None:
        """The line of ``path``, or of its nearest recorded parent."""
        while path not in self.lines and path:
            path = _parent(path)
        return self.lines.get(path)

    def error(self, path: str, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, line=self.line(path), key=path or None)

    def root(self) -> At:
        return At(self, "", self.data)


def read_yaml(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> YamlDoc:
    """Read one YAML file safely; every problem is a ``ConfigError`` naming file and line."""
    name = str(path)
    text = _decoded(_read_capped(Path(path), name, max_bytes), name)
    lines: dict[str, int] = {}
    builder = _Builder(lines)
    try:
        node = _compose(text)
        data = None if node is None else builder.build(node, "", 0)
    except _Refused as e:
        raise ConfigError(str(e), file=name, line=e.line, key=e.key) from e
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        key, hint = _syntax_hint(text.splitlines(), e)
        message = f"YAML syntax error: {_problem(e)}{hint}"
        raise ConfigError(message, file=name, line=line, key=key) from e
    except yaml.YAMLError as e:
        raise ConfigError(f"YAML error: {e}", file=name) from e
    except RecursionError as e:  # PyYAML's composer recurses once per nesting level
        raise ConfigError("nested too deeply", file=name) from e
    return YamlDoc(name, data, lines, builder.quoted, tuple(text.splitlines()))


def _problem(e: yaml.MarkedYAMLError) -> str:
    # a composer's context is half of its sentence ("expected a single document in the stream")
    if isinstance(e, yaml.composer.ComposerError) and e.context:
        first = e.context.partition(";")[0]  # "found duplicate anchor 'a'; first occurrence"
        return first if first != e.context else f"{e.context} {e.problem}"
    return str(e.problem)


def _decoded(raw: bytes, name: str) -> str:
    """The file's text (a UTF-8 byte order mark dropped); else an error at the first bad byte's
    line and column, where an editor shows it."""
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        line_start = body.rfind(b"\n", 0, e.start) + 1
        column = len(body[line_start : e.start].decode("utf-8")) + 1  # characters, as editors count
        line = body.count(b"\n", 0, e.start) + 1
        offset = e.start + len(raw) - len(body)
        raise ConfigError(
            f"not UTF-8 text at column {column} (byte {offset}): save the file as UTF-8",
            file=name,
            line=line,
        ) from e


def _read_capped(path: Path, name: str, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as e:
        raise ConfigError(f"cannot read: {e.strerror or e}", file=name) from e
    if len(raw) > max_bytes:
        raise ConfigError(f"file too large (over {max_bytes} bytes)", file=name)
    return raw


class _Builder:
    """Node graph -> plain data, recording the line of every key path."""

    def __init__(self, lines: dict[str, int]) -> None:
        self.lines = lines
        self.quoted: dict[str, str] = {}

    def build(self, node: Node, path: str, depth: int) -> object:
        line = node.start_mark.line + 1
        self.lines.setdefault(path, line)
        if depth > MAX_DEPTH:
            raise _Refused(f"nested too deeply (over {MAX_DEPTH} levels)", line)
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            return [self.build(n, f"{path}[{i}]", depth + 1) for i, n in enumerate(node.value)]
        _check_text(node.value, line, path or None)
        if isinstance(node, ScalarNode) and node.style in ('"', "'"):
            self.quoted[path] = node.style
        return _scalar(node)

    def _mapping(self, node: MappingNode, path: str, depth: int) -> dict[str, object]:
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _key(key_node, path)
            line = key_node.start_mark.line + 1
            child = _join(path, key)
            if key in first_line:
                raise _Refused(f"duplicate key (first at line {first_line[key]})", line, child)
            first_line[key] = line
            self.lines[child] = line  # the key's line: where a reader looks for `every: 10x`
            result[key] = self.build(value_node, child, depth + 1)
        return result


def _key(node: Node, path: str) -> str:
    line = node.start_mark.line + 1
    if not isinstance(node, ScalarNode):
        raise _Refused("keys must be plain names, not lists or mappings", line, path or None)
    if node.value == "<<" and not node.style:  # plain: None (PyYAML) or "" (libyaml)
        raise _Refused("merge keys (<<) are not supported", line, path or None)
    _check_text(node.value, line, path or None, f"the key {node.value!r}")
    return str(node.value)


def _check_text(value: str, line: int, key: str | None, what: str = "the value") -> None:
    """Refuse text that cannot be written as UTF-8: a ``"\\uD800"`` escape makes a lone
    surrogate, which passes every check of the schema and then fails the first encode (a
    hash, the database, a log line) in the daemon."""
    if value.isascii():
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise _Refused(
            f"{what} is not text: a lone surrogate {value[e.start]!r} at character {e.start + 1}"
            " (write the character itself, not half of a UTF-16 pair)",
            line,
            key,
        ) from e


def _scalar(node: Node) -> object:
    value: str = node.value
    kind = node.tag.removeprefix(_TAG)
    if kind == "null":
        return None
    if kind == "bool":
        return value.lower() == "true"
    if kind == "int":
        return int(value, 0) if value.startswith(("0o", "0x")) else int(value)
    if kind == "float":
        return _float(value)
    return value


def _float(value: str) -> float:
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(value)


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


# --- typed access ------------------------------------------------------------------------------


def kind_of(value: object) -> str:
    """How a value reads in an error message: 'a list', 'a string', ..."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    names = {dict: "a mapping", list: "a list", str: "a string", int: "an integer"}
    return names.get(type(value), "a number")


@dataclass(frozen=True, slots=True)
class At:
    """A value in a ``YamlDoc`` and its key path; the methods check its type or raise there."""

    doc: YamlDoc
    path: str
    value: object

    def fail(self, message: str) -> NoReturn:
        raise self.doc.error(self.path, message)

    @property
    def quote(self) -> str | None:
        """The quote (``"`` or ``'``) the value was written in, which YAML removed; else None."""
        return self.doc.quoted.get(self.path)

    def child(self, key: str | int) -> At:
        path = f"{self.path}[{key}]" if isinstance(key, int) else _join(self.path, key)
        container = self.value
        assert isinstance(container, dict | list)
        # a str key only ever reaches a mapping, an int one a sequence (the path says which)
        return At(self.doc, path, container[key])  # type: ignore[index]

    def mapping(self, allowed: Collection[str] | None = None) -> dict[str, At]:
        """The entries of a mapping; with ``allowed``, any other key is an error."""
        value = self.expect(dict, "a mapping")
        for key in value:
            if allowed is not None and key not in allowed:
                At(self.doc, _join(self.path, key), None).fail(
                    f"unknown key (expected one of: {', '.join(sorted(allowed))})"
                )
        return {key: self.child(key) for key in value}

    def items(self) -> Iterator[At]:
        value = self.expect(list, "a list")
        return (self.child(i) for i in range(len(value)))

    def string(self) -> str:
        return self.expect(str, "a string")

    def strings(self) -> tuple[str, ...]:
        return tuple(item.string() for item in self.items())

    def boolean(self) -> bool:
        return self.expect(bool, "true or false")

    def integer(self, low: int, high: int) -> int:
        value = self.expect(int, "an integer")
        if not low <= value <= high:
            self.fail(f"must be between {low} and {high}, got {value}")
        return value

    def number(self, low: float, high: float) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            self.fail(f"expected a number, got {kind_of(self.value)}")
        if not low <= self.value <= high:  # also refuses NaN
            self.fail(f"must be between {low:g} and {high:g}, got {self.value:g}")
        return float(self.value)

    def parsed(self, parse: Callable[[str | int | float], _T]) -> _T:
        """``parse`` applied to a string or number; its ValueError becomes a ConfigError here."""
        if isinstance(self.value, bool) or not isinstance(self.value, str | int | float):
            self.fail(f"expected a string or number, got {kind_of(self.value)}")
        try:
            return parse(self.value)
        except ValueError as e:
            self.fail(str(e))

    def expect(self, kind: type[_T], what: str) -> _T:
        # bool is an int in Python; a config `true` is never a count
        if not isinstance(self.value, kind) or (kind is int and isinstance(self.value, bool)):
            self.fail(f"expected {what}, got {kind_of(self.value)}{self._comment_hint()}")
        return self.value

    def _comment_hint(self) -> str:
        """Why a value the line shows is nothing: ``key: #MeToo`` is a key and a comment."""
        line = self.doc.lines.get(self.path)
        key = self.path.rpartition(".")[2]
        if self.value is not None or line is None or not 0 < line <= len(self.doc.text):
            return ""
        written = re.match(rf"\s*(?:-\s+)?{re.escape(key)}\s*:\s+(#.*)", self.doc.text[line - 1])
        if written is None:
            return ""
        value = written.group(1).rstrip()
        return (
            f"; '#' starts a YAML comment, so {key} is empty: write the value in quotes"
            f" ({key}: {_single_quoted(value)}) or as a block ({key}: > on its own line, the"
            " value on the next line, indented)"
        )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --- hints for YAML syntax errors ---------------------------------------------------------------

#: ``key: "`` or ``key: '``, at a line's start (block) or after ``{`` or ``,`` (flow)
_QUOTED_VALUE = re.compile(r"""(^\s*(?:-\s+)?|[{,]\s*)([A-Za-z_][\w.-]*)\s*:\s+(["'])""")
#: a key at a line's start
_KEY = re.compile(r"\s*(?:-\s+)?([A-Za-z_][\w.-]*)\s*:(?:\s+|$)")


def _syntax_hint(lines: Sequence[str], error: yaml.MarkedYAMLError) -> tuple[str | None, str]:
    """The key a YAML syntax error is in, when its line shows it, and a hint (``"; ..."``) when
    the line shows the usual cause: a value that starts with a quote and goes on after the
    closing one (``query: "rice exports" OR "beras impor"``), or ``: `` in a plain value
    (``query: title: Putin``). Else ``(None, "")``."""
    mark = error.problem_mark
    if mark is None:
        return None, ""
    if str(error.problem).startswith("mapping values are not allowed") and mark.line < len(lines):
        return _colon_hint(lines[mark.line])
    return _quote_hint(lines, error, mark.line)


def _colon_hint(line: str) -> tuple[str | None, str]:
    found = _KEY.match(line)
    if found is None:
        return None, ""
    key, value = found.group(1), line[found.end() :].strip()
    example = f"{key}: {_single_quoted(value)}" if value else f"{key}: 'a: b'"
    inner = re.match(r"title:\s+(\S+)", value)  # the query language's one field
    spaced = f", or write title:{inner[1]} without the space" if inner else ""
    return key, (
        f"; a value with ': ' in it must be quoted ({example}) or written as a block"
        f" ({key}: > on its own line, the value on the next line, indented){spaced}"
    )


def _quote_hint(
    lines: Sequence[str], error: yaml.MarkedYAMLError, problem_line: int
) -> tuple[str | None, str]:
    unclosed = error.context == "while scanning a quoted scalar"
    mark = error.context_mark if unclosed else error.problem_mark
    known = mark is not None and mark.line < len(lines)
    if not known or not (unclosed or isinstance(error, yaml.parser.ParserError)):
        return None, ""
    assert mark is not None  # known
    number, found = _quoted_before(lines, mark.line, mark.column + 1)
    if found is None:
        return None, ""
    key = found.group(2)
    value = lines[number][found.end(3) - 1 :].strip()
    one_line = not unclosed and number == mark.line and found.group(1).strip() in ("", "-")
    plain = one_line and " #" not in value and "'" not in value
    example = _single_quoted(value) if plain else "'\"a b\" OR c'"
    where = "" if number == problem_line else f" (line {number + 1})"
    problem = (
        "a quote that is never closed"
        if unclosed
        else "a quote, and a value that starts with a quote ends at its closing quote"
    )
    return key, (
        f"; the value of {key}{where} starts with {problem}: write it as a block ({key}: > on"
        " its own line, the value on the next line, indented) or wrap the whole value in single"
        f" quotes ({key}: {example})"
    )


def _quoted_before(
    lines: Sequence[str], number: int, column: int
) -> tuple[int, re.Match[str] | None]:
    """The last ``key: "`` on line ``number`` before ``column``; on a line that goes on the
    value of the line above (no key of its own), the last one there."""
    found = [m for m in _QUOTED_VALUE.finditer(lines[number]) if m.start(3) < column]
    if found:
        return number, found[-1]
    if _KEY.match(lines[number]):
        return number, None
    above = next((n for n in range(number - 1, -1, -1) if lines[n].strip()), None)
    if above is None:
        return number, None
    found = list(_QUOTED_VALUE.finditer(lines[above]))
    return above, found[-1] if found else None


def _single_quoted(value: str) -> str:
    """``value`` as a YAML single-quoted scalar (a quote inside is written twice)."""
    return "'" + value.replace("'", "''") + "'"


# --- values written as text ---------------------------------------------------------------------


def parse_duration(text: str | int | float) -> float:
    """Seconds in ``90s``, ``10m``, ``1h30m``, ``2d``, ``1w`` or a plain number of seconds."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"not a duration: {text!r}")
    if not isinstance(text, str):
        if not 0 <= text < float("inf"):
            raise ValueError(f"not a duration: {text!r} (must be 0 or more seconds)")
        return float(text)
    spec = text.strip()
    if re.fullmatch(_NUMBER, spec) and float(spec) < float("inf"):
        return float(spec)
    found = _DURATION.fullmatch(spec)
    if not spec or not found:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 10m, 1h)")
    seconds = sum(
        float(n) * unit for n, unit in zip(found.groups(), _UNIT_SECONDS, strict=True) if n
    )
    if not seconds < float("inf"):
        raise ValueError(f"not a duration: {text!r} (too long)")
    return seconds


def parse_size(text: str | int | float) -> int:
    """Bytes in ``512KB``, ``10MB``, ``1GB`` (powers of 1024) or a plain number of bytes."""
    if isinstance(text, int) and not isinstance(text, bool) and text >= 0:
        return text
    found = _SIZE.fullmatch(text.strip()) if isinstance(text, str) else None
    if not found:
        raise ValueError(f"not a size: {text!r} (use e.g. 512KB, 10MB)")
    number, unit = found.groups()
    size = float(number) * _SIZE_FACTOR[unit[:1].lower()]
    if not size < 2**63:
        raise ValueError(f"not a size: {text!r} (too large)")
    return int(size)


def show_duration(seconds: float) -> str:
    """``90`` -> ``1m30s``: durations in messages read as they are written."""
    parts, rest = [], seconds
    for unit, size in zip("dhm", _UNIT_SECONDS[1:4], strict=True):
        count, rest = divmod(rest, size)
        parts.append(f"{count:.0f}{unit}" if count else "")
    parts.append(f"{rest:g}s" if rest or not any(parts) else "")
    return "".join(parts)


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """``${NAME}`` and ``${NAME:-fallback}`` replaced from ``env``; errors never show values.

    A plain ``${NAME}`` must be set and not empty; the fallback applies when NAME is unset or
    empty, as in the shell.
    """

    def value(found: re.Match[str]) -> str:
        if found.group(1) is None:
            raise ValueError("unclosed ${ (write ${NAME})")
        name, dash, fallback = found.group(1).partition(":-")
        if not _ENV_NAME.fullmatch(name):
            raise ValueError(f"not an environment variable name: ${{{name}}}")
        if env.get(name):
            return env[name]
        if dash:
            return fallback
        raise ValueError(f"environment variable {name} is {'empty' if name in env else 'not set'}")

    return _ENV_REF.sub(value, text)
