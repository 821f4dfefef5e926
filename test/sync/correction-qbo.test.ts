import { correctionSuite } from './correction-suite.js';

correctionSuite('qbo');
