import { parseIsoDate } from '../../core/dates.js';
import { customerUpsertSchema, type CustomerUpsert } from '../customers/index.js';

export const IMPORT_KINDS = ['customers', 'points', 'birthdays', 'tiers'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface RowError {
  row: number;
  column: string | null;
  problem: string;
}

/** Column names as the files may spell them (case, spaces, dashes and underscores ignored). */
const CANONICAL = [
  'customerId', 'externalId', 'email', 'firstName', 'lastName', 'phone', 'birthday', 'anniversary', 'accountState', 'emailVerified',
  'points', 'reason', 'customerMessage', 'tier', 'tierProgress',
] as const;
type Column = (typeof CANONICAL)[number];
const BY_KEY = new Map<string, Column>(CANONICAL.map((c) => [c.toLowerCase(), c]));

const COLUMNS: Record<ImportKind, { allowed: Column[]; required: Column[][] }> = {
  customers: {
    allowed: ['externalId', 'email', 'firstName', 'lastName', 'phone', 'birthday', 'anniversary', 'accountState', 'emailVerified'],
    required: [['externalId']],
  },
  points: { allowed: ['customerId', 'externalId', 'points', 'reason', 'customerMessage'], required: [['customerId', 'externalId'], ['points'], ['reason']] },
  birthdays: { allowed: ['customerId', 'externalId', 'birthday', 'anniversary'], required: [['customerId', 'externalId'], ['birthday', 'anniversary']] },
  tiers: { allowed: ['customerId', 'externalId', 'tier', 'tierProgress'], required: [['customerId', 'externalId'], ['tier']] },
};

export interface Header {
  /** Cell index of each known column. */
  index: Partial<Record<Column, number>>;
  ignored: string[];
}

/** Reads the header row: problems are file-level (the whole file is refused). */
export function readHeader(kind: ImportKind, cells: string[]): { header: Header; problems: string[] } {
  const index: Header['index'] = {};
  const ignored: string[] = [];
  const problems: string[] = [];
  cells.forEach((raw, i) => {
    const col = BY_KEY.get(raw.trim().toLowerCase().replace(/[\s_-]+/g, ''));
    if (!col || !COLUMNS[kind].allowed.includes(col)) {
      if (raw.trim()) ignored.push(raw.trim());
      return;
    }
    if (index[col] !== undefined) problems.push(`column ${col} appears twice`);
    index[col] = i;
  });
  for (const group of COLUMNS[kind].required) {
    if (!group.some((c) => index[c] !== undefined)) problems.push(`a ${kind} file needs a ${group.join(' or ')} column`);
  }
  return { header: { index, ignored }, problems };
}

export type CustomerRef = { customerId: string } | { externalId: string };

export type ParsedRow =
  | { kind: 'customers'; input: CustomerUpsert & { externalId: string } }
  | { kind: 'points'; ref: CustomerRef; points: number; reason: string; customerMessage: string | null }
  | { kind: 'birthdays'; ref: CustomerRef; birthday?: string | null; anniversary?: string | null }
  | { kind: 'tiers'; ref: CustomerRef; tier: string; tierProgress?: string | undefined };

const cell = (h: Header, cells: string[], c: Column): string | undefined => {
  const i = h.index[c];
  return i === undefined ? undefined : (cells[i] ?? '').trim();
};

function ref(h: Header, cells: string[], row: number, errors: RowError[]): CustomerRef | null {
  const id = cell(h, cells, 'customerId');
  if (id) return { customerId: id };
  const ext = cell(h, cells, 'externalId');
  if (ext) return { externalId: ext };
  errors.push({ row, column: h.index.customerId !== undefined ? 'customerId' : 'externalId', problem: 'is empty: name the customer by customerId or externalId' });
  return null;
}

function date(h: Header, cells: string[], c: 'birthday' | 'anniversary', row: number, errors: RowError[]): string | null | undefined {
  const v = cell(h, cells, c);
  if (v === undefined) return undefined;
  if (v === '') return null;
  if (!parseIsoDate(v)) errors.push({ row, column: c, problem: `"${v}" is not a date YYYY-MM-DD` });
  return v;
}

/** Validates one data row without touching the database; errors name the column. */
export function parseRow(kind: ImportKind, h: Header, cells: string[], row: number): { parsed: ParsedRow | null; errors: RowError[] } {
  const errors: RowError[] = [];
  switch (kind) {
    case 'customers': {
      const obj: Record<string, unknown> = {};
      for (const c of COLUMNS.customers.allowed) {
        const v = cell(h, cells, c);
        if (v === undefined || v === '') continue;
        obj[c] = c === 'emailVerified' ? (/^(true|yes|1)$/i.test(v) ? true : /^(false|no|0)$/i.test(v) ? false : v) : v;
      }
      if (!obj.externalId) errors.push({ row, column: 'externalId', problem: 'is empty: each customer needs the platform customer id' });
      const r = customerUpsertSchema.safeParse(obj);
      if (!r.success) for (const i of r.error.issues) errors.push({ row, column: String(i.path[0] ?? ''), problem: i.message });
      return { parsed: errors.length === 0 && r.success ? { kind, input: { ...r.data, externalId: String(obj.externalId) } } : null, errors };
    }
    case 'points': {
      const who = ref(h, cells, row, errors);
      const raw = cell(h, cells, 'points') ?? '';
      const points = /^[+-]?\d{1,9}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(points) || points === 0 || Math.abs(points) > 10_000_000) {
        errors.push({ row, column: 'points', problem: `"${raw}" is not a whole number of points from -10000000 to 10000000 other than 0` });
      }
      const reason = cell(h, cells, 'reason') ?? '';
      if (!reason) errors.push({ row, column: 'reason', problem: 'is empty: say why the points change (staff see it in the ledger)' });
      if (reason.length > 500) errors.push({ row, column: 'reason', problem: 'is longer than 500 characters' });
      const message = cell(h, cells, 'customerMessage') ?? '';
      if (message.length > 500) errors.push({ row, column: 'customerMessage', problem: 'is longer than 500 characters' });
      return { parsed: errors.length === 0 && who ? { kind, ref: who, points, reason, customerMessage: message || null } : null, errors };
    }
    case 'birthdays': {
      const who = ref(h, cells, row, errors);
      const birthday = date(h, cells, 'birthday', row, errors);
      const anniversary = date(h, cells, 'anniversary', row, errors);
      const parsed: ParsedRow = { kind, ref: who!, ...(birthday !== undefined ? { birthday } : {}), ...(anniversary !== undefined ? { anniversary } : {}) };
      return { parsed: errors.length === 0 && who ? parsed : null, errors };
    }
    case 'tiers': {
      const who = ref(h, cells, row, errors);
      const tier = cell(h, cells, 'tier') ?? '';
      if (!tier) errors.push({ row, column: 'tier', problem: 'is empty: give the tier name or id' });
      const progress = cell(h, cells, 'tierProgress');
      if (progress && !/^\d{1,15}(\.\d{1,4})?$/.test(progress)) errors.push({ row, column: 'tierProgress', problem: `"${progress}" is not a non-negative number` });
      return { parsed: errors.length === 0 && who ? { kind, ref: who, tier, ...(progress ? { tierProgress: progress } : {}) } : null, errors };
    }
  }
}

/** Which customer a row is about (rows with the same key are applied in file order). */
export function customerKey(kind: ImportKind, h: Header, cells: string[]): string {
  if (kind === 'customers') return `x:${cell(h, cells, 'externalId') ?? ''}`;
  const id = cell(h, cells, 'customerId');
  return id ? `i:${id}` : `x:${cell(h, cells, 'externalId') ?? ''}`;
}
