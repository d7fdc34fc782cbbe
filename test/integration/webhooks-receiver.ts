import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A scripted reply: status, headers and body. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Only for requests whose body passes this test (others take the next reply that fits, or 200). */
  when?: (body: string) => boolean;
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Names of the secrets (registered with `trust`) whose Standard Webhooks verification passed. */
  verifiedWith: string[];
  /** The envelope, as the library returned it after verification (null when none verified). */
  payload: { type: string; timestamp: string; data: Record<string, unknown> } | null;
  at: number;
}

/**
 * A local webhook receiver: each path has a script of replies (200 once the script is used
 * up) and named secrets; every request is verified with the Standard Webhooks library
 * (`standardwebhooks`) against each secret of its path and recorded.
 */
export class Receiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, Reply[]>();
  private readonly secrets = new Map<string, Map<string, string>>();
  private waiters: (() => void)[] = [];
  private server!: Server;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const body = Buffer.concat(chunks).toString('utf8');
        const verifiedWith: string[] = [];
        let payload: Received['payload'] = null;
        for (const [name, secret] of this.secrets.get(path) ?? []) {
          try {
            payload = new Webhook(secret).verify(body, req.headers as Record<string, string>) as Received['payload'];
            verifiedWith.push(name);
          } catch {
            // not signed with this secret
          }
        }
        this.received.push({ path, headers: req.headers, body, verifiedWith, payload, at: Date.now() });
        const script = this.scripts.get(path) ?? [];
        const index = script.findIndex((r) => !r.when || r.when(body));
        const reply = index === -1 ? { status: 200, body: 'ok' } : script.splice(index, 1)[0]!;
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? '');
        const waiters = this.waiters;
        this.waiters = [];
        waiters.forEach((w) => w());
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Replies for the next requests to `path`, in order. */
  script(path: string, ...replies: Reply[]): void {
    this.scripts.set(path, [...(this.scripts.get(path) ?? []), ...replies]);
  }

  trust(path: string, name: string, secret: string): void {
    const m = this.secrets.get(path) ?? new Map<string, string>();
    m.set(name, secret);
    this.secrets.set(path, m);
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Waits until `count` requests reached `path`; rejects after `timeoutMs`. */
  async waitFor(path: string, count: number, timeoutMs = 10_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.at(path).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${path}: ${this.at(path).length} of ${count} requests arrived within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.at(path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}
