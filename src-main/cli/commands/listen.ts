// `w2w listen`: prints every message (and presence change) received until Ctrl-C or the relay goes away.
import { idToText } from '../../../src-shared/ids.js';
import { errorName } from '../../../src-shared/protocol/errors.js';
import { Messenger } from '../../client/messenger.js';
import { DataPlane } from '../../data/data-plane.js';
import { connectClient, openDataDir, parseRelay, readCa } from '../common.js';
import { clockTime as time, messageLine as textLine } from '../message-line.js';
import { printable } from '../printable.js';
import { onStop } from '../signals.js';
import type { CliIo } from '../io.js';

export interface ListenFlags {
  relay?: string;
  data?: string;
  ca?: string;
  insecure?: boolean;
  json?: boolean;
}

export async function runListen(flags: ListenFlags, io: CliIo): Promise<number> {
  const relay = parseRelay(flags.relay, flags.insecure ?? false);
  const ca = readCa(flags.ca);
  const { store, identity } = openDataDir(flags.data);
  try {
    const client = await connectClient(relay, identity, ca);
    const messenger = new Messenger(client, store);
    // A listening client also answers its data's business: serving what it shares, owners' delete requests.
    const data = new DataPlane(messenger.secure, store, { publish: true });
    const json = flags.json ?? false;
    data.on('deleted', (d) =>
      io.out(json ? JSON.stringify({ type: 'deleted', ...d }) : `[data] deleted ${d.contentHash} at its owner's request (${d.paths.join(', ')})`),
    );
    // Listen for Ctrl-C before the ready line: a SIGINT right after it must find the handler.
    const done = new Promise<number>((resolve) => {
      const off = onStop(() => void client.close().then(() => resolve(0)));
      client.on('close', ({ code, reason }) => {
        off();
        if (code === 1000) return resolve(0);
        io.err(`w2w: the relay closed the connection (${code}${reason ? ` ${printable(reason)}` : ''})`);
        resolve(1);
      });
    });
    if (!json) io.err(`listening on ${relay.url} as ${idToText(identity.publicKey)} (Ctrl-C to stop)`);
    else io.out(JSON.stringify({ type: 'ready', id: idToText(identity.publicKey), relay: idToText(client.relayId) }));
    messenger.on('message', (m) => io.out(json ? JSON.stringify({ type: 'message', ...m }) : textLine(m)));
    client.on('presence', (p) => {
      const id = idToText(p.id);
      io.out(json ? JSON.stringify({ type: 'presence', id, online: p.online, timeMs: p.timeMs }) : `[${time(p.timeMs)}] ${id} is ${p.online ? 'online' : 'offline'}`);
    });
    messenger.on('rejected', (r) => io.err(`w2w: dropped message ${r.msgId} from ${r.from}: ${errorName(r.code)} (${r.code}): ${printable(r.reason)}`));
    client.on('notice', (text) => io.out(json ? JSON.stringify({ type: 'notice', text }) : `[relay] ${printable(text)}`));
    client.on('error', (e) => io.err(`w2w: ${errorName(e.code)} (${e.code}): ${printable(e.message)}`));
    const code = await done;
    // Stop serving (open file handles, chunks in flight) before the store closes under it.
    data.close();
    return code;
  } finally {
    store.close();
  }
}
