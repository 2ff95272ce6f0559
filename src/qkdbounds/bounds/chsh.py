"""Moved to :mod:`qkdbounds.di.chsh` (the device-independent side lives in :mod:`qkdbounds.di`).

Re-exported here so existing imports keep working.
"""

from ..di.chsh import *  # noqa: F401,F403
from ..di.chsh import __all__  # noqa: F401
