// Section 1: the raw ws forwarders that serve as baselines, and a check that each server under test
// (both forwarders and the w2w relay) hands messages on byte for byte.
import { SERVER_KINDS } from '../commands.js';
import type { Context } from '../context.js';

const DESCRIPTION: Record<string, string> = {
  'raw-naive': 'ws server; reads a u32 receiver from each message and calls ws.send on that connection',
  'raw-batched': 'the same, and corks each destination socket until the end of the tick (one write per socket per tick)',
  w2w: 'RelayServer from src-main/relay: signed registration, envelope checks, zero-copy forwarding, corked per tick',
};

export async function forwarders(ctx: Context): Promise<void> {
  ctx.log('== 1. Raw ws forwarders (baselines) ==');
  const checks: Record<string, { ok: boolean; detail: string }> = {};
  for (const kind of SERVER_KINDS) {
    const relay = await ctx.startRelay(kind);
    try {
      const check = await ctx.load.call('check-forwarding', { target: relay.target });
      checks[kind] = check;
      ctx.log(`  ${kind.padEnd(11)} ${DESCRIPTION[kind]}`);
      ctx.log(`  ${''.padEnd(11)} ${check.ok ? 'ok' : 'FAILED'}: ${check.detail}`);
    } finally {
      await relay.stop();
    }
  }
  ctx.figures.forwarders = checks;
  ctx.summary.push({
    metric: 'forwarding is byte for byte',
    w2w: checks.w2w?.ok ? 'yes' : 'no',
    baseline: SERVER_KINDS.filter((k) => k !== 'w2w').map((k) => `${k}: ${checks[k]?.ok ? 'yes' : 'no'}`).join(', '),
    ratio: '-',
    target: 'yes',
    met: checks.w2w?.ok === true,
  });
  ctx.log();
}
