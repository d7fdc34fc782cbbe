/** CSV writing (RFC 4180) with spreadsheet formula neutralisation. */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * A text cell a spreadsheet would run as a formula (starting with = + - @, tab or carriage
 * return) gets a leading apostrophe, so "=HYPERLINK(...)" in a customer's name stays text.
 */
export function neutralise(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function quote(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A text cell typed by a person or a platform: neutralised, then quoted when needed. */
export function textCell(value: string | null | undefined): string {
  return value === null || value === undefined ? '' : quote(neutralise(value));
}

export function csvLine(cells: string[]): string {
  return cells.map(quote).join(',') + '\r\n';
}
