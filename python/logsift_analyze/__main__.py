"""`python -m logsift_analyze`: run a logsift analysis plan on Dask or Ray. Spawned by `logsift analyze --executor`.

stdout carries one JSON event per line (chunk_done, chunk_failed, merged) for logsift's progress bar;
the merged partial result is written to --out. Exit 0 on success, 3 when chunks failed (each was reported), 1 otherwise.
"""
import argparse
import json
import os
import sys

from .tasks import merge_tree


def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def parse_args(argv):
    p = argparse.ArgumentParser(prog="logsift_analyze", description=__doc__)
    p.add_argument("--executor", choices=["dask", "ray"], required=True)
    p.add_argument("--plan", required=True, help="JSON file: {context, chunks}")
    p.add_argument("--out", required=True, help="where the merged partial (JSON) is written")
    p.add_argument("--node", required=True, help="the node executable on the workers")
    p.add_argument("--cli", required=True, help="dist/analyze/task-main.js on the workers")
    p.add_argument("--address", default=None, help="Dask scheduler or Ray cluster address; none starts a local one")
    p.add_argument("--workers", type=int, default=2, help="workers of a local cluster")
    p.add_argument("--retries", type=int, default=2, help="attempts after the first per chunk")
    p.add_argument("--task-timeout", type=float, default=3600, help="seconds a chunk or merge attempt may run (0: no limit)")
    p.add_argument("--object-store-mb", type=int, default=100, help="object store of a local Ray instance")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with open(args.plan, encoding="utf-8") as f:
        plan = json.load(f)
    # Compact JSON texts: the context is pasted into every task's stdin by string concatenation.
    context = json.dumps(plan["context"], separators=(",", ":"))
    chunks = [json.dumps(c, separators=(",", ":")) for c in plan["chunks"]]
    if args.executor == "dask":
        from .dask_driver import run
    else:
        from .ray_driver import run
    merged, failed = run(args, context, chunks, emit)
    if failed:
        return 3
    if merged is None:
        # No chunks: the engine's empty partial comes from a merge of nothing.
        from .tasks import _run
        merged = _run(args.node, args.cli, "merge", context[:-1] + ',"partials":[]}')
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(merged)
    emit("merged")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    sys.exit(main())
