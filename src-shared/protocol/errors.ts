// Stable error codes (carried in ERROR and RES frames) and WebSocket close codes of protocol v1.
// Codes never change meaning; new ones are only appended. docs/PROTOCOL.md lists each with its cause.

export const ErrorCode = {
  // 1xx: frame level; the peer sent bytes that are not a valid frame here
  MALFORMED_FRAME: 100,
  UNKNOWN_FRAME_TYPE: 101,
  UNEXPECTED_FRAME: 102,
  FRAME_TOO_LARGE: 103,
  UNSUPPORTED_VERSION: 104,
  TEXT_FRAME: 105,
  // 2xx: handshake
  HANDSHAKE_TIMEOUT: 200,
  BAD_SIGNATURE: 201,
  WRONG_PEER: 202,
  WRONG_CONTEXT: 203,
  WRONG_BINDING: 204,
  WEAK_KEY: 205,
  NOT_REGISTERED: 206,
  UNTRUSTED_RELAY: 207,
  BAD_HOME_PROOF: 208,
  /** the relay's owner does not let this ID relay through it (relaying policy, §8.11) */
  RELAY_REFUSED: 209,
  /** the relay's owner paused relaying for others; only the relay's own ID may register (§8.11) */
  RELAYING_PAUSED: 210,
  // 3xx: routing
  UNKNOWN_RECIPIENT: 300,
  RECIPIENT_OFFLINE: 301,
  SPOOFED_SENDER: 302,
  UNKNOWN_GROUP: 303,
  NOT_GROUP_MEMBER: 304,
  NOT_GROUP_OWNER: 305,
  GROUP_EXISTS: 306,
  TOO_MANY_RECIPIENTS: 307,
  BAD_HOPS: 308,
  GROUP_FULL: 309,
  BAD_REQUEST: 310,
  HOP_LIMIT: 311,
  ROUTE_REJECTED: 312,
  // 4xx: resource limits and abuse
  RATE_LIMITED: 400,
  TOO_MANY_CONNECTIONS: 401,
  SLOW_CONSUMER: 402,
  PING_TIMEOUT: 403,
  STORE_FULL: 404,
  // 5xx: the relay's own fault
  INTERNAL: 500,
  SHUTTING_DOWN: 501,
  // 6xx: end-to-end outcomes a node reports to its own user; never sent on the wire
  /** a fetch of shared data did not happen (refused by its holders, unreachable, corrupt…); the TransferCode says why (§12.9) */
  TRANSFER_FAILED: 600,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(ErrorCode).map(([name, code]) => [code, name]),
);

/** The machine-readable name of a code, e.g. 301 -> "RECIPIENT_OFFLINE"; unknown codes read as "E<code>". */
export function errorName(code: number): string {
  return NAMES.get(code) ?? `E${code}`;
}

export function isErrorCode(code: number): code is ErrorCode {
  return NAMES.has(code);
}

/** WebSocket close codes the relay and client use (1000-1015 from RFC 6455, 4000-4999 ours). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  POLICY_VIOLATION: 1008,
  TOO_BIG: 1009,
  TRY_AGAIN_LATER: 1013,
  HANDSHAKE_FAILED: 4001,
  HANDSHAKE_TIMEOUT: 4002,
  SLOW_CONSUMER: 4003,
  RATE_LIMITED: 4004,
  PING_TIMEOUT: 4005,
  /** the owner paused relaying or narrowed who may relay here; the session is no longer admitted */
  NOT_RELAYING: 4006,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * An error caused by a peer's input or state (never a programming mistake).
 * It carries a stable code so callers branch on the code, not the text.
 */
export class W2wError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'W2wError';
    this.code = code;
  }
  /** "RECIPIENT_OFFLINE (301): ..." — the form shown to users. */
  override toString(): string {
    return `${errorName(this.code)} (${this.code}): ${this.message}`;
  }
}
