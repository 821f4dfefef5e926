import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventAckMessage, type HostedEvent } from '../../pod-ui/src/hosted/protocol.js';

/** domain.md §8: CW's client script puts `frameID` on every message, acks too, and reports failures as `errors`. */
const corpus = JSON.parse(
  readFileSync(new URL('../conformance/connectwise/hosted-event-ack-failure.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

describe("the pod's event acknowledgement", () => {
  const event: HostedEvent = { event: 'beforeSave', _id: corpus._id as number };

  it('a failure has the shape of CW’s own (frameID, errors)', () => {
    const sent = JSON.parse(
      eventAckMessage(event, corpus.frameID as string, 'failure', (corpus.errors as string[])[0]),
    );
    expect(sent).toEqual(corpus);
  });

  it('a success carries the frameID too, and no errors', () => {
    expect(JSON.parse(eventAckMessage(event, 'frame-1', 'success'))).toEqual({
      event: 'beforeSave',
      _id: event._id,
      result: 'success',
      frameID: 'frame-1',
    });
  });
});
