"""Former home of paper 2's partial-transpose bounds; now :mod:`qkdbounds.di.partial_transpose`.

Kept so that ``from qkdbounds.diqkd import rho_d`` (and the names listed in ``__all__``) keep
working; new code should import from :mod:`qkdbounds.di`.
"""

from .di.partial_transpose import *  # noqa: F401,F403
from .di.partial_transpose import __all__  # noqa: F401
