export {
  defaultSimClient,
  startXeroSim,
  type XeroSim,
  type XeroSimOptions,
} from './xero-sim.js';
