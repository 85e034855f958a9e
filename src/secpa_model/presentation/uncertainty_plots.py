"""Charts of uncertainty (extra ``plot``): the tornado, the Sobol indices and a cohort's fan
chart, drawn by :mod:`secpa_model.presentation.plots`; see docs/uncertainty.md."""

from secpa_model.presentation.plots import plot_fan, plot_sobol, plot_tornado

__all__ = ["plot_fan", "plot_sobol", "plot_tornado"]
