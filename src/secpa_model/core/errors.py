"""The library's error types. All are :class:`ValueError` subclasses."""

from __future__ import annotations


class SecpaError(ValueError):
    """Base class of every error raised by secpa-model on bad input or parameters."""


class InputError(SecpaError):
    """Invalid structure data: the message names the row, the field and the value."""


class ParameterError(SecpaError):
    """An invalid parameter file or override: the message names the file (or scenario),
    the parameter key and the reason."""


class CoverageError(SecpaError):
    """A day that the parameters do not cover was asked for (never a silent zero)."""


class ModelError(SecpaError):
    """An inconsistent model declaration: an input, parameter or rule declared twice or not
    at all, or a rule that reads what it does not declare. The message names the model, the
    rule and the name at fault."""
