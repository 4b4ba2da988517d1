// A `w2w node --ui` child process for the end-to-end tests: started from bin/w2w.js, its printed relay
// URL, ID and UI URL parsed from stdout, stopped with SIGINT.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const BIN = path.resolve('bin/w2w.js');

export interface NodeInfo {
  relayUrl: string;
  id: string;
  uiUrl: string;
}

export class NodeProcess {
  readonly lines: string[] = [];
  readonly errLines: string[] = [];
  private constructor(
    readonly proc: ChildProcessWithoutNullStreams,
    readonly info: NodeInfo,
  ) {}

  static async start(dataDir: string, extra: string[] = []): Promise<NodeProcess> {
    const proc = spawn(process.execPath, [BIN, 'node', '--port', '0', '--data', dataDir, '--ui', '--open-federation', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const errLines: string[] = [];
    readline.createInterface({ input: proc.stderr }).on('line', (l) => errLines.push(l));
    const info = await new Promise<NodeInfo>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`w2w node printed no UI line:\n${lines.join('\n')}\n${errLines.join('\n')}`)), 20_000);
      proc.once('exit', (code) => reject(new Error(`w2w node exited with ${code}:\n${errLines.join('\n')}`)));
      const found: Partial<NodeInfo> = {};
      readline.createInterface({ input: proc.stdout }).on('line', (line) => {
        lines.push(line);
        const relay = /^w2w node listening on (\S+)$/.exec(line);
        if (relay) found.relayUrl = relay[1];
        const id = /^ID: (w2w1\S+)$/.exec(line);
        if (id) found.id = id[1];
        const ui = /^UI: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})$/.exec(line);
        if (ui) found.uiUrl = ui[1];
        if (found.relayUrl && found.id && found.uiUrl) {
          clearTimeout(timer);
          resolve(found as NodeInfo);
        }
      });
    });
    const p = new NodeProcess(proc, info);
    p.lines.push(...lines);
    p.errLines.push(...errLines);
    return p;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.kill('SIGINT');
    await exited;
  }
}
