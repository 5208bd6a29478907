"""The Dask driver: one task per chunk on a Dask cluster (an existing scheduler, or a LocalCluster), tree merge."""
from dask.distributed import Client, LocalCluster, as_completed

from .tasks import merge_tree, run_chunk, run_merge


def run(args, context, chunks, emit):
    cluster = None
    if args.address:
        client = Client(args.address)
    else:
        # One single-threaded worker process per chunk slot: each task is a node process anyway.
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = [
            client.submit(run_chunk, args.node, args.cli, context, c, args.task_timeout, key=f"logsift-chunk-{i}", retries=args.retries, pure=False)
            for i, c in enumerate(chunks)
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        failed = []
        for f in as_completed(futures):
            i = index[f.key]
            if f.status == "error":
                failed.append(i)
                emit("chunk_failed", index=i, error=str(f.exception()))
            else:
                emit("chunk_done", index=i)
        if failed:
            return None, failed
        counter = iter(range(len(futures)))

        def merge(a, b):
            return client.submit(run_merge, args.node, args.cli, context, a, b, args.task_timeout, key=f"logsift-merge-{next(counter)}", retries=args.retries, pure=False)

        root = merge_tree(futures, merge)
        return (root.result() if root is not None else None), []
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
