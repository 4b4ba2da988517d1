// Who may relay through this node: the owner's policy (anyone / friends / only this node) and the
// pause switch. It decides every registration on the node's relay, and closes the sessions a change
// no longer admits. This node's own ID is always admitted: its own client must keep working.
import { EventEmitter } from 'node:events';
import type { RelayPolicyView, RelayingView } from '../../src-shared/api/contract.js';
import { idToText } from '../../src-shared/ids.js';
import { CloseCode, ErrorCode, W2wError } from '../../src-shared/protocol/errors.js';
import type { RelayCore } from '../relay/relay-core.js';
import type { PeersRepo } from '../store/peers-repo.js';
import type { NodeSettings } from './node-settings.js';

export class Relaying extends EventEmitter<{ change: [RelayingView] }> {
  constructor(
    private readonly core: RelayCore,
    private readonly settings: NodeSettings,
    private readonly peers: PeersRepo,
    private readonly ownId: Buffer,
  ) {
    super();
    core.admission = (id) => this.refusal(id);
    core.federation?.setTransit(!settings.paused);
  }

  get view(): RelayingView {
    return { policy: this.settings.policy, paused: this.settings.paused };
  }

  /** Why `id` may not register here now, or null. Runs once per registration (one SQLite read at most). */
  refusal(id: Buffer): W2wError | null {
    if (id.equals(this.ownId)) return null;
    if (this.settings.paused) {
      return new W2wError(ErrorCode.RELAYING_PAUSED, 'the owner of this relay paused relaying for others; try again later or use another relay');
    }
    switch (this.settings.policy) {
      case 'anyone':
        return null;
      case 'friends':
        if (this.peers.get(id)) return null;
        return new W2wError(ErrorCode.RELAY_REFUSED, `this relay relays only for its owner's friends, and ${idToText(id)} is not one`);
      case 'self':
        return new W2wError(ErrorCode.RELAY_REFUSED, 'this relay relays only for its owner');
    }
  }

  setPolicy(policy: RelayPolicyView): RelayingView {
    this.settings.policy = policy;
    return this.applied();
  }

  setPaused(paused: boolean): RelayingView {
    this.settings.paused = paused;
    // Paused also means no transit for other relays' clients; links stay up for this node's own traffic.
    this.core.federation?.setTransit(!paused);
    return this.applied();
  }

  /** A friend was removed: under the friends policy their sessions go too. */
  friendRemoved(): void {
    this.core.closeRefused(CloseCode.NOT_RELAYING, 'NOT_RELAYING: no longer a friend of this relay');
  }

  private applied(): RelayingView {
    const v = this.view;
    this.core.closeRefused(CloseCode.NOT_RELAYING, v.paused ? 'NOT_RELAYING: the owner paused relaying' : 'NOT_RELAYING: the owner narrowed who may relay here');
    this.emit('change', v);
    return v;
  }
}
