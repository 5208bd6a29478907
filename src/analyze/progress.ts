// The progress bar of `logsift analyze` on stderr: chunks done of the total; silent when not a terminal or --quiet.

export interface Progress { done(failed?: boolean): void; retry(name: string, attempt: number, error: string): void; end(): void }

export function createProgress(total: number, opts: { quiet: boolean; stream?: NodeJS.WriteStream }): Progress {
  const out = opts.stream ?? process.stderr;
  const live = !opts.quiet && out.isTTY === true;
  let done = 0, failed = 0;
  const t0 = Date.now();
  const draw = () => {
    if (!live) return;
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} chunks${failed ? `, ${failed} failed` : ''} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  draw();
  return {
    done(f = false) { done++; if (f) failed++; draw(); },
    // Retries are worth a line even without a terminal: a flaky chunk should be visible in CI logs.
    retry(name, attempt, error) { if (!opts.quiet) out.write(`${live ? '\n' : ''}analyze: chunk ${name} failed (attempt ${attempt}): ${error}; retrying\n`); draw(); },
    end() { if (live) out.write('\n'); },
  };
}
