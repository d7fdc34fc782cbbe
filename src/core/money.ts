/**
 * Exact money and decimal arithmetic. Money is always a bigint count of minor
 * units (cents for USD, yen for JPY, fils for KWD); rates and multipliers are
 * decimal strings parsed into a scaled bigint. Floats are never involved.
 */

/** Rounding mode: 'down' = floor, 'up' = ceiling, 'nearest' = half up (ties toward +infinity). */
export type Rounding = 'down' | 'up' | 'nearest';

/** A decimal value equal to `digits / 10^scale`. */
export interface Decimal {
  digits: bigint;
  scale: number;
}

/** Thrown for malformed or out-of-range money input; `reason` is written for support agents. */
export class MoneyFormatError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'MoneyFormatError';
    this.reason = reason;
  }
}

/** Thrown for malformed decimal strings (earn rates, multipliers). Subclass of MoneyFormatError. */
export class DecimalFormatError extends MoneyFormatError {
  constructor(reason: string) {
    super(reason);
    this.name = 'DecimalFormatError';
  }
}

const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND';
const EXPONENT_4 = 'CLF UYW';
const EXPONENT_2 =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP ' +
  'BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR ' +
  'FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW ' +
  'KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN ' +
  'NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD ' +
  'SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU ' +
  'UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL';

function exponentEntries(codes: string, exponent: number): [string, number][] {
  return codes.split(' ').map((code) => [code, exponent]);
}

/** ISO 4217 currency code -> number of minor-unit digits (USD 2, JPY 0, KWD 3, CLF 4). */
export const CURRENCIES: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries([
    ...exponentEntries(EXPONENT_0, 0),
    ...exponentEntries(EXPONENT_2, 2),
    ...exponentEntries(EXPONENT_3, 3),
    ...exponentEntries(EXPONENT_4, 4),
  ]),
);

/** True for a known ISO 4217 code (exact, uppercase: 'USD', not 'usd'). */
export function isCurrency(code: unknown): code is string {
  return typeof code === 'string' && Object.hasOwn(CURRENCIES, code);
}

/** Minor-unit exponent of a currency; throws MoneyFormatError for an unknown code. */
export function currencyExponent(code: string): number {
  const exponent = isCurrency(code) ? CURRENCIES[code] : undefined;
  if (exponent === undefined) {
    throw new MoneyFormatError(`Unknown currency code '${String(code)}' (use an ISO 4217 code such as USD)`);
  }
  return exponent;
}

/** 10^n as a bigint (n a non-negative integer). */
export function pow10(n: number): bigint {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`pow10 needs a non-negative integer, got ${n}`);
  return 10n ** BigInt(n);
}

const MONEY_RE = /^-?\d{1,15}(\.\d+)?$/;

function decimalPlacesRule(currency: string, exponent: number): string {
  if (exponent === 0) return `${currency} amounts must be whole numbers (no decimal places)`;
  return `${currency} allows at most ${exponent} decimal place${exponent === 1 ? '' : 's'}`;
}

/**
 * Parses a decimal amount string ("12.34", "-0.5", "1200") into minor units.
 * Only `^-?\d{1,15}(\.\d+)?$` is accepted, with no more fractional digits than
 * the currency allows.
 */
export function parseMoney(amount: string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  if (typeof amount !== 'string') throw new MoneyFormatError('Amount must be given as a string, e.g. "12.34"');
  if (amount === '') throw new MoneyFormatError('Amount is empty');
  if (!MONEY_RE.test(amount)) {
    throw new MoneyFormatError(
      `'${amount}' is not a valid amount: use plain digits with an optional '.' and at most 15 whole digits, e.g. 12.34`,
    );
  }
  const negative = amount.startsWith('-');
  const [whole = '', fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  if (fraction.length > exponent) throw new MoneyFormatError(decimalPlacesRule(currency, exponent));
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  return negative ? -minor : minor;
}

function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const abs = (negative ? -value : value).toString();
  const sign = negative ? '-' : '';
  if (scale === 0) return sign + abs;
  const padded = abs.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** Formats minor units as a plain decimal string: 1234n USD -> "12.34", -5n -> "-0.05", 1200n JPY -> "1200". */
export function formatMoney(minor: bigint, currency: string): string {
  return formatScaled(minor, currencyExponent(currency));
}

const DECIMAL_RE = /^-?\d{1,30}(\.\d{1,30})?$/;

/** True when `s` is a decimal string parseDecimal accepts ("0.1", "1.25", "-3", at most 30+30 digits). */
export function isDecimalString(s: unknown): s is string {
  return typeof s === 'string' && DECIMAL_RE.test(s);
}

/** Parses "1.25" into { digits: 125n, scale: 2 }. Throws DecimalFormatError when malformed. */
export function parseDecimal(s: string): Decimal {
  if (!isDecimalString(s)) {
    throw new DecimalFormatError(`'${String(s)}' is not a valid decimal number: use digits with an optional '.', e.g. 1.25`);
  }
  const negative = s.startsWith('-');
  const [whole = '', fraction = ''] = (negative ? s.slice(1) : s).split('.');
  const digits = BigInt(whole + fraction);
  return { digits: negative ? -digits : digits, scale: fraction.length };
}

/** Formats a Decimal keeping its scale: { digits: 120n, scale: 2 } -> "1.20". */
export function formatDecimal(d: Decimal): string {
  return formatScaled(d.digits, d.scale);
}

/** Removes trailing fractional zeros: 1.20 -> 1.2, 3.000 -> 3. */
export function normalizeDecimal(d: Decimal): Decimal {
  let { digits, scale } = d;
  while (scale > 0 && digits % 10n === 0n) {
    digits /= 10n;
    scale -= 1;
  }
  return { digits, scale };
}

/** Compares two decimals exactly: -1, 0 or 1. */
export function compareDecimal(a: Decimal | string, b: Decimal | string): -1 | 0 | 1 {
  const x = typeof a === 'string' ? parseDecimal(a) : a;
  const y = typeof b === 'string' ? parseDecimal(b) : b;
  const scale = Math.max(x.scale, y.scale);
  const left = x.digits * pow10(scale - x.scale);
  const right = y.digits * pow10(scale - y.scale);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Exact `numerator / denominator` rounded per `rounding` (denominator must be non-zero). */
export function divRound(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator === 0n) throw new RangeError('Division by zero');
  const n = denominator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  switch (rounding) {
    case 'down':
      return floorDiv(n, d);
    case 'up':
      return -floorDiv(-n, d);
    case 'nearest':
      return floorDiv(2n * n + d, 2n * d);
    default:
      throw new RangeError(`Unknown rounding mode '${String(rounding satisfies never)}'`);
  }
}

function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

/** `value * factor` rounded per `rounding`; factor is a Decimal or decimal string. */
export function mulDecimal(value: bigint, factor: Decimal | string, rounding: Rounding): bigint {
  const f = typeof factor === 'string' ? parseDecimal(factor) : factor;
  return divRound(value * f.digits, pow10(f.scale), rounding);
}

/** floor(value * factor), e.g. mulDecimalFloor(1999n, "0.5") === 999n. */
export function mulDecimalFloor(value: bigint, factor: Decimal | string): bigint {
  return mulDecimal(value, factor, 'down');
}
