import { useMemo } from 'react';
import type { Money } from '../api/models.js';
import { useSession } from './session.js';

export interface Formatter {
  currency: string;
  timeZone: string;
  money(m: Money | null | undefined): string;
  /** A plain amount in the organization currency, e.g. for inputs and averages. */
  amount(value: number | string): string;
  points(n: number | null | undefined): string;
  signedPoints(n: number): string;
  number(n: number | null | undefined): string;
  percent(ratio: number | null | undefined): string;
  dateTime(iso: string | null | undefined): string;
  date(iso: string | null | undefined): string;
  /** A calendar date (birthday, anniversary) stored as YYYY-MM-DD: never shifted by time zones. */
  calendarDate(ymd: string | null | undefined): string;
  relative(iso: string | null | undefined): string;
  /** Tier progress or a threshold as the API gives it: an amount ("110.50") for amount_spent, an integer of points or orders. */
  tierProgress(value: string | number | null | undefined, basis: string | undefined): string;
  /** An order's number as staff know it: `#1091`, also when the store's number already starts with `#`. */
  orderNumber(externalId: string): string;
  /**
   * Text written by the server for people (reasons, explanations, messages) made readable:
   * no doubled `#` before order numbers, no API paths, ISO timestamps in the organization's time
   * zone, `1045 point(s)` as `1,045 points`, `223.96 USD` as money.
   */
  text(message: string): string;
}

/** `#1091` from `1091` or `#1091`. */
export function orderNumber(externalId: string): string {
  return `#${externalId.replace(/^#+/, '')}`;
}

const API_HINT = /\s*\((?:GET|POST|PUT|PATCH|DELETE) \/api\/[^()]*(?:\([^()]*\)[^()]*)*\)/g;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})\b/g;
/** A calendar date written by the server (`2026-12-31`), not part of a longer token. */
const ISO_DATE = /(?<![\w-])\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\w-])/g;
const CURRENCIES = new Set<string>(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : []);
const UUID = /\s*\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/**
 * A whole number of points typed by a person, or why it is not one. Only digits (and thousands
 * separators) are accepted: `1.5`, `1e3`, `-5` and `12abc` are refused, never read as another number.
 */
export function parseWholePoints(raw: string, max: number, fmt?: Pick<Formatter, 'number'>): { value: number | null; error: string | null } {
  const number = fmt?.number ?? ((n: number) => n.toLocaleString('en-US'));
  const v = raw.trim();
  if (v === '') return { value: null, error: 'Enter a whole number of points, at least 1' };
  if (/^\d{1,3}(,\d{3})+$|^\d+$/.test(v)) {
    const n = Number(v.replace(/,/g, ''));
    if (n < 1) return { value: null, error: 'Enter a whole number of points, at least 1' };
    if (n > max) return { value: null, error: `At most ${number(max)} points at a time: ${number(n)} is more than that` };
    return { value: n, error: null };
  }
  if (/^-/.test(v)) return { value: null, error: 'Enter the points without a sign; choose add or deduct above' };
  if (/^[\d,]*\.\d*$/.test(v)) return { value: null, error: `Points are whole numbers: "${v}" has a decimal part. Enter for example ${number(Math.max(1, Math.floor(Number(v.replace(/,/g, '')))))}` };
  return { value: null, error: `"${v}" is not a whole number. Use digits only, for example 1000` };
}

const DASH = '—';

export function createFormatter(currency: string, timeZone: string, locale?: string): Formatter {
  const num = new Intl.NumberFormat(locale);
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  let cur: Intl.NumberFormat;
  try {
    cur = new Intl.NumberFormat(locale, { style: 'currency', currency });
  } catch {
    cur = new Intl.NumberFormat(locale, { minimumFractionDigits: 2 });
  }
  let tz = timeZone;
  try {
    new Intl.DateTimeFormat(locale, { timeZone });
  } catch {
    tz = 'UTC';
  }
  const dt = new Intl.DateTimeFormat(locale, { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' });
  const d = new Intl.DateTimeFormat(locale, { timeZone: tz, dateStyle: 'medium' });
  const cal = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' });
  const rel = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const valid = (iso: string | null | undefined): Date | null => {
    if (!iso) return null;
    const v = new Date(iso);
    return Number.isNaN(v.getTime()) ? null : v;
  };
  return {
    currency,
    timeZone: tz,
    money: (m) => {
      if (!m) return DASH;
      try {
        return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(Number(m.amount));
      } catch {
        return `${m.amount} ${m.currency}`;
      }
    },
    amount: (v) => cur.format(Number(v)),
    points: (n) => (n === null || n === undefined ? DASH : `${num.format(n)} ${Math.abs(n) === 1 ? 'point' : 'points'}`),
    signedPoints: (n) => (n > 0 ? `+${num.format(n)}` : num.format(n)),
    number: (n) => (n === null || n === undefined ? DASH : num.format(n)),
    percent: (r) => (r === null || r === undefined ? DASH : pct.format(r)),
    dateTime: (iso) => {
      const v = valid(iso);
      return v ? dt.format(v) : DASH;
    },
    date: (iso) => {
      const v = valid(iso);
      return v ? d.format(v) : DASH;
    },
    calendarDate: (ymd) => {
      if (!ymd) return DASH;
      const v = valid(`${ymd.slice(0, 10)}T00:00:00Z`);
      return v ? cal.format(v) : ymd;
    },
    tierProgress: (value, basis) => {
      if (value === null || value === undefined || value === '') return DASH;
      const n = Number(value);
      if (Number.isNaN(n)) return String(value);
      if (basis === 'amount_spent') return cur.format(n);
      if (basis === 'orders_count') return `${num.format(n)} ${n === 1 ? 'order' : 'orders'}`;
      return `${num.format(n)} pts`;
    },
    orderNumber,
    text: (message) => {
      let t = message
        .replace(API_HINT, '')
        .replace(/##(?=[\w-])/g, '#')
        .replace(ISO_TIME, (iso) => dt.format(new Date(iso)))
        .replace(ISO_DATE, (ymd) => cal.format(new Date(`${ymd}T00:00:00Z`)))
        .replace(/\b(\d+) point\(s\)/g, (_, n: string) => `${num.format(Number(n))} ${n === '1' ? 'point' : 'points'}`)
        .replace(/\b(\d+(?:\.\d+)?) ([A-Za-z]{3})\b/g, (whole, amount: string, code: string) => {
          const upper = code.toUpperCase();
          if (upper !== currency.toUpperCase() && !(code === upper && CURRENCIES.has(upper))) return whole;
          try {
            return new Intl.NumberFormat(locale, { style: 'currency', currency: upper }).format(Number(amount));
          } catch {
            return whole;
          }
        })
        .replace(UUID, '')
        .trim();
      if (t && !/[.!?]$/.test(t)) t += '.';
      return t.charAt(0).toUpperCase() + t.slice(1);
    },
    relative: (iso) => {
      const v = valid(iso);
      if (!v) return DASH;
      const secs = Math.round((v.getTime() - Date.now()) / 1000);
      const abs = Math.abs(secs);
      if (abs < 60) return rel.format(secs, 'second');
      if (abs < 3600) return rel.format(Math.round(secs / 60), 'minute');
      if (abs < 86400) return rel.format(Math.round(secs / 3600), 'hour');
      if (abs < 86400 * 30) return rel.format(Math.round(secs / 86400), 'day');
      return d.format(v);
    },
  };
}

/** Money and dates in the organization's currency and time zone. */
export function useFormat(): Formatter {
  const { me } = useSession();
  const { currency, timezone } = me.organization;
  return useMemo(() => createFormatter(currency, timezone), [currency, timezone]);
}
