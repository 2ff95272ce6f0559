"""``python -m qkdbounds.cli``: same as the ``qkdbounds`` command."""

from .main import run

# The guard matters: Dask's spawned worker processes re-import the main module.
if __name__ == "__main__":
    run()
