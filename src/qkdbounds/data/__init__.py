"""Recorded measurement data: counts, confidence regions and the states compatible with them."""

__all__ = []
