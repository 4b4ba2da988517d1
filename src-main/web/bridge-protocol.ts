// The web bridge's wire format: JSON text messages over the WebSocket at /api.
//
//   browser -> node   {"id": 7, "method": "peers.add", "params": {...}}   id: integer >= 0 or string (1..64)
//   node -> browser   {"id": 7, "result": {"ok": true, "value": ...}}     the contract's ApiResult envelope
//   node -> browser   {"event": "message", "payload": {...}}              every ApiEvents event, pushed
//
// A well-formed call to an unknown method is answered with a BAD_REQUEST result. Anything else that is
// not a call (binary, not JSON, wrong shape, too big, too fast) closes the socket with one of the codes
// below; the renderer's bridge transport (src-renderer/src/lib/api/bridge-transport.ts) mirrors them.
import type { ApiEvent, ApiEvents, ApiResult } from '../../src-shared/api/contract.js';

export const BridgeCloseCode = {
  /** the UI server is shutting down */
  GOING_AWAY: 1001,
  /** a binary frame: the bridge speaks JSON text only */
  UNSUPPORTED_DATA: 1003,
  /** a message over the size limit (ws closes with this itself) */
  TOO_BIG: 1009,
  /** not JSON, or not {id, method, params} */
  MALFORMED: 4400,
  /** over the message rate, or too many calls awaiting answers */
  RATE_LIMITED: 4429,
  /** pushed events pile up unread */
  SLOW_CONSUMER: 4408,
} as const;

export type BridgeRequestId = number | string;

export interface BridgeRequest {
  id: BridgeRequestId;
  method: string;
  params: Record<string, unknown>;
}

export interface BridgeResponse {
  id: BridgeRequestId;
  result: ApiResult<unknown>;
}

export interface BridgeEvent<E extends ApiEvent = ApiEvent> {
  event: E;
  payload: ApiEvents[E];
}

const MAX_ID_CHARS = 64;
const MAX_METHOD_CHARS = 64;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one text message; null when it is not a well-formed call (the caller closes the socket). */
export function parseBridgeRequest(text: string): BridgeRequest | null {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isPlainObject(msg)) return null;
  for (const key of Object.keys(msg)) if (key !== 'id' && key !== 'method' && key !== 'params') return null;
  const { id, method, params } = msg;
  const idOk =
    (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) ||
    (typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_CHARS);
  if (!idOk) return null;
  if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_CHARS) return null;
  if (params !== undefined && !isPlainObject(params)) return null;
  return { id: id as BridgeRequestId, method, params: params ?? {} };
}
