import nodemailer, { type Transporter } from 'nodemailer';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';

/**
 * E-mail for "send loyalty card": one SMTP transport per server (PATRON_SMTP_URL), the
 * sender per organization (wallet settings) or the server's PATRON_SMTP_FROM.
 */

const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/**
 * A sender as staff write it: `loyalty@shop.example` or `Shop Rewards <loyalty@shop.example>`.
 * Returns the problem in words, or null when it is well formed.
 */
export function senderProblem(value: string): string | null {
  if (value.length > 200) return 'must be at most 200 characters';
  if (/[\r\n]/.test(value)) return 'must be on one line';
  const named = /^(.*?)\s*<([^<>]*)>$/.exec(value.trim());
  const address = named ? named[2]!.trim() : value.trim();
  const name = named ? named[1]!.trim() : '';
  if (!ADDRESS.test(address)) return 'must be an e-mail address such as loyalty@shop.example, or a name and address such as "Shop Rewards <loyalty@shop.example>"';
  if (/[<>"]/.test(name)) return 'the name before <address> must not contain <, > or quotes';
  return null;
}

/** A well-formed address (for the recipient). */
export function isAddress(value: string): boolean {
  return ADDRESS.test(value);
}

/** `Shop Rewards <loyalty@shop.example>` as nodemailer takes it; a bare address as is. */
function parseSender(value: string): string | { name: string; address: string } {
  const named = /^(.*?)\s*<([^<>]*)>$/.exec(value.trim());
  if (!named) return value.trim();
  const name = named[1]!.trim();
  return name ? { name, address: named[2]!.trim() } : named[2]!.trim();
}

const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    // smtps:// is TLS from the first byte; smtp:// upgrades with STARTTLS when the server offers it.
    t = nodemailer.createTransport(url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never);
    transports.set(url, t);
  }
  return t;
}

export interface OutgoingMail {
  /** The organization's sender ("" = the server's PATRON_SMTP_FROM). */
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export const NOT_CONFIGURED =
  'E-mail is not configured on this server: set PATRON_SMTP_URL (smtp://user:password@host:587 or smtps://user:password@host:465) and PATRON_SMTP_FROM, then restart Patron';

/** Whether this server can send e-mail at all. */
export function mailConfigured(ctx: AppContext): boolean {
  return Boolean(ctx.config.smtpUrl);
}

/** The sender used for an organization, or a clear refusal when there is none. */
export function senderFor(ctx: AppContext, orgSender: string): string {
  const from = orgSender.trim() || ctx.config.smtpFrom || '';
  if (!from) {
    throw new AppError('CONFLICT', 'No sender address is set: set the sender in the wallet settings (mailFrom) or PATRON_SMTP_FROM on the server', { field: 'mailFrom' });
  }
  return from;
}

/**
 * Sends one message. A refusal of the SMTP server (or no answer) is 503 naming the server's
 * answer, never the URL (it may hold a password).
 */
export async function sendMail(ctx: AppContext, mail: OutgoingMail): Promise<{ messageId: string }> {
  const url = ctx.config.smtpUrl;
  if (!url) throw new AppError('CONFLICT', NOT_CONFIGURED, { setting: 'PATRON_SMTP_URL' });
  const from = senderFor(ctx, mail.from);
  try {
    const info = (await transportFor(url).sendMail({ from: parseSender(from), to: mail.to, subject: mail.subject, text: mail.text, html: mail.html })) as { messageId?: string };
    return { messageId: info.messageId ?? '' };
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
    const answer = e.response ? `the mail server answered ${e.responseCode ?? ''} ${e.response}`.replace(/\s+/g, ' ').trim() : (e.code ?? 'no answer');
    ctx.logger.warn({ code: e.code, responseCode: e.responseCode }, 'e-mail not sent');
    throw new AppError('UNAVAILABLE', `The e-mail could not be sent (${answer.slice(0, 300)}); try again later or check the SMTP settings`, { smtp: e.code ?? null });
  }
}

/** Closes pooled connections (tests, shutdown). */
export function closeMailTransports(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}
