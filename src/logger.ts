import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'databaseUrl',
  'sessionSecret',
  'smtpUrl',
  '*.smtpUrl',
];

/**
 * A request's URL as the request log writes it: the pass token in a customer's card link
 * (/c/{token}, /api/v1/pass/{token}) is a credential, so it is replaced by "[token]".
 */
export function loggedUrl(url: string): string {
  return url.replace(/^\/c\/(?!pass\.js(?:[?#]|$))[^/?#]+/, '/c/[token]').replace(/^\/api\/v1\/pass\/[^/?#]+/, '/api/v1/pass/[token]');
}

/** Health checks (load balancers call them every few seconds) are not logged. */
const QUIET_PATHS = new Set(['/healthz', '/readyz']);

export function isQuietRequest(url: string): boolean {
  return QUIET_PATHS.has(url.split('?')[0] ?? '');
}

export interface LoggerOptions {
  /** Where JSON lines go (default stdout). */
  destination?: DestinationStream;
  /** Readable lines instead of JSON; default: when stdout is a terminal and no destination is given. */
  pretty?: boolean;
}

const REQUEST_LINES = new WeakMap<Logger, Logger>();

/**
 * JSON lines for machines (files, containers, CI); readable lines in a terminal. `bindings`
 * are fields every line carries (e.g. the server process number).
 */
export function createLogger(level: string, opts: LoggerOptions = {}, bindings: Record<string, unknown> = {}): Logger {
  const pretty = opts.pretty ?? (opts.destination === undefined && process.stdout.isTTY);
  const destination = pretty ? prettyStream(opts.destination ?? process.stdout) : (opts.destination ?? pino.destination({ dest: 1, sync: true }));
  const logger = pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, destination).child(bindings);
  // Request lines go through a logger without redaction: redaction looks for secrets in
  // every field of every line (a tenth of a request's CPU time when each request logs a
  // line), and a request line holds only what app.ts puts in it. On standard output they
  // are also written in batches (a write per line was another tenth): at most 100 ms late,
  // and written out synchronously when the process exits.
  const requestDestination = opts.destination === undefined && !pretty ? batchedStdout() : destination;
  REQUEST_LINES.set(logger, pino({ level }, requestDestination).child(bindings));
  return logger;
}

let batched: DestinationStream | null = null;
function batchedStdout(): DestinationStream {
  if (batched) return batched;
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  let unflushed = false;
  setInterval(() => {
    if (!unflushed) return;
    unflushed = false;
    try {
      stream.flush();
    } catch {
      // closed at exit: what was left was written synchronously then
    }
  }, 100).unref();
  return (batched = {
    write(line: string) {
      unflushed = true;
      stream.write(line);
    },
  });
}

/**
 * The logger for the one line each request writes when it completes (see app.ts). It must be
 * given only the fixed, secret-free fields app.ts names; everything else goes to `logger`.
 */
export function requestLines(logger: Logger): Logger {
  return REQUEST_LINES.get(logger) ?? logger;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err']);

function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function extras(rec: Record<string, unknown>): string {
  const parts = Object.entries(rec)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/**
 * Turns pino's JSON lines into one readable line each: "14:02:11 INFO  GET /api/v1/customers
 * 200 12 ms". A request is one line when it completes (its method and URL come with it, or
 * are remembered from an incoming line); errors add their stack.
 */
export function prettyStream(out: { write(s: string): unknown }): DestinationStream {
  const pending = new Map<string, string>();
  return {
    write(line: string) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const head = `${clock(Number(rec.time))} ${LEVELS[Number(rec.level)] ?? String(rec.level)}`;
      const reqId = typeof rec.reqId === 'string' ? rec.reqId : null;
      const req = rec.req as { method?: string; url?: string } | undefined;
      const res = rec.res as { statusCode?: number } | undefined;
      if (reqId && req && rec.msg === 'incoming request') {
        if (pending.size > 10_000) pending.clear();
        pending.set(reqId, `${req.method ?? ''} ${req.url ?? ''}`);
        return;
      }
      let text: string;
      if (reqId && res && typeof rec.responseTime === 'number') {
        const what = req?.method ? `${req.method} ${req.url ?? ''}` : (pending.get(reqId) ?? 'request');
        text = `${what} ${res.statusCode ?? ''} ${Math.round(rec.responseTime)} ms`;
        pending.delete(reqId);
      } else {
        text = typeof rec.msg === 'string' ? rec.msg : '';
      }
      const err = rec.err as { stack?: string; message?: string } | undefined;
      const trace = err ? `\n  ${(err.stack ?? err.message ?? '').split('\n').join('\n  ')}` : '';
      out.write(`${head} ${text}${extras(rec)}${trace}\n`);
    },
  };
}
