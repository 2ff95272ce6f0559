"""Eve's attacks: the paper's leakage-aware CC attack and the optimal mixing gamma."""

from .cc import LEAKAGE_MODELS, QuestionClass, joint_distribution_with_eve, question_class
from .eve import GammaSolution, minimize_gamma

__all__ = [
    "LEAKAGE_MODELS",
    "QuestionClass",
    "joint_distribution_with_eve",
    "question_class",
    "GammaSolution",
    "minimize_gamma",
]
