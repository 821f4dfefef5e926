export type { ConnectWiseSim, ConnectWiseSimOptions } from './app.js';
export { createConnectWiseSim, startConnectWiseSim } from './app.js';
export { signCallback } from './callback-signature.js';
export { ConditionsError, parseConditions } from './conditions.js';
export * from './fixtures.js';
export type { Seed } from './seed-schema.js';
