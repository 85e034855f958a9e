"""Dated parameters with provenance, their declarations, and their loader."""

from secpa_model.model.parameters.loader import (
    ParameterFile,
    parameters_from_mapping,
    parse_parameters,
    read_parameter_files,
)
from secpa_model.model.parameters.models import (
    Bracket,
    DatedValue,
    Distribution,
    InForce,
    Parameter,
    ParameterSnapshot,
    Range,
    Scale,
    Source,
    Status,
)
from secpa_model.model.parameters.parameter_set import Parameters
from secpa_model.model.parameters.spec import (
    PARAMETER_KINDS,
    ParameterKind,
    ParameterRelation,
    ParameterSpec,
)

__all__ = [
    "PARAMETER_KINDS",
    "Bracket",
    "DatedValue",
    "Distribution",
    "InForce",
    "Parameter",
    "ParameterFile",
    "ParameterKind",
    "ParameterRelation",
    "ParameterSnapshot",
    "ParameterSpec",
    "Parameters",
    "Range",
    "Scale",
    "Source",
    "Status",
    "parameters_from_mapping",
    "parse_parameters",
    "read_parameter_files",
]
