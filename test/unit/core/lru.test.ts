import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../src/core/lru.js';

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its bound, and says so', () => {
    const dropped: string[] = [];
    const c = new LruCache<number>(2, (k) => dropped.push(k));
    c.set('a', 1, 100);
    c.set('b', 2, 100);
    expect(c.get('a', 0)).toBe(1); // a is now the most recently used
    c.set('c', 3, 100);
    expect(c.get('b', 0)).toBeUndefined();
    expect(c.get('a', 0)).toBe(1);
    expect(c.get('c', 0)).toBe(3);
    expect(dropped).toEqual(['b']);
    expect(c.size).toBe(2);
  });

  it('forgets an entry once its deadline has passed', () => {
    const dropped: string[] = [];
    const c = new LruCache<string>(10, (k) => dropped.push(k));
    c.set('k', 'v', 50);
    expect(c.get('k', 49)).toBe('v');
    expect(c.get('k', 50)).toBeUndefined();
    expect(c.size).toBe(0);
    expect(dropped).toEqual(['k']);
  });

  it('reports replaced, deleted and cleared entries', () => {
    const dropped: string[] = [];
    const c = new LruCache<number>(10, (k, v) => dropped.push(`${k}=${v}`));
    c.set('a', 1, 100);
    c.set('a', 2, 100);
    c.set('b', 3, 100);
    expect(c.delete('b')).toBe(true);
    expect(c.delete('b')).toBe(false);
    c.clear();
    expect(dropped).toEqual(['a=1', 'b=3', 'a=2']);
    expect(() => new LruCache(0)).toThrow('maxEntries');
  });
});
