"""The model layer: what a funding model is made of (inputs, parameters, rules,
eligibility) and the :class:`~secpa_model.model.model.Model` that bundles them."""
