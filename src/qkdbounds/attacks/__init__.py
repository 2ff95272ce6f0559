"""Eve's attacks: the paper's leakage-aware CC attack and the optimal mixing gamma."""

from .._lazy import lazy_exports

#: Public name -> submodule, loaded on first use (PEP 562; start-up time, issue 19).
_HOMES = {
    "QuestionClass": "cc", "joint_distribution_with_eve": "cc",
    "question_class": "cc", "GammaSolution": "eve", "minimize_gamma": "eve",
}

__all__ = list(_HOMES)
__getattr__, __dir__ = lazy_exports(__name__, _HOMES, globals())
