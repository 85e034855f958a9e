"""Peers of secpa-model for the benchmarks: the same four rules of the experimentation and
the same reference values, written as a bare numpy kernel and as an OpenFisca-Core
tax-benefit system. Every value they use is read from secpa-model's reference parameters
(:mod:`peers.values`), so no figure of the funding model is typed twice."""
