"""Write a :class:`Parameters` set as a parameter file (TOML) that the loader reads back to
an equal set: the layout of :mod:`secpa_model.model.parameters.loader`, sources gathered in
``[sources]`` (one id per distinct source), plausible ranges as inline tables, numbers
written exactly (a Decimal's digits, never through a float).

Strings are written as TOML basic strings with JSON escapes (the two agree on ``\\"``,
``\\\\`` and ``\\uXXXX``), so a title holding quotes, newlines or control characters reads
back as it was.
"""

from __future__ import annotations

import json
from decimal import Decimal

from secpa_model.model.parameters.models import DatedValue, Scale, Source
from secpa_model.model.parameters.parameter_set import Parameters


def parameters_to_toml(parameters: Parameters, *, header: str = "") -> str:
    """The text of a parameter file defining every parameter of ``parameters``.

    ``header``: comment lines put first (each line prefixed with ``#``). Reading the text
    back with the model's loader gives a set whose parameters equal these ones.
    """
    sources = _source_ids(parameters)
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    lines += ["[meta]", f"name = {_string(parameters.name)}"]
    if parameters.description:
        lines.append(f"description = {_string(parameters.description)}")
    if parameters.version:
        lines.append(f"version = {_string(parameters.version)}")
    for source, source_id in sources.items():
        lines += ["", f"[sources.{source_id}]"]
        lines += [
            f"{key} = {_string(text)}" for key, text in source.model_dump(exclude_none=True).items()
        ]
    for path, parameter in parameters.parameters.items():
        lines += ["", f"[{path}]", f"unit = {_string(parameter.unit)}"]
        if parameter.threshold_unit is not None:
            lines.append(f"threshold_unit = {_string(parameter.threshold_unit)}")
        if parameter.description:
            lines.append(f"description = {_string(parameter.description)}")
        for dated in parameter.values:
            lines += ["", f"[[{path}.values]]", *_dated_lines(dated, sources)]
    return "\n".join(lines) + "\n"


def _source_ids(parameters: Parameters) -> dict[Source, str]:
    ids: dict[Source, str] = {}
    for parameter in parameters.parameters.values():
        for dated in parameter.values:
            ids.setdefault(dated.source, f"source_{len(ids) + 1}")
    return ids


def _dated_lines(dated: DatedValue, sources: dict[Source, str]) -> list[str]:
    lines = [
        f"effective_from = {dated.effective_from.isoformat()}",
        f"status = {_string(dated.status)}",
        f"source = {_string(sources[dated.source])}",
    ]
    if dated.rationale is not None:
        lines.append(f"rationale = {_string(dated.rationale)}")
    if dated.range is not None:
        parts = [
            f"{key} = {_string(value) if isinstance(value, str) else _number(value)}"
            for key, value in dated.range.model_dump(exclude_none=True).items()
        ]
        lines.append(f"range = {{ {', '.join(parts)} }}")
    value = dated.value
    if isinstance(value, Scale):
        brackets = ", ".join(
            f"{{ threshold = {_number(b.threshold)}, value = {_number(b.value)} }}"
            for b in value.brackets
        )
        lines += [f"value.mode = {_string(value.mode)}", f"value.brackets = [{brackets}]"]
    else:
        lines.append(f"value = {_number(value)}")
    return lines


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _number(value: Decimal) -> str:
    """A Decimal in TOML: an integer when whole, else its digits in fixed notation."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")
