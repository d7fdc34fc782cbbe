import { describe, expect, it } from 'vitest';
import { keysetPage, pageOf } from '../../src/db/paging.js';

describe('keyset paging', () => {
  const rows = [1, 2, 3, 4, 5].map((id) => ({ id }));

  it('reads one row more than the page and gives the last key only when more rows follow', async () => {
    let asked = 0;
    const read = async (n: number) => {
      asked = n;
      return rows.slice(0, n);
    };
    expect(await keysetPage(2, read, (r) => r.id)).toEqual({ page: [{ id: 1 }, { id: 2 }], next: 2 });
    expect(asked).toBe(3);
    expect(await keysetPage(5, read, (r) => r.id)).toEqual({ page: rows, next: null });
    expect(await keysetPage(4, read, (r) => r.id)).toEqual({ page: rows.slice(0, 4), next: 4 });
  });

  it('an empty read is an empty last page', () => {
    expect(pageOf([], 10, () => 'never')).toEqual({ page: [], next: null });
  });
});
