"""Reads a Parquet lake that `logsift export` wrote with Ray Data's read_parquet, and prints a summary as JSON.

    .venv/bin/python docs/examples/ray_read_lake.py LAKE_DIR [--address ray://head:10001 | auto]

Ray Data reads the Hive partitions (date=YYYY-MM-DD/service=NAME) as columns. Without --address a local Ray instance
starts with 2 CPUs, a 100 MB object store and no dashboard (fit for a container with a small /dev/shm).
"""
import argparse
import json
import os

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

import ray  # noqa: E402


def summarize(lake):
    ds = ray.data.read_parquet(lake, partitioning=ray.data.datasource.Partitioning("hive"))
    by_service = {r["service"]: r["count()"] for r in ds.groupby("service").count().take_all()}
    by_level = {r["level"]: r["count()"] for r in ds.groupby("level").count().take_all()}
    errors = ds.filter(expr="level == 'ERROR' or level == 'FATAL'").count()
    return {
        "records": int(sum(by_service.values())),
        "by_service": {str(k): int(v) for k, v in sorted(by_service.items())},
        "by_level": {str(k): int(v) for k, v in sorted(by_level.items())},
        "errors": int(errors),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lake")
    p.add_argument("--address", help="an existing Ray cluster; default: a local instance")
    args = p.parse_args()
    if args.address:
        ray.init(address=args.address, logging_level="WARNING")
    else:
        ray.init(num_cpus=2, object_store_memory=100 * 1024 * 1024, include_dashboard=False, logging_level="WARNING")
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False
        print(json.dumps(summarize(os.path.abspath(args.lake)), indent=1))
    finally:
        ray.shutdown()


if __name__ == "__main__":
    main()
