"""The device-independent side (issue 14; SPEC F5, F10).

* :mod:`~qkdbounds.di.bell_data` -- Bell boxes :math:`p(ab|xy)` from a two-qubit source with
  visibility, detection efficiency and binning, or from a user table;
* :mod:`~qkdbounds.di.locality` -- largest local weight by LP (HiGHS), with certificates;
* :mod:`~qkdbounds.di.attack` -- the DI convex-combination attack with leakage;
* :mod:`~qkdbounds.di.lower` -- the CHSH Devetak-Winter lower bound with detection efficiency,
  binning and leakage; :mod:`~qkdbounds.di.region` -- both side by side and the (v, eta) map;
* :mod:`~qkdbounds.di.chsh`, :mod:`~qkdbounds.di.window` -- CHSH of two-qubit states and the
  Werner-state window;
* :mod:`~qkdbounds.di.partial_transpose` -- paper 2's bounds via the partial transpose.
"""

from .attack import DIAttackBound, EveBox, di_cc_attack
from .bell_data import BellBox, bell_box, chsh_value_of_box, load_bell_table
from .locality import LocalWeight, local_weight
from .lower import BoxLowerBound, dw_lower_bound
from .region import DIRegion, DIWindowPoint, di_attack_bound, di_region

__all__ = [
    "BellBox", "BoxLowerBound", "DIAttackBound", "DIRegion", "DIWindowPoint", "EveBox", "LocalWeight",
    "bell_box", "chsh_value_of_box", "di_attack_bound", "di_cc_attack", "di_region", "dw_lower_bound",
    "load_bell_table", "local_weight",
]
