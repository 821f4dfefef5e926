import { recordStates } from '../../contract/record-state.js';
import type { RecordState } from '../db/schema.js';

/*
 * The record states and the named sets code decides by, one table. A set is named by what it means
 * to the code that asks: "settled" once meant three different sets in different files.
 */

type StateSet = 'booked' | 'open' | 'in_flight' | 'settled';

/** Each state, in the order the API lists them, with the sets it belongs to. */
const stateTable: Record<RecordState, readonly StateSet[]> = {
  unposted: [],
  queued: ['in_flight'],
  exported: ['in_flight'],
  pushed: ['in_flight'],
  synced: ['booked', 'open', 'settled'],
  partly_paid: ['booked', 'open', 'settled'],
  paid: ['booked', 'settled'],
  onboarded: ['settled'],
  error: [],
  not_closed: [],
  unknown: [],
};

// Every record state, in the contract's order (the one runtime list).
export { recordStates };

const statesIn = (set: StateSet): ReadonlySet<RecordState> =>
  new Set(recordStates.filter((state) => stateTable[state].includes(set)));

/**
 * Finished: a push request for them is answered without work. Booked by our push, or onboarded
 * (batched in CW as history already in the books).
 */
export const settledStates = statesIn('settled');

/**
 * In the books by our push, with a ledger document whose balance is read back: the states a ledger
 * read (refresh, payment, credit, drift check, correction) may store a new paid state over.
 */
export const bookedStates = statesIn('booked');

/** A push is under way: queued, exported from CW or its ledger document written, not yet batched. */
export const inFlightStates = statesIn('in_flight');

/** In the books and not yet paid in full: what a payments check still waits on. */
export const openStates = statesIn('open');

/** openStates as a list, for a `state in (...)` condition. */
export const openStateList: RecordState[] = [...openStates];

/** bookedStates as a list, for a `state in (...)` condition. */
export const bookedStateList: RecordState[] = [...bookedStates];
