"""secpa-model: funding models of participatory health centres (SECPA, article 51).

The experimentation's four fungible dotations (the default model), a five-pillar proposal
for its successor, and the means to define other models, compare them and cost them, all
from dated parameters with provenance. Start with :func:`allocate` (one structure) or
:func:`allocate_frame` (a DataFrame of many); :func:`portfolio` validates structures once
(a DataFrame or a file) for every analysis; :class:`Model` and :func:`rule` to define a
model of your own.
"""

from typing import Final

from secpa_model.analysis.budget import BudgetProjection, project_budget
from secpa_model.analysis.calibration import Calibration, calibrate
from secpa_model.analysis.cohort import CohortProjection, opening_schedule, project_cohort
from secpa_model.analysis.comparison import Comparison, compare, sweep, sweep_grid
from secpa_model.analysis.indexation import Indexation
from secpa_model.analysis.model_comparison import ModelComparison, compare_models
from secpa_model.analysis.outputs import Output
from secpa_model.analysis.scenarios import Scenario
from secpa_model.analysis.sensitivity import Sensitivity, sensitivity
from secpa_model.analysis.simulation import Simulation, simulate
from secpa_model.analysis.targets import Target, load_targets, public_targets
from secpa_model.core.errors import (
    CoverageError,
    InputError,
    ModelError,
    ParameterError,
    Problem,
    SecpaError,
    problem_dicts,
)
from secpa_model.core.periods import Period
from secpa_model.core.rounding import CENT_HALF_UP, Rounding
from secpa_model.engine.allocate import allocate
from secpa_model.engine.allocation import Allocation, Line, SpendingCheck
from secpa_model.engine.records import Reason
from secpa_model.engine.trace import TRACE_FORMAT, TRACE_VERSION, Trace
from secpa_model.io.files import read_allocations, read_structures, write_allocations
from secpa_model.io.frames import add_euro_columns
from secpa_model.io.manifest import Manifest, manifest_for, read_manifest
from secpa_model.io.portfolio import Portfolio, allocate_frame, portfolio
from secpa_model.io.schemas import json_schema
from secpa_model.io.structures import structures_from_frame
from secpa_model.model.eligibility import Condition
from secpa_model.model.inputs import REQUIRED, Input
from secpa_model.model.model import Model
from secpa_model.model.parameters import Parameters, ParameterSpec
from secpa_model.model.rules import Rule, RuleInputs, RuleParameters, RuleResult, rule
from secpa_model.models import (
    available_models,
    get_model,
    load_parameters,
    reference_parameters,
)
from secpa_model.models.experimentation import experimentation
from secpa_model.presentation.explain import (
    build_trace,
    explain_json,
    explain_markdown,
    explain_text,
)

Structure = experimentation().structure
"""One structure of the experimentation model (its ``Structure`` class, derived from its
inputs); another model's is ``model.structure``."""

ROUNDING_RULE: Final[str] = CENT_HALF_UP.describe()
"""The experimentation's rounding rule, in words."""

__all__ = [
    "REQUIRED",
    "ROUNDING_RULE",
    "TRACE_FORMAT",
    "TRACE_VERSION",
    "Allocation",
    "BudgetProjection",
    "Calibration",
    "CohortProjection",
    "Comparison",
    "Condition",
    "CoverageError",
    "Indexation",
    "Input",
    "InputError",
    "Line",
    "Manifest",
    "Model",
    "ModelComparison",
    "ModelError",
    "Output",
    "ParameterError",
    "ParameterSpec",
    "Parameters",
    "Period",
    "Portfolio",
    "Problem",
    "Reason",
    "Rounding",
    "Rule",
    "RuleInputs",
    "RuleParameters",
    "RuleResult",
    "Scenario",
    "SecpaError",
    "Sensitivity",
    "Simulation",
    "SpendingCheck",
    "Structure",
    "Target",
    "Trace",
    "add_euro_columns",
    "allocate",
    "allocate_frame",
    "available_models",
    "build_trace",
    "calibrate",
    "compare",
    "compare_models",
    "explain_json",
    "explain_markdown",
    "explain_text",
    "get_model",
    "json_schema",
    "load_parameters",
    "load_targets",
    "manifest_for",
    "opening_schedule",
    "portfolio",
    "problem_dicts",
    "project_budget",
    "project_cohort",
    "public_targets",
    "read_allocations",
    "read_manifest",
    "read_structures",
    "reference_parameters",
    "rule",
    "sensitivity",
    "simulate",
    "structures_from_frame",
    "sweep",
    "sweep_grid",
    "write_allocations",
]
__version__ = "0.1.0"
