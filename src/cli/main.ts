import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { MigrationError } from '../db/migrate.js';
import { AppError } from '../errors.js';
import type { Config } from '../config.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { COMMANDS, type Command, type CommandIo } from './commands.js';
import { forwardToOwner, startControlServer, type CommandSink, type ForwardedRunner } from './control.js';
import { describeOwner, folderOwner, FolderLock, type FolderOwner } from './folder-lock.js';

const USAGE = `Usage: patron <command> [options]

Commands:
  start                         build the admin UI if needed, migrate, seed the demo on first run, serve
  serve [--port N] [--processes N]   API + admin UI + worker; N server processes on one port
                                (default: one per core on PostgreSQL, 1 on the embedded database)
  worker [--once]               run only the job worker (and scheduler)
  migrate                       apply pending database migrations
  org create --slug S --name N [--currency USD] [--timezone UTC]
  user create --org S --email E --password P --role admin|staff [--permissions a,b]
  api-key create --org S --name N [--scopes a,b]   (prints the secret on the last line)
  seed demo                     demo organization, logins and customers
  seed bench --customers N [--org S]   many realistic customers for benchmarks
  verify [--org S]              recompute balances and lots from the ledger; exit 1 on mismatch
  wallet apple configure --org S --pass-type-id ID --team-id ID --cert FILE --key FILE --wwdr FILE
                                Apple Wallet Pass Type ID certificate, key and WWDR (docs/wallet.md)
  wallet apple dev-certs --out DIR
                                a self-signed set for local development (not accepted by iPhones)
  wallet google configure --org S --issuer-id N --service-account FILE [--class-suffix X]
      [--origin https://shop.example]... [--logo-url URL] [--program-name NAME]
                                Google Wallet loyalty class and service account (docs/wallet.md)

Environment: PORT, HOST, DATABASE_URL, PATRON_DATA_DIR, SESSION_SECRET, LOG_LEVEL, PATRON_WORKER`;

/** How this process prints. */
const PROCESS_SINK: CommandSink = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (text) => process.stderr.write(text),
};

type Parsed =
  | { ok: true; name: string; command: Command; values: Record<string, string | boolean | undefined> }
  | { ok: false; code: number };

function parse(argv: string[], sink: CommandSink): Parsed {
  const [first] = argv;
  if (!first || first === 'help' || first === '--help' || first === '-h') {
    sink.out(USAGE);
    return { ok: false, code: first ? 0 : 2 };
  }
  // The longest known command the words start with: `wallet google configure`, `org create`, `serve`.
  const name = [3, 2, 1].map((n) => argv.slice(0, n).join(' ')).find((words) => COMMANDS[words] !== undefined) ?? first;
  const command = COMMANDS[name];
  if (!command) {
    sink.err(`Unknown command "${argv.slice(0, 2).join(' ')}"\n\n${USAGE}\n`);
    return { ok: false, code: 2 };
  }
  const rest = argv.slice(name.split(' ').length);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (err) {
    sink.err(`patron ${name}: ${(err as Error).message}\n`);
    return { ok: false, code: 2 };
  }
  for (const req of command.required ?? []) {
    if (values[req] === undefined) {
      sink.err(`patron ${name}: --${req} is required\n`);
      return { ok: false, code: 2 };
    }
  }
  return { ok: true, name, command, values };
}

/** Runs a parsed command, turning expected failures into one line and an exit code. */
async function execute(p: Extract<Parsed, { ok: true }>, config: Config, io: CommandIo): Promise<number> {
  try {
    return await p.command.run(config, p.values, io);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof MigrationError) {
      io.err(err.message + '\n');
      return 1;
    }
    if (err instanceof AppError) {
      io.err(`patron ${p.name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** A command forwarded to this server: it runs on the server's own runtime. */
function forwardedRunner(config: Config, rt: Runtime): ForwardedRunner {
  return async (argv, sink) => {
    const p = parse(argv, sink);
    if (!p.ok) return p.code;
    if (p.command.whenHeld !== 'forward') {
      sink.err(`patron ${p.name}: cannot run inside the server\n`);
      return 1;
    }
    return execute(p, config, {
      ...sink,
      withRuntime: (_config, fn) => fn(rt),
      serving: async () => {},
    });
  };
}

export async function main(argv: string[]): Promise<number> {
  const p = parse(argv, PROCESS_SINK);
  if (!p.ok) return p.code;
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      return 1;
    }
    throw err;
  }
  let lock: FolderLock | null = null;
  let control: { close(): Promise<void> } | null = null;
  if (!config.databaseUrl) {
    // The embedded database belongs to one process at a time (see folder-lock.ts).
    const claimed = FolderLock.claim(config.dataDir, p.name);
    if (!(claimed instanceof FolderLock)) {
      const owner = await waitForControl(config.dataDir, claimed.heldBy);
      if (p.command.whenHeld === 'forward' && owner.controlUrl) {
        try {
          return await forwardToOwner(owner, argv, PROCESS_SINK);
        } catch (err) {
          process.stderr.write(`patron ${p.name}: ${describeOwner(owner, config.dataDir)}, which did not answer (${(err as Error).message}); retry, or stop that process\n`);
          return 1;
        }
      }
      const what = p.command.whenHeld === 'forward' ? 'wait for it to finish' : 'stop it first, or set PATRON_DATA_DIR to another folder';
      process.stderr.write(`patron ${p.name}: ${describeOwner(owner, config.dataDir)}; ${what}\n`);
      return 1;
    }
    lock = claimed;
  }
  const held = lock;
  try {
    return await execute(p, config, {
      ...PROCESS_SINK,
      withRuntime: async (cfg, fn, opts) => {
        const rt = await openRuntime({ ...cfg, logLevel: cfg.logLevel === 'info' ? 'warn' : cfg.logLevel }, opts);
        try {
          return await fn(rt);
        } finally {
          await rt.close();
        }
      },
      serving: async (rt, url) => {
        if (!held) return;
        const server = await startControlServer(held.token, forwardedRunner(config, rt));
        control = server;
        held.publish({ url, controlUrl: server.url });
      },
    });
  } finally {
    await (control as { close(): Promise<void> } | null)?.close();
    lock?.release();
  }
}

/** A server that has just claimed the folder publishes its control address once it listens. */
async function waitForControl(dataDir: string, owner: FolderOwner): Promise<FolderOwner> {
  if (owner.controlUrl || (owner.command !== 'serve' && owner.command !== 'start')) return owner;
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = folderOwner(dataDir);
    if (!now || now.pid !== owner.pid) return owner;
    if (now.controlUrl) return now;
  }
  return owner;
}
