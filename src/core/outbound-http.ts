import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';

/**
 * Patron's one way of calling an address a merchant or operator typed in (webhook
 * endpoints, marketing tools): http(s) only, never a redirect followed, a total time limit,
 * a capped body, and — unless private targets are allowed — never a connection to a
 * loopback, private, link-local, unique-local, carrier-grade NAT, metadata or otherwise
 * non-public address. The address is checked where the connection is made (a DNS lookup
 * that drops non-public answers, then the connected socket's peer), so a name that
 * resolves differently between a check and the call (DNS rebinding) gains nothing.
 */

// ---------------------------------------------------------------------------------------
// Address classification

type Range = readonly [prefix: readonly number[], bits: number, reason: string];

/** Non-public IPv4 ranges (RFC 6890 special-purpose registry and the cloud metadata address). */
const V4_RANGES: readonly Range[] = [
  [[0, 0, 0, 0], 8, '"this network"'],
  [[10, 0, 0, 0], 8, 'private (10/8)'],
  [[100, 64, 0, 0], 10, 'carrier-grade NAT (100.64/10)'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local or cloud metadata (169.254/16)'],
  [[172, 16, 0, 0], 12, 'private (172.16/12)'],
  [[192, 0, 0, 0], 24, 'IETF protocol assignments (192.0.0/24)'],
  [[192, 0, 2, 0], 24, 'documentation (192.0.2/24)'],
  [[192, 88, 99, 0], 24, '6to4 relay anycast'],
  [[192, 168, 0, 0], 16, 'private (192.168/16)'],
  [[198, 18, 0, 0], 15, 'benchmarking (198.18/15)'],
  [[198, 51, 100, 0], 24, 'documentation (198.51.100/24)'],
  [[203, 0, 113, 0], 24, 'documentation (203.0.113/24)'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved or broadcast'],
];

/** Non-public IPv6 ranges; ranges that embed an IPv4 address are handled apart. */
const V6_RANGES: readonly Range[] = [
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 96, 'unspecified, loopback or IPv4-compatible'],
  [[0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0], 96, 'IPv4-translated'],
  [[0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96, 'NAT64 (64:ff9b::/96)'],
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, 'local NAT64 (64:ff9b:1::/48)'],
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'discard-only (100::/64)'],
  [[0x20, 0x01, 0x00, 0x00], 32, 'Teredo (2001::/32)'],
  [[0x20, 0x01, 0x00, 0x02, 0x00, 0x00], 48, 'benchmarking (2001:2::/48)'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation (2001:db8::/32)'],
  [[0xfc], 7, 'unique-local (fc00::/7)'],
  [[0xfe, 0x80], 10, 'link-local (fe80::/10)'],
  [[0xfe, 0xc0], 10, 'site-local (fec0::/10)'],
  [[0xff], 8, 'multicast'],
];

function inRange(bytes: Uint8Array, prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const left = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - left)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function parseV4(address: string): Uint8Array | null {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return Uint8Array.from(parts.map(Number));
}

/** The 16 bytes of an IPv6 address (zone index dropped, embedded dotted IPv4 allowed); null when not one. */
export function parseV6(address: string): Uint8Array | null {
  const text = address.replace(/%.*$/, '');
  if (isIP(text) !== 6) return null;
  let tail: number[] = [];
  let rest = text;
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseV4(dotted[1]!);
    if (!v4) return null;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    rest = text.slice(0, dotted.index + 1); // "::ffff:1.2.3.4" -> "::ffff:" and two groups
  }
  const halves = rest.split('::');
  const toGroups = (s: string) => (s === '' ? [] : s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)));
  const head = toGroups(halves[0]!);
  const back = halves.length > 1 ? toGroups(halves[1]!) : [];
  const groups = halves.length > 1 ? [...head, ...new Array<number>(8 - head.length - back.length - tail.length).fill(0), ...back, ...tail] : [...head, ...tail];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

function v4Reason(bytes: Uint8Array): string | null {
  for (const [prefix, bits, reason] of V4_RANGES) if (inRange(bytes, prefix, bits)) return reason;
  return null;
}

/**
 * Why an IP address is not a public one (e.g. "loopback"), or null for a public address.
 * IPv4-mapped (::ffff:a.b.c.d) and 6to4 (2002::/16) addresses are judged by the IPv4
 * address they carry; anything that is not an IP address is refused.
 */
export function nonPublicReason(address: string): string | null {
  const v4 = parseV4(address);
  if (v4) return v4Reason(v4);
  const v6 = parseV6(address);
  if (!v6) return 'not an IP address';
  if (inRange(v6, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96)) {
    const reason = v4Reason(v6.subarray(12));
    return reason === null ? null : `IPv4-mapped ${reason}`;
  }
  if (inRange(v6, [0x20, 0x02], 16)) {
    const reason = v4Reason(v6.subarray(2, 6));
    if (reason !== null) return `6to4 ${reason}`;
  }
  for (const [prefix, bits, reason] of V6_RANGES) if (inRange(v6, prefix, bits)) return reason;
  return null;
}

export function isPublicAddress(address: string): boolean {
  return nonPublicReason(address) === null;
}

// ---------------------------------------------------------------------------------------
// Errors and URL checks

export type OutboundErrorKind = 'invalid_url' | 'private_address' | 'timeout' | 'network' | 'too_large';

export class OutboundError extends Error {
  constructor(
    readonly kind: OutboundErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundError';
  }

  /** Worth trying again later: the network or the receiver may recover; a refused address or URL will not. */
  get retryable(): boolean {
    return this.kind === 'timeout' || this.kind === 'network';
  }
}

export interface TargetOptions {
  /** Allow loopback, private and other non-public addresses (self-hosted networks, tests). */
  allowPrivate?: boolean;
  /** Resolves a host name to its addresses; the system resolver unless given (tests). */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

/** The hostname of a URL without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Parses an absolute http(s) URL Patron may call; throws OutboundError('invalid_url') with
 * a sentence saying what is wrong. Does not resolve the name (see checkOutboundTarget).
 */
export function parseOutboundUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError('invalid_url', 'is not an absolute URL; give one such as https://example.com/webhooks');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OutboundError('invalid_url', `uses ${url.protocol.replace(/:$/, '')}; only https (or http) URLs can be called`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new OutboundError('invalid_url', 'contains a user name or password; remove them from the URL');
  }
  if (url.hostname === '') throw new OutboundError('invalid_url', 'has no host name');
  return url;
}

const systemResolve = (hostname: string): Promise<LookupAddress[]> =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

const LOCAL_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)\.?$|\.localhost\.?$/i;

/**
 * Checks a URL before it is saved: valid (parseOutboundUrl) and, unless private targets
 * are allowed, neither a non-public IP address nor a name that resolves only to non-public
 * addresses. A name that does not resolve now is accepted (it is checked again on every
 * call). Throws OutboundError with a sentence that can follow the field name.
 */
export async function checkOutboundTarget(raw: string, opts: TargetOptions = {}): Promise<URL> {
  const url = parseOutboundUrl(raw);
  if (opts.allowPrivate) return url;
  const host = bareHost(url);
  if (isIP(host) !== 0) {
    const reason = nonPublicReason(host);
    if (reason !== null) throw privateRefusal(host, reason);
    return url;
  }
  if (LOCAL_NAMES.test(host)) throw privateRefusal(host, 'loopback');
  let addresses: LookupAddress[];
  try {
    addresses = await withTimeout((opts.resolve ?? systemResolve)(host), 5_000);
  } catch {
    return url;
  }
  const reasons = addresses.map((a) => nonPublicReason(a.address));
  if (addresses.length > 0 && reasons.every((r) => r !== null)) throw privateRefusal(host, reasons[0]!);
  return url;
}

function privateRefusal(host: string, reason: string): OutboundError {
  return new OutboundError('private_address', `points to ${host}, a ${reason} address; Patron only calls public addresses unless the operator allows private targets`);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

// ---------------------------------------------------------------------------------------
// Calls

export interface OutboundRequest extends TargetOptions {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** Total time for connecting, sending and reading the answer; 15 s unless given. */
  timeoutMs?: number;
  /** How much of the answer is read (the rest is dropped and `truncated` set); 1 MiB unless given. */
  maxBodyBytes?: number;
  /** Length of `excerpt` in characters; 1,000 unless given. */
  excerptChars?: number;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The answer's body as text, up to maxBodyBytes. */
  body: string;
  /** The start of the body, NUL characters replaced, fit to store in a log. */
  excerpt: string;
  /** The body was longer than maxBodyBytes. */
  truncated: boolean;
  /** Milliseconds the server asked to wait (`Retry-After` in seconds or as a date), or null. */
  retryAfterMs: number | null;
  /** Milliseconds from the start of the call to the end of the answer. */
  durationMs: number;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** `Retry-After` (delay in seconds or an HTTP date) in milliseconds from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^[A-Za-z]{3},? /.test(text)) return null; // an HTTP date starts with the day's name
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** A lookup that drops non-public answers and fails when none is left. */
function guardedLookup(resolve: (hostname: string) => Promise<LookupAddress[]>): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        const allowed = wanted.filter((a) => isPublicAddress(a.address));
        if (allowed.length === 0) {
          const reason = wanted.length > 0 ? nonPublicReason(wanted[0]!.address)! : 'unresolvable';
          const refused = Object.assign(privateRefusal(hostname, reason), { code: 'EPRIVATEADDRESS' });
          return callback(refused, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
        return callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** A lookup through an injected resolver that does not filter (private targets allowed). */
function plainLookup(resolve: (hostname: string) => Promise<LookupAddress[]>): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const wanted = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
        if (wanted.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted);
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/**
 * One HTTP call. Resolves with the answer whatever its status (redirects are not followed:
 * a 3xx is an answer); rejects with OutboundError for a bad URL, a refused address, a
 * timeout or a network failure.
 */
export function outboundRequest(req: OutboundRequest): Promise<OutboundResponse> {
  let url: URL;
  try {
    url = parseOutboundUrl(req.url);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return Promise.reject(new OutboundError('invalid_url', `The URL ${message}`));
  }
  const allowPrivate = req.allowPrivate === true;
  const host = bareHost(url);
  if (!allowPrivate && isIP(host) !== 0) {
    const reason = nonPublicReason(host);
    if (reason !== null) return Promise.reject(privateRefusal(host, reason));
  }
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBody = req.maxBodyBytes ?? 1024 * 1024;
  const excerptChars = req.excerptChars ?? 1000;
  const lookup = allowPrivate ? (req.resolve ? plainLookup(req.resolve) : undefined) : guardedLookup(req.resolve ?? systemResolve);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const started = performance.now();

  return new Promise<OutboundResponse>((resolve, reject) => {
    let settled = false;
    const fail = (err: OutboundError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const headers: Record<string, string | number> = { 'user-agent': 'Patron', ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const call = send(url, { method: req.method ?? (req.body === undefined ? 'GET' : 'POST'), headers, agent: false, ...(lookup ? { lookup } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          excerpt: body.slice(0, excerptChars).replace(/\u0000/g, '\uFFFD'),
          truncated,
          retryAfterMs: parseRetryAfter(res.headers['retry-after']),
          durationMs: Math.round(performance.now() - started),
        });
      };
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBody - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size = maxBody;
          truncated = true;
          finish();
          res.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', finish);
      res.on('error', (err) => fail(new OutboundError('network', `The connection to ${url.host} broke while reading the answer: ${err.message}`)));
    });
    const timer = setTimeout(() => {
      fail(new OutboundError('timeout', `${url.host} did not answer within ${Math.round(timeoutMs / 100) / 10} s`));
      call.destroy();
    }, timeoutMs);
    if (!allowPrivate) {
      // The peer actually connected to, whatever resolved it (defence in depth behind the lookup).
      call.on('socket', (socket: Socket) => {
        socket.once('connect', () => {
          const peer = socket.remoteAddress;
          if (peer !== undefined && !isPublicAddress(peer)) {
            fail(privateRefusal(peer, nonPublicReason(peer)!));
            call.destroy();
          }
        });
      });
    }
    call.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof OutboundError) return fail(err);
      if (err.code === 'EPRIVATEADDRESS') return fail(new OutboundError('private_address', err.message));
      fail(new OutboundError('network', `Could not reach ${url.host}: ${err.code ?? err.message}`));
    });
    call.end(req.body);
  });
}
