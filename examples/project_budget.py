"""Project the programme's budget for 26, 60 and 100 SYNTHETIC structures.

The 26 structures enter in two waves (2021-08-01 and 2022-03-01); the extra ones of the
60- and 100-structure portfolios enter on 2024-01-01 (an assumption of this example). The
totals are set against the public envelopes: 30 M€ over 2021-08..2023-12 and 14 M€ over
2024-01..2025-04 (the latter for 26 structures only).
Run: ``PYTHONPATH=src python examples/project_budget.py [output_dir]``; saves
``project_budget_<n>.png``; prints the 14 M€ envelope consumed quarter by quarter (26 structures).
"""

from __future__ import annotations

from _output import output_dir

from secpa_model import project_budget, reference_parameters
from secpa_model.core.money import format_euros
from secpa_model.datasets import SYNTHETIC_NOTE, synthetic_portfolio
from secpa_model.presentation.plots import plot_budget

PERIODS = {
    "2021-08..2023-12": "2021-08-01..2023-12-31",
    "2024-01..2025-04": "2024-01-01..2025-04-30",
}
ENVELOPES = {"2021-08..2023-12": 30_000_000, "2024-01..2025-04": 14_000_000}
SIZES = (26, 60, 100)


def main() -> None:
    """Project, print, plot."""
    params = reference_parameters()
    folder = output_dir()
    print(SYNTHETIC_NOTE)
    for size in SIZES:
        projection = project_budget(
            synthetic_portfolio(size), PERIODS, params, ENVELOPES, freq="quarter"
        )
        print(f"\n{size} structures, parameters {params.name!r}: by calendar year")
        years = projection.by_year[["label", "structures_participating", "total_eur"]]
        print(years.to_string(index=False, formatters={"total_eur": format_euros}))
        print("by period, against the public envelope:")
        periods = projection.by_period[
            ["label", "total_eur", "envelope_eur", "gap_eur", "within_envelope"]
        ]
        print(
            periods.to_string(
                index=False,
                formatters={c: format_euros for c in ("total_eur", "envelope_eur", "gap_eur")},
            )
        )
        if size == SIZES[0]:
            quarters = projection.timeline
            extension = quarters[quarters["period"] == "2024-01..2025-04"]
            print("2024-01..2025-04 by quarter: the 14 M€ envelope consumed")
            print(
                extension[["label", "total_eur", "cumulative_eur", "consumed_pct"]].to_string(
                    index=False,
                    formatters={
                        "total_eur": format_euros,
                        "cumulative_eur": format_euros,
                        "consumed_pct": "{:.1f} %".format,
                    },
                )
            )
        path = folder / f"project_budget_{size}.png"
        plot_budget(
            projection.by_period,
            parameters=params,
            synthetic=True,
            path=path,
            title=f"{size} synthetic structures: projected budget and public envelopes",
        )
        print(f"Chart saved to {path}")


if __name__ == "__main__":
    main()
