"""The work a cluster task does: run the logsift CLI on one chunk, or on two partials to merge."""
import subprocess

# Error output kept in an exception: enough to see the cause, bounded.
MAX_ERROR_CHARS = 2000


class ChunkError(RuntimeError):
    """A chunk or merge task whose node process failed."""


def _run(node, cli, command, payload, timeout=None):
    try:
        proc = subprocess.run(
            [node, cli, command],
            input=payload.encode("utf-8"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            check=False,
            timeout=timeout or None,
        )
    except subprocess.TimeoutExpired:
        raise ChunkError(f"logsift {command} timed out after {timeout} s (--task-timeout)") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()[-MAX_ERROR_CHARS:]
        raise ChunkError(f"logsift {command} exited with code {proc.returncode}: {err}")
    return proc.stdout.decode("utf-8")


def run_chunk(node, cli, context_json, chunk_json, timeout=None):
    """The partial result (JSON text) of one chunk."""
    return _run(node, cli, "chunk", context_json[:-1] + ',"chunk":' + chunk_json + "}", timeout)


def run_merge(node, cli, context_json, a, b, timeout=None):
    """Two partials (JSON text, earlier chunks first) merged by the engine."""
    return _run(node, cli, "merge", context_json[:-1] + ',"partials":[' + a + "," + b + "]}", timeout)


def merge_tree(items, merge):
    """Pairs items 2i and 2i+1 level by level (an odd last one goes up as is): the shape depends only on len(items)."""
    level = list(items)
    while len(level) > 1:
        level = [merge(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0] if level else None
