"""Read a parameter file (TOML, standard library ``tomllib``) into :class:`Parameters`; its
layout is that of the package's ``reference.toml`` (docs/official-values.md).

The file is untrusted: reading it raises a :class:`~secpa_model.ParameterError` naming the
file (and the line or key), never another exception, in bounded time and memory. Refused
before parsing: more than :data:`MAX_FILE_BYTES`, not UTF-8, a key of more than
:data:`MAX_KEY_DOTS` dots (``tomllib`` is quadratic in them); after: an empty file, nesting
deeper than :data:`MAX_NESTING`, an integer of more than 4 300 digits. :func:`read_text`,
:func:`toml_loads` and :func:`json_loads` serve the scenario files and ``allocate --file`` too.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from decimal import Decimal
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from secpa_model.core.errors import ParameterError, Problem, SecpaError
from secpa_model.core.safe_text import MAX_SHOWN, digits_of, shortened, shown
from secpa_model.model.parameters.models import (
    Bracket,
    DatedValue,
    KeyedValueError,
    Parameter,
    Range,
    Scale,
    Source,
)
from secpa_model.model.parameters.parameter_set import Parameters
from secpa_model.model.parameters.spec import ParameterRelation, ParameterSpec

_META_KEYS: Final = frozenset({"name", "description", "version"})
_RESERVED: Final = frozenset({"meta", "sources"})
# The model whose keys are allowed after each kind of key (for "unknown key" messages).
_MODEL_AFTER: Final[dict[str | None, type[BaseModel]]] = {
    None: Parameter,
    "values": DatedValue,
    "value": Scale,
    "brackets": Bracket,
    "source": Source,
    "range": Range,
}
_HINTS: Final[dict[str, str]] = {
    "source": "every value needs a source: a source id from [sources] or an inline table "
    "with a title and a url or reference",
    "status": "every value needs a status: 'published', 'assumption' (with a rationale) "
    "or 'scenario'",
    "effective_from": "every value needs the date from which it applies (YYYY-MM-DD)",
    "value": "every dated value needs a value: a number, or a scale (mode and brackets)",
    "unit": "every parameter needs its unit",
    "values": "every parameter needs at least one dated value ([[group.name.values]])",
    "title": "a source needs a title",
    "threshold": "a bracket needs a threshold and a value",
    "brackets": "a scale needs its brackets",
}
_KIND_WORDS: Final = {"amount": "an amount", "count": "a count", "quantity": "a quantity"}
_TOML_POSITION: Final = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_HEADER: Final = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
_DATE_LIKE: Final = re.compile(r"=\s*\d{4}-\d")

MAX_FILE_BYTES: Final = 1024 * 1024
"""The largest parameter, scenario or JSON structure file read: 1 MiB (a larger file is
refused before it is parsed; the reference parameter file is about 10 KB)."""
MAX_KEY_DOTS: Final = 64
"""The most dots in one TOML key or table header (``a.b.c`` has two), checked before
parsing: ``tomllib`` takes time and memory quadratic in that number."""
MAX_NESTING: Final = 64
"""The most keys in the path of any value (tables, arrays and dotted keys nested)."""
MAX_INTEGER_DIGITS: Final = 4300
"""The longest integer read (Python's own limit for converting an integer to text)."""
MAX_PROBLEMS_SHOWN: Final = 50
"""The most problems a parameter error lists for one file (then: how many more)."""
_INTEGER_BITS: Final = math.ceil(MAX_INTEGER_DIGITS * math.log2(10))
_LONG_DIGITS: Final = re.compile(rf"(?<![0-9_])[0-9](?:_?+[0-9]){{{MAX_INTEGER_DIGITS},}}+")
_TOML_TOKEN: Final = re.compile(
    # multi-line strings first (an unclosed one runs to the end of the text)
    r'''(?P<long>"""(?:[^"\\]|\\[\s\S]|"(?!""))*+"{0,2}"""|"""[\s\S]*+'''
    r"""|'''(?:[^']|'(?!''))*+'{0,2}'''|'''[\s\S]*+)"""
    r"""|(?P<part>[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""
    r"|(?P<space>[ \t]++)"
    r"|(?P<dot>\.)"
    r"""|(?P<other>[^A-Za-z0-9_\-. \t"'#\n]++|["'#][^\n]*+|\n)"""  # unclosed, comment
)
_JSON_KEY_BEFORE: Final = re.compile(r'"((?:[^"\\\n]|\\.)*+)"\s*+:\s*+-?$')


ParameterFile = str | Path | Traversable
"""A parameter file: a path, or a resource shipped inside a package."""


def read_parameter_files(
    files: Sequence[ParameterFile],
    specs: Mapping[str, ParameterSpec],
    relations: Sequence[ParameterRelation] = (),
) -> Parameters:
    """Load and validate parameter files that together define every parameter of ``specs``
    once; every defect of every file in one :class:`~secpa_model.ParameterError` naming the
    file, each key and the reason."""
    if not files:
        raise ParameterError("no parameter file given")
    parsed = []
    for file in files:
        data = _toml(read_text(file, "parameter file", ParameterError), str(file))
        if data == {}:
            raise ParameterError(
                f"{file}: the parameter file is empty (it holds no table: see the layout of a "
                "parameter file in docs/parameters.md)"
            )
        parsed.append((data, str(file)))
    return parameters_from_mappings(parsed, specs, relations)


def _toml(text: str, origin: str) -> Any:
    try:
        return toml_loads(text, origin, ParameterError)
    except tomllib.TOMLDecodeError as exc:
        raise _error([(origin, [_toml_problem(text, exc)])]) from exc


def parse_parameters(
    text: str,
    origin: str = "<string>",
    *,
    specs: Mapping[str, ParameterSpec],
    relations: Sequence[ParameterRelation] = (),
) -> Parameters:
    """Validate the text of a parameter file against ``specs``; ``origin`` names it in
    error messages (a TOML syntax error with its line and key)."""
    return parameters_from_mapping(_toml(text, origin), origin, specs, relations)


def parameters_from_mapping(
    data: Any,
    origin: str,
    specs: Mapping[str, ParameterSpec],
    relations: Sequence[ParameterRelation] = (),
) -> Parameters:
    """Validate an already-parsed parameter mapping (TOML or JSON shaped) against ``specs``:
    one :class:`~secpa_model.ParameterError` listing every problem as ``key: reason``."""
    return parameters_from_mappings([(data, origin)], specs, relations)


def parameters_from_mappings(
    files: Sequence[tuple[Any, str]],
    specs: Mapping[str, ParameterSpec],
    relations: Sequence[ParameterRelation] = (),
) -> Parameters:
    """Validate parsed parameter files that together define every parameter of ``specs``."""
    joined = " + ".join(origin for _, origin in files)
    metas: list[dict[str, str]] = []
    parameters: dict[str, Parameter] = {}
    defined_in: dict[str, str] = {}
    reports: list[tuple[str, list[str]]] = []
    for data, origin in files:
        problems: list[str] = []
        metas.append(_file_parameters(data, origin, specs, parameters, defined_in, problems))
        metas[-1].setdefault("name", Path(origin).stem)
        if problems:
            reports.append((origin, problems))
    missing = [
        f"{path}: missing parameter (a parameter file defines every parameter the rules "
        f"read, here in {specs[path].unit!r})"
        for path in sorted(specs)
        if path not in defined_in
    ]
    if missing:
        if reports and reports[-1][0] == joined:
            reports[-1][1].extend(missing)
        else:
            reports.append((joined, missing))
    if reports:
        raise _error(reports)
    try:
        return Parameters(
            name="+".join(meta["name"] for meta in metas),
            description=" ".join(meta["description"] for meta in metas if meta.get("description")),
            version="+".join(meta["version"] for meta in metas if meta.get("version")),
            origin=joined,
            parameters={path: parameters[path] for path in specs},
            specs=dict(specs),
            relations=tuple(relations),
        )
    except ValidationError as exc:  # the relations between parameters (lower ≤ upper)
        raise _error([(joined, _pydantic_problems(exc, ""))]) from exc


def _file_parameters(
    data: Any,
    origin: str,
    specs: Mapping[str, ParameterSpec],
    parameters: dict[str, Parameter],
    defined_in: dict[str, str],
    problems: list[str],
) -> dict[str, str]:
    """The parameters of one file, added to ``parameters``; returns its meta table."""
    if not isinstance(data, dict):
        problems.append(f"(file): expected a table, got {_show(data)}")
        return {}
    meta = _meta(data.get("meta", {}), problems)
    sources = _sources(data.get("sources", {}), problems)
    groups = sorted({spec.group for spec in specs.values()})
    for group, table in data.items():
        if group in _RESERVED:
            continue
        if group not in groups:
            problems.append(
                f"{_quote(group)}: unknown group (parameter groups: {', '.join(groups)})"
            )
            continue
        if not isinstance(table, dict):
            problems.append(f"{_quote(group)}: expected a table of parameters, got {_show(table)}")
            continue
        for name, body in table.items():
            path = f"{group}.{name}"
            if path not in specs:
                path = f"{group}.{_quote(name)}"
                known = ", ".join(p for p in sorted(specs) if p.startswith(group + "."))
                problems.append(f"{path}: unknown parameter (known in {group}: {known})")
                continue
            if path in defined_in:
                problems.append(f"{path}: already defined in {defined_in[path]}")
                continue
            defined_in[path] = origin
            if not isinstance(body, dict):
                problems.append(f"{path}: expected a table with unit and values, got {_show(body)}")
                continue
            parameter = _parameter(path, body, sources, specs, problems)
            if parameter is not None:
                parameters[path] = parameter
    return meta


def _meta(meta: Any, problems: list[str]) -> dict[str, str]:
    if not isinstance(meta, dict):
        problems.append(f"meta: expected a table (name, description, version), got {_show(meta)}")
        return {}
    allowed = ", ".join(sorted(_META_KEYS))
    for key in sorted(set(meta) - _META_KEYS):
        problems.append(f"meta.{_quote(key)}: unknown key (allowed: {allowed})")
    result = {}
    for key in sorted(_META_KEYS & set(meta)):
        if isinstance(meta[key], str):
            result[key] = meta[key]
        else:
            problems.append(f"meta.{key}: expected a string, got {_show(meta[key])}")
    return result


def _sources(sources: Any, problems: list[str]) -> dict[str, Source | None]:
    """The [sources] table validated: id -> Source (None when that source is invalid)."""
    if not isinstance(sources, dict):
        problems.append(f"sources: expected a table of sources, got {_show(sources)}")
        return {}
    result: dict[str, Source | None] = {}
    for source_id, table in sources.items():
        try:
            result[source_id] = Source.model_validate(table)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, f"sources.{_quote(source_id)}", model=Source))
            result[source_id] = None
    return result


def _parameter(
    path: str,
    body: dict[str, Any],
    sources: dict[str, Source | None],
    specs: Mapping[str, ParameterSpec],
    problems: list[str],
) -> Parameter | None:
    """One parameter validated, or None with its problems recorded."""
    count = len(problems)
    values = body.get("values")
    if isinstance(values, list):
        values = [
            _dated_value(f"{path}.values[{index}]", value, specs[path], sources, problems)
            for index, value in enumerate(values)
        ]
    if len(problems) > count:
        return None
    try:
        return Parameter.model_validate(
            {**body, "path": path, "values": values}, context={"specs": specs}
        )
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, path))
        return None


def _dated_value(
    key: str,
    value: Any,
    spec: ParameterSpec,
    sources: dict[str, Source | None],
    problems: list[str],
) -> Any:
    """A dated value with its source id resolved and its value checked against the kind
    of the parameter (number or scale), so that pydantic never has to guess."""
    if not isinstance(value, dict):
        return value
    value = dict(value)
    source = value.get("source")
    if isinstance(source, str):
        if source not in sources:
            problems.append(
                f"{key}.source: unknown source id {_show(source)} "
                f"(defined in [sources]: {shortened(', '.join(sorted(sources))) or 'none'})"
            )
        else:
            # an invalid source is reported once, under sources.<id>, not at each use
            value["source"] = sources[source] or Source(title=source, reference="(invalid)")
    if "value" in value:
        path = spec.path
        given = value["value"]
        if spec.kind == "scale" and not isinstance(given, dict | Scale):
            problems.append(
                f"{key}.value: {path} is a scale: expected a table with mode and brackets "
                f"(thresholds in {spec.threshold_unit}, values in {spec.unit}), got {_show(given)}"
            )
        elif spec.kind != "scale" and isinstance(given, dict | Scale | list | bool):
            problems.append(
                f"{key}.value: {path} is {_KIND_WORDS[spec.kind]}"
                f": expected a number in {spec.unit}, got {_show(given)}"
            )
    return value


def _pydantic_problems(
    exc: ValidationError, prefix: str, model: type[BaseModel] | None = None
) -> list[str]:
    """One ``key: reason`` line per pydantic error, keys written as in the file."""
    problems = []
    # the errors of the union member the input was not meant for are left out, unless they
    # are all there is (then they are the only account of the problem)
    errors = [error for error in exc.errors() if not _other_union_member(error)] or exc.errors()
    for error in errors:
        parts = _key_parts(error)
        key = _join(prefix, parts)
        problems.append(f"{key}: {_reason(error, parts, model)}")
    return sorted(set(problems))


def _other_union_member(error: ErrorDetails) -> bool:
    """Whether the error comes from the member of ``value: Decimal | Scale`` that the input
    was not meant for (a table is a scale, anything else a number): pydantic tries both."""
    location = error["loc"]
    if "decimal" in location:
        return isinstance(error["input"], dict)
    if any(isinstance(part, str) and "Scale" in part for part in location):
        return error["type"] == "model_type"
    return False


def _key_parts(error: ErrorDetails) -> list[str | int]:
    """The error's location without pydantic's internal names (union members, validators),
    extended by the key a :class:`KeyedValueError` names."""
    parts: list[str | int] = [
        part
        for part in error["loc"]
        if not (isinstance(part, str) and "[" in part) and part not in ("Scale", "decimal")
    ]
    raised = error.get("ctx", {}).get("error")
    if isinstance(raised, KeyedValueError):
        for piece in re.findall(r"[^.\[\]]+", raised.key):
            parts.append(int(piece) if piece.isdigit() else piece)
    return parts


def _join(prefix: str, parts: list[str | int]) -> str:
    key = prefix
    for part in parts:
        name = _quote(part) if isinstance(part, str) else part
        key += f"[{name}]" if isinstance(part, int) else (f".{name}" if key else str(name))
    return key or "(file)"


def _reason(error: ErrorDetails, parts: list[str | int], model: type[BaseModel] | None) -> str:
    kind = error["type"]
    name = next((p for p in reversed(parts) if isinstance(p, str)), None)
    if kind == "missing":
        hint = _HINTS.get(str(name))
        return "required key is missing" + (f": {hint}" if hint else "")
    if kind == "extra_forbidden":
        owner = model or _owner(parts)
        allowed = ", ".join(k for k in owner.model_fields if k != "path") if owner else ""
        return "unknown key" + (f" (allowed: {allowed})" if allowed else "")
    message = error["msg"].removeprefix("Value error, ")
    message = re.sub(r"^value \d+: ", "", message)
    message = message.replace("Input should be ", "must be ", 1)
    if kind.startswith(("date", "datetime")):
        detail = message.partition(", ")[2] or message
        return (
            f"not a date: {_show(error['input'])} ({detail}); write dates as YYYY-MM-DD, "
            "e.g. 2021-08-01"
        )
    if kind in ("value_error", "assertion_error") or isinstance(error.get("input"), dict):
        return message
    return f"{message}, got {_show(error['input'])}"


def _owner(parts: list[str | int]) -> type[BaseModel] | None:
    """The model in which the last key of ``parts`` sits."""
    names = [p for p in parts[:-1] if isinstance(p, str)]
    return _MODEL_AFTER.get(names[-1] if names else None)


def _quote(key: Any) -> str:
    """A key as written in TOML: bare when it is a bare key, else quoted (so that a key
    with spaces, dots or control characters cannot garble the message); shortened."""
    text = str(key)
    quoted = text if _BARE_KEY.fullmatch(text) else json.dumps(text, ensure_ascii=False)
    return shortened(quoted, MAX_SHOWN // 3)


def _show(value: Any) -> str:
    return shown(value, 60)


def _toml_problem(text: str, exc: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error with its line, the key written there and, for a date, a hint."""
    reason = _TOML_POSITION.sub("", str(exc)).strip()
    match = _TOML_POSITION.search(str(exc))
    if match is None:
        return f"(file): not valid TOML: {reason}"
    number = int(match.group(1))
    lines = text.splitlines()
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    key = _toml_key(lines[: number - 1], line)
    problem = f"{key}: not valid TOML at line {number}: {reason}"
    if _DATE_LIKE.search(line):
        problem += (
            f" (a malformed date? {line.strip()!r}: write a real date as YYYY-MM-DD, "
            "e.g. 2021-08-01)"
        )
    return problem


def _toml_key(before: list[str], line: str) -> str:
    """The full key of ``line``: the table header in force plus the key on the line."""
    table, arrays = "", dict[str, int]()
    for previous in before:
        header = _TOML_HEADER.match(previous)
        if header:
            table = header.group(2)
            if header.group(1) == "[[":
                arrays[table] = arrays.get(table, -1) + 1
                table = f"{table}[{arrays[table]}]"
    name, sep, _ = line.partition("=")
    if not sep:
        return table or "(file)"
    return f"{table}.{name.strip()}" if table else name.strip()


def _error(reports: Sequence[tuple[str, list[str]]]) -> ParameterError:
    """The error of the problems of each file (``key: reason`` texts): the message lists
    them by file (:func:`_format`); each is also a :class:`Problem` with the file and key."""
    records = []
    for origin, problems in reports:
        for problem in problems:
            key = problem.partition(": ")[0]
            field = None if key == "(file)" else key
            records.append(
                Problem(
                    "invalid_parameter",
                    shortened(problem, 2 * MAX_SHOWN),
                    field=field,
                    file=origin,
                )
            )
    message = "\n".join(_format(origin, problems) for origin, problems in reports)
    return ParameterError(message, problems=records)


def _format(origin: str, problems: list[str]) -> str:
    count = len(problems)
    listed = [shortened(problem, 2 * MAX_SHOWN) for problem in problems[:MAX_PROBLEMS_SHOWN]]
    if count > MAX_PROBLEMS_SHOWN:
        listed.append(f"... and {count - MAX_PROBLEMS_SHOWN} more problems (fix these first)")
    lines = "\n".join(f"  - {problem}" for problem in listed)
    return f"{origin}: {count} problem{'s' if count > 1 else ''} in the parameter file:\n{lines}"


# ------------------------------------------------------------------ untrusted files


def read_text(
    file: ParameterFile,
    what: str,
    error: type[SecpaError],
    unreadable: type[SecpaError] | None = None,
) -> str:
    """The text of ``file`` (a path or a package resource), read defensively: at most
    :data:`MAX_FILE_BYTES` (1 MiB) are read, and the bytes must be UTF-8 (a byte order mark
    is dropped). ``what`` names the file in messages ("parameter file"); a file that
    cannot be opened or read (missing, a directory) raises ``unreadable`` (default
    ``error``), one too large or not UTF-8 raises ``error``, each naming the file."""
    origin = str(file)
    try:
        with (Path(file) if isinstance(file, str) else file).open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise (unreadable or error)(f"{origin}: cannot read the {what}: {exc}") from exc
    return decode_text(data, origin, what, error)


def decode_text(data: bytes, origin: str, what: str, error: type[SecpaError]) -> str:
    """``data`` (the bytes of the file ``origin``, at most :data:`MAX_FILE_BYTES` of them
    plus one) as text; ``error`` naming the file if there are more, or they are not UTF-8
    (naming the line and column of the first byte that is not)."""
    if len(data) > MAX_FILE_BYTES:
        raise error(
            f"{origin}: the {what} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB "
            f"({MAX_FILE_BYTES} bytes), the most that is read: refused before parsing"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        read = exc.object  # the bytes after a byte order mark
        line = read.count(b"\n", 0, exc.start) + 1
        column = exc.start - (read.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(
            f"{origin}: the {what} is not UTF-8 text: byte 0x{read[exc.start]:02x} at line "
            f"{line}, column {column} ({exc.reason}); save the file as UTF-8"
        ) from None


def toml_loads(text: str, origin: str, error: type[SecpaError]) -> Any:
    """``tomllib.loads(text)`` within bounds: ``error`` naming the file ``origin`` and the
    line or key for a key with more than :data:`MAX_KEY_DOTS` dots (refused before
    parsing), nesting deeper than :data:`MAX_NESTING` levels, an integer of more than
    :data:`MAX_INTEGER_DIGITS` digits. A syntax error is left to the caller
    (:class:`tomllib.TOMLDecodeError`, to be worded for the kind of file). Decimal numbers
    are read exactly, as :class:`~decimal.Decimal` (never through a float)."""
    _refuse_long_keys(text, origin, error)
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError:
        raise
    except RecursionError:
        raise error(_too_deep(origin, "")) from None
    except ValueError:  # tomllib's only other error: int() of a number too long for it
        raise error(_long_integer(text, origin, "toml")) from None
    _check_parsed(data, origin, error)
    return data


def json_loads(
    text: str,
    origin: str,
    error: type[SecpaError],
    parse_float: Callable[[str], Any] = Decimal,
) -> Any:
    """``json.loads(text)`` within bounds, as :func:`toml_loads` (nesting, long integers),
    and ``error`` naming a key given twice in one object (:func:`json.loads` would keep the
    last value silently): every JSON the library reads goes through it. A syntax error is
    left to the caller as :class:`json.JSONDecodeError`. ``parse_float``: as for
    :func:`json.loads` (by default ``Decimal``: decimal numbers read exactly, never through a
    float)."""

    def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in pairs:
            if key in found:
                raise error(
                    f"{origin}: the key {shown(key, 100)} is given twice in one object: keep one"
                )
            found[key] = value
        return found

    def integer(digits: str) -> int:
        # longer than the limit, or than the interpreter's own (sys.set_int_max_str_digits)
        if len(digits.lstrip("-")) <= MAX_INTEGER_DIGITS:
            with suppress(ValueError):
                return int(digits)
        raise error(_long_integer(text, origin, "json"))

    try:
        data = json.loads(
            text, object_pairs_hook=unique_keys, parse_int=integer, parse_float=parse_float
        )
    except RecursionError:
        raise error(_too_deep(origin, "")) from None
    _check_parsed(data, origin, error)
    return data


def _refuse_long_keys(text: str, origin: str, error: type[SecpaError]) -> None:
    """``error`` naming the line of a key (or table header) with more than
    :data:`MAX_KEY_DOTS` dots. Unless a line has that many dots, nothing more is done;
    else the text is read token by token (the dots of strings and comments do not count)."""
    if all(line.count(".") <= MAX_KEY_DOTS for line in text.split("\n")):
        return
    dots = 0
    after_part = False
    for token in _TOML_TOKEN.finditer(text):
        kind = token.lastgroup
        if kind == "part":
            if after_part:  # two parts with no dot between: another key, or a value
                dots = 0
            after_part = True
        elif kind == "dot":
            dots = dots + 1 if after_part else 0
            after_part = False
            if dots > MAX_KEY_DOTS:
                number = text.count("\n", 0, token.start()) + 1
                line = text.split("\n")[number - 1].strip()
                raise error(
                    f"{origin}: line {number}: a key with more than {MAX_KEY_DOTS} dots "
                    f"({shortened(line, 60)}), refused before parsing (values are nested at most "
                    f"{MAX_NESTING} levels deep)"
                )
        elif kind != "space":
            dots, after_part = 0, False


def _check_parsed(data: Any, origin: str, error: type[SecpaError]) -> None:
    """``error`` for a value nested more than :data:`MAX_NESTING` levels deep, or an
    integer too long (a hexadecimal TOML integer has no length limit), naming its key."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, int) and value.bit_length() > _INTEGER_BITS:
            raise error(
                f"{origin}: {_join('', list(path))}: an integer of about {digits_of(value)} "
                f"digits, longer than the {MAX_INTEGER_DIGITS} digits that are read"
            )
        if isinstance(value, dict | list) and value:
            if len(path) >= MAX_NESTING:
                raise error(_too_deep(origin, _join("", list(path))))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((item, (*path, key)) for key, item in items)


def _too_deep(origin: str, key: str) -> str:
    where = f"{shortened(key, 100)}: " if key else ""
    return (
        f"{origin}: {where}nested too deeply: tables and arrays are nested at most "
        f"{MAX_NESTING} levels deep"
    )


def _long_integer(text: str, origin: str, syntax: str) -> str:
    """The message for an integer too long to read, naming its line and key if found."""
    limit = f"longer than the {MAX_INTEGER_DIGITS} digits that are read"
    found = _LONG_DIGITS.search(text)
    if found is None:
        return f"{origin}: an integer {limit}"
    start = found.start()
    line_start = text.rfind("\n", 0, start) + 1
    number = text.count("\n", 0, start) + 1
    digits = sum(char.isdigit() for char in found.group())
    if syntax == "toml":
        key = _toml_key(text[: max(line_start - 1, 0)].split("\n"), text[line_start:start])
    else:
        before = _JSON_KEY_BEFORE.search(text[max(start - 1000, 0) : start])
        key = json.dumps(before.group(1)) if before else ""
    named = f"{shortened(key, 100)}: " if key and key != "(file)" else ""
    return f"{origin}: line {number}: {named}an integer of {digits} digits, {limit}"
