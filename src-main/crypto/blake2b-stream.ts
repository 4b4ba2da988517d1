// Incremental BLAKE2b-256 for content too large to hold in memory (shared files are hashed as they stream).
import sodium from 'sodium-native';

export class Blake2b256Stream {
  private readonly state = Buffer.alloc(sodium.crypto_generichash_STATEBYTES);
  private done = false;

  constructor() {
    sodium.crypto_generichash_init(this.state, null, 32);
  }

  update(bytes: Uint8Array): this {
    if (this.done) throw new Error('Blake2b256Stream.update() after digest(); create a new stream.');
    sodium.crypto_generichash_update(this.state, bytes);
    return this;
  }

  /** The 32-byte hash of everything passed to update(); the stream cannot be used after. */
  digest(): Buffer {
    if (this.done) throw new Error('Blake2b256Stream.digest() called twice.');
    this.done = true;
    const out = Buffer.alloc(32);
    sodium.crypto_generichash_final(this.state, out);
    return out;
  }
}
