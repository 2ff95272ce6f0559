"""Shared argument types: parse-time validation with one-line messages (no science).

argparse reports an ``ArgumentTypeError`` as ``argument NAME: MESSAGE``; ``main`` turns that
into one line on stderr and exit code 2.
"""

from __future__ import annotations

import math

import argparse


def probability(name: str):
    """argparse ``type=`` for a float in [0, 1] named ``name`` in error messages."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}") from None
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text}")
        return value

    return parse


def integer(name: str, low: int, high: int | None = None):
    """argparse ``type=`` for an int in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {text!r}") from None
        if value < low or (high is not None and value > high):
            rng = f"[{low}, {high}]" if high is not None else f">= {low}"
            raise argparse.ArgumentTypeError(f"must be an integer {rng}, got {value}")
        return value

    return parse


def add_state_args(parser, visibility: bool = True) -> None:
    """--dim, --parties, --leakage, --model (and --visibility)."""
    parser.add_argument("--dim", type=integer("--dim", 2, 64), default=2, help="local dimension d >= 2")
    parser.add_argument("--parties", type=integer("--parties", 2, 64), default=2, help="number of parties N >= 2")
    if visibility:
        parser.add_argument("--visibility", type=probability("--visibility"), required=True, help="v in [0, 1]")
    parser.add_argument("--leakage", type=probability("--leakage"), required=True, help="L in [0, 1]")
    parser.add_argument("--model", choices=("uniform", "junk"), default="uniform", help="leakage model")
