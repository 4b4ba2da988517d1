// Command-line options of `npm run bench` and the scale each one implies.

export const SECTIONS = ['forwarders', 'a2b', 'rtt', 'fanout', 'idle', 'federation', 'e2e', 'transfer'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  quick: boolean;
  json: string | null;
  only: ReadonlySet<Section>;
  store: 'sqlite' | 'memory';
  /** pin the server and the load generator to one CPU each (taskset) */
  pin: boolean;
  /** directory for relay CPU profiles (node --cpu-prof), or null */
  profileDir: string | null;
  a2b: { sizes: number[]; lanes: number; warmupMs: number; measureMs: number; rounds: number };
  rtt: { bodyBytes: number; warmup: number; count: number; rounds: number };
  fanout: { clients: number; bodyBytes: number; window: number; warmupMs: number; measureMs: number; rounds: number };
  idle: { clients: number; warm: number; concurrency: number };
  crypto: { iterations: number };
  federation: {
    /** a2b over chains of 1..4 relays */
    lanes: number;
    bodyBytes: number;
    warmupMs: number;
    measureMs: number;
    rounds: number;
    rtt: { warmup: number; count: number };
    fanout: { clients: number; bodyBytes: number; window: number; warmupMs: number; measureMs: number; rounds: number };
  };
  e2e: {
    bodyBytes: number;
    /** messages in flight between the sending and the receiving client process */
    window: number;
    warmupMs: number;
    measureMs: number;
    rounds: number;
    /** handshakes per timing round, and rounds */
    handshakes: number;
    cryptoRounds: number;
    /** AEAD bytes sealed (and opened) per timing round, per size */
    aeadBytes: number;
  };
  /** rounds: fetches of the file, each between two raw windows */
  transfer: { fileBytes: number; rawWarmupMs: number; rawMeasureMs: number; rounds: number };
}

export const USAGE = `usage: npm run bench -- [options]
  --quick          short smoke run (under a minute): shorter windows and one round, 1,000 idle clients, a 32 MiB file
  --json FILE      also write every figure to FILE as JSON
  --only LIST      run some sections only, comma-separated: ${SECTIONS.join(',')}
  --store KIND     w2w relay store: sqlite (default, src-main/store in a temp dir) or memory
  --profile DIR    run each relay and client process under node --cpu-prof and write the profiles to DIR
  --sizes LIST     a2b body sizes in bytes, comma-separated (default 64,1024,65536)
  --rounds N       rounds of the a2b, round-trip, fan-out, federation, e2e and transfer sections (default 5/4/3/5/5/3, --quick 1)
  --file-mib N     size of the file the transfer section sends (default 256, --quick 32)
  --no-pin         do not pin the server to CPU 0 and the load generator to CPU 1
  --help           this text`;

/** Throws a full sentence for a bad option (the caller prints it with the usage). */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  let quick = false;
  let json: string | null = null;
  let only: Set<Section> = new Set(SECTIONS);
  let store: 'sqlite' | 'memory' = 'sqlite';
  let profileDir: string | null = null;
  let pin = true;
  let sizes = [64, 1024, 65536];
  let rounds: number | null = null;
  let fileMiB: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value.`);
      return v;
    };
    switch (arg) {
      case '--quick':
        quick = true;
        break;
      case '--json':
        json = value();
        break;
      case '--only': {
        const names = value().split(',').map((s) => s.trim());
        for (const n of names) if (!(SECTIONS as readonly string[]).includes(n)) throw new Error(`--only: unknown section "${n}"; sections are ${SECTIONS.join(', ')}.`);
        only = new Set(names as Section[]);
        break;
      }
      case '--store': {
        const v = value();
        if (v !== 'sqlite' && v !== 'memory') throw new Error(`--store must be sqlite or memory, not "${v}".`);
        store = v;
        break;
      }
      case '--profile':
        profileDir = value();
        break;
      case '--sizes': {
        const v = value();
        sizes = v.split(',').map(Number);
        if (sizes.some((n) => !Number.isInteger(n) || n < 0 || n > 128 * 1024 - 128)) throw new Error(`--sizes takes body sizes of 0..${128 * 1024 - 128} bytes, not "${v}".`);
        break;
      }
      case '--rounds': {
        const v = value();
        rounds = Number(v);
        if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a positive integer, not "${v}".`);
        break;
      }
      case '--file-mib': {
        const v = value();
        fileMiB = Number(v);
        if (!Number.isInteger(fileMiB) || fileMiB < 1 || fileMiB > 16 * 1024) throw new Error(`--file-mib takes a whole number of MiB from 1 to 16384, not "${v}".`);
        break;
      }
      case '--no-pin':
        pin = false;
        break;
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new Error(`unknown option "${arg}".`);
    }
  }
  return {
    quick,
    json,
    only,
    store,
    profileDir,
    pin,
    a2b: quick
      ? { sizes, lanes: 4, warmupMs: 150, measureMs: 500, rounds: rounds ?? 1 }
      : { sizes, lanes: 4, warmupMs: 300, measureMs: 1000, rounds: rounds ?? 5 },
    rtt: quick
      ? { bodyBytes: 1024, warmup: 100, count: 500, rounds: rounds ?? 1 }
      : { bodyBytes: 1024, warmup: 200, count: 4000, rounds: rounds ?? 4 },
    fanout: quick
      ? { clients: 1000, bodyBytes: 64, window: 64, warmupMs: 150, measureMs: 500, rounds: rounds ?? 1 }
      : { clients: 1000, bodyBytes: 64, window: 64, warmupMs: 300, measureMs: 1500, rounds: rounds ?? 3 },
    idle: quick ? { clients: 1000, warm: 100, concurrency: 128 } : { clients: 10_000, warm: 100, concurrency: 128 },
    crypto: { iterations: quick ? 300 : 2000 },
    federation: quick
      ? {
          lanes: 4,
          bodyBytes: 1024,
          warmupMs: 100,
          measureMs: 400,
          rounds: rounds ?? 1,
          rtt: { warmup: 50, count: 200 },
          fanout: { clients: 1000, bodyBytes: 64, window: 64, warmupMs: 100, measureMs: 400, rounds: rounds ?? 1 },
        }
      : {
          lanes: 4,
          bodyBytes: 1024,
          warmupMs: 300,
          measureMs: 1000,
          rounds: rounds ?? 5,
          rtt: { warmup: 200, count: 2000 },
          fanout: { clients: 1000, bodyBytes: 64, window: 64, warmupMs: 300, measureMs: 1500, rounds: rounds ?? 3 },
        },
    e2e: quick
      ? { bodyBytes: 1024, window: 1024, warmupMs: 150, measureMs: 400, rounds: rounds ?? 1, handshakes: 100, cryptoRounds: 3, aeadBytes: 8 << 20 }
      : { bodyBytes: 1024, window: 1024, warmupMs: 300, measureMs: 1000, rounds: rounds ?? 5, handshakes: 400, cryptoRounds: 5, aeadBytes: 64 << 20 },
    transfer: { fileBytes: (fileMiB ?? (quick ? 32 : 256)) * 1024 * 1024, rawWarmupMs: quick ? 150 : 300, rawMeasureMs: quick ? 500 : 1500, rounds: rounds ?? (quick ? 1 : 3) },
  };
}
