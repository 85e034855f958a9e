"""A funding model as a value (modèle de financement): inputs, eligibility, rules in order,
their parameters' declarations, reference values and rounding.

Everything else derives from a :class:`Model`: the ``Structure`` class, the validation of
frames and files, the engine's lines, explanations, schemas, strategies, reports and the
command line. A user extends a model in their own code (:meth:`Model.extend`), without
editing the library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from secpa_model.core.errors import (
    InputError,
    ModelError,
    ParameterError,
    Problem,
    describe,
    is_missing,
)
from secpa_model.core.rounding import CENT_HALF_UP, Rounding
from secpa_model.core.safe_text import shown
from secpa_model.core.suggestions import did_you_mean
from secpa_model.model.eligibility import NOT_PARTICIPATING, Condition
from secpa_model.model.inputs import Input, is_blank
from secpa_model.model.parameters import (
    ParameterFile,
    ParameterRelation,
    Parameters,
    ParameterSpec,
)
from secpa_model.model.parameters.loader import read_parameter_files
from secpa_model.model.parameters.references import register_reference
from secpa_model.model.rules import Rule
from secpa_model.model.structure import Columns, StructureBase, columns_of, structure_class


@dataclass(frozen=True, eq=False)
class Model:
    """A funding model (see the module docstring).

    ``inputs``: every input, declared once; ``parameters``: the declaration of every
    parameter the rules and conditions read; ``rules``: the dotations, in the order of an
    allocation's lines; ``conditions``: eligibility, in the order reasons are listed;
    ``parameter_files``: the reference values (TOML), which together define every declared
    parameter; ``rounding``: how lines are rounded (a rule may override it); ``note``: what
    a person must know about the model (shown with its results, e.g. that it is a
    proposal), ``note_fr`` the same in French (the French report shows it; empty: ``note``);
    ``id_input``, ``entry_input``, ``exit_input``: the identifier and the dates
    of participation (None: the model has none).
    """

    name: str
    description: str
    inputs: tuple[Input, ...]
    parameters: tuple[ParameterSpec, ...]
    rules: tuple[Rule, ...]
    conditions: tuple[Condition, ...] = ()
    parameter_files: tuple[ParameterFile, ...] = ()
    relations: tuple[ParameterRelation, ...] = ()
    rounding: Rounding = CENT_HALF_UP
    note: str = ""
    note_fr: str = ""
    id_input: str = "structure_id"
    entry_input: str | None = "entry_date"
    exit_input: str | None = "exit_date"

    def __post_init__(self) -> None:
        for name in ("inputs", "parameters", "rules", "conditions", "parameter_files", "relations"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        where = f"model {self.name!r}"
        if not self.rules:
            raise ModelError(f"{where} has no rule")
        _unique(where, "input", [i.name for i in self.inputs])
        _unique(where, "parameter", [s.path for s in self.parameters])
        _unique(where, "rule", [r.key for r in self.rules])
        _unique(where, "condition", [c.code for c in self.conditions] + [NOT_PARTICIPATING.code])
        untested = [c.code for c in self.conditions if c.fails is None]
        if untested:
            raise ModelError(f"{where}: conditions without a test (fails): {untested}")
        names = {i.name: i for i in self.inputs}
        identifier = names.get(self.id_input)
        if identifier is None or identifier.kind != "text" or not identifier.required:
            raise ModelError(f"{where}: its id input {self.id_input!r} is a required text input")
        window: tuple[tuple[str, str | None, str], ...] = (
            ("entry", self.entry_input, "earliest"),
            ("exit", self.exit_input, "latest"),
        )
        for role, date_name, side in window:
            item = names.get(date_name) if date_name else None
            if date_name and (item is None or item.kind != "date" or item.open_as != side):
                raise ModelError(
                    f"{where}: its {role} input {date_name!r} is a date input with open_as={side!r}"
                )
        paths = {s.path for s in self.parameters}
        for relation in self.relations:
            unknown = [p for p in (relation.lower, relation.upper) if p not in paths]
            if unknown:
                raise ModelError(f"{where}: a relation names undeclared parameters {unknown}")
        read: set[str] = set()
        owners = [(f"rule {r.key!r}", r.inputs, r.parameters) for r in self.rules]
        owners += [(f"condition {c.code!r}", c.inputs, c.parameters) for c in self.conditions]
        for owner, inputs, parameters in owners:
            unknown_inputs = [n for n in inputs if n not in names]
            unknown_paths = [p for p in parameters if p not in paths]
            if unknown_inputs or unknown_paths:
                raise ModelError(
                    f"{where}: {owner} reads what the model does not declare "
                    f"(inputs: {', '.join(unknown_inputs) or '-'}; "
                    f"parameters: {', '.join(unknown_paths) or '-'})"
                )
            read.update(parameters)
        unread = sorted(paths - read)
        if unread:
            raise ModelError(f"{where}: parameters declared but read by no rule: {unread}")

    # ------------------------------------------------------------------ derived

    @cached_property
    def structure(self) -> type[StructureBase]:
        """The pydantic class of one structure of this model (derived from the inputs)."""
        doc = (
            f"One structure of the model {self.name!r} (structure d'exercice coordonné).\n\n"
            "Frozen; unknown fields are rejected; every error names the field and the value."
        )
        return structure_class("Structure", self.inputs, (self.entry_input, self.exit_input), doc)

    @cached_property
    def line_keys(self) -> tuple[str, ...]:
        """The keys of the lines of an allocation, in order."""
        return tuple(r.key for r in self.rules)

    @cached_property
    def reason_codes(self) -> tuple[str, ...]:
        """The reason codes, bit ``i`` being ``reason_codes[i]`` (not participating last)."""
        return (*(c.code for c in self.conditions), NOT_PARTICIPATING.code)

    @cached_property
    def all_conditions(self) -> tuple[Condition, ...]:
        """The model's conditions, then :data:`NOT_PARTICIPATING`."""
        return (*self.conditions, NOT_PARTICIPATING)

    @cached_property
    def specs(self) -> dict[str, ParameterSpec]:
        """The parameters' declarations by path."""
        return {s.path: s for s in self.parameters}

    def input(self, name: str) -> Input:
        """One input's declaration (a ModelError naming the inputs otherwise)."""
        for item in self.inputs:
            if item.name == name:
                return item
        raise ModelError(
            f"model {self.name!r} has no input {name!r} "
            f"(inputs: {', '.join(i.name for i in self.inputs)})"
        )

    def rule(self, key: str) -> Rule:
        """One rule, by key."""
        for item in self.rules:
            if item.key == key:
                return item
        raise ModelError(f"model {self.name!r} has no rule {key!r} (rules: {self.line_keys})")

    def code(self, name: str, category: str) -> int:
        """The column code of a category value (what a rule compares codes with)."""
        return self.input(name).code(category)

    @cached_property
    def rule_change_dates(self) -> tuple[date, ...]:
        """The dates from which a rule's later version applies."""
        return tuple(sorted({d for r in self.rules for d in r.change_dates()}))

    @cached_property
    def line_roundings(self) -> tuple[Rounding, ...]:
        """Each line's rounding: its rule's, else the model's."""
        return tuple(rule.rounding or self.rounding for rule in self.rules)

    @cached_property
    def declarations(self) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
        """Per condition then per rule: who it is (for messages), the inputs and the
        parameters it declares (what the engine's views let it read)."""
        owners = [
            (f"condition {c.code!r}", frozenset(c.inputs), frozenset(c.parameters))
            for c in self.conditions
        ]
        owners += [
            (f"rule {r.key!r}", frozenset(r.inputs), frozenset(r.parameters)) for r in self.rules
        ]
        return tuple(owners)

    # --------------------------------------------------------------- parameters

    def reference_parameters(self) -> Parameters:
        """The model's reference values (its parameter files), loaded once."""
        return self._reference

    @cached_property
    def _reference(self) -> Parameters:
        if not self.parameter_files:
            raise ModelError(f"model {self.name!r} ships no parameter file")
        reference = self.load_parameters(*self.parameter_files)
        register_reference(self.name, reference)  # what a set's short repr compares with
        return reference

    def load_parameters(self, *files: ParameterFile) -> Parameters:
        """Parameter files (together defining every parameter) checked against the model's
        declarations: a :class:`~secpa_model.ParameterError` names file and key."""
        return read_parameter_files(files, self.specs, self.relations)

    def check_parameters(self, parameters: Parameters) -> Parameters:
        """``parameters`` if they declare exactly this model's parameters, else a
        :class:`~secpa_model.ParameterError` naming the differences."""
        if not isinstance(parameters, Parameters):
            hint = (
                ": pass scenario.parameters_for(model) or scenario.apply()"
                if hasattr(parameters, "parameters_for")
                else ""
            )
            raise TypeError(f"expected Parameters, got {type(parameters).__name__}{hint}")
        if parameters.specs != self.specs or parameters.relations != self.relations:
            missing = sorted(set(self.specs) - set(parameters.specs))
            extra = sorted(set(parameters.specs) - set(self.specs))
            changed = sorted(
                p
                for p in set(self.specs) & set(parameters.specs)
                if self.specs[p] != parameters.specs[p]
            )
            relations = "" if parameters.relations == self.relations else "; other relations"
            raise ParameterError(
                f"the parameters {parameters.name!r} are not those of the model "
                f"{self.name!r}: missing {missing or '-'}; not in the model {extra or '-'}; "
                f"declared otherwise {changed or '-'}{relations}"
            )
        return parameters

    # ------------------------------------------------------------------- inputs

    def parse_structure(self, structure: Any) -> StructureBase:
        """A structure of this model: an instance of :attr:`structure` as it is, another
        model's structure or a mapping validated into it (an InputError naming each field
        and value), anything else a TypeError."""
        if isinstance(structure, self.structure):
            return structure
        if isinstance(structure, StructureBase):
            data: Mapping[str, Any] = structure.inputs()
        elif isinstance(structure, Mapping):
            data = structure
        else:
            raise TypeError(
                f"expected a Structure of the model {self.name!r} (or a mapping of its "
                f"inputs), got {type(structure).__name__}"
            )
        try:
            return self.structure.model_validate(dict(data))
        except ValidationError as exc:
            raise structure_error(exc, self, data) from exc

    def columns(self, structures: Sequence[StructureBase]) -> Columns:
        """The columns of validated structures (one structure is a batch of one)."""
        return columns_of(self.inputs, structures)

    # ---------------------------------------------------------------- extending

    def extend(
        self,
        *,
        name: str,
        description: str | None = None,
        inputs: Sequence[Input] = (),
        parameters: Sequence[ParameterSpec] = (),
        rules: Sequence[Rule] = (),
        conditions: Sequence[Condition] = (),
        parameter_files: Sequence[ParameterFile] = (),
        relations: Sequence[ParameterRelation] = (),
        note: str | None = None,
        note_fr: str | None = None,
    ) -> Model:
        """A new model: this one plus ``inputs``, ``parameters`` (declarations), ``rules``
        (new lines after the existing ones; a rule with an existing key replaces that
        line in place), ``conditions`` and ``parameter_files`` (the values of the new
        parameters, beside this model's reference files). This model is unchanged. Two of
        ``rules`` with one key are a :class:`~secpa_model.ModelError` (neither is dropped)."""
        _unique(f"model {name!r}", "rule", [r.key for r in rules])
        replaced = {r.key: r for r in rules}
        kept = tuple(replaced.pop(r.key, r) for r in self.rules)
        return replace(
            self,
            name=name,
            description=self.description if description is None else description,
            inputs=(*self.inputs, *inputs),
            parameters=(*self.parameters, *parameters),
            rules=(*kept, *replaced.values()),
            conditions=(*self.conditions, *conditions),
            parameter_files=(*self.parameter_files, *parameter_files),
            relations=(*self.relations, *relations),
            note=self.note if note is None else note,
            note_fr=(self.note_fr if note is None else "") if note_fr is None else note_fr,
        )

    def replace(self, **changes: Any) -> Model:
        """A copy with some fields changed (``dataclasses.replace``), checked again."""
        return replace(self, **changes)

    def __repr__(self) -> str:
        return f"Model({self.name!r}, lines={list(self.line_keys)})"

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled by its fields (for Dask workers): what it caches is rebuilt there
        return Model, tuple(getattr(self, item.name) for item in fields(self))


def _unique(where: str, what: str, names: list[str]) -> None:
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ModelError(f"{where}: {what} declared twice: {', '.join(repeated)}")


_VALUE_SHOWN = 60  # the most characters of a value an error message quotes


def structure_error(exc: ValidationError, model: Model, data: Mapping[str, Any]) -> InputError:
    """A pydantic error of one structure of ``model`` (validated from ``data``) as an
    :class:`InputError` with one :class:`~secpa_model.Problem` per field: a missing field
    says so (``file_active_mg is missing``), an unknown one names the closest field
    (``did you mean 'kind'?``), an invalid one gives ``field = value: message``. The
    structure's id names it when it could be read."""
    identifier = data.get(model.id_input)
    structure_id = (
        identifier.strip() if isinstance(identifier, str) and identifier.strip() else None
    )
    known = [item.name for item in model.inputs]
    problems = [_field_problem(error, known, structure_id) for error in exc.errors()]
    listed = "; ".join(describe(replace(p, structure_id=None)) for p in problems)
    named = f" {shown(structure_id, _VALUE_SHOWN)}" if structure_id else ""
    return InputError(f"invalid structure{named}: {listed}", problems=problems)


def _field_problem(error: Any, known: list[str], structure_id: str | None) -> Problem:
    name = ".".join(str(part) for part in error["loc"]) or None
    value = error.get("input")
    if error["type"] == "missing":
        return Problem("missing_value", f"{name} is missing", field=name, structure_id=structure_id)
    if error["type"] == "extra_forbidden" and name is not None:
        hint = did_you_mean(name, known)
        message = f"unknown field {shown(name, _VALUE_SHOWN)}" + (f": {hint}" if hint else "")
        return Problem("unknown_field", message, field=name, value=value, structure_id=structure_id)
    message = error["msg"].removeprefix("Value error, ")
    return Problem(
        "missing_value" if is_blank(value) and name else "invalid_value",
        message,
        field=name,
        value=None if is_missing(value) else value,
        structure_id=structure_id,
    )
