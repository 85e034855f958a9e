"""What every rule module provides, and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from secpa_model.parameters import ParameterSnapshot
from secpa_model.structures import StructureColumns


@dataclass(frozen=True)
class RuleResult:
    """The annual amount of one dotation for each structure, in float64 cents (unrounded),
    with the intermediate quantities a person needs to follow the computation."""

    annual_cents: NDArray[np.float64]
    details: dict[str, NDArray[np.float64]] = field(default_factory=dict)


class Rule(Protocol):
    """A dotation rule: a module with these names (see :mod:`secpa_model.rules`)."""

    @property
    def KEY(self) -> str: ...

    @property
    def LABEL(self) -> str: ...

    @property
    def LEGAL_BASIS_FR(self) -> str: ...

    @property
    def LEGAL_BASIS_EN(self) -> str: ...

    @property
    def FORMULA(self) -> str: ...

    @property
    def PARAMETERS(self) -> tuple[str, ...]: ...

    @property
    def INPUTS(self) -> tuple[str, ...]: ...

    def compute(self, columns: StructureColumns, params: ParameterSnapshot) -> RuleResult:
        """Annual amounts for every structure, with the values in force in ``params``."""
        ...
