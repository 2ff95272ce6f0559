"""Moved to :mod:`qkdbounds.di.window` (the device-independent side lives in :mod:`qkdbounds.di`).

Re-exported here so existing imports keep working.
"""

from ..di.window import *  # noqa: F401,F403
from ..di.window import __all__  # noqa: F401
