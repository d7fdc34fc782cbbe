import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/database.js';
import { cacheStats } from '../db/invalidation.js';
import { groupingStats } from '../modules/points/index.js';
import { jobCountsByStatus } from '../jobs/queue.js';

/** Prometheus metrics shared by the HTTP app and the worker of one process. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'patron_http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'patron_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly jobsProcessed = new Counter({
    name: 'patron_jobs_processed_total',
    help: 'Jobs run by this process, by type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  private db: Db | null = null;

  constructor() {
    const getDb = () => this.db;
    new Gauge({
      name: 'patron_jobs',
      help: 'Jobs in the queue by status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const db = getDb();
        if (!db) return;
        const rows = await jobCountsByStatus(db);
        this.reset();
        for (const status of ['queued', 'running', 'done', 'dead']) {
          this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
        }
      },
    });
  }

  /** The in-process cache (src/db/invalidation.ts): hits, misses, bypasses, invalidations sent and received. */
  readonly cache = new Gauge({
    name: 'patron_cache',
    help: 'In-process cache of keys, sessions and settings: counters since start (hits, misses, bypassed, invalidations, received, flushes), entries, and live (1 while its invalidation listener is connected)',
    labelNames: ['stat'] as const,
    registers: [this.registry],
    collect() {
      const s: Record<string, number | boolean> = { ...cacheStats() };
      for (const [stat, value] of Object.entries(s)) this.set({ stat }, Number(value));
    },
  });

  /** Ledger changes sent to the database, and how many shared a statement with other changes of their customer. */
  readonly ledgerStatements = new Gauge({
    name: 'patron_ledger_changes',
    help: 'One-statement ledger changes since start: statements sent, and changes that went in a statement shared with other changes of the same customer (grouped)',
    labelNames: ['stat'] as const,
    registers: [this.registry],
    collect() {
      for (const [stat, value] of Object.entries(groupingStats())) this.set({ stat }, value);
    },
  });

  attachDatabase(db: Db): void {
    this.db = db;
  }
}
