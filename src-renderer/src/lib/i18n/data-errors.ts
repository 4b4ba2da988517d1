// What a failed share or fetch means for the user: the transfer's reason (ErrorView.transfer, sent with
// code TRANSFER_FAILED) or the renderer's own upload errors, as a catalog key; null when only the node's
// message can say it.
import type { ErrorView } from '../../../../src-shared/api/contract.js';
import type { MessageKey } from './en.js';

/** A failed transfer's reason (TransferCode names, src-shared/protocol/transfer.ts). */
const BY_REASON: Readonly<Record<string, MessageKey>> = {
  NOT_ALLOWED: 'shared.err.NOT_ALLOWED',
  NOT_GROUP_MEMBER: 'shared.err.NOT_GROUP_MEMBER',
  FILE_GONE: 'shared.err.FILE_GONE',
  FILE_CHANGED: 'shared.err.FILE_CHANGED',
  NOT_HELD: 'shared.err.NOT_HELD',
  NO_HOLDER: 'shared.err.NO_HOLDER',
  UNREACHABLE: 'shared.err.UNREACHABLE',
  TIMEOUT: 'shared.err.TIMEOUT',
  BUSY: 'shared.err.BUSY',
  BAD_HASH_LIST: 'shared.err.CORRUPT',
  CORRUPT_CHUNK: 'shared.err.CORRUPT',
  CONTENT_MISMATCH: 'shared.err.CORRUPT',
  ABORTED: 'shared.err.ABORTED',
  CHUNK_TOO_LARGE: 'shared.err.CHUNK_TOO_LARGE',
  BAD_DECLARATION: 'shared.err.BAD_DECLARATION',
  BAD_RANGE: 'shared.err.HOLDER_FAILED',
  INTERNAL: 'shared.err.HOLDER_FAILED',
};

/** The renderer's own file plumbing (code 0, see lib/api/transport.ts). */
const BY_FILE_ERROR: Readonly<Record<string, MessageKey>> = {
  UPLOAD_TOO_LARGE: 'shared.err.UPLOAD_TOO_LARGE',
  UPLOAD_FAILED: 'shared.err.UPLOAD_FAILED',
  NO_FILE_PATH: 'shared.err.NO_FILE_PATH',
};

export function dataErrorKey(error: ErrorView): MessageKey | null {
  if (error.name === 'TRANSFER_FAILED') return (error.transfer !== undefined ? BY_REASON[error.transfer] : undefined) ?? 'shared.err.TRANSFER_FAILED';
  return BY_FILE_ERROR[error.name] ?? null;
}
