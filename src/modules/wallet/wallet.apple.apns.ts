import { readFileSync } from 'node:fs';
import { connect, type ClientHttp2Session } from 'node:http2';
import { rootCertificates } from 'node:tls';
import type { AppContext } from '../../context.js';

export interface ApnsCredentials {
  passTypeId: string;
  certificatePem: string;
  keyPem: string;
}

export type ApnsResult = { token: string; ok: true } | { token: string; ok: false; gone: boolean; reason: string };

const TIMEOUT_MS = 10_000;

function trustedCas(ctx: AppContext): string[] | undefined {
  if (!ctx.config.apnsCa) return undefined;
  return [...rootCertificates, readFileSync(ctx.config.apnsCa, 'utf8')];
}

function pushOne(session: ClientHttp2Session, topic: string, token: string): Promise<ApnsResult> {
  return new Promise((resolve) => {
    const req = session.request({
      ':method': 'POST',
      ':path': `/3/device/${encodeURIComponent(token)}`,
      'apns-topic': topic,
      'content-type': 'application/json',
    });
    const chunks: Buffer[] = [];
    let status = 0;
    const timer = setTimeout(() => req.close(), TIMEOUT_MS);
    req.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', (err: Error) => {
      clearTimeout(timer);
      resolve({ token, ok: false, gone: false, reason: `APNs could not be reached: ${err.message}` });
    });
    req.on('close', () => {
      clearTimeout(timer);
      if (status === 200) return resolve({ token, ok: true });
      if (status === 0) return resolve({ token, ok: false, gone: false, reason: 'APNs did not answer in time' });
      let reason = '';
      try {
        const parsed = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reason?: unknown }).reason;
        reason = typeof parsed === 'string' ? parsed : '';
      } catch {
        reason = '';
      }
      const gone = status === 410 || reason === 'BadDeviceToken' || reason === 'Unregistered';
      resolve({ token, ok: false, gone, reason: `APNs answered ${status}${reason ? ` ${reason}` : ''}` });
    });
    req.end('{}');
  });
}

/**
 * Tells devices that a pass changed: one POST /3/device/{token} per push token with the pass
 * type as topic and an empty payload, over one HTTP/2 connection authenticated with the pass
 * certificate (mutual TLS).
 */
export async function pushToDevices(ctx: AppContext, creds: ApnsCredentials, tokens: readonly string[]): Promise<ApnsResult[]> {
  if (tokens.length === 0) return [];
  const ca = trustedCas(ctx);
  let session: ClientHttp2Session;
  try {
    session = connect(ctx.config.apnsUrl, { cert: creds.certificatePem, key: creds.keyPem, ...(ca ? { ca } : {}) });
  } catch (err) {
    return tokens.map((token) => ({ token, ok: false as const, gone: false, reason: `APNs could not be reached: ${(err as Error).message}` }));
  }
  let sessionError: Error | null = null;
  session.on('error', (err: Error) => {
    sessionError = err;
  });
  try {
    const results: ApnsResult[] = [];
    for (const token of tokens) {
      const r = await pushOne(session, creds.passTypeId, token);
      results.push(!r.ok && sessionError ? { ...r, reason: `APNs could not be reached: ${(sessionError as Error).message}` } : r);
    }
    return results;
  } finally {
    session.close();
  }
}
