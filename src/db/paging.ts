/**
 * Keyset paging, the one way lists page: the repository reads `limit + 1` rows in key order
 * after (or before) the cursor's key; the extra row only tells that a next page exists, and
 * the next cursor is the key of the page's last row.
 */
export interface KeysetPage<Row, Key> {
  page: Row[];
  /** The key of the page's last row when more rows follow; null on the last page. */
  next: Key | null;
}

/** Splits `limit + 1` rows read by a repository into the page and the next key. */
export function pageOf<Row, Key>(rows: readonly Row[], limit: number, keyOf: (last: Row) => Key): KeysetPage<Row, Key> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, next: rows.length > limit && last !== undefined ? keyOf(last) : null };
}

/** Reads one page: `read` is given how many rows to read (`limit + 1`). */
export async function keysetPage<Row, Key>(limit: number, read: (rowsToRead: number) => Promise<readonly Row[]>, keyOf: (last: Row) => Key): Promise<KeysetPage<Row, Key>> {
  return pageOf(await read(limit + 1), limit, keyOf);
}
