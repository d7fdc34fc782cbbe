import type { Transaction } from 'kysely';
import { AppError } from '../errors.js';
import type { Db } from './database.js';
import type { DB } from './types.js';

export type Tx = Transaction<DB>;
export type Executor = Db | Tx;

const RETRYABLE = new Set(['40001', '40P01', '55P03']);

function pgCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (pgCode(err) !== '23505') return false;
  if (!constraint) return true;
  const c = (err as { constraint?: string }).constraint;
  const msg = (err as { message?: string }).message ?? '';
  return c === constraint || msg.includes(constraint);
}

/**
 * Runs `fn` in a transaction. Serialization failures and deadlocks are retried with a
 * short randomized backoff; if they persist the caller gets a 409, never a 500.
 */
export async function withTx<T>(db: Db, fn: (tx: Tx) => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (err) {
      const code = pgCode(err);
      if (code && RETRYABLE.has(code)) {
        if (attempt >= attempts) {
          throw new AppError('CONCURRENT_UPDATE', 'The record was busy with another change; please retry', {
            retryable: true,
          });
        }
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 20 * attempt) + 5));
        continue;
      }
      throw err;
    }
  }
}
