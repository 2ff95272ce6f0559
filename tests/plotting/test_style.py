"""qkdbounds.plotting._style: saving figures."""

from __future__ import annotations

import pytest


def test_save_figure_under_a_file_is_one_input_error(tmp_path):
    # fuzzing: a stem under an existing file raised FileExistsError (from the parents' creation)
    import matplotlib.pyplot as plt

    from qkdbounds.errors import InputError
    from qkdbounds.plotting import save_figure

    (tmp_path / "r4.npy").write_bytes(b"x")
    fig, _ = plt.subplots()
    try:
        with pytest.raises(InputError, match="is not a directory"):
            save_figure(fig, tmp_path / "r4.npy" / "x")
        assert not list(tmp_path.glob("**/*.png"))
    finally:
        plt.close(fig)
