/**
 * A bounded map that forgets its least recently used entry first, and each entry once its
 * own deadline has passed. Pure: the caller passes the time (milliseconds, any monotonic
 * origin), so it can be tested without a clock.
 */
export class LruCache<V> {
  private readonly map = new Map<string, { value: V; expiresAt: number }>();

  /**
   * @param maxEntries at most this many entries are kept (>= 1)
   * @param onDrop told of every entry that leaves the map (evicted, expired, deleted or cleared)
   */
  constructor(
    readonly maxEntries: number,
    private readonly onDrop: (key: string, value: V) => void = () => {},
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, unless absent or expired at `now`; a hit becomes the most recently used. */
  get(key: string, now: number): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    this.map.delete(key);
    if (e.expiresAt <= now) {
      this.onDrop(key, e.value);
      return undefined;
    }
    this.map.set(key, e);
    return e.value;
  }

  /** Keeps `value` until `expiresAt`, evicting the least recently used entries beyond the bound. */
  set(key: string, value: V, expiresAt: number): void {
    const old = this.map.get(key);
    if (old) {
      this.map.delete(key);
      this.onDrop(key, old.value);
    }
    this.map.set(key, { value, expiresAt });
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value as string;
      const e = this.map.get(oldest)!;
      this.map.delete(oldest);
      this.onDrop(oldest, e.value);
    }
  }

  delete(key: string): boolean {
    const e = this.map.get(key);
    if (!e) return false;
    this.map.delete(key);
    this.onDrop(key, e.value);
    return true;
  }

  clear(): void {
    const entries = [...this.map];
    this.map.clear();
    for (const [k, e] of entries) this.onDrop(k, e.value);
  }
}
