"""All node pairs of a large network on Dask (the same local cluster / ``--scheduler`` as sweeps).

Each task takes a batch of source nodes and runs :func:`qkdbounds.repeaters.network.all_pairs`
restricted to them; the results are exactly those of the serial call (same function, same
graph), gathered in the serial order.
"""

from __future__ import annotations

from collections.abc import Callable

from ..repeaters.network import PathBound, all_pairs
from ._run import _dask_client, check_scheduler_address

__all__ = ["all_pairs_distributed", "SOURCES_PER_TASK"]

#: Source nodes per task (each is one Dijkstra plus a bound per reachable target).
SOURCES_PER_TASK = 16


def _task(graph, leakage, model, sources, link_kwargs):
    return all_pairs(graph, leakage, model, sources=sources, **link_kwargs)


def all_pairs_distributed(graph, leakage: float, model: str = "uniform", *,
                          scheduler: str | None = None, n_workers: int | None = None,
                          processes: bool = True, callback: Callable[[int], None] | None = None,
                          **link_kwargs) -> list[PathBound]:
    """:func:`~qkdbounds.repeaters.network.all_pairs` with the sources spread over Dask workers.

    Parameters
    ----------
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://HOST:PORT``); default a local cluster.
    n_workers : int, optional
        Workers of the local cluster.
    """
    from distributed import as_completed

    from ..repeaters.network import check_network_question

    # every number before a cluster starts (the workers' all_pairs would only fail there)
    check_network_question(leakage, model, **link_kwargs)
    if scheduler is not None:
        scheduler = check_scheduler_address(scheduler)
    nodes = sorted(graph.nodes, key=str)
    batches = [nodes[i:i + SOURCES_PER_TASK] for i in range(0, len(nodes), SOURCES_PER_TASK)]
    results: dict[int, list[PathBound]] = {}
    with _dask_client(scheduler, n_workers, processes, 15) as (client, _used):
        graph_future = client.scatter(graph, broadcast=True)
        futures = {client.submit(_task, graph_future, leakage, model, batch, link_kwargs,
                                 pure=False): i for i, batch in enumerate(batches)}
        for future in as_completed(futures, loop=client.loop):
            results[futures[future]] = future.result()
            if callback is not None:
                callback(len(batches[futures[future]]))
    return [bound for i in range(len(batches)) for bound in results[i]]
