// Detectors by config type: the composition root builds the enabled ones from this map.
import type { Detector } from './detector.js';
import { createErrorRateDetector } from './error-rate.js';
import { createNewTemplateDetector } from './new-template.js';
import { createVolumeDetector } from './volume.js';
import { createSilenceDetector } from './silence.js';
import { createRareBurstDetector } from './rare-burst.js';
import { createBruteForceDetector } from './brute-force.js';
import { createLatencyDetector } from './latency.js';
import { createSessionDetector } from './session.js';
import type { Config } from '../config.js';
import type { RuntimeOptions } from './runtime.js';
import { sessionKeyExtractor } from './session-key.js';

type DetectConfig = Config['detect'];

export const detectors = {
  volume: (c: DetectConfig) => createVolumeDetector(c.tuning.volume),
  error_rate: (c: DetectConfig) => createErrorRateDetector(c.tuning.error_rate),
  new_template: (c: DetectConfig) => createNewTemplateDetector(c.tuning.new_template),
  silence: (c: DetectConfig) => createSilenceDetector(c.tuning.silence),
  rare_burst: (c: DetectConfig) => createRareBurstDetector(c.tuning.rare_burst),
  brute_force: (c: DetectConfig) => createBruteForceDetector(c.tuning.brute_force),
  latency: (c: DetectConfig) => createLatencyDetector(c.tuning.latency),
  session: (c: DetectConfig) => createSessionDetector(c.sessions),
} satisfies Record<string, (c: DetectConfig) => Detector>;

/** The enabled detectors, built from the `detect` section (the session key is checked here: a bad one fails start). */
export function buildDetectors(c: DetectConfig): Detector[] {
  sessionKeyExtractor(c.sessions);
  return c.detectors.map((t) => detectors[t](c));
}

/** The runtime's options from the `detect` section. */
export function runtimeOptions(c: DetectConfig): Partial<RuntimeOptions> {
  return {
    windowMs: c.windowMs, allowedLatenessMs: c.allowedLatenessMs, resolveAfterWindows: c.resolveAfterWindows,
    sessionTimeoutMs: c.sessions.timeoutMs, maxOpenSessions: c.sessions.maxOpen, maxSessionEvents: c.sessions.maxEvents, sessionsHaveEnd: c.sessions.endPattern !== null,
  };
}

export type DetectorType = keyof typeof detectors;
export const DETECTOR_TYPES = Object.keys(detectors) as DetectorType[];
