// Wording shared by detectors' descriptions.
import type { DetectContext } from './detector.js';

/** A template as a description names it: its text when the miner knows it (cut to 200 characters), else its id. */
export function quote(ctx: DetectContext, id: string | undefined): string {
  if (id === undefined) return 'of no single kind';
  const text = ctx.templateText(id);
  return text === undefined ? `template ${id}` : `"${text.length > 200 ? `${text.slice(0, 200)}…` : text}" (template ${id})`;
}
