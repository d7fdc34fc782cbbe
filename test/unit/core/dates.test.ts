import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysInMonth,
  formatIsoDate,
  isAnniversaryToday,
  isLeapYear,
  isValidTimeZone,
  localDateInTimeZone,
  parseIsoDate,
  parseMonthDay,
  yearInTimeZone,
  zonedParts,
  zonedTimeToInstant,
} from '../../../src/core/dates.js';

describe('calendar helpers', () => {
  it('isLeapYear', () => {
    expect([2024, 2000, 1600, 2028].map(isLeapYear)).toEqual([true, true, true, true]);
    expect([2023, 1900, 2100, 2025].map(isLeapYear)).toEqual([false, false, false, false]);
  });

  it('daysInMonth', () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(2023, 4)).toBe(30);
    expect(daysInMonth(2023, 12)).toBe(31);
  });

  it('addDays crosses months, years and leap days', () => {
    expect(addDays({ year: 2024, month: 2, day: 28 }, 1)).toEqual({ year: 2024, month: 2, day: 29 });
    expect(addDays({ year: 2023, month: 2, day: 28 }, 1)).toEqual({ year: 2023, month: 3, day: 1 });
    expect(addDays({ year: 2025, month: 12, day: 31 }, 1)).toEqual({ year: 2026, month: 1, day: 1 });
    expect(addDays({ year: 2026, month: 1, day: 1 }, -1)).toEqual({ year: 2025, month: 12, day: 31 });
    expect(addDays({ year: 2026, month: 1, day: 1 }, 0)).toEqual({ year: 2026, month: 1, day: 1 });
  });
});

describe('parseIsoDate', () => {
  it('accepts real dates', () => {
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseIsoDate('2000-02-29')).toEqual({ year: 2000, month: 2, day: 29 });
    expect(parseIsoDate('2026-12-31')).toEqual({ year: 2026, month: 12, day: 31 });
    expect(parseIsoDate('0001-01-01')).toEqual({ year: 1, month: 1, day: 1 });
  });

  it.each([
    '2023-02-29', '1900-02-29', '2024-02-30', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00',
    '0000-01-01', '2024-1-01', '24-01-01', '2024/01/01', '2024-01-01T00:00:00Z', ' 2024-01-01', '', '20240101',
  ])('rejects %j', (s) => {
    expect(parseIsoDate(s)).toBeNull();
  });

  it('rejects non-strings', () => {
    expect(parseIsoDate(20240101 as unknown as string)).toBeNull();
  });

  it('property: round trips with formatIsoDate for every real date', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }), (date) => {
        const cal = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
        expect(parseIsoDate(formatIsoDate(cal))).toEqual(cal);
      }),
    );
  });
});

describe('parseMonthDay', () => {
  it('accepts MM-DD including Feb 29', () => {
    expect(parseMonthDay('02-29')).toEqual({ month: 2, day: 29 });
    expect(parseMonthDay('12-31')).toEqual({ month: 12, day: 31 });
    expect(parseMonthDay('02-30')).toBeNull();
    expect(parseMonthDay('04-31')).toBeNull();
    expect(parseMonthDay('13-01')).toBeNull();
    expect(parseMonthDay('2-5')).toBeNull();
  });
});

describe('time zones', () => {
  it('isValidTimeZone', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone(undefined)).toBe(false);
  });

  it('zonedParts gives local wall-clock fields', () => {
    expect(zonedParts(new Date('2025-12-31T23:30:00Z'), 'Asia/Tokyo')).toEqual({
      year: 2026, month: 1, day: 1, hour: 8, minute: 30, second: 0,
    });
    expect(zonedParts(new Date('2026-01-01T00:00:00Z'), 'UTC').hour).toBe(0);
    expect(() => zonedParts(new Date(0), 'Not/AZone')).toThrow(RangeError);
  });

  it('yearInTimeZone and localDateInTimeZone around new year', () => {
    const instant = new Date('2025-12-31T23:30:00Z');
    expect(yearInTimeZone(instant, 'UTC')).toBe(2025);
    expect(yearInTimeZone(instant, 'Europe/Berlin')).toBe(2026);
    expect(yearInTimeZone(instant, 'America/Los_Angeles')).toBe(2025);
    expect(localDateInTimeZone(instant, 'Europe/Berlin')).toBe('2026-01-01');
    expect(localDateInTimeZone(instant, 'America/Los_Angeles')).toBe('2025-12-31');
    expect(localDateInTimeZone(new Date('2026-03-05T12:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-03-06');
  });

  it('zonedTimeToInstant handles ordinary times', () => {
    expect(zonedTimeToInstant({ year: 2026, month: 1, day: 1 }, 'Europe/Berlin').toISOString()).toBe('2025-12-31T23:00:00.000Z');
    expect(zonedTimeToInstant({ year: 2026, month: 7, day: 1, hour: 12 }, 'America/New_York').toISOString()).toBe(
      '2026-07-01T16:00:00.000Z',
    );
    expect(zonedTimeToInstant({ year: 2026, month: 1, day: 1 }, 'Asia/Kolkata').toISOString()).toBe('2025-12-31T18:30:00.000Z');
  });

  it('zonedTimeToInstant moves non-existent times forward by the gap', () => {
    // New York spring forward: 02:30 does not exist -> 03:30 EDT
    expect(zonedTimeToInstant({ year: 2024, month: 3, day: 10, hour: 2, minute: 30 }, 'America/New_York').toISOString()).toBe(
      '2024-03-10T07:30:00.000Z',
    );
    // Sao Paulo 2018: DST started at midnight, so the day began at 01:00 -02
    expect(zonedTimeToInstant({ year: 2018, month: 11, day: 4 }, 'America/Sao_Paulo').toISOString()).toBe(
      '2018-11-04T03:00:00.000Z',
    );
    // Samoa skipped 2011-12-30 entirely
    expect(zonedTimeToInstant({ year: 2011, month: 12, day: 30 }, 'Pacific/Apia').toISOString()).toBe(
      '2011-12-30T10:00:00.000Z',
    );
  });

  it('zonedTimeToInstant picks the earlier instant for ambiguous times', () => {
    expect(zonedTimeToInstant({ year: 2024, month: 11, day: 3, hour: 1, minute: 30 }, 'America/New_York').toISOString()).toBe(
      '2024-11-03T05:30:00.000Z',
    );
    expect(zonedTimeToInstant({ year: 2024, month: 10, day: 27, hour: 2, minute: 30 }, 'Europe/Berlin').toISOString()).toBe(
      '2024-10-27T00:30:00.000Z',
    );
  });

  it('property: zonedParts(zonedTimeToInstant(x)) === x for existing local times', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Santiago'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }),
        (tz, instant) => {
          const parts = zonedParts(instant, tz);
          const back = zonedTimeToInstant(parts, tz);
          expect(zonedParts(back, tz)).toEqual(parts);
          expect(back.getTime()).toBeLessThanOrEqual(Math.floor(instant.getTime() / 1000) * 1000);
        },
      ),
    );
  });
});

describe('isAnniversaryToday', () => {
  it('matches month and day of a full date in a later year', () => {
    expect(isAnniversaryToday('1990-06-15', '2026-06-15')).toBe(true);
    expect(isAnniversaryToday('1990-06-15', '2026-06-14')).toBe(false);
    expect(isAnniversaryToday('1990-06-15', '2026-07-15')).toBe(false);
  });

  it('does not count the date itself or future dates', () => {
    expect(isAnniversaryToday('2026-06-15', '2026-06-15')).toBe(false);
    expect(isAnniversaryToday('2027-06-15', '2026-06-15')).toBe(false);
  });

  it('accepts MM-DD', () => {
    expect(isAnniversaryToday('06-15', '2026-06-15')).toBe(true);
    expect(isAnniversaryToday('06-15', '2026-06-16')).toBe(false);
  });

  it('celebrates Feb 29 on Feb 28 in non-leap years only', () => {
    expect(isAnniversaryToday('2000-02-29', '2025-02-28')).toBe(true);
    expect(isAnniversaryToday('2000-02-29', '2025-03-01')).toBe(false);
    expect(isAnniversaryToday('2000-02-29', '2024-02-29')).toBe(true);
    expect(isAnniversaryToday('2000-02-29', '2024-02-28')).toBe(false);
    expect(isAnniversaryToday('02-29', '2100-02-28')).toBe(true);
    expect(isAnniversaryToday('02-29', '2028-02-28')).toBe(false);
    expect(isAnniversaryToday('02-28', '2025-02-28')).toBe(true);
  });

  it('invalid dates are never anniversaries; invalid today throws', () => {
    expect(isAnniversaryToday('2023-02-29', '2025-02-28')).toBe(false);
    expect(isAnniversaryToday('02-30', '2025-02-28')).toBe(false);
    expect(isAnniversaryToday('junk', '2025-02-28')).toBe(false);
    expect(() => isAnniversaryToday('06-15', '2025-02-30')).toThrow(RangeError);
  });
});
