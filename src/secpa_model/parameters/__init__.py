"""Dated parameters with provenance, and their loader."""

from secpa_model.parameters.loader import load_parameters, parse_parameters
from secpa_model.parameters.models import (
    Bracket,
    DatedValue,
    InForce,
    Parameter,
    ParameterSnapshot,
    Scale,
    Source,
    Status,
)
from secpa_model.parameters.parameter_set import Parameters
from secpa_model.parameters.spec import PARAMETER_SPECS, ParameterSpec

__all__ = [
    "PARAMETER_SPECS",
    "Bracket",
    "DatedValue",
    "InForce",
    "Parameter",
    "ParameterSnapshot",
    "ParameterSpec",
    "Parameters",
    "Scale",
    "Source",
    "Status",
    "load_parameters",
    "parse_parameters",
]
