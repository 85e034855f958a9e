"""The library's error types (all :class:`ValueError` subclasses) and the problem record
they carry.

Every error holds its problems as data in :attr:`SecpaError.problems`: a tuple of
:class:`Problem`, each with a stable ``code`` (:data:`PROBLEM_CODES`), the message, and what
is known of where it is (field, value, row label, structure id, file, line or sheet). An
error raised with only a message holds one problem of its class's code; ``str(error)`` is
the message, one line per problem when there are several.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from dataclasses import field as dc_field
from typing import Any, ClassVar, Final, Self

from secpa_model.core.safe_text import shown

PROBLEM_CODES: Final[Mapping[str, str]] = {
    "invalid_input": "invalid structure data, not tied to one cell (a whole file or frame)",
    "invalid_value": "a value (cell or field) that its input's kind refuses",
    "missing_value": "a required value (cell or field) that is missing: empty, NaN or null",
    "unknown_field": "a field that the model does not declare (with a 'did you mean' if one "
    "is close)",
    "duplicate_id": "a row repeating the id (and year) of another row",
    "invalid_parameter": "an invalid parameter file, parameter value, override or scenario",
    "coverage": "a day that the parameters do not cover",
    "model": "an inconsistent model declaration",
    "usage": "a command line that cannot be understood (CLI only)",
    "internal_error": "a failure of secpa-model itself, not of its input (CLI only)",
}
"""Every problem code, and what it means (the same codes in Python and on the CLI)."""


def is_missing(value: object) -> bool:
    """Whether ``value`` stands for a missing value: None, NaN, ``pd.NA`` or ``pd.NaT``."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    # pandas' NA and NaT, without importing pandas in the core layer
    return type(value).__name__ in ("NAType", "NaTType")


@dataclass(frozen=True)
class Problem:
    """One problem found in an input, a parameter file or a scenario: immutable data.

    Its fields, in this order, are the one shape of a problem everywhere
    (:data:`PROBLEM_FIELDS`): the columns of an errors file (``--errors report``), the keys
    of a ``--json`` object on standard error and of :meth:`to_dict`, and the properties of
    ``json_schema("problem")``. ``file``: the file; ``sheet``: the sheet of an Excel file;
    ``row``: the row label of the frame; ``line``: its line in the file (the header is line
    1; a quoted cell that spans lines counts them all) or, for an Excel file, its row number
    in ``sheet``; ``structure_id``: the row's id when it could be read; ``field``: the
    column, field, key or parameter at fault; ``value``: the offending value as given (None
    when it is missing: see :attr:`missing`); ``code``: one of :data:`PROBLEM_CODES`;
    ``message``: the sentence a person reads, which names the field and says what is wrong
    (``kind is missing (NaN or empty)``). ``code`` and ``message`` may be given by position,
    the others by keyword; unknown parts are None.
    """

    file: str | None = dc_field(default=None, kw_only=True)
    sheet: str | None = dc_field(default=None, kw_only=True)
    row: Hashable | None = dc_field(default=None, kw_only=True)
    line: int | None = dc_field(default=None, kw_only=True)
    structure_id: str | None = dc_field(default=None, kw_only=True)
    field: str | None = dc_field(default=None, kw_only=True)
    value: Any = dc_field(default=None, kw_only=True)
    code: str
    message: str

    @property
    def missing(self) -> bool:
        """Whether the problem is a missing value."""
        return self.code == "missing_value"

    def where(self) -> str:
        """Where the problem is, for a person: ``row 4 (line 6), structure 'B'``, or the
        sheet and row of an Excel file; empty when nothing is known."""
        parts = []
        if self.row is not None:
            parts.append(f"row {shown(self.row, _SHOWN)}")
        if self.line is not None:
            place = f"sheet {self.sheet!r} row {self.line}" if self.sheet else f"line {self.line}"
            parts.append(f"({place})" if parts else place)
        text = " ".join(parts)
        if self.structure_id is not None:
            text += f"{', ' if text else ''}structure {shown(self.structure_id, _SHOWN)}"
        return text

    def located(self, **known: Any) -> Problem:
        """This problem with the parts in ``known`` that it does not know yet filled in
        (e.g. ``file=...``); what it knows is kept."""
        return replace(self, **{k: v for k, v in known.items() if getattr(self, k) is None})

    def to_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready mapping: every field; a value that is not a JSON
        scalar as its text, a missing value (or row label) as None."""
        data = asdict(self)
        for key in ("value", "row"):
            data[key] = json_scalar(data[key])
        return data


PROBLEM_FIELDS: Final[tuple[str, ...]] = tuple(part.name for part in fields(Problem))
"""The fields of a problem, in order: ``file, sheet, row, line, structure_id, field, value,
code, message`` (the columns of an errors file, the keys of a ``--json`` object)."""


def problem_dicts(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """``problems`` in the one shape (:data:`PROBLEM_FIELDS`, JSON-ready: see
    :meth:`Problem.to_dict`), e.g. for an answer of a web service; an error's are
    ``problem_dicts(error.problems)``."""
    return [problem.to_dict() for problem in problems]


_SHOWN: Final = 60  # the most characters of a row label or id a location quotes


def json_scalar(value: Any) -> Any:
    """``value`` as a JSON scalar: itself (a string, a boolean, an integer, a finite
    float), None when missing, a list or mapping as its JSON text, anything else as its
    text: the ``value`` and ``row`` of a problem in every shape."""
    if is_missing(value):
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    item = getattr(value, "item", None)  # a numpy scalar
    if callable(item):
        return json_scalar(item())
    return str(value)


MAX_LISTED: Final = 20
"""How many problems the message of an error with a summary lists before giving a count."""


def listing(summary: str, problems: Sequence[Problem]) -> str:
    """``summary`` then the first :data:`MAX_LISTED` problems, one per indented line
    (:func:`describe`), then how many more; one problem on the summary's line (an error
    of one problem is one line)."""
    if len(problems) == 1:
        return f"{summary} {describe(problems[0])}"
    lines = [summary, *(f"  {describe(problem)}" for problem in problems[:MAX_LISTED])]
    more = len(problems) - MAX_LISTED
    if more > 0:
        lines.append(f"  ... and {more} more problem{'s' if more > 1 else ''}")
    return "\n".join(lines)


class SecpaError(ValueError):
    """Base class of every error raised by secpa-model on bad input or parameters.

    ``SecpaError(message)`` holds one problem of the class's :attr:`code`;
    ``SecpaError(message, problems=[...])`` holds those problems, ``message`` being the
    text; ``SecpaError(problems=[...], summary="2 invalid rows:")`` writes its text as the
    summary then a line per problem (:func:`listing`), and keeps doing so when it is
    :meth:`located`. Without message or summary the text is a line per problem.
    """

    code: ClassVar[str] = "invalid_input"
    """The code of the problem an error raised with only a message holds."""

    problems: tuple[Problem, ...]
    """The problems, in the order found (at least one)."""

    summary: str | None
    """The first line of a listing message (None: the message is as given)."""

    def __init__(
        self, message: str = "", *, problems: Iterable[Problem] = (), summary: str | None = None
    ) -> None:
        found = tuple(problems)
        if not found:
            found = (Problem(self.code, message),)
        if summary is not None:
            message = listing(summary, found)
        elif not message:
            message = "\n".join(describe(problem) for problem in found)
        super().__init__(message)
        self.problems = found
        self.summary = summary

    def __reduce__(self) -> tuple[Any, ...]:  # pickled with its problems (processes, dask)
        return (type(self), (self.message,), {"problems": self.problems, "summary": self.summary})

    @property
    def message(self) -> str:
        """The text of the error (``str(error)``)."""
        return str(self.args[0]) if self.args else ""

    def relocated(self, prefix: str, locate: Callable[[Problem], Problem]) -> Self:
        """The same error (same class) with its text prefixed by ``prefix: `` and
        ``locate`` applied to every problem (the listing rewritten with what it adds)."""
        problems = [locate(problem) for problem in self.problems]
        if self.summary is not None:
            return type(self)(problems=problems, summary=f"{prefix}: {self.summary}")
        return type(self)(f"{prefix}: {self.message}", problems=problems)

    def located(self, prefix: str, **known: Any) -> Self:
        """The same error prefixed by ``prefix: ``, the parts in ``known`` (e.g.
        ``file=...``) filled in on every problem that lacks them."""
        return self.relocated(prefix, lambda problem: problem.located(**known))


def describe(problem: Problem) -> str:
    """A problem as one line: where it is, then ``field = value: message`` (only the
    message when the value is missing or no field is named)."""
    where = problem.where()
    if problem.field is None or problem.missing or problem.code == "unknown_field":
        what = problem.message
    else:
        what = f"{problem.field} = {shown(problem.value, _SHOWN)}: {problem.message}"
    return f"{where}: {what}" if where else what


class InputError(SecpaError):
    """Invalid structure data: the message names the row, the field and the value."""


class ParameterError(SecpaError):
    """An invalid parameter file or override: the message names the file (or scenario),
    the parameter key and the reason."""

    code: ClassVar[str] = "invalid_parameter"


class CoverageError(SecpaError):
    """A day that the parameters do not cover was asked for (never a silent zero)."""

    code: ClassVar[str] = "coverage"


class ModelError(SecpaError):
    """An inconsistent model declaration: an input, parameter or rule declared twice or not
    at all, or a rule that reads what it does not declare. The message names the model, the
    rule and the name at fault."""

    code: ClassVar[str] = "model"
