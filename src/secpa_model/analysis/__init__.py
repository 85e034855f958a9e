"""Analysis over portfolios: scenarios, comparisons (of parameter sets and of models),
sweeps and budget projections."""
