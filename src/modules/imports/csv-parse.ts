/** RFC 4180 CSV reading: quoted fields, doubled quotes, CRLF or LF, a leading byte-order mark. */

export interface CsvRecord {
  /** The record number as a spreadsheet shows it: the header is row 1, the first data row is row 2. */
  row: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(message);
  }
}

/** Yields one record at a time, so a large file is never split into an array of rows. */
export function* parseCsv(text: string): Generator<CsvRecord> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let row = 0;
  // PostgreSQL cannot store a NUL character: such a file is refused whole, naming the cell.
  const hasNul = text.includes('\u0000');
  let header: string[] | null = null;
  while (i < n) {
    const cells: string[] = [];
    row += 1;
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i += 1;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q === -1) throw new CsvSyntaxError(row, `row ${row}: a quoted cell is never closed`);
          cell += text.slice(i, q);
          if (text[q + 1] === '"') {
            cell += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new CsvSyntaxError(row, `row ${row}: unexpected text after a closing quote`);
        }
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
        cell = text.slice(i, j);
        i = j;
      }
      cells.push(cell);
      if (i < n && text[i] === ',') {
        i += 1;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i += 1;
    if (text[i] === '\n') i += 1;
    // A blank line (a single empty cell) is skipped but still counts as a row.
    if (cells.length === 1 && cells[0] === '') continue;
    if (hasNul) {
      const at = cells.findIndex((c) => c.includes('\u0000'));
      if (at >= 0) {
        const name = header ? header[at]?.replace(/\u0000/g, '') : undefined;
        const column = name ? `column ${name}` : `column ${at + 1}`;
        throw new CsvSyntaxError(row, `row ${row}, ${column}: contains a NUL character (\\u0000), which cannot be stored; remove it`);
      }
    }
    header ??= cells;
    yield { row, cells };
  }
}

/** Counts the data records (header excluded). */
export function countRecords(text: string): number {
  let n = 0;
  for (const _ of parseCsv(text)) n++;
  return Math.max(0, n - 1);
}
