// The `w2w` command line: parses arguments, runs one command, and turns every failure into one
// line on stderr and an exit code (2 for wrong usage, 1 for a failed command). Never imports electron.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { W2wError, errorName } from '../../src-shared/protocol/errors.js';
import { CliError, usageError } from './cli-error.js';
import { runGroup } from './commands/group.js';
import { runId } from './commands/id.js';
import { runListen } from './commands/listen.js';
import { runNode } from './commands/node.js';
import { runPeers } from './commands/peers.js';
import { runLinks, runRoute } from './commands/links.js';
import { runDeclarations, runDelete, runFetch, runShare } from './commands/data.js';
import { runSend } from './commands/send.js';
import { HELP } from './help.js';
import { processIo, watchProcessOutput, type CliIo } from './io.js';
import { printable } from './printable.js';

const common = {
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
const clientOpts = {
  ...common,
  relay: { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
} as const;

const OPTIONS = {
  node: {
    ...common,
    host: { type: 'string' },
    port: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    insecure: { type: 'boolean' },
    'public-url': { type: 'string', multiple: true },
    'ping-interval': { type: 'string' },
    'ping-timeout': { type: 'string' },
    rate: { type: 'string' },
    burst: { type: 'string' },
    'max-connections': { type: 'string' },
    'handshake-timeout': { type: 'string' },
    peer: { type: 'string', multiple: true },
    trust: { type: 'string', multiple: true },
    'open-federation': { type: 'boolean' },
    ca: { type: 'string' },
    ui: { type: 'boolean' },
    'ui-port': { type: 'string' },
    'relay-for': { type: 'string' },
    paused: { type: 'boolean' },
    'max-upload': { type: 'string' },
  },
  id: common,
  send: {
    ...clientOpts,
    to: { type: 'string', multiple: true },
    group: { type: 'string' },
    all: { type: 'boolean' },
    self: { type: 'boolean' },
    'no-store': { type: 'boolean' },
  },
  links: clientOpts,
  route: clientOpts,
  share: { ...clientOpts, to: { type: 'string', multiple: true }, group: { type: 'string' }, public: { type: 'boolean' }, reshare: { type: 'boolean' } },
  declarations: { ...clientOpts, peer: { type: 'string' }, hash: { type: 'string' } },
  fetch: { ...clientOpts, from: { type: 'string' }, owner: { type: 'string' }, out: { type: 'string' } },
  delete: { ...clientOpts, wait: { type: 'string' } },
  listen: { ...clientOpts, json: { type: 'boolean' } },
  group: clientOpts,
  peers: clientOpts,
} satisfies Record<string, ParseArgsConfig['options']>;

type Command = keyof typeof OPTIONS;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function parse<C extends Command>(command: C, args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS[command], allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(`w2w ${command}: ${(err as Error).message}`);
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    io.out(HELP);
    return 0;
  }
  if (command === '-v' || command === '--version') {
    io.out(version());
    return 0;
  }
  if (!(command in OPTIONS)) throw usageError(`unknown command "${command}"`);
  const cmd = command as Command;
  // --help anywhere after the command wins over everything else, except after "--", where every word
  // is text (w2w send ... -- -h sends "-h").
  const options = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (options.includes('--help') || options.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  const noPositionals = (positionals: string[]): void => {
    if (positionals.length > 0) throw usageError(`w2w ${cmd} takes no argument "${positionals[0]}"`);
  };
  switch (cmd) {
    case 'node': {
      const { values, positionals } = parse('node', args);
      noPositionals(positionals);
      return runNode(values, io);
    }
    case 'id': {
      const { values, positionals } = parse('id', args);
      noPositionals(positionals);
      return runId(values, io);
    }
    case 'send': {
      const { values, positionals } = parse('send', args);
      return runSend(values, positionals, io);
    }
    case 'listen': {
      const { values, positionals } = parse('listen', args);
      noPositionals(positionals);
      return runListen(values, io);
    }
    case 'group': {
      const { values, positionals } = parse('group', args);
      return runGroup(values, positionals, io);
    }
    case 'peers': {
      const { values, positionals } = parse('peers', args);
      noPositionals(positionals);
      return runPeers(values, io);
    }
    case 'links': {
      const { values, positionals } = parse('links', args);
      noPositionals(positionals);
      return runLinks(values, io);
    }
    case 'route': {
      const { values, positionals } = parse('route', args);
      return runRoute(values, positionals, io);
    }
    case 'share': {
      const { values, positionals } = parse('share', args);
      return runShare(values, positionals, io);
    }
    case 'declarations': {
      const { values, positionals } = parse('declarations', args);
      noPositionals(positionals);
      return runDeclarations(values, io);
    }
    case 'fetch': {
      const { values, positionals } = parse('fetch', args);
      return runFetch(values, positionals, io);
    }
    case 'delete': {
      const { values, positionals } = parse('delete', args);
      return runDelete(values, positionals, io);
    }
  }
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  if (io === processIo) watchProcessOutput();
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`w2w: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof W2wError) {
      // A W2wError's message may come from the relay (its ERROR or RES text): not trusted with the terminal.
      io.err(`w2w: ${errorName(err.code)} (${err.code}): ${printable(err.message)}`);
      return 1;
    }
    // An unexpected failure is a bug: show what happened, still without crashing mid-output.
    io.err(`w2w: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
