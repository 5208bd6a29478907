"""Shared fixtures of the Python tests: the repository, the built CLI, generated archives, clean temporary dirs."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "bin" / "logsift.js"
NODE = shutil.which("node") or "node"

# Ray: no usage report, and its session files under a directory the tests remove (short: it holds unix sockets).
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


def logsift(*args, check=True, timeout=600, env=None, **kw):
    """Runs the logsift CLI; on failure the assertion shows its stderr."""
    proc = subprocess.run([NODE, str(CLI), *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env, **kw)
    if check:
        assert proc.returncode == 0, f"logsift {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr[-4000:]}"
    return proc


@pytest.fixture(scope="session", autouse=True)
def built():
    if not (ROOT / "dist" / "cli" / "main.js").exists():
        pytest.fail("dist/ is missing: run `bash environment/setup.sh` (or `npm run build`) first", pytrace=False)


@pytest.fixture
def ray_tmp():
    """A Ray temp root of its own (RAY_TMPDIR), removed after the test even when it fails."""
    d = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    old = os.environ.get("RAY_TMPDIR")
    os.environ["RAY_TMPDIR"] = d
    try:
        yield d
    finally:
        if old is None:
            os.environ.pop("RAY_TMPDIR", None)
        else:
            os.environ["RAY_TMPDIR"] = old
        shutil.rmtree(d, ignore_errors=True)


GENERATE = r"""
import { createGenerator } from './dist/demo/index.js';
import { writeFileSync } from 'node:fs';
const [out, lines, seed, start, rate] = process.argv.slice(1);
const gen = createGenerator({ seed: Number(seed), start: new Date(start), linesPerSecond: Number(rate), format: 'mixed' });
const parts = [];
for (let i = 0; i < Number(lines); i++) parts.push(gen.next());
writeFileSync(out, parts.join('\n') + '\n');
"""


def generate(path, lines, seed=1, start="2026-11-02T00:00:00Z", rate=20):
    """A generated archive file: the demo generator's mixed formats (JSON, logfmt, syslog, access logs, plain text)."""
    subprocess.run([NODE, "--input-type=module", "-e", GENERATE, str(path), str(lines), str(seed), start, str(rate)], cwd=ROOT, check=True, timeout=300)
    return path
