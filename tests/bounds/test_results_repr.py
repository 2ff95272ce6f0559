"""Results say what they answer (issue 22, item 2): the question in the repr, array results
iterable and convertible to a DataFrame."""

import numpy as np
import pytest

from qkdbounds import rate_upper_bound


def test_rate_bound_repr_shows_question_and_answer():
    r = rate_upper_bound(2, 2, 0.9, 0.1)
    text = repr(r)
    for part in ("d=2", "N=2", "visibility=0.9", "leakage=0.1", "model='uniform'",
                 "attack='best'", "value=0.584787 bits per round", "verdict='key'",
                 "attack_used='extended'", "route='structured'"):
        assert part in text, (part, text)


def test_rate_bounds_iterable_indexable_and_points_equal_scalar_calls():
    v = np.array([0.5, 0.8, 1.0])
    res = rate_upper_bound(2, 2, v, 0.2, attack="paper")
    points = list(res)
    assert len(points) == len(res) == 3
    for vi, p in zip(v, points):
        scalar = rate_upper_bound(2, 2, vi, 0.2, attack="paper")
        assert p.value == scalar.value and p.visibility == vi and p.attack == "paper"
        assert p.verdict == scalar.verdict
    assert res[-1].visibility == 1.0
    with pytest.raises(IndexError):
        res[3]
    text = repr(res)
    assert "shape=(3,)" in text and "value=[" in text and "verdict=[" in text


def test_to_dataframe_has_one_row_per_point():
    res = rate_upper_bound(3, 2, np.array([0.6, 0.9]), np.array([[0.0], [0.1]]))
    frame = res.to_dataframe()
    assert len(frame) == 4
    assert list(frame["local_dim"]) == [3] * 4
    assert np.allclose(frame["rate_upper_bound"], res.value.ravel())
    assert list(frame["verdict"]) == list(res.verdict.ravel())


def test_source_and_data_grids_to_dataframe():
    from qkdbounds.bounds.data_bound import data_rate_upper_bound
    from qkdbounds.bounds.source_bound import source_rate_upper_bound
    from qkdbounds.states.two_qubit import werner_state

    src = source_rate_upper_bound(werner_state(0.9), [0.0, 0.1], lower_bound=False,
                                  measurements="Z")
    frame = src.to_dataframe()
    assert list(frame["leakage"]) == [0.0, 0.1]
    assert np.allclose(frame["rate_upper_bound"], src.value)
    data = data_rate_upper_bound("six-state", qber_z=0.05, qber_x=0.05, qber_y=0.05,
                                 leakage=[0.0, 0.2])
    frame = data.to_dataframe()
    assert list(frame["verdict"]) == list(data.verdict) and set(frame["protocol"]) == {"six-state"}


def test_notebook_view_is_a_table_of_the_points():
    from qkdbounds.bounds.source_bound import source_rate_upper_bound
    from qkdbounds.states.two_qubit import werner_state

    res = rate_upper_bound(2, 2, np.linspace(0.5, 1.0, 30), 0.1)
    html = res._repr_html_()
    assert html.startswith("<table>") and "<th>rate_upper_bound</th>" in html
    assert "local_dim = 2" in html and "bits per round" in html
    assert html.count("<tr>") == 1 + 20 + 1          # header, 10 + 10 rows, the ellipsis row
    assert f"{res.value[0]:.6g}" in html and f"{res.value[-1]:.6g}" in html
    small = rate_upper_bound(2, 2, np.array([0.6, 0.9]), 0.1)._repr_html_()
    assert small.count("<tr>") == 1 + 2 and "&hellip;" not in small
    src = source_rate_upper_bound(werner_state(0.9), [0.0, 0.1], lower_bound=False,
                                  measurements="Z")._repr_html_()
    assert "<th>leakage</th>" in src and src.count("<tr>") == 3


def test_status_is_an_enum_with_the_prose_in_message():
    from qkdbounds.status import Status

    closed = rate_upper_bound(2, 2, 0.9, 0.1)
    zero = rate_upper_bound(2, 2, 0.3, 0.1)
    assert closed.status is Status.CLOSED_FORM and zero.status is Status.OPTIMAL and zero.zero_key
    assert isinstance(closed.message, str)
    general = rate_upper_bound(2, 2, 0.9, 0.1, measurements="search")
    assert general.status in (Status.CERTIFIED, Status.OPTIMAL) and general.message
    with pytest.raises(ValueError, match="status must be one of"):
        import dataclasses

        dataclasses.replace(closed, status="ok: a sentence")


def test_link_result_repr_shows_question_value_unit_and_verdict():
    from qkdbounds.repeaters.link_bounds import link_key_bound
    from qkdbounds.repeaters.links import isotropic_weights

    text = repr(link_key_bound(isotropic_weights(0.9, 2), 0.1))
    for part in ("d=2", "leakage=0.1", "value=0.584787 bits per delivered pair",
                 "verdict='key'", "route='isotropic'", "status='closed_form'"):
        assert part in text, (part, text)
    assert "verdict='no_key'" in repr(link_key_bound(isotropic_weights(0.3, 2), 0.1))


def test_di_result_repr_and_json_carry_the_question_and_verdict():
    from qkdbounds.di.bell_data import bell_box
    from qkdbounds.di.region import di_attack_bound

    point = di_attack_bound(bell_box(eta_a=0.95), 0.1, n_starts=0, maxfev=20)
    text = repr(point)
    for part in ("eta_a=0.95", "visibility=1", "leakage=0.1", "bits per key round",
                 "verdict='key'"):
        assert part in text, (part, text)
    assert point.to_dict()["verdict"] == "key" and point.lower_bound > 0
    # no CHSH violation at eta = 0.8: every bound is 0 and the verdict says so
    assert di_attack_bound(bell_box(eta_a=0.8), 0.0, n_starts=0, maxfev=20).verdict == "no_key"


def test_results_compare_by_content_and_return_a_bool():
    """API audit (session 35): `r1 == r2` raised "truth value of an array is ambiguous" for
    results holding arrays (the generated dataclass __eq__); results now compare their fields
    (arrays entry by entry, NaN equal to NaN) and are unhashable, like the arrays they hold."""
    import qkdbounds as qb
    from qkdbounds.repeaters import simulate_chain

    a = qb.source_rate_upper_bound(qb.werner_state(0.9), 0.1, measurements="Z")
    b = qb.source_rate_upper_bound(qb.werner_state(0.9), 0.1, measurements="Z")
    assert (a == b) is True and a in [b] and not (a != b)
    assert qb.rate_upper_bound(2, 2, [0.5, 0.9], 0.1) == qb.rate_upper_bound(2, 2, [0.5, 0.9], 0.1)
    assert qb.rate_upper_bound(2, 2, [0.5, 0.9], 0.1) != qb.rate_upper_bound(2, 2, [0.5, 0.8], 0.1)
    assert qb.rate_upper_bound(2, 2, 0.9, 0.1) != qb.rate_upper_bound(2, 2, 0.8, 0.1)
    assert simulate_chain([0.9, 0.9]) == simulate_chain([0.9, 0.9])
    assert (qb.rate_upper_bound(2, 2, 0.9, 0.1) == 0.5) is False
    with pytest.raises(TypeError):
        hash(qb.rate_upper_bound(2, 2, 0.9, 0.1))
