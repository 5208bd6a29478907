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
  volume: () => createVolumeDetector(),
  error_rate: () => createErrorRateDetector(),
  new_template: () => createNewTemplateDetector(),
  silence: () => createSilenceDetector(),
  rare_burst: () => createRareBurstDetector(),
  brute_force: () => createBruteForceDetector(),
  latency: () => createLatencyDetector(),
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
