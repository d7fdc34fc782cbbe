import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkOutboundTarget,
  nonPublicReason,
  OutboundError,
  outboundRequest,
  parseOutboundUrl,
  parseRetryAfter,
  parseV6,
} from '../../src/core/outbound-http.js';

describe('address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.100.100.200', 'carrier-grade NAT'],
    ['169.254.169.254', 'metadata'],
    ['0.0.0.0', 'this network'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['64:ff9b::a00:1', 'NAT64'],
    ['2002:7f00:1::1', '6to4 loopback'],
    ['2001:db8::1', 'documentation'],
    ['ff02::1', 'multicast'],
    ['example.com', 'not an IP address'],
  ])('%s is not public (%s)', (address, reason) => {
    expect(nonPublicReason(address)).toContain(reason);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '::ffff:808:808', '2002:808:808::1'])(
    '%s is public',
    (address) => {
      expect(nonPublicReason(address)).toBeNull();
    },
  );

  it('reads IPv6 addresses in every notation', () => {
    expect(Array.from(parseV6('::ffff:1.2.3.4')!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect(Array.from(parseV6('1:2:3:4:5:6:7:8')!)).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(Array.from(parseV6('fe80::')!)).toEqual([0xfe, 0x80, ...new Array<number>(14).fill(0)]);
    expect(parseV6('1.2.3.4')).toBeNull();
    expect(parseV6('1::2::3')).toBeNull();
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sun, 01 Mar 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});

describe('URL checks', () => {
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutboundError);
    return err as OutboundError;
  };

  it('takes absolute http(s) URLs without credentials only', () => {
    expect(parseOutboundUrl('https://example.com/hooks?x=1').href).toBe('https://example.com/hooks?x=1');
    expect(() => parseOutboundUrl('/hooks')).toThrow(/absolute URL/);
    expect(() => parseOutboundUrl('ftp://example.com/')).toThrow(/uses ftp/);
    expect(() => parseOutboundUrl('file:///etc/passwd')).toThrow(/uses file/);
    expect(() => parseOutboundUrl('https://user:pw@example.com/')).toThrow(/user name or password/);
  });

  it('refuses loopback, private and metadata targets unless private targets are allowed', async () => {
    for (const url of ['http://127.0.0.1:8080/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest/meta-data', 'http://localhost/', 'http://app.localhost/', 'http://0x7f000001/', 'http://2130706433/']) {
      const err = await refusal(checkOutboundTarget(url));
      expect(err.kind, url).toBe('private_address');
      expect(err.message).toMatch(/unless the operator allows private targets/);
      expect((await checkOutboundTarget(url, { allowPrivate: true })).protocol).toMatch(/^https?:$/);
    }
  });

  it('judges a name by what it resolves to; an unresolvable name is left to the call', async () => {
    const resolver = (map: Record<string, string[]>) => async (host: string) => {
      const list = map[host];
      if (!list) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    const resolve = resolver({ 'internal.example': ['10.0.0.5', 'fd00::5'], 'mixed.example': ['10.0.0.5', '93.184.216.34'], 'public.example': ['93.184.216.34'] });
    expect((await refusal(checkOutboundTarget('https://internal.example/', { resolve }))).message).toContain('internal.example');
    expect((await checkOutboundTarget('https://mixed.example/', { resolve })).hostname).toBe('mixed.example');
    expect((await checkOutboundTarget('https://public.example/', { resolve })).hostname).toBe('public.example');
    expect((await checkOutboundTarget('https://nowhere.example/', { resolve })).hostname).toBe('nowhere.example');
  });
});

describe('outbound calls', () => {
  let server: Server;
  let base: string;
  let port: number;
  const seen: string[] = [];
  let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void = (_req, res) => res.end('ok');

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url}`);
        handler(req, res, Buffer.concat(chunks).toString('utf8'));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('posts the body and returns status, headers, Retry-After and a capped excerpt', async () => {
    handler = (req, res, body) => {
      res.writeHead(429, { 'retry-after': '7', 'content-type': 'text/plain' });
      res.end(`${req.headers['content-type']} ${req.headers['user-agent']} ${body} ` + 'x'.repeat(5000));
    };
    const reply = await outboundRequest({ url: `${base}/hook`, body: '{"a":1}', headers: { 'content-type': 'application/json' }, allowPrivate: true, excerptChars: 40 });
    expect(reply.status).toBe(429);
    expect(reply.retryAfterMs).toBe(7000);
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(reply.excerpt).toBe('application/json Patron {"a":1} xxxxxxxx');
    expect(reply.body.length).toBe(5000 + 32);
    expect(reply.truncated).toBe(false);
    expect(reply.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reads no more than maxBodyBytes and replaces NUL characters in the excerpt', async () => {
    handler = (_req, res) => res.end('a\u0000b' + 'y'.repeat(100_000));
    const reply = await outboundRequest({ url: `${base}/big`, allowPrivate: true, maxBodyBytes: 1000, excerptChars: 5 });
    expect(reply.status).toBe(200);
    expect(reply.truncated).toBe(true);
    expect(reply.body.length).toBe(1000);
    expect(reply.excerpt).toBe('a\uFFFDbyy');
  });

  it('does not follow redirects', async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/' });
      res.end();
    };
    const reply = await outboundRequest({ url: `${base}/redirect`, allowPrivate: true });
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('http://169.254.169.254/');
  });

  it('refuses a loopback address, literal or resolved, at the moment of the call', async () => {
    handler = (_req, res) => res.end('reached');
    const before = seen.length;
    const literal = await outboundRequest({ url: `${base}/x` }).catch((e: unknown) => e);
    expect(literal).toBeInstanceOf(OutboundError);
    expect((literal as OutboundError).kind).toBe('private_address');
    const v6 = await outboundRequest({ url: `http://[::ffff:127.0.0.1]:${port}/x` }).catch((e: unknown) => e);
    expect((v6 as OutboundError).kind).toBe('private_address');

    // A name that resolved to a public address when it was saved and to loopback now
    // (DNS rebinding): the address used for the connection is the one checked.
    let calls = 0;
    const rebinding = async () => [{ address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    await checkOutboundTarget(`http://rebind.example:${port}/x`, { resolve: rebinding });
    const rebound = await outboundRequest({ url: `http://rebind.example:${port}/x`, resolve: rebinding }).catch((e: unknown) => e);
    expect((rebound as OutboundError).kind).toBe('private_address');
    expect((rebound as OutboundError).retryable).toBe(false);
    expect(seen.length).toBe(before);

    const allowed = await outboundRequest({ url: `http://rebind.example:${port}/x`, resolve: rebinding, allowPrivate: true });
    expect(allowed.body).toBe('reached');
    expect(seen.length).toBe(before + 1);
  });

  it('gives up after the time limit', async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const err = await outboundRequest({ url: `${base}/slow`, allowPrivate: true, timeoutMs: 300 }).catch((e: unknown) => e);
    expect((err as OutboundError).kind).toBe('timeout');
    expect((err as OutboundError).retryable).toBe(true);
    expect((err as OutboundError).message).toContain('0.3 s');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports an unreachable receiver as a network failure and a bad URL as such', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await outboundRequest({ url: `http://127.0.0.1:${closedPort}/`, allowPrivate: true }).catch((e: unknown) => e);
    expect((err as OutboundError).kind).toBe('network');
    expect((err as OutboundError).message).toContain('ECONNREFUSED');
    const bad = await outboundRequest({ url: 'gopher://example.com/' }).catch((e: unknown) => e);
    expect((bad as OutboundError).kind).toBe('invalid_url');
    expect((bad as OutboundError).message).toBe('The URL uses gopher; only https (or http) URLs can be called');
  });
});
