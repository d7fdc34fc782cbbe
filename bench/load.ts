import http from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  statusCounts: Record<string, number>;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface LoadOptions {
  url: string;
  concurrency: number;
  seconds: number;
  /** Builds request i: method, path, headers, body. */
  request: (i: number) => { method: string; path: string; headers?: Record<string, string>; body?: string };
  /** Which statuses count as success (default 2xx). */
  ok?: (status: number) => boolean;
  /** Unmeasured warm-up first (JIT, connection pools), default 2 s. */
  warmupSeconds?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A small closed-loop HTTP load generator: `concurrency` keep-alive clients for `seconds`. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const warmup = opts.warmupSeconds ?? 2;
  if (warmup > 0) await measure({ ...opts, seconds: warmup }, 1_000_000_000);
  return measure(opts, 0);
}

async function measure(opts: LoadOptions, offset: number): Promise<LoadResult> {
  const target = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const ok = opts.ok ?? ((s: number) => s >= 200 && s < 300);
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  let counter = offset;
  const deadline = performance.now() + opts.seconds * 1000;
  const started = performance.now();

  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const r = opts.request(i);
      const t0 = performance.now();
      const req = http.request(
        { host: target.hostname, port: target.port, method: r.method, path: r.path, agent, headers: { ...(r.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body) } : {}), ...r.headers } },
        (res) => {
          res.on('data', () => {});
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            const s = String(res.statusCode);
            statusCounts[s] = (statusCounts[s] ?? 0) + 1;
            if (!ok(res.statusCode ?? 0)) errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        statusCounts.error = (statusCounts.error ?? 0) + 1;
        resolve();
      });
      if (r.body) req.write(r.body);
      req.end();
    });

  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < deadline) await one(counter++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    statusCounts,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}

export function fmt(r: LoadResult): string {
  return `${r.rps.toFixed(0)} req/s (p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, ${r.requests} requests, ${r.errors} errors)`;
}
