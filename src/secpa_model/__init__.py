"""secpa-model: the funding model of the SECPA experimentation (article 51).

Four fungible dotations for participatory health centres, computed from dated parameters
with provenance. Start with :func:`allocate` (one structure) or :func:`allocate_frame`
(a DataFrame of many).
"""

from secpa_model.allocation import Allocation, Line, Reason, SpendingCheck
from secpa_model.budget import BudgetProjection, project_budget
from secpa_model.comparison import Comparison, ReportedSweep, compare, sweep, sweep_grid
from secpa_model.engine import allocate, reference_parameters
from secpa_model.errors import CoverageError, InputError, ParameterError, SecpaError
from secpa_model.explain import (
    TRACE_FORMAT,
    TRACE_VERSION,
    Trace,
    build_trace,
    explain_json,
    explain_markdown,
    explain_text,
)
from secpa_model.files import read_allocations, read_structures, write_allocations
from secpa_model.frames import ReportedAllocation, add_euro_columns, allocate_frame
from secpa_model.money import ROUNDING_RULE
from secpa_model.parameters import Parameters, load_parameters
from secpa_model.periods import Period
from secpa_model.scenarios import Scenario
from secpa_model.schemas import json_schema
from secpa_model.structures import Structure

__all__ = [
    "ROUNDING_RULE",
    "TRACE_FORMAT",
    "TRACE_VERSION",
    "Allocation",
    "BudgetProjection",
    "Comparison",
    "CoverageError",
    "InputError",
    "Line",
    "ParameterError",
    "Parameters",
    "Period",
    "Reason",
    "ReportedAllocation",
    "ReportedSweep",
    "Scenario",
    "SecpaError",
    "SpendingCheck",
    "Structure",
    "Trace",
    "add_euro_columns",
    "allocate",
    "allocate_frame",
    "build_trace",
    "compare",
    "explain_json",
    "explain_markdown",
    "explain_text",
    "json_schema",
    "load_parameters",
    "project_budget",
    "read_allocations",
    "read_structures",
    "reference_parameters",
    "sweep",
    "sweep_grid",
    "write_allocations",
]
__version__ = "0.1.0"
