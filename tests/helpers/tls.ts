// Test helper: a throwaway self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from './relay.js';

export interface SelfSigned {
  cert: string;
  key: string;
  /** Deletes the files. */
  dispose(): void;
}

/** Throws (never skips) if openssl is missing: a TLS test that silently does not run proves nothing. */
export function makeSelfSignedCert(): SelfSigned {
  const dir = makeTempDir('w2w-tls-');
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout', keyFile, '-out', certFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 },
    );
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('The TLS tests need the openssl command line tool, and it is not installed on this machine.', { cause: err });
    throw new Error(`openssl could not make a test certificate: ${e.stderr?.toString() ?? e.message}`, { cause: err });
  }
  return {
    cert: fs.readFileSync(certFile, 'utf8'),
    key: fs.readFileSync(keyFile, 'utf8'),
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
