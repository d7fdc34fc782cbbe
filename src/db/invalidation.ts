import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { LruCache } from '../core/lru.js';
import type { DB } from './types.js';

/** A database or a transaction (`Executor` of tx.ts, named here without importing it: tx.ts imports database.ts). */
type Executor = Kysely<DB>;

/**
 * In-process cache of what nearly every request reads and rarely changes (API keys, sessions
 * and the user and memberships they resolve to, organizations, program settings, tiers),
 * with invalidation that reaches every process.
 *
 * Every cached value carries tags (`org:<id>`, `user:<id>`, `session:<hash>`,
 * `api_key:<id>`). A write that changes a cached thing calls `invalidate(db, tags)` on the
 * executor that writes (inside its transaction, in its repository):
 * - here, at once, entries with those tags are dropped and the tags are marked *pending*:
 *   until the change has committed, nothing tagged so is served from or stored in the cache
 *   (so this process reads its own writes, and never keeps a value read before the commit);
 * - `pg_notify('patron_invalidate', ...)` is issued in the same transaction, so PostgreSQL
 *   delivers it at commit (and never for a rollback) to every process listening on the
 *   channel, this one included: each drops the tagged entries; the writer also clears its
 *   pending mark. On the embedded database (one process, one session) the pending marks
 *   settle when the session is handed back, i.e. once the transaction has ended.
 *
 * Each process listens on a dedicated connection. While it is not listening (not yet
 * connected, or the connection was lost) nothing is served from the cache; on (re)connect
 * the whole cache is flushed. Entries live at most `maxAgeMs` (30 s by default) as a safety
 * net; the cache holds at most 10,000 entries (least recently used evicted first). A load
 * that overlaps any invalidation is not stored.
 */
export const INVALIDATION_CHANNEL = 'patron_invalidate';
const DEFAULT_MAX_AGE_MS = 30_000;
const MAX_ENTRIES = 10_000;
/** A pending mark whose transaction never committed (rolled back) lapses after this long. */
const PENDING_MS = 10_000;

/** Cache tags: what a cached value depends on. */
export const cacheTag = {
  org: (orgId: string) => `org:${orgId}`,
  user: (userId: string) => `user:${userId}`,
  session: (tokenHash: string) => `session:${tokenHash}`,
  apiKey: (keyId: string) => `api_key:${keyId}`,
  /** Which outbox consumers have something to do in the organization (endpoints, connected tools, wallet settings). */
  outbox: (orgId: string) => `outbox:${orgId}`,
};

interface Entry {
  value: unknown;
  tags: readonly string[];
}

interface Source {
  readonly live: boolean;
  start(): void;
  close(): Promise<void>;
}

export interface CacheStats {
  hits: number;
  misses: number;
  bypassed: number;
  invalidations: number;
  received: number;
  flushes: number;
  entries: number;
  live: boolean;
}

const now = () => performance.now();

class CacheHub {
  private readonly entries = new LruCache<Entry>(MAX_ENTRIES, (key, e) => this.unindex(key, e.tags));
  private readonly byTag = new Map<string, Set<string>>();
  /** Bumped by every invalidation and flush: a load that saw it change is not stored. */
  private epoch = 0;
  /** This process's invalidations not yet known to be committed: token -> tags and deadline. */
  private readonly pending = new Map<string, { tags: readonly string[]; until: number }>();
  private readonly pendingTags = new Map<string, number>();
  private readonly sources = new Set<Source>();
  private readonly origin = randomBytes(6).toString('hex');
  private seq = 0;
  private readonly counters = { hits: 0, misses: 0, bypassed: 0, invalidations: 0, received: 0, flushes: 0 };

  attach(source: Source): () => Promise<void> {
    this.sources.add(source);
    return async () => {
      this.sources.delete(source);
      await source.close();
      this.flush();
    };
  }

  /** True when every attached source is listening (and there is at least one). */
  get live(): boolean {
    if (this.sources.size === 0) return false;
    for (const s of this.sources) {
      if (!s.live) {
        s.start();
        return false;
      }
    }
    return true;
  }

  stats(): CacheStats {
    return { ...this.counters, entries: this.entries.size, live: this.live };
  }

  async read<T>(key: string, load: () => Promise<T>, tagsOf: (value: NonNullable<T>) => readonly string[], maxAgeMs: number): Promise<T> {
    if (!this.live) {
      this.counters.bypassed++;
      return load();
    }
    const t = now();
    const hit = this.entries.get(key, t);
    if (hit && !this.isPending(hit.tags, t)) {
      this.counters.hits++;
      return hit.value as T;
    }
    this.counters.misses++;
    const epoch = this.epoch;
    const value = await load();
    if (value === undefined || value === null) return value;
    const tags = tagsOf(value);
    if (epoch === this.epoch && this.live && !this.isPending(tags, now())) {
      this.entries.set(key, { value, tags }, now() + maxAgeMs);
      for (const tag of tags) {
        let keys = this.byTag.get(tag);
        if (!keys) this.byTag.set(tag, (keys = new Set()));
        keys.add(key);
      }
    }
    return value;
  }

  /** Marks tags as changing in a transaction not yet committed; returns the notification payload. */
  begin(tags: readonly string[]): string {
    const token = `${this.origin}.${++this.seq}`;
    this.pending.set(token, { tags, until: now() + PENDING_MS });
    for (const tag of tags) this.pendingTags.set(tag, (this.pendingTags.get(tag) ?? 0) + 1);
    this.counters.invalidations++;
    this.drop(tags);
    return JSON.stringify({ o: token, t: tags });
  }

  /** A committed invalidation, from any process (the notification's payload). */
  received(payload: string | undefined): void {
    this.counters.received++;
    let parsed: { o?: unknown; t?: unknown };
    try {
      parsed = JSON.parse(payload ?? '') as { o?: unknown; t?: unknown };
    } catch {
      this.flush();
      return;
    }
    if (!Array.isArray(parsed.t) || !parsed.t.every((x) => typeof x === 'string')) {
      this.flush();
      return;
    }
    this.drop(parsed.t);
    if (typeof parsed.o === 'string') this.settle(parsed.o);
  }

  /** Every pending mark of this process is settled (the embedded database's session was handed back). */
  settleAll(): void {
    if (this.pending.size === 0) return;
    const tags = [...this.pendingTags.keys()];
    this.pending.clear();
    this.pendingTags.clear();
    this.drop(tags);
  }

  flush(): void {
    this.epoch++;
    this.counters.flushes++;
    this.entries.clear();
    this.byTag.clear();
  }

  private settle(token: string): void {
    const p = this.pending.get(token);
    if (!p) return;
    this.pending.delete(token);
    for (const tag of p.tags) {
      const n = (this.pendingTags.get(tag) ?? 1) - 1;
      if (n <= 0) this.pendingTags.delete(tag);
      else this.pendingTags.set(tag, n);
    }
  }

  private isPending(tags: readonly string[], t: number): boolean {
    if (this.pending.size === 0) return false;
    for (const [token, p] of this.pending) if (p.until <= t) this.settle(token);
    return tags.some((tag) => this.pendingTags.has(tag));
  }

  private drop(tags: readonly string[]): void {
    this.epoch++;
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.entries.delete(key);
    }
  }

  private unindex(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.byTag.delete(tag);
    }
  }
}

const hub = new CacheHub();

/**
 * Reads through the cache: `load` runs on a miss, and its value (unless null or undefined)
 * is kept under `key` with the tags `tagsOf` names. Inside a transaction `load` always runs
 * (a transaction reads what it sees) unless `acrossTransactions`. Callers must not modify
 * the value they get.
 */
export function cachedRead<T>(
  db: Executor,
  key: string,
  load: () => Promise<T>,
  tagsOf: (value: NonNullable<T>) => readonly string[],
  opts: { maxAgeMs?: number; acrossTransactions?: boolean } = {},
): Promise<T> {
  // `acrossTransactions`: the value is about settings a transaction of this kind does not
  // change (it is served from the cache inside one too, and `load` runs with the caller's
  // executor, which on the embedded database is the only session there is).
  if (db.isTransaction && !opts.acrossTransactions) return load();
  return hub.read(key, load, tagsOf, opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
}

/**
 * Says that what `tags` name changes in the current statement or transaction of `db`: call
 * it from the repository function that writes, with the same executor. Every process drops
 * those entries once the change commits (this one at once, and reads it back uncached until
 * then).
 */
export async function invalidate(db: Executor, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  const payload = hub.begin([...new Set(tags)]);
  await sql`select pg_notify(${INVALIDATION_CHANNEL}, ${payload})`.execute(db);
}

/** Counters for metrics and tests. */
export function cacheStats(): CacheStats {
  return hub.stats();
}

/** Empties this process's cache (tests, and a lost listener). */
export function flushCache(): void {
  hub.flush();
}

/** The embedded database ended a transaction or a lone statement: its invalidations are settled. */
export function settleLocalInvalidations(): void {
  hub.settleAll();
}

/** The embedded database: one process, one session; invalidations settle when the session is handed back. */
export function attachEmbedded(): () => Promise<void> {
  return hub.attach({ live: true, start: () => {}, close: async () => {} });
}

/**
 * PostgreSQL: a dedicated connection that LISTENs on the channel (opened on first use),
 * reconnecting with backoff; the cache is bypassed while it is down and flushed when it is back.
 */
export function attachPostgres(connectionString: string, onError: (err: unknown) => void = () => {}): () => Promise<void> {
  let client: pg.Client | null = null;
  let live = false;
  let started = false;
  let closed = false;
  let retryMs = 100;
  let timer: NodeJS.Timeout | null = null;

  const lost = (c: pg.Client, err?: unknown) => {
    if (client !== c) return;
    client = null;
    live = false;
    hub.flush();
    if (err) onError(err);
    c.end().catch(() => {});
    if (closed) return;
    timer = setTimeout(connect, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 2_000);
  };

  function connect(): void {
    timer = null;
    if (closed) return;
    const c = new pg.Client({ connectionString, keepAlive: true });
    client = c;
    c.on('notification', (m) => {
      if (m.channel === INVALIDATION_CHANNEL) hub.received(m.payload);
    });
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.connect()
      .then(async () => {
        // The listener alone never keeps a process alive (a command that read a cached value exits).
        (c as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
        await c.query(`listen ${INVALIDATION_CHANNEL}`);
        if (client !== c) return;
        hub.flush();
        live = true;
        retryMs = 100;
      })
      .catch((err: unknown) => lost(c, err));
  }

  return hub.attach({
    get live() {
      return live;
    },
    start() {
      if (started || closed) return;
      started = true;
      connect();
    },
    async close() {
      closed = true;
      live = false;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => {});
    },
  });
}
