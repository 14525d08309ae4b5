// A bounded least-recently-used map for unwrapped data keys. Map keeps insertion order, so the
// first key is the least recently used; once the cache is full, a hit moves its entry to the end
// (before that nothing can be evicted, and reads stay plain Map lookups on the hot decrypt path).
// Evicted and cleared values go to `onEvict` so that key bytes are wiped, not left to the GC.

export interface Lru<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  delete(key: K): void;
  clear(): void;
  readonly size: number;
}

export function createLru<K, V>(capacity: number, onEvict: (value: V) => void = () => undefined): Lru<K, V> {
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('LRU capacity must be a positive integer');
  const entries = new Map<K, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      if (entries.size >= capacity) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      const old = entries.get(key);
      if (old !== undefined) {
        entries.delete(key);
        if (old !== value) onEvict(old);
      }
      entries.set(key, value);
      while (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        const evicted = entries.get(oldest.value);
        entries.delete(oldest.value);
        if (evicted !== undefined) onEvict(evicted);
      }
    },
    delete(key) {
      const value = entries.get(key);
      if (value === undefined) return;
      entries.delete(key);
      onEvict(value);
    },
    clear() {
      for (const value of entries.values()) onEvict(value);
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
