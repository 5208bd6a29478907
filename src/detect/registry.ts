// Detectors by config type: the composition root builds the enabled ones from this map.
import type { Detector } from './detector.js';
import { createErrorRateDetector } from './error-rate.js';
import { createNewTemplateDetector } from './new-template.js';
import { createVolumeDetector } from './volume.js';
import { createSilenceDetector } from './silence.js';
import { createRareBurstDetector } from './rare-burst.js';
import { createBruteForceDetector } from './brute-force.js';
import { createLatencyDetector } from './latency.js';

export const detectors = {
  volume: () => createVolumeDetector(),
  error_rate: () => createErrorRateDetector(),
  new_template: () => createNewTemplateDetector(),
  silence: () => createSilenceDetector(),
  rare_burst: () => createRareBurstDetector(),
  brute_force: () => createBruteForceDetector(),
  latency: () => createLatencyDetector(),
} satisfies Record<string, () => Detector>;

export type DetectorType = keyof typeof detectors;
export const DETECTOR_TYPES = Object.keys(detectors) as DetectorType[];
