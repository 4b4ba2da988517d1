// The error a transfer reports (a holder's DENY, or what the fetcher found): a stable TransferCode plus a sentence.
import { transferCodeName, type TransferCode } from '../../src-shared/protocol/transfer.js';

export class TransferError extends Error {
  readonly code: TransferCode;
  constructor(code: TransferCode, message: string) {
    super(message);
    this.name = 'TransferError';
    this.code = code;
  }

  /** "FILE_GONE (4): ..." — the form shown to users. */
  override toString(): string {
    return `${transferCodeName(this.code)} (${this.code}): ${this.message}`;
  }
}
