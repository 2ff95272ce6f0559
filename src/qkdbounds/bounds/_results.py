"""Result objects of the rate-bound dispatcher (scipy ``OptimizeResult`` style)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..status import Status, StatusField, ValueEquality

__all__ = ["RateBound", "RateBounds", "coerce_status_array"]


def coerce_status_array(status) -> NDArray[np.str_]:
    """``status`` (array-like of strings) checked against :class:`~qkdbounds.status.Status`."""
    arr = np.asarray(status).astype(str)
    bad = set(np.unique(arr)) - {m.value for m in Status}
    if bad:
        Status.parse(sorted(bad)[0])
    return arr


@dataclass(frozen=True, eq=False)
class RateBound(StatusField):
    """Result of :func:`~qkdbounds.rate_upper_bound` at one (visibility, leakage) point.

    Attributes
    ----------
    value : float
        The paper's bound :math:`\\frac{1}{N-1}p(?)\\,TC(A|?)` in bits (Eq. 29).
    cut_bound : float or None
        The conference-key cut bound :math:`\\max_x\\min_S \\min_\\gamma p(?)I(A_S:A_{S^c}|?)`
        (bits); ``None`` when not computed (ask with ``cut_bound=True``).
    certificate : dict
        Eve's attack (``q``, ``gamma``, ``p_question``, flags) and the honest measurements.
    method : str
        How the value was obtained (route, measurement search, minimiser).
    status : Status
        ``optimal`` (the bound is a certified zero: nothing lies below it), ``closed_form``
        (structured route) or ``certified`` (general route: Eve's attack is explicit and checked;
        her minimisation uses seeded starts and is not proven optimal).
    tolerance : float
        Absolute tolerance of ``value`` (bits); 0 for closed forms.
    route : str
        ``"structured"``, ``"general"`` or ``"search"`` (see :func:`~qkdbounds.bounds.choose_route`).
    attack_used : str or None
        The attack that achieved ``value``: ``"paper"``, ``"extended"``, ``"no_attack"`` (the
        trivial bound: Eve only keeps the leaked outcomes) or ``"intrinsic"``.
    paper_value, extended_value, no_attack_value : float or None
        The paper attack's bound (never a min with anything else), the extended attack's bound
        and the no-attack bound :math:`(1-L_u)\\,TC/(N-1)` at the same measurements (bits);
        ``None`` where not computed.
    lower_bound : float or None
        A lower bound on the key rate (bits per round) valid under ``lower_bound_method``;
        ``None`` when none applies (e.g. given non-Z bases).
    lower_bound_method : str or None
        The lower bound and its assumptions.
    verdict : str or None
        ``"no_key"``, ``"key"`` or ``"open"`` (:mod:`qkdbounds.bounds.verdict`), from
        :attr:`best` and ``lower_bound``.
    local_dim, n_parties, visibility, leakage, model, attack
        The question asked (set by the dispatcher; ``None`` on results built elsewhere).
    """

    value: float
    cut_bound: float | None
    certificate: dict = field(repr=False)
    method: str
    status: Status
    tolerance: float
    route: str = "general"
    attack_used: str | None = None
    paper_value: float | None = None
    extended_value: float | None = None
    no_attack_value: float | None = None
    lower_bound: float | None = None
    lower_bound_method: str | None = None
    verdict: str | None = None
    unit: str = "bits per round"
    local_dim: int | None = None
    n_parties: int | None = None
    visibility: float | None = None
    leakage: float | None = None
    model: str | None = None
    attack: str | None = None
    message: str = ""

    def __repr__(self) -> str:
        question = ", ".join(f"{k}={v!r}" for k, v in (
            ("d", self.local_dim), ("N", self.n_parties), ("visibility", self.visibility),
            ("leakage", self.leakage), ("model", self.model), ("attack", self.attack))
            if v is not None)
        low = "None" if self.lower_bound is None else f"{self.lower_bound:.6g}"
        cut = "" if self.cut_bound is None else f", cut_bound={self.cut_bound:.6g}"
        return (f"RateBound({question}: value={self.value:.6g} {self.unit}{cut}, "
                f"verdict={self.verdict!r}, lower_bound={low}, attack_used={self.attack_used!r}, "
                f"route={self.route!r}, status={str(self.status)!r})")

    @property
    def best(self) -> float:
        """The tightest valid bound reported: ``min(value, cut_bound)``."""
        return self.value if self.cut_bound is None else min(self.value, self.cut_bound)

    @property
    def zero_key(self) -> bool:
        """True when the bound is a certified zero (``status`` is ``optimal``)."""
        return self.status == Status.OPTIMAL


@dataclass(frozen=True, eq=False)
class RateBounds(ValueEquality):
    """Result of :func:`~qkdbounds.rate_upper_bound` on a grid of (visibility, leakage).

    All arrays have the broadcast shape of the ``visibility`` and ``leakage`` inputs.

    Attributes
    ----------
    visibility, leakage : ndarray
        The points.
    value : ndarray
        Rate upper bound in bits (Eq. 29).
    cut_bound : ndarray or None
        Conference-key cut bound (bits) where computed, else ``None``.
    status : ndarray of str
        Per point, a :class:`~qkdbounds.status.Status` value, as in :class:`RateBound`.
    certificate : dict
        Per-point arrays of the attack (``q``, ``gamma_constant_strings``, ``gamma_other_strings``,
        ``forgotten_flag_fraction``, ``p_question``) on the structured route; a list of per-point
        certificates on the general route.
    method, route : str
    tolerance : float
    attack_used : ndarray of str or None
        Per point, the attack that achieved ``value`` (see :class:`RateBound`).
    paper_value, extended_value, no_attack_value : ndarray or None
        Per point, the paper, extended and no-attack bounds at the same measurements (NaN
        where not computed).
    lower_bound : ndarray or None
        Per point, the lower bound (NaN where none applies).
    lower_bound_method : str or None
    verdict : ndarray of str or None
        Per point ``"no_key"``, ``"key"`` or ``"open"``.
    local_dim, n_parties, model, attack
        The question asked (set by the dispatcher).
    message : str
        Notes on how the values were obtained (prose; ``status`` is what code should test).

    Iterable over its points (:class:`RateBound`, flat order), indexable by flat index;
    :meth:`to_dataframe` gives one row per point.
    """

    visibility: NDArray[np.float64] = field(repr=False)
    leakage: NDArray[np.float64] = field(repr=False)
    value: NDArray[np.float64] = field(repr=False)
    cut_bound: NDArray[np.float64] | None = field(repr=False)
    status: NDArray[np.str_] = field(repr=False)
    certificate: dict = field(repr=False)
    method: str
    route: str
    tolerance: float
    attack_used: NDArray[np.str_] | None = field(default=None, repr=False)
    paper_value: NDArray[np.float64] | None = field(default=None, repr=False)
    extended_value: NDArray[np.float64] | None = field(default=None, repr=False)
    no_attack_value: NDArray[np.float64] | None = field(default=None, repr=False)
    lower_bound: NDArray[np.float64] | None = field(default=None, repr=False)
    lower_bound_method: str | None = None
    verdict: NDArray[np.str_] | None = field(default=None, repr=False)
    unit: str = "bits per round"
    local_dim: int | None = None
    n_parties: int | None = None
    model: str | None = None
    attack: str | None = None
    message: str = ""

    def __post_init__(self):
        object.__setattr__(self, "status", coerce_status_array(self.status))

    def __len__(self) -> int:
        return int(self.value.size)

    def __iter__(self):
        return (self.point(i) for i in range(len(self)))

    def __getitem__(self, index: int) -> RateBound:
        i = int(index)
        if not -len(self) <= i < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} points")
        return self.point(i % len(self))

    def __repr__(self) -> str:
        def arr(a):
            return np.array2string(np.asarray(a), precision=6, threshold=8, separator=", ")

        question = ", ".join(f"{k}={v!r}" for k, v in (
            ("d", self.local_dim), ("N", self.n_parties), ("model", self.model),
            ("attack", self.attack)) if v is not None)
        verdict = "" if self.verdict is None else f", verdict={arr(self.verdict)}"
        return (f"RateBounds({question}, shape={self.shape}: visibility={arr(self.visibility)}, "
                f"leakage={arr(self.leakage)}, value={arr(self.value)} ({self.unit}){verdict}, "
                f"route={self.route!r})")

    def table_columns(self) -> dict[str, Any]:
        """The question (scalars) and the per-point columns of :meth:`columns` (the table of
        :meth:`to_dataframe` and of the notebook view)."""
        return {**{k: v for k, v in (("local_dim", self.local_dim), ("n_parties", self.n_parties),
                                     ("model", self.model), ("attack", self.attack))},
                **{k: v for k, v in self.columns().items() if v is not None}}

    def to_dataframe(self):
        """A :class:`pandas.DataFrame` with one row per point (the columns of :meth:`columns`
        plus the question); needs pandas (``pip install 'qkdbounds[parquet]'``)."""
        return _dataframe(self.table_columns(), len(self))

    def _repr_html_(self) -> str:
        return html_table(f"RateBounds, shape {self.shape} ({self.unit})", self.table_columns(),
                          len(self))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def zero_key(self) -> NDArray[np.bool_]:
        """Boolean array: the bound is a certified zero (``status`` is ``optimal``)."""
        return self.status == Status.OPTIMAL.value

    @property
    def best(self) -> NDArray[np.float64]:
        """Pointwise ``min(value, cut_bound)``."""
        return self.value if self.cut_bound is None else np.fmin(self.value, self.cut_bound)

    def point(self, index: int) -> RateBound:
        """The :class:`RateBound` of one point (flat index), identical to the scalar call."""
        i = int(index)
        cut = None if self.cut_bound is None else float(self.cut_bound.ravel()[i])
        if "points" in self.certificate:  # general route: per-point certificates
            cert = self.certificate["points"][i]
        else:
            cert = _pick(self.certificate, i)
            if isinstance(cert.get("cut"), list):
                cert["cut"] = cert["cut"][i]
        return RateBound(float(self.value.ravel()[i]), cut, cert, self.method,
                         str(self.status.ravel()[i]), self.tolerance, self.route,
                         _item(self.attack_used, i, str), _item(self.paper_value, i),
                         _item(self.extended_value, i), _item(self.no_attack_value, i),
                         _item(self.lower_bound, i), self.lower_bound_method,
                         _item(self.verdict, i, str), self.unit, self.local_dim, self.n_parties,
                         float(np.asarray(self.visibility).ravel()[i]),
                         float(np.asarray(self.leakage).ravel()[i]), self.model, self.attack,
                         self.message)

    def columns(self) -> dict[str, Any]:
        """Flat, equal-length columns (JSON lists / CSV table)."""
        out: dict[str, Any] = {
            "visibility": self.visibility.ravel(),
            "leakage": self.leakage.ravel(),
            "rate_upper_bound": self.value.ravel(),
            "cut_bound": None if self.cut_bound is None else self.cut_bound.ravel(),
            "status": self.status.ravel(),
        }
        for key in ("attack_used", "paper_value", "extended_value", "no_attack_value",
                    "lower_bound", "verdict"):
            arr = getattr(self, key)
            if arr is not None:
                out[key] = np.asarray(arr).ravel()
        attack = self.certificate.get("attack", {})
        for key in ("q", "p_question", "gamma_constant_strings", "gamma_other_strings",
                    "forgotten_flag_fraction"):
            if isinstance(attack.get(key), np.ndarray):
                out[key] = attack[key].ravel()
        return out


class PointSequence(ValueEquality):
    """Mixin of the grid results that hold their per-point results in ``points``: iterable,
    indexable and sized over those points; :meth:`to_dataframe` and the notebook view show the
    table of ``table_columns()`` (defined by each result class)."""

    points: list

    def table_columns(self) -> dict[str, Any]:  # pragma: no cover - defined by each class
        raise NotImplementedError

    def to_dataframe(self):
        """A :class:`pandas.DataFrame`, one row per point (needs pandas)."""
        return _dataframe(self.table_columns(), len(self))

    def _repr_html_(self) -> str:
        return html_table(f"{type(self).__name__}, {len(self)} points "
                          f"({getattr(self, 'unit', 'bits per round')})", self.table_columns(),
                          len(self))

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self):
        return iter(self.points)

    def __getitem__(self, i):
        return self.points[i]


def html_table(title: str, columns: dict, n_rows: int, max_rows: int = 20) -> str:
    """An HTML table for notebooks: scalar entries of ``columns`` in the caption, per-point
    arrays as columns; more than ``max_rows`` rows show the first and last ``max_rows // 2``."""
    import html

    def cell(x) -> str:
        if isinstance(x, (float, np.floating)):
            return "" if np.isnan(x) else f"{x:.6g}"
        return html.escape(str(x))

    scalars = {k: v for k, v in columns.items() if np.ndim(v) == 0}
    arrays = {k: np.asarray(v).ravel() for k, v in columns.items() if np.ndim(v) > 0}
    rows = list(range(n_rows))
    if n_rows > max_rows:
        rows = rows[: max_rows // 2] + [None] + rows[-(max_rows // 2):]
    caption = html.escape(title) + "".join(
        f"; {html.escape(k)} = {cell(v)}" for k, v in scalars.items() if v is not None)
    head = "".join(f"<th>{html.escape(k)}</th>" for k in arrays)
    body = "".join(
        "<tr>" + ("".join(f"<td>{cell(a[i])}</td>" for a in arrays.values()) if i is not None
                  else f"<td colspan='{len(arrays)}'>&hellip;</td>") + "</tr>" for i in rows)
    return (f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _dataframe(columns: dict, n_rows: int):
    """A pandas DataFrame from equal-length columns (scalars repeated on every row)."""
    try:
        import pandas as pd
    except ImportError:
        from ..errors import InputError

        raise InputError("to_dataframe needs pandas: pip install 'qkdbounds[parquet]'") from None
    data = {k: (np.asarray(v).ravel() if np.ndim(v) else [v] * n_rows) for k, v in columns.items()}
    return pd.DataFrame(data)


def _item(arr: Any, i: int, kind: Any = float) -> Any:
    """Element ``i`` of an optional per-point array (NaN -> None for floats)."""
    if arr is None:
        return None
    x = np.asarray(arr).ravel()[i]
    if kind is float:
        x = float(x)
        return None if np.isnan(x) else x
    return kind(x)


def _pick(obj: Any, i: int) -> Any:
    """Element ``i`` of every array in a nested certificate (scalars and lists kept)."""
    if isinstance(obj, dict):
        return {k: _pick(v, i) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        x = obj.ravel()[i] if obj.ndim else obj[()]
        return str(x) if obj.dtype.kind in "US" else float(x)
    return obj
