"""docs/examples on a lake that logsift produced (serve, ingest, export): Dask and Ray read it, and count what
`logsift analyze` counts on the same lake."""
import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, logsift

EXAMPLES = ROOT / "docs" / "examples"


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    d = tmp_path_factory.mktemp("lake")
    proc = subprocess.run(["bash", str(EXAMPLES / "make-lake.sh"), str(d / "lake"), "6000"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert list((d / "lake").glob("date=*/service=*/*.parquet")), "logsift exported no Parquet files"
    yield d / "lake"
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def analyzed(lake, tmp_path_factory):
    out = tmp_path_factory.mktemp("analyzed") / "r.json"
    logsift("analyze", "--input", lake, "--quiet", "--output", out)
    return json.loads(out.read_text())


def run_example(name, *args):
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)


def test_dask_reads_the_lake(lake, analyzed):
    r = run_example("dask_read_lake.py", lake)
    assert r["records"] == analyzed["records"] == 6000
    assert r["by_service"] == {x["service"]: x["count"] for x in analyzed["byService"]}
    assert r["by_level"] == {x["level"]: x["count"] for x in analyzed["byLevel"]}


def test_dask_prunes_services(lake, analyzed):
    service = analyzed["byService"][0]["service"]
    r = run_example("dask_read_lake.py", lake, "--service", service)
    assert r["by_service"] == {service: analyzed["byService"][0]["count"]}


def test_ray_data_reads_the_lake(lake, analyzed, ray_tmp):
    r = run_example("ray_read_lake.py", lake)
    assert r["records"] == analyzed["records"]
    assert r["by_service"] == {x["service"]: x["count"] for x in analyzed["byService"]}
    assert r["errors"] == sum(x["count"] for x in analyzed["byLevel"] if x["level"] in ("ERROR", "FATAL"))


def test_analyze_reads_the_lake_the_same_on_every_executor(lake, analyzed, tmp_path, ray_tmp):
    """Lake chunks (one per partition file, read with DuckDB in the node task) give the same bytes on Dask and Ray."""
    local = tmp_path / "local.json"
    logsift("analyze", "--input", lake, "--quiet", "--output", local)
    for executor in ["dask", "ray"]:
        out = tmp_path / f"{executor}.json"
        logsift("analyze", "--input", lake, "--executor", executor, "--quiet", "--output", out)
        assert out.read_bytes() == local.read_bytes(), f"{executor} differs from local on the lake"
    assert json.loads(local.read_text())["chunks"] == len(list(lake.glob("date=*/service=*/*.parquet")))
