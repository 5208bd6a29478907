// Runs the Python tests (tests/) with the repository's venv (or LOGSIFT_PYTHON); extra args go to pytest.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const python = process.env.LOGSIFT_PYTHON ?? '.venv/bin/python';
if (!existsSync(python)) {
  console.error(`run-pytest: ${python} does not exist: run \`bash environment/setup.sh\` first (it makes .venv with environment/requirements.txt)`);
  process.exit(1);
}
const r = spawnSync(python, ['-m', 'pytest', '-q', 'tests', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, RAY_USAGE_STATS_ENABLED: '0' } });
process.exit(r.status ?? 1);
