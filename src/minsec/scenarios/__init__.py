"""Disruption scenarios as Monte Carlo: what a supplier's cut-off does to an importer.

``spec`` (validated, frozen), ``library`` (real events), ``baseline`` (from the store),
``engine`` (vectorised draws with stockpiles), ``results`` (summaries per mineral).
"""
