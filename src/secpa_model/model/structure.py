"""What the inputs of a model derive: the pydantic ``Structure`` class of one structure and
the columns (:class:`Columns`) the rules compute on.

One structure is a batch of one: :func:`columns_of` turns validated structures into the
same columns a DataFrame gives.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model, model_validator

from secpa_model.model.inputs import KIND_RULES, Input, python_type


def window_message(entry: str, exit_: str) -> str:
    """The message of an exit date before the entry date, in both paths (``exit_date is
    before entry_date``, with the model's names)."""
    return f"{exit_} is before {entry}"


class StructureBase(BaseModel):
    """The base of every model's ``Structure`` class (structure d'exercice coordonné):
    frozen, unknown fields rejected, every error naming the field and the value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_inputs: ClassVar[tuple[Input, ...]] = ()
    """The inputs the class was derived from."""
    window_inputs: ClassVar[tuple[str | None, str | None]] = (None, None)
    """The names of the entry and exit dates (None: the model has none)."""

    if TYPE_CHECKING:  # the fields come from the declarations

        def __init__(self, **data: Any) -> None: ...

        def __getattr__(self, name: str) -> Any: ...

    @model_validator(mode="after")
    def _window_in_order(self) -> StructureBase:
        entry_name, exit_name = self.window_inputs
        if entry_name and exit_name:
            entry, exit_ = getattr(self, entry_name), getattr(self, exit_name)
            if entry and exit_ and exit_ < entry:
                raise ValueError(window_message(entry_name, exit_name))
        return self

    def inputs(self) -> dict[str, Any]:
        """The structure's values, by input name."""
        return {item.name: getattr(self, item.name) for item in self.model_inputs}


def structure_class(
    name: str,
    inputs: Sequence[Input],
    window: tuple[str | None, str | None],
    doc: str,
) -> type[StructureBase]:
    """The pydantic class of one structure of a model, derived from its inputs: each field
    is parsed by its input's kind (the code a DataFrame cell goes through)."""
    fields: dict[str, Any] = {}
    for item in inputs:
        annotation = python_type(item)
        parser = BeforeValidator(partial(KIND_RULES[item.kind].parse_value, item))
        info = Field(description=item.description)
        if not item.required:
            # the default as the kind parses it (euros 0 → Decimal("0")), as a given value
            default = None if item.default is None else item.parse(item.default)
            info = Field(default=default, description=item.description)

        fields[item.name] = (Annotated[annotation, parser], info)
    cls: type[StructureBase] = create_model(name, __base__=StructureBase, __doc__=doc, **fields)
    cls.model_inputs = tuple(inputs)
    cls.window_inputs = window
    return cls


@dataclass(frozen=True)
class Columns(Mapping[str, NDArray[Any]]):
    """Many structures as numpy columns, one per input (what the rules compute on).

    A category is int8 codes into its categories, euros are int64 **cents**, a date is day
    ordinals (an empty date is :data:`~secpa_model.model.inputs.OPEN_START` or
    :data:`~secpa_model.model.inputs.OPEN_END`), counts int64, other numbers float64.
    """

    data: Mapping[str, NDArray[Any]]
    size: int

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self.data[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def take(self, mask: NDArray[np.bool_]) -> Columns:
        """The rows where ``mask`` holds."""
        return Columns({name: values[mask] for name, values in self.data.items()}, int(mask.sum()))


def columns_of(inputs: Sequence[Input], structures: Sequence[StructureBase]) -> Columns:
    """Columns from validated structures (the one-structure path is a batch of one)."""
    data = {
        item.name: KIND_RULES[item.kind].to_array(item, [getattr(s, item.name) for s in structures])
        for item in inputs
    }
    return Columns(data, len(structures))
