"""The environment: Dask and Ray import, start, run a task and stop cleanly; `logsift analyze` gives the same result on
every executor."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, generate, logsift


def test_dask_and_ray_import():
    import dask
    import distributed
    import pyarrow
    import ray

    assert dask.__version__ and distributed.__version__ and ray.__version__ and pyarrow.__version__


def test_dask_local_cluster_runs_a_task_and_shuts_down():
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    try:
        assert len(client.scheduler_info()["workers"]) == 2
        assert client.submit(lambda x: x * 2, 21).result(timeout=60) == 42
    finally:
        client.close()
        cluster.close()
    assert cluster.status.name == "closed"


def test_ray_local_instance_runs_a_task_and_shuts_down(ray_tmp):
    import ray

    ray.init(num_cpus=2, object_store_memory=100 * 1024 * 1024, include_dashboard=False, logging_level="WARNING", _temp_dir=ray_tmp)
    try:
        assert ray.cluster_resources().get("CPU") == 2

        @ray.remote
        def double(x):
            return x * 2

        assert ray.get(double.remote(21), timeout=60) == 42
    finally:
        ray.shutdown()
    assert not ray.is_initialized()


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    d = tmp_path_factory.mktemp("archive")
    generate(d / "a.log", 12_000, seed=3)
    generate(d / "b.log", 8_000, seed=4, start="2026-11-02T01:00:00Z")
    # A bad line and a line without a newline at the end of the file, at chunk edges or not.
    with open(d / "b.log", "ab") as f:
        f.write(b"\xff\xfe not utf-8\n{\"ts\":\"2026-11-02T03:00:00Z\",\"service\":\"edge\",\"msg\":\"last line\"}")
    return d


def analyze(archive, out, executor, *extra):
    # Small chunks so that every executor merges many partials; the result must not depend on how they ran.
    return logsift("analyze", "--input", str(archive / "*.log"), "--executor", executor, "--workers", "2",
                   "--chunk-bytes", "400000", "--quiet", "--output", out, *extra)


def test_analyze_gives_the_same_result_on_every_executor(archive, tmp_path, ray_tmp):
    results = {}
    for executor in ["local", "dask", "ray"]:
        out = tmp_path / f"{executor}.json"
        analyze(archive, out, executor)
        results[executor] = out.read_bytes()
    assert results["local"] == results["dask"], "dask differs from local"
    assert results["local"] == results["ray"], "ray differs from local"
    r = json.loads(results["local"])
    assert r["chunks"] > 4
    assert r["lines"] == 20_002
    assert r["records"] + r["rejected"]["total"] == r["lines"]
    assert {x["reason"] for x in r["rejected"]["byReason"]} >= {"invalid_utf8"}
    assert sum(x["count"] for x in r["byService"]) == r["records"]
    assert sum(t["count"] for t in r["templates"]["list"]) == r["records"]
    assert sum(b["count"] for b in r["timeBuckets"]["buckets"]) == r["records"]
    assert r["templates"]["total"] > 20 and r["topIps"]["list"]


def test_a_failing_chunk_is_retried_then_reported_by_name(tmp_path, ray_tmp):
    """The drivers themselves, given a chunk whose file is gone: every attempt fails, the chunk is named, exit 3."""
    good = generate(tmp_path / "good.log", 500)
    context = {"settings": {"bucketMs": 3600000, "maxKeys": 1000, "from": None, "to": None, "services": [], "defaultService": None},
               "config": _config()}
    size = good.stat().st_size
    chunks = [
        {"kind": "text", "index": 0, "name": f"{good}[0-{size})", "path": str(good), "start": 0, "end": size, "gzip": False, "receivedAt": "2026-11-02T00:00:00Z"},
        {"kind": "text", "index": 1, "name": "gone.log[0-100)", "path": str(tmp_path / "gone.log"), "start": 0, "end": 100, "gzip": False, "receivedAt": "2026-11-02T00:00:00Z"},
    ]
    (tmp_path / "plan.json").write_text(json.dumps({"context": context, "chunks": chunks}))
    for executor in ["dask", "ray"]:
        proc = subprocess.run(
            [sys.executable, "-m", "logsift_analyze", "--executor", executor, "--plan", str(tmp_path / "plan.json"), "--out", str(tmp_path / "out.json"),
             "--node", shutil.which("node"), "--cli", str(ROOT / "dist" / "analyze" / "task-main.js"), "--workers", "2", "--retries", "1"],
            cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT / "python")},
        )
        events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        assert proc.returncode == 3, proc.stderr[-3000:]
        assert {"event": "chunk_done", "index": 0} in events
        failed = [e for e in events if e["event"] == "chunk_failed"]
        assert [e["index"] for e in failed] == [1] and "gone.log" in failed[0]["error"], events
        assert not (tmp_path / "out.json").exists()


def _config():
    """The resolved config sections a task needs, as `logsift analyze` passes them."""
    script = "import('./dist/config.js').then(({ loadConfig }) => { const c = loadConfig(undefined, {}); console.log(JSON.stringify({ normalize: c.normalize, patterns: c.patterns, detect: c.detect })); })"
    return json.loads(subprocess.run(["node", "-e", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout)


def test_a_hung_task_times_out(tmp_path):
    """A node task past --task-timeout is killed and raises, so the cluster retries it and then reports it."""
    sys.path.insert(0, str(ROOT / "python"))
    from logsift_analyze.tasks import ChunkError, run_chunk

    hang = tmp_path / "hang.js"
    hang.write_text("setTimeout(() => {}, 60000);\n")
    with pytest.raises(ChunkError, match="timed out after 1 s"):
        run_chunk(shutil.which("node"), str(hang), "{}", "{}", timeout=1)


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_the_cli_names_a_failed_chunk_and_writes_no_result(tmp_path, executor):
    """Through `logsift analyze`: a corrupt .gz fails every attempt; it is named, the command fails, nothing is written."""
    generate(tmp_path / "good.log", 300)
    (tmp_path / "bad.log.gz").write_bytes(b"\x1f\x8b\x08\x00 this is not a gzip stream")
    out = tmp_path / "r.json"
    proc = logsift("analyze", "--input", tmp_path / "good.log", tmp_path / "bad.log.gz", "--executor", executor, "--retries", "1", "--output", out, check=False)
    assert proc.returncode != 0
    assert "1 of 2 chunks failed after 2 attempts" in proc.stderr, proc.stderr[-3000:]
    assert f"{tmp_path / 'bad.log.gz'}[0-" in proc.stderr
    assert not out.exists()
