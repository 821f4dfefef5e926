import { correctionSuite } from './correction-suite.js';

correctionSuite('xero');
