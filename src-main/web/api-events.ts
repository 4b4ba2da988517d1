// Every event name of the API contract as a runtime list, for transports that subscribe to all of them
// (the web bridge, Electron IPC). The Record type makes the compiler flag a new contract event missing here.
import type { ApiEvent } from '../../src-shared/api/contract.js';

const EVENTS: Record<ApiEvent, true> = {
  message: true,
  'message.status': true,
  presence: true,
  notice: true,
  'transfer.progress': true,
  'delete.status': true,
  'data.deleted': true,
  relaying: true,
};

export const API_EVENT_NAMES: readonly ApiEvent[] = Object.keys(EVENTS) as ApiEvent[];
