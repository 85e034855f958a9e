"""Rules declared once (règles de calcul): a dotation's key, label, legal basis, formula,
the inputs and parameters it reads, and its rounding (docs/rules.md shows how to write one).

The engine gives a formula only what its rule declares: reading another input or parameter
raises :class:`~secpa_model.ModelError`. A formula returns the **annual** amount of every
structure in float64 cents (or a :class:`RuleResult`); the engine prorates, sums and rounds
it. :meth:`Rule.with_version` adds a formula that applies from a date on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final, TypeAlias, TypeVar

import numpy as np
from numpy.typing import NDArray

from secpa_model.core.errors import InputError, ModelError, SecpaError
from secpa_model.core.money import EXACT_LIMIT, describe_limit
from secpa_model.core.rounding import Rounding
from secpa_model.model.parameters import InForce, ParameterSnapshot, Scale
from secpa_model.model.parameters.drawn import DrawnScale
from secpa_model.model.structure import Columns

FloatArray: TypeAlias = NDArray[np.float64]
"""What a formula returns: annual float64 cents, one per structure."""

_KEY: Final = re.compile(r"[a-z][a-z0-9_]*")
_T = TypeVar("_T")


@dataclass(frozen=True)
class RuleResult:
    """The annual amount of one dotation for each structure, in float64 cents (unrounded),
    with the intermediate quantities a person needs to follow the computation (names
    ending in ``_cents`` are float cents, shown in euros)."""

    annual_cents: FloatArray
    details: dict[str, FloatArray] = field(default_factory=dict)


def read_only(values: Any) -> Any:
    """A read-only view of a numpy array (anything else as it is): what a rule is given."""
    if isinstance(values, np.ndarray) and values.flags.writeable:
        values = values.view()
        values.flags.writeable = False
    return values


@contextmanager
def user_code(owner: str) -> Iterator[None]:
    """Run a model's own code (a rule, a condition): an error it raises that is not the
    library's becomes a :class:`~secpa_model.ModelError` naming ``owner``."""
    try:
        yield
    except SecpaError:
        raise
    except Exception as exc:  # a user's code may raise anything: name it, never hide it
        hint = " (inputs are read-only: compute new arrays)" * ("read-only" in str(exc))
        raise ModelError(f"{owner} failed: {type(exc).__name__}: {exc}{hint}") from exc


class RuleInputs:
    """The columns a rule declared, and nothing else (``inputs["name"]`` or
    ``inputs.name``). Categories are int8 codes (see :meth:`is_in`), euros int64 cents."""

    def __init__(
        self,
        owner: str,
        columns: Columns,
        allowed: Collection[str],
        codes: Any,
        *,
        record: bool = False,
    ) -> None:
        self._owner = owner
        self._size = columns.size
        # only the declared columns are reachable (any other name misses this dict), and
        # read-only: a rule writing into an input (``h *= 2``) would change the other
        # lines, the later pieces and scenarios, and the caller's data
        self._visible: dict[str, NDArray[Any]] = {
            name: read_only(columns[name]) for name in allowed
        }
        self._codes = codes
        self._tables: dict[tuple[str, tuple[str, ...]], NDArray[np.bool_]] = {}
        self.read: set[str] | None = set() if record else None
        """With ``record=True``, the inputs read so far (what a declaration check compares)."""

    @property
    def size(self) -> int:
        """The number of structures."""
        return self._size

    def __getitem__(self, name: str) -> NDArray[Any]:
        try:
            column = self._visible[name]
        except KeyError:
            declared = ", ".join(sorted(self._visible)) or "none"
            raise ModelError(
                f"{self._owner} reads input {name!r}, which it does not declare "
                f"(declared inputs: {declared})"
            ) from None
        if self.read is not None:
            self.read.add(name)
        return column

    def __getattr__(self, name: str) -> NDArray[Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def is_in(self, name: str, categories: Sequence[str]) -> NDArray[np.bool_]:
        """Whether each structure's category ``name`` is one of ``categories``."""
        codes = self[name]
        key = (name, tuple(categories))
        table = self._tables.get(key)
        if table is None:  # a lookup table per category: one take per call, no search
            arguments = (self._codes, name, key[1], codes.dtype)
            try:  # shared by every view of the model (a model's ``code`` is a key)
                table = _category_table(*arguments)
            except TypeError:  # codes that cannot be a key: built for this view only
                table = _category_table.__wrapped__(*arguments)
            self._tables[key] = table
        found: NDArray[np.bool_] = table[codes]
        return found


@lru_cache(maxsize=256)
def _category_table(
    codes: Any, name: str, categories: tuple[str, ...], dtype: np.dtype[Any]
) -> NDArray[np.bool_]:
    """True at the code of each of ``categories`` (read-only: shared)."""
    table = np.zeros(np.iinfo(dtype).max + 1, dtype=np.bool_)
    table[[codes(name, category) for category in categories]] = True
    table.flags.writeable = False
    return table


class RuleParameters:
    """The parameter values in force on one piece of the period that a rule declared, and
    nothing else.

    In a simulation (:func:`secpa_model.simulate`) the drawn values are arrays with one
    entry per row (the structures tiled over the draws of a chunk): write formulas with
    numpy operations (``np.minimum``, ``np.where``, ``*``), never ``int(...)`` or ``if`` on
    a parameter, and they compute every draw at once."""

    def __init__(
        self,
        owner: str,
        snapshot: ParameterSnapshot,
        allowed: Collection[str],
        *,
        record: bool = False,
    ) -> None:
        self._owner = owner
        self._snapshot = snapshot
        self._allowed = allowed if isinstance(allowed, frozenset) else frozenset(allowed)
        self.read: set[str] | None = set() if record else None
        """With ``record=True``, the parameters read so far (for a declaration check)."""

    @property
    def day(self) -> date:
        """The first day of the piece these values are in force on."""
        return self._snapshot.day

    def on(self, snapshot: ParameterSnapshot) -> RuleParameters:
        """The same view over the values of another piece (the engine reuses one view per
        rule across the pieces of a period)."""
        self._snapshot = snapshot
        return self

    def _check(self, path: str) -> None:
        if path not in self._allowed:
            declared = ", ".join(sorted(self._allowed)) or "none"
            raise ModelError(
                f"{self._owner} reads parameter {path!r}, which it does not declare "
                f"(declared parameters: {declared})"
            )
        if self.read is not None:
            self.read.add(path)

    def _value(self, path: str, given: Callable[[str], _T]) -> _T | Any:
        """``path`` checked as declared: its draws in a simulation, else ``given(path)``."""
        if self.read is not None or path not in self._allowed:
            self._check(path)
        drawn = self._snapshot.drawn.get(path) if self._snapshot.drawn else None
        return given(path) if drawn is None else read_only(drawn)

    def amount_cents(self, path: str) -> int | NDArray[np.int64]:
        """An amount in integer cents (in a simulation, drawn: one per row)."""
        return self._value(path, self._snapshot.amount_cents)

    def count(self, path: str) -> int | NDArray[np.int64]:
        """A count (patients) as an int (in a simulation, drawn: one per row)."""
        return self._value(path, self._snapshot.count)

    def number(self, path: str) -> float | NDArray[np.float64]:
        """A quantity (ETP, a rate) as a float (in a simulation, drawn: one per row)."""
        return self._value(path, self._snapshot.number)

    def scale(self, path: str) -> Scale | DrawnScale:
        """A scale (barème): ``.evaluate(x)`` over an array (in a simulation, a
        :class:`~secpa_model.model.parameters.drawn.DrawnScale`: each row its draw's)."""
        value = self._value(path, self._snapshot.scale)  # a drawn number: refused below
        return value if isinstance(value, Scale | DrawnScale) else self._snapshot.scale(path)

    def in_force(self, path: str) -> InForce:
        """The value in force with its unit, status and source (in a simulation: the
        parameter set's value, not the draws)."""
        self._check(path)
        return self._snapshot[path]


Formula: TypeAlias = Callable[[RuleInputs, RuleParameters], "FloatArray | RuleResult"]
"""A rule's computation: annual float64 cents for every structure."""


@dataclass(frozen=True)
class Version:
    """A formula of a rule, in force from ``effective_from`` (None: from the start) until the
    next version."""

    effective_from: date | None
    compute: Formula
    formula: str


@dataclass(frozen=True)
class Rule:
    """A dotation rule, declared once (docs/rules.md).

    ``key``: the line's identifier (``[a-z][a-z0-9_]*``); ``label``: its name for people;
    ``legal_basis_fr``: the French sentence it implements (verbatim where public);
    ``legal_basis_en``: the same in English; ``inputs`` and ``parameters``: everything the
    formula reads; ``versions``: the dated formulas, the first from the start;
    ``rounding``: None uses the model's; ``label_fr``: the line's name in French (the legal
    term, e.g. « soutien psychologique »; empty: ``label`` is shown in French too).
    """

    key: str
    label: str
    legal_basis_fr: str
    legal_basis_en: str
    inputs: tuple[str, ...]
    parameters: tuple[str, ...]
    versions: tuple[Version, ...]
    rounding: Rounding | None = None
    label_fr: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not _KEY.fullmatch(self.key):
            raise ModelError(f"rule key {self.key!r}: lower-case letters, digits and '_'")
        if not self.versions:
            raise ModelError(f"rule {self.key!r} has no formula")
        if self.versions[0].effective_from is not None:
            raise ModelError(f"rule {self.key!r}: its first formula applies from the start")
        dates = [v.effective_from for v in self.versions[1:]]
        if any(d is None for d in dates) or dates != sorted(set(dates)):  # type: ignore[type-var]
            raise ModelError(f"rule {self.key!r}: later versions need increasing, distinct dates")
        for name in ("inputs", "parameters"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                raise ModelError(f"rule {self.key!r} declares an item of {name} twice")

    @property
    def formula(self) -> str:
        """The formula in words (with the date of each later version)."""
        return "; ".join(
            f"from {v.effective_from}: {v.formula}" if v.effective_from else v.formula
            for v in self.versions
        )

    def change_dates(self) -> list[date]:
        """The dates from which a later version applies (where the engine cuts a period)."""
        return [v.effective_from for v in self.versions if v.effective_from is not None]

    def version_on(self, day: date) -> Version:
        """The version in force on ``day``."""
        current = self.versions[0]
        for version in self.versions[1:]:
            if version.effective_from is not None and version.effective_from <= day:
                current = version
        return current

    def with_version(self, effective_from: date, compute: Formula, formula: str) -> Rule:
        """A copy of the rule whose formula is ``compute`` from ``effective_from`` on."""
        if not isinstance(effective_from, date):
            raise ModelError(f"rule {self.key!r}: a version needs a date, got {effective_from!r}")
        return replace(self, versions=(*self.versions, Version(effective_from, compute, formula)))

    def replace(self, **changes: Any) -> Rule:
        """A copy with some declarations changed (e.g. ``rounding=Rounding(100)``)."""
        return replace(self, **changes)

    def evaluate(self, inputs: RuleInputs, params: RuleParameters) -> RuleResult:
        """The formula in force on ``params.day``: one float64 amount per structure (a
        :class:`~secpa_model.ModelError` otherwise; :func:`check_amounts` checks that they
        are finite and non-negative)."""
        versions = self.versions
        version = versions[0] if len(versions) == 1 else self.version_on(params.day)
        with user_code(f"rule {self.key!r}"):
            result = version.compute(inputs, params)
            given = result.annual_cents if isinstance(result, RuleResult) else result
            annual = given
            if not (isinstance(annual, np.ndarray) and annual.dtype == np.float64):
                annual = np.asarray(annual, dtype=np.float64)
        if annual.shape != (inputs.size,):
            raise ModelError(
                f"rule {self.key!r} returned {annual.shape} amounts for {inputs.size} structures"
            )
        if annual is not given:
            _refuse_inexact(self.key, given, annual)
        if not isinstance(result, RuleResult):
            return RuleResult(annual)
        return result if annual is given else RuleResult(annual, result.details)


def _refuse_inexact(key: str, given: Any, annual: NDArray[np.float64]) -> None:
    """An :class:`~secpa_model.InputError` if a rule's amounts, given as whole numbers or
    Decimals, are beyond 2^53 cents and not held exactly by their float64 ``annual``
    (2^53 + 1 cents is not taken as 2^53)."""
    far = np.flatnonzero(np.abs(annual) >= EXACT_LIMIT)  # NaN: not far
    if not len(far):
        return
    values = np.asarray(given).reshape(-1)
    for position in far:
        value = values[position]
        value = value.item() if isinstance(value, np.generic) else value
        if isinstance(value, int | Decimal) and Decimal(value) != Decimal(annual[position]):
            raise InputError(
                f"rule {key!r} returned {value} cents, beyond {describe_limit()}, where float64 "
                "stops holding every cent: check the parameters and the inputs"
            )


def rule(
    *,
    key: str,
    label: str,
    legal_basis_fr: str,
    legal_basis_en: str,
    formula: str,
    inputs: Sequence[str] = (),
    parameters: Sequence[str] = (),
    rounding: Rounding | None = None,
    label_fr: str = "",
) -> Callable[[Formula], Rule]:
    """Declare a rule from its formula function (docs/rules.md)."""

    def declare(compute: Formula) -> Rule:
        return Rule(
            key=key,
            label=label,
            legal_basis_fr=legal_basis_fr,
            legal_basis_en=legal_basis_en,
            inputs=tuple(inputs),
            parameters=tuple(parameters),
            versions=(Version(None, compute, formula),),
            rounding=rounding,
            label_fr=label_fr,
        )

    return declare


def check_amounts(rules: Sequence[Rule], annual: NDArray[np.float64]) -> None:
    """A :class:`~secpa_model.ModelError` naming the first rule whose annual amounts (row
    ``i`` of ``annual`` for ``rules[i]``) hold a negative or non-finite value."""
    if _plainly_valid(annual):
        return  # the usual case, by one pass over every amount
    for row, checked in zip(annual, rules, strict=True):
        # NaN makes min() NaN, which fails the comparison; an infinity fails the second
        if row.size and not (row.min() >= 0 and row.max() < np.inf):
            raise ModelError(f"rule {checked.key!r} returned a negative or non-finite amount")


_POSITIVE_INFINITY_BITS: Final = np.uint64(0x7FF0000000000000)


def _plainly_valid(amounts: NDArray[np.float64]) -> bool:
    """True when every amount is finite and not negative, by one pass: read as unsigned
    integers, such float64 values are exactly those below the bits of +inf (a sign bit, a
    NaN or an infinity is not). False may still be valid (-0.0): then checked by value."""
    if not amounts.size:
        return True
    if amounts.dtype != np.float64:
        return False
    return bool(np.maximum.reduce(amounts.view(np.uint64), axis=None) < _POSITIVE_INFINITY_BITS)
