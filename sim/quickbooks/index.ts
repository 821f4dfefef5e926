export {
  type QuickBooksSim,
  type QuickBooksSimOptions,
  startQuickBooksSim,
} from './quickbooks-sim.js';
