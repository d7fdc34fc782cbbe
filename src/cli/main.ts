import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { MigrationError } from '../db/migrate.js';
import { AppError } from '../errors.js';
import { COMMANDS } from './commands.js';

const USAGE = `Usage: patron <command> [options]

Commands:
  start                         build the admin UI if needed, migrate, seed the demo on first run, serve
  serve [--port N]              API + admin UI + worker
  worker [--once]               run only the job worker (and scheduler)
  migrate                       apply pending database migrations
  org create --slug S --name N [--currency USD] [--timezone UTC]
  user create --org S --email E --password P --role admin|staff [--permissions a,b]
  api-key create --org S --name N [--scopes a,b]   (prints the secret on the last line)
  seed demo                     demo organization, logins and customers
  seed bench --customers N [--org S]   many realistic customers for benchmarks
  verify [--org S]              recompute balances and lots from the ledger; exit 1 on mismatch

Environment: PORT, HOST, DATABASE_URL, PATRON_DATA_DIR, SESSION_SECRET, LOG_LEVEL, PATRON_WORKER`;

export async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (!first || first === 'help' || first === '--help' || first === '-h') {
    process.stdout.write(USAGE + '\n');
    return first ? 0 : 2;
  }
  const name = COMMANDS[`${first} ${second ?? ''}`] ? `${first} ${second}` : first;
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command "${argv.slice(0, 2).join(' ')}"\n\n${USAGE}\n`);
    return 2;
  }
  const rest = argv.slice(name.split(' ').length);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (err) {
    process.stderr.write(`patron ${name}: ${(err as Error).message}\n`);
    return 2;
  }
  for (const req of command.required ?? []) {
    if (values[req] === undefined) {
      process.stderr.write(`patron ${name}: --${req} is required\n`);
      return 2;
    }
  }
  try {
    const config = loadConfig();
    return await command.run(config, values);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof MigrationError) {
      process.stderr.write(err.message + '\n');
      return 1;
    }
    if (err instanceof AppError) {
      process.stderr.write(`patron ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
