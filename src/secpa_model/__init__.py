"""secpa-model: the funding model of the SECPA experimentation (article 51).

Four fungible dotations for participatory health centres, computed from dated parameters
with provenance. Start with :func:`allocate` (one structure) or :func:`allocate_frame`
(a DataFrame of many).
"""

from secpa_model.allocation import Allocation, Line, Reason, SpendingCheck
from secpa_model.engine import allocate, reference_parameters
from secpa_model.errors import CoverageError, InputError, ParameterError, SecpaError
from secpa_model.files import read_allocations, read_structures, write_allocations
from secpa_model.frames import ReportedAllocation, add_euro_columns, allocate_frame
from secpa_model.money import ROUNDING_RULE
from secpa_model.parameters import Parameters, load_parameters
from secpa_model.periods import Period
from secpa_model.structures import Structure

__all__ = [
    "ROUNDING_RULE",
    "Allocation",
    "CoverageError",
    "InputError",
    "Line",
    "ParameterError",
    "Parameters",
    "Period",
    "Reason",
    "ReportedAllocation",
    "SecpaError",
    "SpendingCheck",
    "Structure",
    "add_euro_columns",
    "allocate",
    "allocate_frame",
    "load_parameters",
    "read_allocations",
    "read_structures",
    "reference_parameters",
    "write_allocations",
]
__version__ = "0.1.0"
