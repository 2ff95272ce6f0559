"""Command-line interface: argument parsing and output only, no science (STYLE.md)."""

from .main import main

__all__ = ["main"]
