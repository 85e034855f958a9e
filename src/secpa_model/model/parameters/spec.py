"""What a parameter is (its path, kind and unit): a model declares the parameters its rules
read, and a parameter file must define exactly those, each in its unit. The numbers
themselves live only in the data files."""

from __future__ import annotations

from typing import Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

ParameterKind = Literal["amount", "count", "quantity", "scale"]
"""``amount``: euros (whole cents); ``count``: a whole number (patients); ``quantity``: a
non-negative decimal number in its unit (ETP, a rate); ``scale``: a schedule of brackets."""
PARAMETER_KINDS: Final[tuple[str, ...]] = get_args(ParameterKind)


class ParameterSpec(BaseModel):
    """The declaration of one parameter (paramètre): its path ``group.name``, kind and unit
    (for a scale, the unit of its thresholds too). What it means is said by the parameter
    file, beside its values (``description``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    kind: ParameterKind
    unit: str = Field(min_length=1)
    threshold_unit: str | None = None

    def __init__(
        self, path: str, kind: ParameterKind, unit: str, threshold_unit: str | None = None
    ) -> None:
        super().__init__(path=path, kind=kind, unit=unit, threshold_unit=threshold_unit)

    @property
    def group(self) -> str:
        """The part of the path before the dot (the table of a parameter file)."""
        return self.path.split(".", 1)[0]


class ParameterRelation(BaseModel):
    """A relation a model's parameters keep on every day: ``lower`` ≤ ``upper`` (for
    example a minimum file active at most the maximum). Checked wherever a parameter set is
    built: a parameter file, a scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lower: str
    upper: str
    reason: str = Field(description="Why the relation holds, for the error message.")
