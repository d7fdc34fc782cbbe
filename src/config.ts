import { randomBytes } from 'node:crypto';
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
  PATRON_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
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
  trustProxy: boolean;
  poolSize: number;
}

export class ConfigError extends Error {}

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
    const shown = name === 'DATABASE_URL' || name === 'SESSION_SECRET' ? '(hidden)' : JSON.stringify(cleaned[name]);
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
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    sessionSecret,
    logLevel: e.LOG_LEVEL,
    worker: e.PATRON_WORKER === 'on',
    publicUrl: e.PATRON_PUBLIC_URL,
    trustProxy: e.PATRON_TRUST_PROXY === 'true',
    poolSize: e.DATABASE_POOL_SIZE,
  };
}

function loadOrCreateSecret(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
