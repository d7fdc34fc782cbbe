import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CURRENCIES,
  DecimalFormatError,
  MoneyFormatError,
  compareDecimal,
  currencyExponent,
  divRound,
  formatDecimal,
  formatMoney,
  isCurrency,
  isDecimalString,
  mulDecimal,
  mulDecimalFloor,
  normalizeDecimal,
  parseDecimal,
  parseMoney,
  pow10,
} from '../../../src/core/money.js';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof MoneyFormatError) return e.reason;
    throw e;
  }
  throw new Error('expected a MoneyFormatError');
}

describe('CURRENCIES', () => {
  it('has the common ISO 4217 codes with correct exponents', () => {
    expect(Object.keys(CURRENCIES).length).toBeGreaterThanOrEqual(150);
    const expected: Record<string, number> = {
      USD: 2, EUR: 2, GBP: 2, JPY: 0, KRW: 0, KWD: 3, BHD: 3, OMR: 3, JOD: 3, TND: 3,
      CLP: 0, ISK: 0, VND: 0, UGX: 0, XAF: 0, XOF: 0, PYG: 0, CLF: 4, INR: 2, CHF: 2,
    };
    for (const [code, exp] of Object.entries(expected)) expect(CURRENCIES[code]).toBe(exp);
  });

  it('only contains 3-letter uppercase codes with exponents 0-4', () => {
    for (const [code, exp] of Object.entries(CURRENCIES)) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(exp);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(CURRENCIES)).toBe(true);
  });

  it('isCurrency is exact and ignores prototype keys', () => {
    expect(isCurrency('USD')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('XYZ')).toBe(false);
    expect(isCurrency('constructor')).toBe(false);
    expect(isCurrency('toString')).toBe(false);
    expect(isCurrency(42)).toBe(false);
  });

  it('currencyExponent throws for unknown codes', () => {
    expect(currencyExponent('KWD')).toBe(3);
    expect(reasonOf(() => currencyExponent('XYZ'))).toContain("Unknown currency code 'XYZ'");
  });
});

describe('parseMoney', () => {
  it('parses valid amounts into minor units', () => {
    expect(parseMoney('12.34', 'USD')).toBe(1234n);
    expect(parseMoney('12.3', 'USD')).toBe(1230n);
    expect(parseMoney('12', 'USD')).toBe(1200n);
    expect(parseMoney('0', 'USD')).toBe(0n);
    expect(parseMoney('-0', 'USD')).toBe(0n);
    expect(parseMoney('-0.05', 'USD')).toBe(-5n);
    expect(parseMoney('007.10', 'EUR')).toBe(710n);
    expect(parseMoney('1200', 'JPY')).toBe(1200n);
    expect(parseMoney('1.234', 'KWD')).toBe(1234n);
    expect(parseMoney('1.2345', 'CLF')).toBe(12345n);
    expect(parseMoney('999999999999999.99', 'USD')).toBe(99999999999999999n);
  });

  it.each(['', ' 1', '1 ', '1e3', '0x1', '1,00', '+1', '.5', '1.', '--1', '1..0', 'abc', '１', '1000000000000000'])(
    'rejects %j',
    (bad) => {
      expect(() => parseMoney(bad, 'USD')).toThrow(MoneyFormatError);
    },
  );

  it('explains the problem for support agents', () => {
    expect(reasonOf(() => parseMoney('1.234', 'USD'))).toBe('USD allows at most 2 decimal places');
    expect(reasonOf(() => parseMoney('1.5', 'JPY'))).toBe('JPY amounts must be whole numbers (no decimal places)');
    expect(reasonOf(() => parseMoney('1.0', 'JPY'))).toBe('JPY amounts must be whole numbers (no decimal places)');
    expect(reasonOf(() => parseMoney('1.2345', 'KWD'))).toBe('KWD allows at most 3 decimal places');
    expect(reasonOf(() => parseMoney('', 'USD'))).toBe('Amount is empty');
    expect(reasonOf(() => parseMoney('1e3', 'USD'))).toContain("'1e3' is not a valid amount");
    expect(reasonOf(() => parseMoney('1', 'ABC'))).toContain('Unknown currency');
  });

  it('rejects non-string input at runtime', () => {
    expect(() => parseMoney(12 as unknown as string, 'USD')).toThrow(MoneyFormatError);
  });

  it('error has a useful name and message', () => {
    const err = new MoneyFormatError('x');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('MoneyFormatError');
    expect(err.message).toBe('x');
  });
});

describe('formatMoney', () => {
  it('formats minor units', () => {
    expect(formatMoney(1234n, 'USD')).toBe('12.34');
    expect(formatMoney(-5n, 'USD')).toBe('-0.05');
    expect(formatMoney(0n, 'USD')).toBe('0.00');
    expect(formatMoney(5n, 'USD')).toBe('0.05');
    expect(formatMoney(-1200n, 'USD')).toBe('-12.00');
    expect(formatMoney(1200n, 'JPY')).toBe('1200');
    expect(formatMoney(-7n, 'JPY')).toBe('-7');
    expect(formatMoney(1n, 'KWD')).toBe('0.001');
    expect(formatMoney(123456789012345678901234567890n, 'USD')).toBe('1234567890123456789012345678.90');
  });

  it('round-trips with parseMoney for every currency', () => {
    const codes = Object.keys(CURRENCIES);
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }), (code, minor) => {
        expect(parseMoney(formatMoney(minor, code), code)).toBe(minor);
      }),
    );
  });

  it('format(parse(s)) is s padded to the exponent', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), fc.integer({ min: 0, max: 99 }), (whole, cents) => {
        const s = `${whole}.${String(cents).padStart(2, '0')}`;
        expect(formatMoney(parseMoney(s, 'USD'), 'USD')).toBe(s);
      }),
    );
  });
});

describe('decimals', () => {
  it('parseDecimal', () => {
    expect(parseDecimal('0.1')).toEqual({ digits: 1n, scale: 1 });
    expect(parseDecimal('1.25')).toEqual({ digits: 125n, scale: 2 });
    expect(parseDecimal('3')).toEqual({ digits: 3n, scale: 0 });
    expect(parseDecimal('1.20')).toEqual({ digits: 120n, scale: 2 });
    expect(parseDecimal('-0.5')).toEqual({ digits: -5n, scale: 1 });
  });

  it.each(['', '.1', '1.', '1e2', '+1', ' 1', 'NaN', '1,5', '1.2.3'])('parseDecimal rejects %j', (bad) => {
    expect(() => parseDecimal(bad)).toThrow(DecimalFormatError);
    expect(() => parseDecimal(bad)).toThrow(MoneyFormatError);
    expect(isDecimalString(bad)).toBe(false);
  });

  it('isDecimalString', () => {
    expect(isDecimalString('1.5')).toBe(true);
    expect(isDecimalString(1.5)).toBe(false);
    expect(isDecimalString('1'.repeat(31))).toBe(false);
  });

  it('formatDecimal and normalizeDecimal', () => {
    expect(formatDecimal({ digits: 120n, scale: 2 })).toBe('1.20');
    expect(formatDecimal(normalizeDecimal({ digits: 120n, scale: 2 }))).toBe('1.2');
    expect(formatDecimal(normalizeDecimal({ digits: 3000n, scale: 3 }))).toBe('3');
    expect(formatDecimal(normalizeDecimal({ digits: 0n, scale: 4 }))).toBe('0');
    expect(normalizeDecimal({ digits: 100n, scale: 0 })).toEqual({ digits: 100n, scale: 0 });
    expect(formatDecimal({ digits: -5n, scale: 3 })).toBe('-0.005');
  });

  it('compareDecimal', () => {
    expect(compareDecimal('1.20', '1.2')).toBe(0);
    expect(compareDecimal('0.1', '0.09')).toBe(1);
    expect(compareDecimal('-1', '0')).toBe(-1);
    expect(compareDecimal(parseDecimal('2'), '1.999')).toBe(1);
  });

  it('pow10', () => {
    expect(pow10(0)).toBe(1n);
    expect(pow10(3)).toBe(1000n);
    expect(() => pow10(-1)).toThrow(RangeError);
    expect(() => pow10(1.5)).toThrow(RangeError);
  });

  it('divRound rounds floor / ceiling / half up, including negatives', () => {
    const cases: [bigint, bigint, bigint, bigint, bigint][] = [
      // n, d, down, up, nearest
      [7n, 2n, 3n, 4n, 4n],
      [5n, 2n, 2n, 3n, 3n],
      [9n, 4n, 2n, 3n, 2n],
      [6n, 3n, 2n, 2n, 2n],
      [-7n, 2n, -4n, -3n, -3n],
      [-9n, 4n, -3n, -2n, -2n],
      [7n, -2n, -4n, -3n, -3n],
      [0n, 5n, 0n, 0n, 0n],
    ];
    for (const [n, d, down, up, nearest] of cases) {
      expect(divRound(n, d, 'down')).toBe(down);
      expect(divRound(n, d, 'up')).toBe(up);
      expect(divRound(n, d, 'nearest')).toBe(nearest);
    }
    expect(() => divRound(1n, 0n, 'down')).toThrow(RangeError);
    expect(() => divRound(1n, 1n, 'sideways' as 'down')).toThrow(RangeError);
  });

  it('divRound brackets the exact quotient', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 10n }), (n, d) => {
        const down = divRound(n, d, 'down');
        const up = divRound(n, d, 'up');
        const nearest = divRound(n, d, 'nearest');
        expect(down * d <= n && n < (down + 1n) * d).toBe(true);
        expect(up - down).toBe(n % d === 0n ? 0n : 1n);
        expect(nearest === down || nearest === up).toBe(true);
        // nearest: |2n - 2*nearest*d| <= d, ties upward
        const twice = 2n * n - 2n * nearest * d;
        expect(twice >= -d && twice < d).toBe(true);
      }),
    );
  });

  it('mulDecimal / mulDecimalFloor', () => {
    expect(mulDecimalFloor(1999n, '0.5')).toBe(999n);
    expect(mulDecimal(1999n, '0.5', 'up')).toBe(1000n);
    expect(mulDecimal(1999n, '0.5', 'nearest')).toBe(1000n);
    expect(mulDecimal(1000n, parseDecimal('1.25'), 'down')).toBe(1250n);
    expect(mulDecimalFloor(3n, '0.1')).toBe(0n);
    // 0.1 * 3 is exact here (floats would give 0.30000000000000004)
    expect(mulDecimal(3n, '0.1', 'up')).toBe(1n);
    expect(mulDecimal(30n, '0.1', 'up')).toBe(3n);
  });
});
