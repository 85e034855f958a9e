"""The input: one structure (:class:`Structure`) and its columnar form (:class:`StructureColumns`).

The rules only ever see columns (numpy arrays); one structure is a batch of one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Final, Literal, get_args

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from secpa_model.money import euros_to_cents

Kind = Literal["msp", "centre_de_sante"]
"""``msp``: maison de santé pluriprofessionnelle; ``centre_de_sante``: centre de santé."""

Location = Literal["in_qpv", "near_qpv", "outside_qpv"]
"""In a quartier prioritaire de la politique de la ville, near one (quartier vécu), or not."""

KINDS: Final[tuple[str, ...]] = get_args(Kind)
LOCATIONS: Final[tuple[str, ...]] = get_args(Location)

MAX_INT64: Final[int] = int(np.iinfo(np.int64).max)
"""The largest count or number of cents the int64 columns hold (a storage limit)."""

NonNegativeHours = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Euros = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


def percent_hint(value: float) -> str | None:
    """The hint for a poverty rate given in percent (31 → 0.31), or None."""
    if 1 < value <= 100:
        return (
            f"poverty_rate {value} looks like a percentage: give it as a fraction "
            f"in [0, 1], e.g. {value / 100:g}"
        )
    return None


class Structure(BaseModel):
    """One participating structure (structure d'exercice coordonné participative, SECPA).

    Frozen; unknown fields are rejected; every error names the field and the value.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    structure_id: str = Field(min_length=1, description="Identifier of the structure.")
    kind: Kind = Field(description="MSP (maison de santé) or centre de santé.")
    location: Location = Field(
        description="In a QPV, near one (quartier vécu), or outside (implantation)."
    )
    file_active_mg: int = Field(
        ge=0,
        le=MAX_INT64,
        strict=False,
        description="General-medicine file active of the previous year (file active en "
        "médecine générale de l'année précédente), in patients.",
    )
    poverty_rate: float = Field(
        description="Poverty rate of the territory of implantation (taux de pauvreté), "
        "as a fraction in [0, 1].",
        json_schema_extra={"minimum": 0, "maximum": 1},
    )
    interpreting_hours_in_person: NonNegativeHours = Field(
        default=0.0, description="Hours per year of in-person interpreting (présentiel)."
    )
    interpreting_hours_phone: NonNegativeHours = Field(
        default=0.0, description="Hours per year of telephone interpreting (téléphonique)."
    )
    psychologist_cost_requested: Euros = Field(
        default=Decimal(0),
        description="Euros per year of psychological support asked for (soutien psychologique).",
    )
    segur_psychologist_funding: Euros = Field(
        default=Decimal(0),
        description="Euros per year already funded by the Ségur psychologists measure.",
    )
    ars_psychology_agreement: bool = Field(
        default=False, description="Agreement of the competent ARS (accord de l'ARS)."
    )
    entry_date: date | None = Field(
        default=None, description="First day in the experimentation (None: throughout)."
    )
    exit_date: date | None = Field(
        default=None, description="Last day in the experimentation (None: throughout)."
    )

    @field_validator("file_active_mg", mode="before")
    @classmethod
    def _whole_patients(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError(f"file_active_mg must be a whole number of patients, got {value!r}")
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"file_active_mg must be a whole number of patients, got {value!r}")
        return value

    @field_validator("poverty_rate", mode="before")
    @classmethod
    def _fraction(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError(f"poverty_rate must be a number, got {value!r}")
        try:
            number = float(value)  # type: ignore[arg-type]
        except OverflowError:
            message = "poverty_rate must be a fraction in [0, 1], got a huge number"
            raise ValueError(message) from None
        except (TypeError, ValueError):
            return value  # pydantic reports the type error with the value
        if math.isnan(number) or math.isinf(number):
            raise ValueError(f"poverty_rate must be a finite fraction in [0, 1], got {value!r}")
        hint = percent_hint(number)
        if hint:
            raise ValueError(hint)
        if not 0 <= number <= 1:
            raise ValueError(f"poverty_rate must be a fraction in [0, 1], got {value!r}")
        return value

    @field_validator("psychologist_cost_requested", "segur_psychologist_funding")
    @classmethod
    def _whole_cents(cls, value: Decimal) -> Decimal:
        try:
            cents = euros_to_cents(value)
        except ArithmeticError:  # decimal overflow of an absurdly large amount
            cents = MAX_INT64 + 1
        if cents > MAX_INT64:
            raise ValueError(f"{value:.6g} euros is out of range (too large to count in cents)")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> Structure:
        if self.entry_date and self.exit_date and self.exit_date < self.entry_date:
            raise ValueError(f"exit_date {self.exit_date} is before entry_date {self.entry_date}")
        return self


# Day ordinals used for "no entry date" and "no exit date" in columns.
OPEN_START: Final[int] = date.min.toordinal()
OPEN_END: Final[int] = date.max.toordinal()


@dataclass(frozen=True)
class StructureColumns:
    """Many structures as numpy columns: what the rules compute on.

    Categorical fields are small integer codes into :data:`KINDS` and :data:`LOCATIONS`;
    money is int64 cents; dates are day ordinals (``date.toordinal``), open ends being
    :data:`OPEN_START` and :data:`OPEN_END`.
    """

    structure_id: NDArray[np.object_]
    kind: NDArray[np.int8]
    location: NDArray[np.int8]
    file_active_mg: NDArray[np.int64]
    poverty_rate: NDArray[np.float64]
    interpreting_hours_in_person: NDArray[np.float64]
    interpreting_hours_phone: NDArray[np.float64]
    psychologist_cost_requested_cents: NDArray[np.int64]
    segur_psychologist_funding_cents: NDArray[np.int64]
    ars_psychology_agreement: NDArray[np.bool_]
    entry: NDArray[np.int64]
    exit: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.kind)

    @classmethod
    def from_structures(cls, structures: list[Structure]) -> StructureColumns:
        """Columns from validated structures (the one-structure path is a batch of one)."""
        return cls(
            structure_id=np.array([s.structure_id for s in structures], dtype=object),
            kind=np.array([KINDS.index(s.kind) for s in structures], dtype=np.int8),
            location=np.array([LOCATIONS.index(s.location) for s in structures], dtype=np.int8),
            file_active_mg=np.array([s.file_active_mg for s in structures], dtype=np.int64),
            poverty_rate=np.array([s.poverty_rate for s in structures], dtype=np.float64),
            interpreting_hours_in_person=np.array(
                [s.interpreting_hours_in_person for s in structures], dtype=np.float64
            ),
            interpreting_hours_phone=np.array(
                [s.interpreting_hours_phone for s in structures], dtype=np.float64
            ),
            psychologist_cost_requested_cents=np.array(
                [euros_to_cents(s.psychologist_cost_requested) for s in structures],
                dtype=np.int64,
            ),
            segur_psychologist_funding_cents=np.array(
                [euros_to_cents(s.segur_psychologist_funding) for s in structures],
                dtype=np.int64,
            ),
            ars_psychology_agreement=np.array(
                [s.ars_psychology_agreement for s in structures], dtype=np.bool_
            ),
            entry=np.array(
                [s.entry_date.toordinal() if s.entry_date else OPEN_START for s in structures],
                dtype=np.int64,
            ),
            exit=np.array(
                [s.exit_date.toordinal() if s.exit_date else OPEN_END for s in structures],
                dtype=np.int64,
            ),
        )
