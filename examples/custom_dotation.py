"""A fifth dotation in your own code: the experimentation plus coordination.

Run it with ``python examples/custom_dotation.py``: no file of the library is edited. The new
dotation reads a new input (``coordination_etp``, ETP of coordination, a number ≥ 0 that
defaults to 0) and a new parameter (``coordination.cost_per_etp``) whose value, with its
provenance, comes from the user's own TOML file beside this script (``coordination.toml``).

Adding an input to a model is one declaration (``COORDINATION_ETP``) plus the rule that reads
it: the ``Structure`` class, the validation of frames and files, the JSON Schema and the
hypothesis strategies follow from the declaration. The structures are SYNTHETIC.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from secpa_model import (
    Input,
    ParameterSpec,
    RuleInputs,
    RuleParameters,
    allocate,
    experimentation,
    explain_json,
    json_schema,
    portfolio,
    rule,
)
from secpa_model.core.money import format_euros
from secpa_model.datasets import SYNTHETIC_NOTE, illustrative_portfolio

# 1. The new input, declared once.
COORDINATION_ETP = Input(
    "coordination_etp",
    "quantity",
    "ETP of coordination of the structure (ETP de coordination).",
    unit="ETP",
    default=0.0,
    examples=(0, 3),
)

# 2. The new parameter's declaration: its values are in coordination.toml.
COST_PER_ETP = ParameterSpec("coordination.cost_per_etp", "amount", "EUR/ETP/year")


# 3. The rule, written once over numpy columns; it may read only what it declares.
@rule(
    key="coordination",
    label="Coordination",
    legal_basis_fr="Dotation de coordination : ETP de coordination × coût d'un ETP.",
    legal_basis_en="Coordination: the structure's ETP of coordination × the cost of an ETP.",
    formula="coordination_etp × cost_per_etp",
    inputs=("coordination_etp",),
    parameters=("coordination.cost_per_etp",),
)
def coordination(inputs: RuleInputs, params: RuleParameters) -> NDArray[np.float64]:
    """Annual cents: ETP of coordination times the cost of an ETP."""
    etp: NDArray[np.float64] = inputs["coordination_etp"]
    return etp * params.amount_cents("coordination.cost_per_etp")


# 4. The model: the experimentation plus the new input, parameter, rule and values.
MODEL = experimentation().extend(
    name="experimentation_with_coordination",
    inputs=[COORDINATION_ETP],
    parameters=[COST_PER_ETP],
    rules=[coordination],
    parameter_files=[Path(__file__).with_name("coordination.toml")],
)


def main() -> None:
    """Allocate a small SYNTHETIC portfolio with the new column, and show every view."""
    frame = illustrative_portfolio().head(4)
    frame["coordination_etp"] = [1.0, 0.5, 0.0, 2.0]
    result = portfolio(frame, model=MODEL).allocate(2024)
    print(f"Model {MODEL.name!r}: {len(MODEL.rules)} lines {', '.join(MODEL.line_keys)}")
    print(SYNTHETIC_NOTE)
    columns = ["structure_id", *(f"{key}_cents" for key in MODEL.line_keys), "total_cents"]
    print(result[columns].to_string(index=False))

    first = frame.iloc[0]
    row = {item.name: first[item.name] for item in MODEL.inputs if item.name in frame.columns}
    allocation = allocate(row, 2024, model=MODEL)
    line = allocation.line("coordination")
    print(f"\n{allocation.structure_id}: coordination {format_euros(line.amount)}")
    print(line.explanation)

    trace = json.loads(explain_json(allocation))
    schema = json_schema("trace", model=MODEL)
    keys = schema["$defs"]["TraceLine"]["properties"]["key"]["enum"]
    print(f"\nThe trace has {len(trace['lines'])} lines; its schema allows exactly {keys}")


if __name__ == "__main__":
    main()
