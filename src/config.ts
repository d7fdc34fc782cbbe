import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  PATRON_DATA_DIR: z.string().min(1).default('./data'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  PATRON_WORKER: z.enum(['on', 'off']).default('on'),
  PATRON_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://loyalty.example.com' }).optional(),
  PATRON_TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, zctx) => {
      const parsed = parseTrustProxy(value);
      if (parsed === null) {
        zctx.addIssue({
          code: 'custom',
          message:
            'must be false, true, a hop count such as 1, or a comma-separated list of proxy addresses or CIDR ranges such as 10.0.0.1,10.1.0.0/16',
        });
        return z.NEVER;
      }
      return parsed;
    }),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  PATRON_ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  PATRON_WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  PATRON_GOOGLE_WALLET_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://walletobjects.googleapis.com' }).default('https://walletobjects.googleapis.com'),
  PATRON_GOOGLE_TOKEN_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://oauth2.googleapis.com/token' }).default('https://oauth2.googleapis.com/token'),
  PATRON_APNS_URL: z.url({ protocol: /^https$/, error: 'must be an https URL such as https://api.push.apple.com' }).default('https://api.push.apple.com'),
  PATRON_APNS_CA: z.string().min(1, 'must be the path of a PEM file').optional(),
  PATRON_SMTP_URL: z
    .string()
    .refine((v) => smtpUrlProblem(v) === null, { error: 'must be smtp://user:password@host:port or smtps://user:password@host:port (user and password URL-encoded)' })
    .optional(),
  PATRON_SMTP_FROM: z
    .string()
    .max(200, 'must be at most 200 characters')
    .regex(/^([^<>\r\n"]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/, 'must be an address such as loyalty@shop.example or "Shop Rewards <loyalty@shop.example>"')
    .optional(),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  sessionSecret: string;
  logLevel: (typeof LOG_LEVELS)[number];
  worker: boolean;
  publicUrl: string | undefined;
  /**
   * Fastify's `trustProxy`: false (ignore X-Forwarded-*), true (trust every hop), the
   * proxies' addresses/CIDRs, or for a hop count a function trusting that many hops.
   */
  trustProxy: TrustProxy;
  poolSize: number;
  /**
   * Secret from which the keys that encrypt stored credentials (a store's access token)
   * are derived; unset only with DATABASE_URL and no PATRON_ENCRYPTION_KEY, and then
   * nothing that needs it can be stored.
   */
  encryptionKey: string | undefined;
  /** Webhook endpoints may be loopback, private or link-local addresses (self-hosted networks, tests). */
  webhooksAllowPrivate: boolean;
  /** Google Wallet REST API base URL (walletobjects); another address only for tests or a proxy. */
  googleWalletUrl: string;
  /** Google's OAuth 2.0 token endpoint for service accounts; another address only for tests or a proxy. */
  googleTokenUrl: string;
  /** Apple Push Notification service base URL (pass updates, HTTP/2); another address only for tests or a proxy. */
  apnsUrl: string;
  /** A PEM file of certificate authorities trusted for APNs besides the system's (a test double's or a proxy's); unset = the system's only. */
  apnsCa: string | undefined;
  /** SMTP server of outgoing e-mail (smtp:// or smtps://, may hold a password: never logged); unset = no e-mail. */
  smtpUrl: string | undefined;
  /** Default sender of e-mail when the organization sets none. */
  smtpFrom: string | undefined;
}

export class ConfigError extends Error {}

/** What Fastify's `trustProxy` option takes (it no longer honours a bare hop count). */
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

/** Trusts the socket peer and the X-Forwarded-For entries of `hops - 1` further proxies. */
function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

/** Names proxy-addr understands for whole ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(item: string): boolean {
  if (RANGE_NAMES.has(item)) return true;
  const slash = item.indexOf('/');
  const address = slash === -1 ? item : item.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return false;
  if (slash === -1) return true;
  const bits = item.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return version === 4 && isIP(bits) === 4; // 10.0.0.0/255.0.0.0
  return Number(bits) <= (version === 4 ? 32 : 128);
}

/**
 * PATRON_TRUST_PROXY: `false`, `true`, a hop count (`1` = one proxy in front: the client
 * is the last X-Forwarded-For entry, whatever the client itself put before it), or a comma
 * list of proxy addresses and CIDRs (the client is the last address not in the list).
 * Null when the value is none of these.
 */
export function parseTrustProxy(raw: string): TrustProxy | null {
  const value = raw.trim();
  if (value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops >= 1 && hops <= 100 ? trustHops(hops) : null;
  }
  const items = value.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((i) => !isAddressOrRange(i))) return null;
  return items;
}

/** Parses and validates the environment once. Throws ConfigError with one readable line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const shown = name === 'DATABASE_URL' || name === 'SESSION_SECRET' || name === 'PATRON_ENCRYPTION_KEY' || name === 'PATRON_SMTP_URL' ? '(hidden)' : JSON.stringify(cleaned[name]);
    throw new ConfigError(`Invalid environment variable ${name}=${shown}: ${issue?.message ?? 'invalid value'}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.PATRON_DATA_DIR);
  let sessionSecret = e.SESSION_SECRET;
  if (!sessionSecret) {
    if (e.DATABASE_URL) {
      throw new ConfigError('Invalid environment variable SESSION_SECRET: required (32+ characters) when DATABASE_URL is set');
    }
    sessionSecret = loadOrCreateSecret(dataDir);
  }
  const encryptionKey = e.PATRON_ENCRYPTION_KEY ?? (e.DATABASE_URL ? undefined : loadOrCreateSecret(dataDir, 'encryption-key'));
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    sessionSecret,
    logLevel: e.LOG_LEVEL,
    worker: e.PATRON_WORKER === 'on',
    publicUrl: e.PATRON_PUBLIC_URL,
    trustProxy: e.PATRON_TRUST_PROXY,
    poolSize: e.DATABASE_POOL_SIZE,
    encryptionKey,
    webhooksAllowPrivate: e.PATRON_WEBHOOKS_ALLOW_PRIVATE === 'true',
    googleWalletUrl: e.PATRON_GOOGLE_WALLET_URL,
    googleTokenUrl: e.PATRON_GOOGLE_TOKEN_URL,
    apnsUrl: e.PATRON_APNS_URL,
    apnsCa: e.PATRON_APNS_CA,
    smtpUrl: e.PATRON_SMTP_URL,
    smtpFrom: e.PATRON_SMTP_FROM,
  };
}

/** Why an SMTP URL is not usable, or null: smtp:// or smtps://, a host, a port if given in range. */
export function smtpUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return 'not smtp:// or smtps://';
  if (!url.hostname) return 'no host';
  if (url.password && !url.username) return 'a password without a user';
  return null;
}

function loadOrCreateSecret(dataDir: string, name = 'session-secret'): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
