// `w2w group create|delete|add|remove|list`: named groups on a relay.
import { idToText, parseId } from '../../../src-shared/ids.js';
import { Op } from '../../../src-shared/protocol/constants.js';
import { groupNameProblem } from '../../../src-shared/protocol/frames.js';
import { usageError } from '../cli-error.js';
import { withClient } from '../common.js';
import type { CliIo } from '../io.js';
import { printable } from '../printable.js';

export interface GroupFlags {
  relay?: string;
  data?: string;
  ca?: string;
  insecure?: boolean;
}

function ids(args: string[]): Buffer[] {
  if (args.length === 0) throw usageError('give at least one ID');
  return args.map((a) => {
    const r = parseId(a);
    if (!r.ok) throw usageError(`${a}: ${r.reason}`);
    return Buffer.from(r.id);
  });
}

export async function runGroup(flags: GroupFlags, positionals: string[], io: CliIo): Promise<number> {
  const [action, name, ...rest] = positionals;
  const actions = ['create', 'delete', 'add', 'remove', 'list'];
  if (!action || !actions.includes(action)) throw usageError(`w2w group needs one of: ${actions.join(', ')}`);
  if (action !== 'list') {
    if (!name) throw usageError(`w2w group ${action} needs a group NAME`);
    const problem = groupNameProblem(name);
    if (problem) throw usageError(problem);
  }
  const members = action === 'add' || action === 'remove' ? ids(rest) : [];
  return withClient(flags, io, async (client) => {
    const n = name as string;
    switch (action) {
      case 'create':
        await client.request({ op: Op.GROUP_CREATE, name: n });
        io.out(`created group "${n}" (you own it)`);
        break;
      case 'delete':
        await client.request({ op: Op.GROUP_DELETE, name: n });
        io.out(`deleted group "${n}"`);
        break;
      case 'add':
        await client.request({ op: Op.GROUP_ADD, name: n, members });
        io.out(`added ${members.length} member${members.length === 1 ? '' : 's'} to "${n}"`);
        break;
      case 'remove':
        await client.request({ op: Op.GROUP_REMOVE, name: n, members });
        io.out(`removed ${members.length} member${members.length === 1 ? '' : 's'} from "${n}"`);
        break;
      case 'list': {
        const { groups } = await client.request({ op: Op.GROUP_LIST });
        if (groups.length === 0) io.err('you are in no group on this relay');
        for (const g of groups) {
          io.out(`${printable(g.name)}\towner ${idToText(g.owner)}\t${g.members.length} member${g.members.length === 1 ? '' : 's'}`);
          for (const m of g.members) io.out(`  ${idToText(m)}`);
        }
        break;
      }
    }
    return 0;
  });
}
