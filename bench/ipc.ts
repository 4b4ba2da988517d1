// The request/response channel between the bench orchestrator and the child processes it forks
// (Node's IPC channel): the child serves typed commands, the parent calls them and awaits the result.
import { spawn, type ChildProcess } from 'node:child_process';

/** A command map: each command's arguments and result (an interface of `{ args; result }` entries). */
type CommandMap<M> = { [K in keyof M]: { args: unknown; result: unknown } };

export type Handlers<M extends CommandMap<M>> = {
  [K in keyof M]: (args: M[K]['args']) => M[K]['result'] | Promise<M[K]['result']>;
};

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** Child side: answers the parent's commands until the parent disconnects, then exits. */
export function serveIpc<M extends CommandMap<M>>(name: string, handlers: Handlers<M>): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error(`${name} runs as a child of the bench (dist/bench/run.js); start it with \`npm run bench\`.`);
  process.on('message', (raw) => {
    const req = raw as Request;
    const handler = (handlers as Record<string, ((a: unknown) => unknown) | undefined>)[req.cmd];
    const reply = (r: Reply): void => {
      send(r);
    };
    if (!handler) {
      reply({ id: req.id, ok: false, error: `${name} has no command "${req.cmd}"` });
      return;
    }
    Promise.resolve()
      .then(() => handler(req.args))
      .then(
        (result) => reply({ id: req.id, ok: true, result: result ?? null }),
        (err: unknown) => reply({ id: req.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

export interface ChildOptions {
  /** shown in error messages */
  name: string;
  /** flags for node itself, e.g. --expose-gc or --cpu-prof */
  execArgv?: string[];
  /** open files the child needs; when above this shell's soft limit the child raises its own (if allowed) */
  fdLimit?: number;
  /** pin the child to this CPU with taskset (Linux), so server and load never share a core */
  cpu?: number;
}

/** Parent side: one forked child process and its command channel. */
export class ChildProc<M extends CommandMap<M>> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    child.on('message', (raw) => {
      const r = raw as Reply;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else p.reject(new Error(`${name}: ${r.error}`));
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const err = new Error(`${name} exited (code ${code}, signal ${signal}) with a command pending`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        resolve();
      });
    });
  }

  /**
   * Starts `script` under this node. A shell wrapper raises the open-file limit first when asked to
   * (`ulimit -n` is per process and inherited, so the child gets it; failure to raise is not fatal here,
   * the caller checks the limit the child reports).
   */
  static start<M extends CommandMap<M>>(script: string, opts: ChildOptions): ChildProc<M> {
    const nodeArgs = [...(opts.execArgv ?? []), script];
    const stdio: ['inherit', 'inherit', 'inherit', 'ipc'] = ['inherit', 'inherit', 'inherit', 'ipc'];
    const pin = opts.cpu === undefined ? [] : ['taskset', '-c', String(opts.cpu)];
    const child =
      opts.fdLimit !== undefined
        ? spawn('/bin/sh', ['-c', `ulimit -n ${opts.fdLimit} 2>/dev/null; exec "$@"`, 'sh', ...pin, process.execPath, ...nodeArgs], { stdio })
        : pin.length > 0
          ? spawn(pin[0] as string, [...pin.slice(1), process.execPath, ...nodeArgs], { stdio })
          : spawn(process.execPath, nodeArgs, { stdio });
    return new ChildProc<M>(child, opts.name);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  call<K extends keyof M & string>(cmd: K, args: M[K]['args']): Promise<M[K]['result']> {
    if (!this.child.connected) return Promise.reject(new Error(`${this.name} is not running (command "${cmd}")`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, args } satisfies Request);
    });
  }

  /** Disconnects (the child exits on its own); kills it if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
