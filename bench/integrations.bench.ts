import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FakeKlaviyo } from '../test/integration/marketing-fakes.js';
import { recreateDatabase, startPatron } from './procs.js';
import { prepareTenant } from './setup.js';

const exec = promisify(execFile);

export interface Latencies {
  samples: number;
  p50: number;
  p95: number;
  max: number;
}

export interface IntegrationsBenchResult {
  barePost: Latencies;
  adjustment: Latencies;
  webhook: Latencies;
  klaviyo: Latencies;
}

function summary(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return { samples: sorted.length, p50: at(50), p95: at(95), max: sorted[sorted.length - 1] ?? 0 };
}

const show = (l: Latencies) => `p50 ${l.p50.toFixed(1)} ms, p95 ${l.p95.toFixed(1)} ms, max ${l.max.toFixed(1)} ms (${l.samples} samples)`;

/** A local receiver answering 200 to every POST and telling who waits when one arrives. */
async function receiver(): Promise<{ url: string; arrivals: { at: number; body: string }[]; next(count: number, timeoutMs?: number): Promise<number>; close(): Promise<void> }> {
  const arrivals: { at: number; body: string }[] = [];
  let waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push({ at: performance.now(), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    arrivals,
    // Resolves with the arrival time of the `count`-th request.
    next: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no request ${count} at ${url} within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          if (arrivals.length >= count) {
            clearTimeout(t);
            resolve(arrivals[count - 1]!.at);
          } else waiters.push(check);
        };
        check();
      }),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function post(url: string, body: string, headers: Record<string, string> = {}, agent?: http.Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * How long an outbound integration takes to hear of a change: from the start of the request
 * that adjusts points to the arrival of the webhook at a local receiver, and of the profile
 * update at a local Klaviyo double; next to a bare HTTP POST round trip to the same receiver
 * from this process (the floor any delivery pays) and the adjustment request itself. One
 * change at a time, with the worker running in the server process, as in production.
 */
export async function runIntegrationsBench(o: { databaseUrl?: string | undefined; samples: number }): Promise<IntegrationsBenchResult> {
  const say = (s: string) => process.stdout.write(s + '\n');
  const engine = o.databaseUrl ? 'PostgreSQL' : 'embedded PGlite';
  say(`\n## Integrations: latency from a points change to a webhook receiver and to Klaviyo (${engine}, ${o.samples} changes one at a time)`);
  const rx = await receiver();
  const klaviyo = await new FakeKlaviyo('pk_bench_0123456789abcdefKLAV').start();
  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-integrations-'));
  const secret = 'bench-secret-bench-secret-bench-secret';
  try {
    // Baseline: a bare POST of a webhook-sized body to the same receiver, on a kept-alive connection.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ type: 'points.adjusted', timestamp: new Date().toISOString(), data: { pad: 'x'.repeat(600) } });
    const bare: number[] = [];
    for (let i = 0; i < o.samples + 20; i++) {
      const t0 = performance.now();
      await post(rx.url, body, {}, agent);
      if (i >= 20) bare.push(performance.now() - t0);
    }
    agent.destroy();
    const barePost = summary(bare);
    say(`baseline bare HTTP POST round trip to a local receiver: ${show(barePost)}`);
    rx.arrivals.length = 0;

    const url = o.databaseUrl ? await recreateDatabase(o.databaseUrl, 'patron_bench_integrations') : undefined;
    const tenant = await prepareTenant({ databaseUrl: url, dataDir: url ? undefined : join(dir, 'pglite'), customers: 10 });
    const env: Record<string, string> = {
      ...(url ? { DATABASE_URL: url } : { PATRON_DATA_DIR: dir, DATABASE_URL: '' }),
      SESSION_SECRET: secret,
      PATRON_ENCRYPTION_KEY: 'bench-encryption-key-bench-encryption-key',
      PATRON_WEBHOOKS_ALLOW_PRIVATE: 'true',
      PATRON_WORKER: 'on',
    };
    const server = await startPatron(env);
    const auth = { authorization: `Bearer ${tenant.apiKey}` };
    try {
      const org = JSON.parse((await new Promise<string>((resolve, reject) => {
        http.get(`${server.url}/api/v1/organization`, { headers: auth }, (res) => {
          let t = '';
          res.on('data', (d: Buffer) => (t += d.toString()));
          res.on('end', () => resolve(t));
        }).on('error', reject);
      }))) as { slug: string };
      // The operator's command: a private base URL (the local double) is the operator's to set.
      await exec(process.execPath, ['bin/patron.js', 'marketing', 'connect', '--org', org.slug, '--tool', 'klaviyo', '--api-key', klaviyo.apiKey, '--base-url', klaviyo.baseUrl], {
        env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      });
      const ep = await post(`${server.url}/api/v1/webhook-endpoints`, JSON.stringify({ url: rx.url, events: ['points.adjusted'] }), auth);
      if (ep.status !== 201) throw new Error(`could not register the webhook endpoint: ${ep.status} ${ep.text}`);
      await new Promise((r) => setTimeout(r, 1000)); // the dispatcher listens

      const adjustment: number[] = [];
      const webhook: number[] = [];
      const toKlaviyo: number[] = [];
      const imports = () => klaviyo.calls('POST', '/api/profile-import');
      for (let i = 0; i < o.samples + 3; i++) {
        const id = tenant.customerIds[i % tenant.customerIds.length]!;
        const before = imports().length;
        const wallStart = Date.now();
        const t0 = performance.now();
        const r = await post(`${server.url}/api/v1/customers/${id}/points/adjustments`, JSON.stringify({ direction: 'add', points: 1 + i, reason: 'latency' }), auth);
        const answered = performance.now();
        if (r.status !== 201) throw new Error(`adjustment failed: ${r.status} ${r.text}`);
        const arrived = await rx.next(i + 1);
        const deadline = Date.now() + 10_000;
        while (imports().length <= before) {
          if (Date.now() > deadline) throw new Error('no profile update reached the Klaviyo double within 10 s');
          await new Promise((res) => setTimeout(res, 2));
        }
        if (i < 3) continue; // warm-up
        adjustment.push(answered - t0);
        webhook.push(arrived - t0);
        toKlaviyo.push(imports()[imports().length - 1]!.at - wallStart);
      }
      const result = { barePost, adjustment: summary(adjustment), webhook: summary(webhook), klaviyo: summary(toKlaviyo) };
      say(`the adjustment request itself: ${show(result.adjustment)}`);
      say(`adjustment to webhook received: ${show(result.webhook)}  -> p50 ${(result.webhook.p50 / barePost.p50).toFixed(1)}x a bare POST, ${(result.webhook.p50 - result.adjustment.p50).toFixed(1)} ms after the reply`);
      say(`adjustment to Klaviyo profile update: ${show(result.klaviyo)} (wall clock, 1 ms resolution)`);
      return result;
    } finally {
      await server.stop();
    }
  } finally {
    await klaviyo.stop();
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
