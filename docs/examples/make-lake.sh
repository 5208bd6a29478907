#!/usr/bin/env bash
# Makes a Parquet lake the way a user gets one: generated logs ingested into a real logsift server, closed days
# sealed, then `logsift export`. Usage: bash docs/examples/make-lake.sh OUT_DIR [LINES]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"
LINES="${2:-20000}"
WORK="$(mktemp -d)"
PORT="$(( 20000 + RANDOM % 20000 ))"
SERVER=""
cleanup() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT
cd "$ROOT"
# Timestamps from 3 days ago over about 2 days: the closed days are sealed into Parquet partitions.
node --input-type=module -e "
import { writeNdjsonFile } from './dist/demo/index.js';
await writeNdjsonFile(process.argv[1], Number(process.argv[2]), { seed: 5, start: new Date(Date.now() - 3 * 86400000), linesPerSecond: Number(process.argv[2]) / 1000000 });
" "$WORK/logs.ndjson" "$LINES"
node bin/logsift.js serve --data-dir "$WORK/data" --port "$PORT" > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  if node -e "fetch('http://127.0.0.1:$PORT/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then break; fi
  sleep 0.2
done
node bin/logsift.js ingest "$WORK/logs.ndjson" --url "http://127.0.0.1:$PORT" --quiet
# Acknowledged records reach the store within wal.flushIntervalMs; wait until all are queryable, then seal and export.
for _ in $(seq 1 100); do
  N="$(node bin/logsift.js query '* | stats count() as n' --json --url "http://127.0.0.1:$PORT" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);console.log(j.rows?.[0]?.n ?? 0)})")"
  if [ "$N" -ge "$LINES" ]; then break; fi
  sleep 0.3
done
node bin/logsift.js export --out "$OUT" --data-dir "$WORK/data" --url "http://127.0.0.1:$PORT"
