// FileEndpoints.download answers with the file opened by its check: a symlink swapped in for the name
// after the check is never followed, and a symlink there before is refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileEndpoints } from '../../src-main/web/file-endpoints.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup(): { endpoints: FileEndpoints; downloads: string; secret: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'w2w-file-endpoints-'));
  dirs.push(dataDir);
  const endpoints = new FileEndpoints({ dataDir, maxUploadBytes: 1024 });
  fs.mkdirSync(endpoints.downloads, { recursive: true });
  const secret = path.join(dataDir, 'secret.txt');
  fs.writeFileSync(secret, 'not for the browser');
  return { endpoints, downloads: endpoints.downloads, secret };
}

const url = (name: string): URL => new URL(`http://127.0.0.1/files/download?name=${encodeURIComponent(name)}`);

describe('FileEndpoints.download', () => {
  it('serves the file it checked, even if a symlink replaces it before the bytes are read', async () => {
    const { endpoints, downloads, secret } = setup();
    const file = path.join(downloads, 'report.txt');
    fs.writeFileSync(file, 'the report');
    const found = await endpoints.download(url('report.txt'));
    expect(found).toMatchObject({ status: 200, name: 'report.txt', size: 10 });
    expect('fh' in found).toBe(true);
    if (!('fh' in found)) return;
    // Swapped after the check, before streaming.
    fs.rmSync(file);
    fs.symlinkSync(secret, file);
    const bytes = await found.fh.readFile();
    await found.fh.close();
    expect(bytes.toString()).toBe('the report');
  });

  it('refuses a name that is a symlink, and opens nothing for it', async () => {
    const { endpoints, downloads, secret } = setup();
    fs.symlinkSync(secret, path.join(downloads, 'link.txt'));
    expect(await endpoints.download(url('link.txt'))).toEqual({ status: 404 });
    expect(await endpoints.download(url('../secret.txt'))).toEqual({ status: 400 });
    expect(await endpoints.download(url('missing.txt'))).toEqual({ status: 404 });
  });
});
