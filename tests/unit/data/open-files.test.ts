// OpenFiles: a served file stays open across requests, each request still checks the file by path
// (vanished: FILE_GONE, size or time changed: FILE_CHANGED, replaced: a new handle), the hash list is
// read once per opening, and an idle handle is closed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileProblem, MAX_OPEN_FILES, OpenFiles, type ServedEntry } from '../../../src-main/data/open-files.js';
import { TransferCode } from '../../../src-shared/protocol/transfer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function served(bytes = 5000): { entry: ServedEntry; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-open-files-'));
  dirs.push(dir);
  const file = path.join(dir, 'f.bin');
  fs.writeFileSync(file, Buffer.alloc(bytes, 1));
  fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
  const st = fs.statSync(file);
  return { file, entry: { contentHash: Buffer.alloc(32, 7), path: file, size: st.size, mtimeMs: st.mtimeMs, chunks: 5 } };
}

function counting(): { loads: number[]; files: OpenFiles } {
  const loads: number[] = [];
  return { loads, files: new OpenFiles((_h, _first, count) => (loads.push(count), Buffer.alloc(count * 32, 0xab)), 50) };
}

async function problem(p: Promise<unknown>): Promise<FileProblem> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FileProblem);
  return err as FileProblem;
}

describe('OpenFiles', () => {
  it('reuses one handle and one hash list across requests; closes it once idle', async () => {
    const { entry } = served();
    const { loads, files } = counting();
    const f1 = await files.acquire(entry);
    const f2 = await files.acquire(entry);
    expect(f2).toBe(f1);
    expect(loads).toEqual([5]);
    expect(files.expected(f1, entry, 1, 2).byteLength).toBe(64);
    files.release(f1, entry.contentHash);
    files.release(f2, entry.contentHash);
    await new Promise((r) => setTimeout(r, 150));
    // closed: reading from the old handle fails, and the next request opens anew
    await expect(f1.fh.stat()).rejects.toThrow();
    const f3 = await files.acquire(entry);
    expect(f3).not.toBe(f1);
    expect(loads).toEqual([5, 5]);
    files.release(f3, entry.contentHash);
    files.closeAll();
  });

  it('checks the file by path on every request: vanished is FILE_GONE, changed is FILE_CHANGED (both stop serving)', async () => {
    const { entry, file } = served();
    const { files } = counting();
    const f = await files.acquire(entry);
    files.release(f, entry.contentHash);
    fs.appendFileSync(file, 'x');
    expect(await problem(files.acquire(entry))).toMatchObject({ code: TransferCode.FILE_CHANGED, stop: true });
    fs.rmSync(file);
    expect(await problem(files.acquire(entry))).toMatchObject({ code: TransferCode.FILE_GONE, stop: true });
    files.closeAll();
  });

  it('a file replaced by another with the same size and time gets a new handle; the old one closes when its reader is done', async () => {
    const { entry, file } = served();
    const { files } = counting();
    const old = await files.acquire(entry);
    fs.rmSync(file);
    fs.writeFileSync(file, Buffer.alloc(5000, 2));
    fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
    const fresh = await files.acquire(entry);
    expect(fresh).not.toBe(old);
    expect(fresh.ino).not.toBe(old.ino);
    const buf = Buffer.alloc(4);
    await old.fh.read(buf, 0, 4, 0);
    expect(buf[0]).toBe(1);
    files.release(old, entry.contentHash);
    await new Promise((r) => setTimeout(r, 20));
    await expect(old.fh.stat()).rejects.toThrow();
    await fresh.fh.read(buf, 0, 4, 0);
    expect(buf[0]).toBe(2);
    files.release(fresh, entry.contentHash);
    files.closeAll();
  });

  it('closes the handle it opened when reading the hash list fails (no descriptor left behind)', async () => {
    const { entry, file } = served();
    const files = new OpenFiles(() => {
      throw new Error('database is closed');
    }, 50);
    const handlesOn = (f: string): number =>
      fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`) === f;
        } catch {
          return false;
        }
      }).length;
    for (let i = 0; i < 3; i++) await expect(files.acquire(entry)).rejects.toThrow('database is closed');
    // FileHandle.close() is asynchronous: give it a moment.
    await new Promise((r) => setTimeout(r, 20));
    expect(handlesOn(file)).toBe(0);
    files.closeAll();
  });

  it('keeps at most MAX_OPEN_FILES idle handles however many files are asked for, closing the least recently used', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-open-files-'));
    dirs.push(dir);
    const entries: ServedEntry[] = [];
    for (let i = 0; i < MAX_OPEN_FILES + 36; i++) {
      const file = path.join(dir, `f${i}.bin`);
      fs.writeFileSync(file, Buffer.alloc(100, i));
      const st = fs.statSync(file);
      entries.push({ contentHash: Buffer.alloc(32, i), path: file, size: st.size, mtimeMs: st.mtimeMs, chunks: 1 });
    }
    // a long idle time: only the cap can close them during this test
    const files = new OpenFiles((_h, _first, count) => Buffer.alloc(count * 32), 60_000);
    const handlesIn = (d: string): number =>
      fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(d + path.sep);
        } catch {
          return false;
        }
      }).length;
    const opened = [];
    // one request for one chunk of every file, as a peer may send
    for (const e of entries) {
      const f = await files.acquire(e);
      opened.push(f);
      files.release(f, e.contentHash);
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(handlesIn(dir)).toBe(MAX_OPEN_FILES);
    // the most recent ones are still there to reuse; the oldest were closed
    const last = entries[entries.length - 1] as ServedEntry;
    const again = await files.acquire(last);
    expect(again).toBe(opened[opened.length - 1]);
    files.release(again, last.contentHash);
    await expect(opened[0]?.fh.stat()).rejects.toThrow();
    // a handle in use is never closed by the cap
    const busy = await files.acquire(entries[0] as ServedEntry);
    for (const e of entries.slice(1)) {
      const f = await files.acquire(e);
      files.release(f, e.contentHash);
      await new Promise((r) => setImmediate(r));
    }
    expect((await busy.fh.stat()).size).toBe(100);
    files.release(busy, (entries[0] as ServedEntry).contentHash);
    files.closeAll();
    await new Promise((r) => setTimeout(r, 50));
    expect(handlesIn(dir)).toBe(0);
  });

  it('a hash list too large to keep is read per request for the requested chunks only, not whole', async () => {
    const { entry } = served();
    const big: ServedEntry = { ...entry, chunks: 1 << 20 };
    const asked: [number, number][] = [];
    const files = new OpenFiles((_h, first, count) => (asked.push([first, count]), Buffer.alloc(count * 32, 0xab)), 50);
    const f = await files.acquire(big);
    expect(f.hashes).toBeNull();
    expect(files.expected(f, big, 1000, 32).byteLength).toBe(32 * 32);
    expect(asked).toEqual([[1000, 32]]);
    files.release(f, big.contentHash);
    files.closeAll();
  });
});
