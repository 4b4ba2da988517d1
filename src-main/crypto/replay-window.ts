// Anti-replay for counter nonces, the ring-bitmap scheme of WireGuard/RFC 6479: each counter is
// accepted once, reordering within the window is tolerated, anything older is refused. O(1) per message.
const WORD_BITS = 32;
const WORDS = 64;
/** counters older than this many below the highest seen are refused */
export const REPLAY_WINDOW = (WORDS - 1) * WORD_BITS;

export class ReplayWindow {
  private highest = -1;
  private readonly bits = new Uint32Array(WORDS);

  /** Whether the counter would be accepted (call accept() only once the message authenticated). */
  check(counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0) return false;
    if (counter > this.highest) return true;
    if (this.highest - counter >= REPLAY_WINDOW) return false;
    const word = Math.floor(counter / WORD_BITS) % WORDS;
    return ((this.bits[word] as number) & (1 << (counter % WORD_BITS))) === 0;
  }

  accept(counter: number): void {
    if (counter > this.highest) {
      const from = this.highest < 0 ? 0 : Math.floor(this.highest / WORD_BITS) + 1;
      const to = Math.floor(counter / WORD_BITS);
      // Clear the words the window slides over (all of them after a long jump).
      for (let w = from; w <= to && w - from < WORDS; w++) this.bits[w % WORDS] = 0;
      this.highest = counter;
    }
    const word = Math.floor(counter / WORD_BITS) % WORDS;
    this.bits[word] = (this.bits[word] as number) | (1 << (counter % WORD_BITS));
  }
}
