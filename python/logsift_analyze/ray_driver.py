"""The Ray driver: one task per chunk on a Ray cluster (an existing one, or a local instance), tree merge."""
import ray

from .tasks import merge_tree, run_chunk, run_merge


def run(args, context, chunks, emit):
    if args.address:
        ray.init(address=args.address, logging_level="WARNING", log_to_driver=False)
    else:
        ray.init(
            num_cpus=args.workers,
            object_store_memory=args.object_store_mb * 1024 * 1024,
            include_dashboard=False,
            logging_level="WARNING",
            log_to_driver=False,
        )
    try:
        chunk_task = ray.remote(num_cpus=1, max_retries=args.retries, retry_exceptions=True)(run_chunk)
        merge_task = ray.remote(num_cpus=1, max_retries=args.retries, retry_exceptions=True)(run_merge)
        refs = [chunk_task.remote(args.node, args.cli, context, c, args.task_timeout) for c in chunks]
        index = {r: i for i, r in enumerate(refs)}
        failed = []
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for r in done:
                i = index[r]
                try:
                    ray.get(r)
                    emit("chunk_done", index=i)
                except Exception as e:  # a task that failed every attempt: reported by name, never dropped
                    failed.append(i)
                    emit("chunk_failed", index=i, error=str(e).strip().splitlines()[-1] if str(e).strip() else repr(e))
        if failed:
            return None, failed
        root = merge_tree(refs, lambda a, b: merge_task.remote(args.node, args.cli, context, a, b, args.task_timeout))
        return (ray.get(root) if root is not None else None), []
    finally:
        ray.shutdown()
