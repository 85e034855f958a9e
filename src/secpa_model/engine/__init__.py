"""The engine: composes a model's rules over columns (:mod:`.compute`), and the results it
returns (:class:`~secpa_model.engine.allocation.Allocation` and its trace)."""
