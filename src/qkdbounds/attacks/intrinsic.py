r"""Intrinsic-information minimiser: :math:`\min_{W} I(A_1\ldots A_N|\bar e)` over channels.

For a joint distribution :math:`P(\vec a, e)` with finite :math:`e`, the intrinsic information
(paper 1, Eq. 2; Maurer and Wolf, IEEE TIT 45, 499 (1999)) is the infimum over channels
:math:`W(\bar e|e)` of :math:`I(A|\bar E)`.  Christandl, Renner and Wolf (ISIT 2003) show that an
output alphabet of size :math:`|E|` suffices; the size used is reported.

Method.  With :math:`m_{\bar e} = \sum_e W(\bar e|e)P(\cdot,e)` the objective is
:math:`\sum_{\bar e} G(m_{\bar e})` (mass-weighted multi-information, see
:func:`qkdbounds.info.group_information_measure`), whose gradient by the envelope theorem is
:math:`\partial G/\partial m(\vec a) = \log(m(\vec a)/(M\pi(\vec a)))` with :math:`\pi` the
product of the marginals.  We minimise over softmax-parametrised channels with L-BFGS-B from
(i) caller-supplied channels (e.g. the extended CC attack, so the result is never worse),
(ii) the identity and the constant channel, (iii) seeded random channels, and (iv) when
:math:`|E| \le 8`, every deterministic merge of the labels (all set partitions) — exhaustive over
deterministic channels.  Labels with identical conditional distributions are merged first
(lossless: merging equal conditionals leaves :math:`I(A|E)` unchanged).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from ..errors import InputError, check_rng
from ..info.entropy import group_information_measure
from .eve import reference_product
from ..status import Status

__all__ = ["IntrinsicSolution", "minimize_intrinsic", "merge_identical_labels", "set_partitions"]

#: Exhaustive deterministic search up to this many (merged) labels (Bell number B(8) = 4140).
MAX_EXHAUSTIVE_LABELS = 8
LOGIT_CLIP = 30.0
#: An improvement of Eve's value (bits) below this does not count for the early stop.
IMPROVE_TOL = 1e-9


@dataclass(frozen=True)
class IntrinsicSolution:
    """Best channel found and :math:`I(A|\\bar E)` (bits, mass-weighted: :math:`\\sum p(\\bar e) I`)."""

    value: float
    channel: NDArray[np.float64] = field(repr=False)  # W[e, e_bar], rows sum to 1
    n_outputs: int
    method: str
    status: Status
    labels_after_merge: int
    label_map: NDArray[np.int64] = field(repr=False)


def merge_identical_labels(joint: NDArray, decimals: int = 12) -> tuple[NDArray, NDArray]:
    """Merge labels whose conditional distributions agree to ``decimals``; drop empty labels.

    Returns the merged joint and ``label_map[e] -> merged index`` (-1 for empty labels).
    """
    flat = joint.reshape(joint.shape[0], -1)
    mass = flat.sum(axis=1)
    keys, rows, label_map = {}, [], np.full(len(flat), -1, dtype=np.int64)
    for e, (row, w) in enumerate(zip(flat, mass)):
        if w <= 0:
            continue
        key = np.round(row / w, decimals).tobytes()
        if key not in keys:
            keys[key] = len(rows)
            rows.append(np.zeros_like(row))
        rows[keys[key]] += row
        label_map[e] = keys[key]
    return np.stack(rows).reshape((len(rows),) + joint.shape[1:]), label_map


def set_partitions(n: int):
    """All set partitions of ``range(n)`` as label assignments (restricted growth strings)."""
    a = [0] * n

    def rec(i, k):
        if i == n:
            yield tuple(a)
            return
        for j in range(k + 1):
            a[i] = j
            yield from rec(i + 1, max(k, j + 1))

    if n == 0:
        yield ()
    else:
        yield from rec(1, 1)


def _value_and_grad(w, flat, shape, groups):
    m = w.T @ flat  # (k, A)
    value, grad_m = 0.0, np.zeros_like(m)
    for j, row in enumerate(m):
        mass = row.sum()
        if mass <= 1e-280:  # an (almost) unused output carries no information and no gradient
            continue
        mj = row.reshape(shape)
        value += group_information_measure(mj, groups) * np.log(2)
        ref = np.maximum(reference_product(mj, groups).ravel(), 1e-300)
        pos = row > 0
        g = np.full(row.shape, -LOGIT_CLIP)
        g[pos] = np.log(row[pos]) - np.log(mass) - np.log(ref[pos])
        grad_m[j] = g
    return value, flat @ grad_m.T  # dV/dW[e, j] = sum_a P[e, a] g[j, a]


def _objective(z, flat, shape, groups, k):
    z = z.reshape(len(flat), k)
    z = z - z.max(axis=1, keepdims=True)
    w = np.exp(z)
    w /= w.sum(axis=1, keepdims=True)
    value, gw = _value_and_grad(w, flat, shape, groups)
    gz = w * (gw - np.sum(w * gw, axis=1, keepdims=True))
    return value, gz.ravel()


def _channel_value(w, flat, shape, groups):
    m = w.T @ flat
    return float(sum(group_information_measure(row.reshape(shape), groups) for row in m))


def minimize_intrinsic(
    joint: NDArray,
    groups: Sequence[Sequence[int]] | None = None,
    *,
    n_outputs: int | None = None,
    start_channels: Sequence[NDArray] = (),
    n_random: int = 4,
    rng: np.random.Generator | None = None,
    merge: bool = True,
    patience: int | None = 2,
) -> IntrinsicSolution:
    r"""Minimise :math:`\sum_{\bar e}p(\bar e)I(A|\bar e)` over channels :math:`e\to\bar e`.

    Parameters
    ----------
    joint : ndarray, shape ``(E, d_1, ..., d_N)``
        :math:`P(e, \vec a)` (any non-negative measure).
    groups : partition of the parties, default singletons (total correlation).
    n_outputs : int, optional
        Output alphabet size (default: number of labels after merging, sufficient by
        Christandl-Renner-Wolf).
    start_channels : list of ndarray ``(E, n_outputs)``
        Channels on the *original* labels to start from (e.g. an attack's processing).
    patience : int or None
        Stop after this many consecutive starts that improve on the best value by no more than
        :data:`IMPROVE_TOL` bits (the method string says so); ``None`` runs every start.
    """
    joint = np.asarray(joint, dtype=float)
    if joint.ndim < 3 or np.any(joint < 0) or not np.all(np.isfinite(joint)):
        raise InputError("joint must be a finite non-negative array of shape (E, d_1, ..., d_N), N >= 2")
    shape = joint.shape[1:]
    if groups is None:
        groups = [[i] for i in range(len(shape))]
    rng = check_rng("rng", rng)
    orig_e = joint.shape[0]
    if merge:
        merged, label_map = merge_identical_labels(joint)
    else:
        merged, label_map = joint, np.arange(orig_e)
    e = merged.shape[0]
    k = e if n_outputs is None else int(n_outputs)
    if k < 1:
        raise InputError(f"n_outputs must be >= 1, got {k}")
    flat = merged.reshape(e, -1)
    candidates = []

    def lift(w_orig):
        # a channel on the original labels -> on merged labels (mass-weighted average of rows)
        w = np.zeros((e, w_orig.shape[1]))
        mass = joint.reshape(orig_e, -1).sum(axis=1)
        for i, j in enumerate(label_map):
            if j >= 0:
                w[j] += mass[i] * w_orig[i]
        return w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)

    starts = []
    for w0 in start_channels:
        w0 = lift(np.asarray(w0, dtype=float))
        if w0.shape[1] == k:
            starts.append(w0)
            candidates.append((_channel_value(w0, flat, shape, groups), w0, "start"))
    if k >= e:
        starts.append(np.eye(e, k))
    starts.append(np.eye(k)[np.zeros(e, dtype=int)])
    for _ in range(n_random):
        starts.append(rng.dirichlet(np.ones(k), size=e))
    # Warm start first (the caller's channels, e.g. the extended attack); then the generic
    # starts.  Stop once ``patience`` consecutive starts improve on the best by no more than
    # IMPROVE_TOL bits, and say so in the method.
    best_so_far, idle, used = min((c[0] for c in candidates), default=np.inf), 0, 0
    stopped = False
    for w0 in starts:
        z0 = np.log(np.clip(w0, np.exp(-LOGIT_CLIP), None)).ravel()
        res = minimize(_objective, z0, args=(flat, shape, groups, k), jac=True, method="L-BFGS-B",
                       options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-10})
        z = res.x.reshape(e, k)
        w = np.exp(z - z.max(axis=1, keepdims=True))
        w /= w.sum(axis=1, keepdims=True)
        value_w = _channel_value(w, flat, shape, groups)
        candidates.append((value_w, w, "lbfgsb"))
        used += 1
        if value_w < best_so_far - IMPROVE_TOL:
            best_so_far, idle = value_w, 0
        else:
            idle += 1
        if patience is not None and idle >= patience and used < len(starts):
            stopped = True
            break
    exhaustive = e <= MAX_EXHAUSTIVE_LABELS
    if exhaustive:
        for assign in set_partitions(e):
            if max(assign) + 1 > k:
                continue
            w = np.eye(k)[list(assign)]
            candidates.append((_channel_value(w, flat, shape, groups), w, "deterministic"))
    value, w, how = min(candidates, key=lambda c: c[0])
    # channel on the original labels
    w_orig = np.zeros((orig_e, k))
    for i, j in enumerate(label_map):
        w_orig[i] = w[j] if j >= 0 else np.eye(k)[0]
    method = (f"L-BFGS-B on softmax channels from {used} of {len(starts)} starts"
              + (f" (stopped: {patience} consecutive starts improved by <= {IMPROVE_TOL:g} bits)"
                 if stopped else "")
              + (f" + exhaustive deterministic merges of {e} labels" if exhaustive else "")
              + f"; output alphabet {k}; best from {how}")
    return IntrinsicSolution(max(value, 0.0), w_orig, k, method, Status.CERTIFIED, e, label_map)
