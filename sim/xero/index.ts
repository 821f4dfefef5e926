export type { XeroLimits } from './rate-limits.js';
export type { XeroSeed } from './seed.js';
export {
  createXeroSim,
  defaultSimClient,
  startXeroSim,
  type XeroSim,
  type XeroSimOptions,
} from './xero-sim.js';
