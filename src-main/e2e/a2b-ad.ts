// The envelope AD (PROTOCOL §11.3) of a2b messages between two fixed IDs, built once per session and
// direction: only the message ID changes from one message to the next, so it is written in place.
import { Route } from '../../src-shared/protocol/constants.js';
import { envelopeAd } from '../../src-shared/protocol/e2e.js';

/** "w2w/1 ad" (8) ‖ u8 route: the message ID starts here */
const MSG_ID_AT = 9;
const ZERO_ID = new Uint8Array(16);

export class A2bAd {
  private readonly ad: Buffer;

  constructor(from: Uint8Array, to: Uint8Array) {
    this.ad = Buffer.from(envelopeAd({ route: Route.A2B, to }, ZERO_ID, from));
  }

  /** The AD for message `msgId`; valid until the next call (use it at once). */
  withId(msgId: Uint8Array): Buffer {
    this.ad.set(msgId, MSG_ID_AT);
    return this.ad;
  }
}
