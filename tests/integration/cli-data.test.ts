// Shared data through the CLI as real processes: `w2w share` serves a file, `w2w declarations`
// finds it, `w2w fetch` brings it (content hash checked), and `w2w delete` makes the fetcher's
// copy go away with a signed receipt, also when the fetcher was offline at the time.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { runW2w, W2W_BIN as BIN, type CliRun } from '../helpers/cli.js';
import { DeclQueryBy, Op } from '../../src-shared/protocol/constants.js';
import { decodeHolding, encodeCore } from '../../src-shared/protocol/declaration.js';
import { fromHex, idToText } from '../../src-shared/ids.js';
import { RelayClient } from '../../src-main/client/relay-client.js';
import { generateIdentity, sign } from '../../src-main/crypto/identity.js';
import { signHolding } from '../../src-main/data/declare.js';
import { publishHolding } from '../../src-main/data/directory-client.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-clidata-'));
const procs: ChildProcessWithoutNullStreams[] = [];

const w2w = (...args: string[]): Promise<CliRun> => runW2w(args, 30_000);

function start(...args: string[]): { proc: ChildProcessWithoutNullStreams; lines: string[]; waitFor: (t: (l: string) => boolean) => Promise<string> } {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  procs.push(proc);
  const lines: string[] = [];
  readline.createInterface({ input: proc.stdout }).on('line', (l) => lines.push(l));
  return {
    proc,
    lines,
    async waitFor(test) {
      const t0 = Date.now();
      for (;;) {
        const hit = lines.find(test);
        if (hit) return hit;
        if (Date.now() - t0 > 15_000) throw new Error(`timed out; lines:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('w2w share / declarations / fetch / delete', () => {
  it('shares, finds, fetches byte for byte, and deletes remotely with receipts', async () => {
    const node = start('node', '--port', '0', '--data', path.join(tmp, 'node'));
    const url = (await node.waitFor((l) => l.startsWith('w2w node listening on '))).slice('w2w node listening on '.length);
    const [ownerDir, fetcherDir] = [path.join(tmp, 'owner'), path.join(tmp, 'fetcher')];
    const ownerId = (await w2w('id', '--data', ownerDir)).stdout.trim();
    const file = path.join(tmp, 'photo.bin');
    fs.writeFileSync(file, crypto.randomBytes(3 * 1024 * 1024 + 123));
    const share = start('share', file, '--relay', url, '--data', ownerDir, '--public');
    const hash = await share.waitFor((l) => /^[0-9a-f]{64}$/.test(l));

    const decls = await w2w('declarations', '--relay', url, '--data', fetcherDir, '--peer', ownerId);
    expect(decls.code).toBe(0);
    expect(decls.stdout).toContain(hash);
    expect(decls.stdout).toContain('photo.bin');

    const out = path.join(tmp, 'copy.bin');
    const fetched = await w2w('fetch', hash, '--relay', url, '--data', fetcherDir, '--out', out);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fs.readFileSync(out).equals(fs.readFileSync(file))).toBe(true);

    // The fetcher is offline now: the delete request waits at its home relay.
    const pending = await w2w('delete', hash, '--relay', url, '--data', ownerDir, '--wait', '500');
    expect(pending.code).toBe(0);
    const fetcherId = (await w2w('id', '--data', fetcherDir)).stdout.trim();
    expect(pending.stdout).toMatch(new RegExp(`${fetcherId}\\tpending`));
    const back = start('listen', '--relay', url, '--data', fetcherDir, '--json');
    await back.waitFor((l) => l.includes('"type":"deleted"'));
    expect(fs.existsSync(out)).toBe(false);
    const done = await w2w('delete', hash, '--relay', url, '--data', ownerDir, '--wait', '2000');
    expect(done.stdout).toMatch(new RegExp(`${fetcherId}\\tdeleted`));

    const bad = await w2w('fetch', 'nothex', '--relay', url, '--data', fetcherDir, '--out', out);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^w2w: /);
  });

  it("fetch never picks among several owners' declarations of one hash: --owner chooses", async () => {
    const node = start('node', '--port', '0', '--data', path.join(tmp, 'node2'));
    const url = (await node.waitFor((l) => l.startsWith('w2w node listening on '))).slice('w2w node listening on '.length);
    const [ownerDir, fetcherDir] = [path.join(tmp, 'owner2'), path.join(tmp, 'fetcher2')];
    const ownerId = (await w2w('id', '--data', ownerDir)).stdout.trim();
    const file = path.join(tmp, 'mine.bin');
    fs.writeFileSync(file, crypto.randomBytes(200_000));
    const share = start('share', file, '--relay', url, '--data', ownerDir, '--public');
    const hash = await share.waitFor((l) => /^[0-9a-f]{64}$/.test(l));

    // A stranger who never had the data declares the same hash under its own name, newer than the real one.
    const stranger = generateIdentity();
    const client = await RelayClient.connect({ url, identity: stranger });
    const { holdings } = await client.request({ op: Op.DECL_QUERY, by: DeclQueryBy.HASH, key: fromHex(hash)! });
    const real = decodeHolding(holdings[0]!);
    if (!real.ok) throw new Error('the owner published an undecodable holding');
    const core = { ...real.holding.core, owner: stranger.publicKey, createdMs: Date.now() + 60_000 };
    const coreBytes = encodeCore(core);
    await publishHolding(client, signHolding(stranger, core, coreBytes, sign(stranger, Buffer.concat([Buffer.from('w2w/1 decl'), coreBytes])), core.createdMs));
    await client.close();

    const out = path.join(tmp, 'mine-copy.bin');
    const ambiguous = await w2w('fetch', hash, '--relay', url, '--data', fetcherDir, '--out', out);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('is declared by 2 owners');
    expect(ambiguous.stderr).toContain('choose one with --owner ID');
    expect(fs.existsSync(out)).toBe(false);
    const unknown = await w2w('fetch', hash, '--relay', url, '--data', fetcherDir, '--out', out, '--owner', idToText(generateIdentity().publicKey));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('lists no declaration of');
    const chosen = await w2w('fetch', hash, '--relay', url, '--data', fetcherDir, '--out', out, '--owner', ownerId);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(fs.readFileSync(out).equals(fs.readFileSync(file))).toBe(true);
    const badOwner = await w2w('fetch', hash, '--relay', url, '--data', fetcherDir, '--out', out, '--owner', 'w2w1nope');
    expect(badOwner.code).toBe(2);
  });
});
