// `w2w links` (the relay's federation links: state, round trip, routes learned) and `w2w route ID`
// (the relay path a message to ID takes).
import { idToText, parseId } from '../../../src-shared/ids.js';
import { Op } from '../../../src-shared/protocol/constants.js';
import { RouteKind } from '../../../src-shared/protocol/frames.js';
import { usageError } from '../cli-error.js';
import { withClient } from '../common.js';
import type { CliIo } from '../io.js';
import { printable } from '../printable.js';

interface Flags {
  relay?: string;
  data?: string;
  ca?: string;
  insecure?: boolean;
}

export async function runLinks(flags: Flags, io: CliIo): Promise<number> {
  return withClient(flags, io, async (client) => {
    const { links } = await client.request({ op: Op.LINKS });
    if (links.length === 0) io.err('this relay has no links to other relays');
    for (const l of links) {
      const id = l.relayId.some((b) => b !== 0) ? idToText(l.relayId) : '(not connected yet)';
      io.out(`${l.outbound ? 'to  ' : 'from'} ${printable(l.url)}\t${id}\t${l.up ? 'up' : 'down'}\trtt ${l.rttMs} ms\t${l.routes} route${l.routes === 1 ? '' : 's'}`);
    }
    return 0;
  }, false);
}

export async function runRoute(flags: Flags, positionals: string[], io: CliIo): Promise<number> {
  if (positionals.length !== 1) throw usageError('w2w route needs exactly one ID');
  const target = parseId(positionals[0] as string);
  if (!target.ok) throw usageError(`${positionals[0]}: ${target.reason}`);
  return withClient(flags, io, async (client) => {
    const r = await client.request({ op: Op.ROUTE_OF, id: target.id });
    switch (r.kind) {
      case RouteKind.LOCAL:
        io.out('registered on this relay (local delivery)');
        return 0;
      case RouteKind.REMOTE:
        io.out(`${r.path.length} relay hop${r.path.length === 1 ? '' : 's'} away; path from this relay:`);
        for (const hop of [...r.path].reverse()) io.out(`  -> ${idToText(hop)}`);
        return 0;
      case RouteKind.HOME_ONLY:
        io.out(`offline; its home relay is ${idToText(r.path[0] as Uint8Array)} (messages are kept there)`);
        return 0;
      default:
        io.err('w2w: no route: this relay and its links do not know that ID');
        return 1;
    }
  }, false);
}
