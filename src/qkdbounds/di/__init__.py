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

from .._lazy import lazy_exports

#: Public name -> submodule that defines it, loaded on first use (PEP 562): importing one DI
#: module (e.g. :mod:`~qkdbounds.di.chsh` for a source's CHSH lower bound) does not import the
#: attack and its LPs (start-up time of the CLI, issue 19).
_HOMES = {
    "DIAttackBound": "attack", "EveBox": "attack", "di_cc_attack": "attack",
    "BellBox": "bell_data", "bell_box": "bell_data", "chsh_value_of_box": "bell_data",
    "bell_table": "bell_data", "load_bell_table": "bell_data",
    "LocalWeight": "locality", "local_weight": "locality",
    "BoxLowerBound": "lower", "dw_lower_bound": "lower",
    "DIRegion": "region", "DIWindowPoint": "region", "di_attack_bound": "region", "di_region": "region",
}

__all__ = sorted(_HOMES)
__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())
