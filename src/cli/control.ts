import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FolderOwner } from './folder-lock.js';

/**
 * The loopback channel through which `patron` commands run inside the server that holds
 * the embedded data folder. It listens on 127.0.0.1 only, on a port of its own (never the
 * public one), and needs the token from the folder's lock file, which only the folder's
 * owner can read. Output streams back as JSON lines: {"out": "..."}, {"err": "..."},
 * then {"exit": code}.
 */
export interface CommandSink {
  out(line: string): void;
  err(text: string): void;
}

export type ForwardedRunner = (argv: string[], sink: CommandSink) => Promise<number>;

function sameToken(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export async function startControlServer(token: string, run: ForwardedRunner): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    if (req.method !== 'POST' || req.url !== '/run' || !sameToken(auth, `Bearer ${token}`)) {
      res.writeHead(req.method === 'POST' && req.url === '/run' ? 401 : 404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let argv: unknown;
      try {
        argv = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { argv?: unknown }).argv;
      } catch {
        argv = null;
      }
      if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const line = (obj: object) => res.write(JSON.stringify(obj) + '\n');
      run(argv, { out: (text) => line({ out: text }), err: (text) => line({ err: text }) })
        .then((code) => line({ exit: code }))
        .catch((err: unknown) => {
          line({ err: `${(err as Error).message}\n` });
          line({ exit: 1 });
        })
        .finally(() => res.end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `argv` in the server that owns the folder; resolves with its exit code. */
export function forwardToOwner(owner: FolderOwner, argv: string[], sink: CommandSink): Promise<number> {
  const url = new URL('/run', owner.controlUrl);
  const body = JSON.stringify({ argv });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`the server answered ${res.statusCode}`));
          return;
        }
        let buffered = '';
        let exit: number | null = null;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const msg = JSON.parse(buffered.slice(0, nl)) as { out?: string; err?: string; exit?: number };
            buffered = buffered.slice(nl + 1);
            if (msg.out !== undefined) sink.out(msg.out);
            if (msg.err !== undefined) sink.err(msg.err);
            if (msg.exit !== undefined) exit = msg.exit;
          }
        });
        res.on('end', () => (exit === null ? reject(new Error('the server closed the connection before the command finished')) : resolve(exit)));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
