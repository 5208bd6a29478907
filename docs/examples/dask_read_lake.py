"""Reads a Parquet lake that `logsift export` wrote with dask.dataframe.read_parquet, and prints a summary as JSON.

    .venv/bin/python docs/examples/dask_read_lake.py LAKE_DIR [--address tcp://scheduler:8786] [--service api]

The lake is Hive-partitioned (date=YYYY-MM-DD/service=NAME/part-*.parquet): `date` and `service` become columns, and
filters on them skip whole directories. Without --address a LocalCluster of 2 workers runs it.
"""
import argparse
import json

import dask.dataframe as dd
from dask.distributed import Client, LocalCluster


def summarize(lake, services=None):
    filters = [("service", "in", services)] if services else None
    # `service` comes from the directory names (percent-escaped by DuckDB, decoded by pyarrow).
    df = dd.read_parquet(lake, filters=filters)
    by_service = df.groupby("service", observed=True).size().compute()
    by_level = df.groupby("level").size().compute()
    errors = df[df.level.isin(["ERROR", "FATAL"])]
    errors_per_hour = errors.assign(hour=errors.timestamp.dt.floor("h")).groupby("hour").size().compute()
    top_ips = df.ip_address.dropna().value_counts().nlargest(5).compute()
    return {
        "records": int(by_service.sum()),
        "by_service": {str(k): int(v) for k, v in sorted(by_service.items())},
        "by_level": {str(k): int(v) for k, v in sorted(by_level.items())},
        "error_hours": len(errors_per_hour),
        "top_ips": {str(k): int(v) for k, v in top_ips.items()},
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lake")
    p.add_argument("--address", help="an existing Dask scheduler; default: a LocalCluster of 2 workers")
    p.add_argument("--service", action="append", help="only these services (prunes service= directories)")
    args = p.parse_args()
    cluster = None if args.address else LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    client = Client(args.address or cluster)
    try:
        print(json.dumps(summarize(args.lake, args.service), indent=1))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":  # the process-based LocalCluster imports this module in its workers
    main()
