"""Certified separable decompositions (issue 13): a weight ``q`` with ``rho = q sigma + (1-q) tau``,
``sigma`` an explicit finite product-state ensemble, and an outer (PPT) bound beside it."""

from ._engine import CertifiedSeparableWeight, certified_separable_weight, ppt_outer_weight

__all__ = ["CertifiedSeparableWeight", "certified_separable_weight", "ppt_outer_weight"]
