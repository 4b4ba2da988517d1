// Staged browser uploads that no shared file uses (a share that failed, a page closed between upload
// and share) are removed when the node starts; a staged upload that is shared stays, and so does its share.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createNodeApi } from '../../src-main/node/api.js';
import { uploadsDir } from '../../src-main/node/data-dirs.js';
import { W2wNode } from '../../src-main/node/node.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-uploads-sweep-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('staged uploads at start', () => {
  it('removes the unshared ones and keeps the shared one', async () => {
    const dataDir = path.join(tmp, 'node');
    const logs: string[] = [];
    const start = (): Promise<W2wNode> => W2wNode.start({ dataDir, host: '127.0.0.1', port: 0, log: (l) => logs.push(l) });
    let node = await start();
    const dir = uploadsDir(dataDir);
    fs.mkdirSync(dir, { recursive: true });
    const kept = path.join(dir, '0011223344556677-report.pdf');
    const orphan = path.join(dir, '8899aabbccddeeff-never-shared.bin');
    fs.writeFileSync(kept, Buffer.alloc(100_000, 1));
    fs.writeFileSync(orphan, Buffer.alloc(1000, 2));
    const shared = await createNodeApi(node).call('data.share', { path: kept, access: { kind: 'public' } });
    expect(shared.ok).toBe(true);
    await node.stop();

    node = await start();
    try {
      expect(fs.existsSync(orphan)).toBe(false);
      expect(fs.existsSync(kept)).toBe(true);
      expect(logs).toContain('removed 1 staged upload(s) that no shared file uses');
      const list = await createNodeApi(node).call('data.shared', {});
      expect(list.ok && list.value.map((f) => f.path)).toEqual([kept]);
    } finally {
      await node.stop();
    }
  }, 30_000);

  it('starts anyway when an upload cannot be removed or vanishes meanwhile, and says so', async () => {
    const dataDir = path.join(tmp, 'stubborn');
    const dir = uploadsDir(dataDir);
    fs.mkdirSync(dir, { recursive: true });
    const stuck = path.join(dir, 'aaaaaaaaaaaaaaaa-stuck.bin');
    const gone = path.join(dir, 'bbbbbbbbbbbbbbbb-gone.bin');
    const plain = path.join(dir, 'cccccccccccccccc-plain.bin');
    for (const f of [stuck, gone, plain]) fs.writeFileSync(f, 'x');
    // What the sweep meets on a real disk now and then, made certain here: a file it may not remove
    // (root ignores file modes, so the refusal is injected) and one another process removed first.
    const realLstat = fs.lstatSync;
    const lstat = vi.spyOn(fs, 'lstatSync').mockImplementation(((p: fs.PathLike, o?: fs.StatSyncOptions) => {
      if (p === gone) throw Object.assign(new Error(`ENOENT: ${gone}`), { code: 'ENOENT' });
      if (p === stuck) throw Object.assign(new Error(`EACCES: ${stuck}`), { code: 'EACCES' });
      return realLstat(p, o);
    }) as typeof fs.lstatSync);
    const logs: string[] = [];
    const node = await W2wNode.start({ dataDir, host: '127.0.0.1', port: 0, log: (l) => logs.push(l) }).finally(() => lstat.mockRestore());
    try {
      expect(fs.existsSync(plain)).toBe(false);
      expect(fs.existsSync(stuck)).toBe(true);
      expect(logs).toContain('removed 1 staged upload(s) that no shared file uses');
      expect(logs).toContain(`could not remove 1 staged upload(s) that no shared file uses (see ${dir})`);
    } finally {
      await node.stop();
    }
  }, 30_000);
});
