#!/usr/bin/env node
// Entry point of the `logsift` executable; the CLI itself is compiled TypeScript under dist/.
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('logsift: not built yet; run `npm ci && npm run build` first');
  } else {
    console.error(err);
  }
  process.exit(1);
});
