/**
 * Where duplicate suppression remembers the events it has seen.
 *
 * The default is an in-memory LRU, right for one process. Several replicas
 * behind a load balancer need a shared store (a Redis adapter is planned):
 * implement {@link DedupeStore} — one atomic "remember unless present" call —
 * and pass it as the `dedupeStore` option.
 */

/**
 * A store of recently seen event keys. Methods may be sync or async.
 *
 * @example A Redis implementation (ioredis):
 * ```ts
 * const store: DedupeStore = {
 *   async remember (key, ttlMs) {
 *     // SET NX returns null when the key already exists: a duplicate.
 *     return (await redis.set(`chime:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK'
 *   },
 *   async close () { await redis.quit() }
 * }
 * ```
 */
export interface DedupeStore {
  /**
   * Atomically records `key` for `ttlMs` milliseconds unless it is already
   * recorded and not expired.
   *
   * @returns `true` when the key was new (first delivery: run the handlers),
   *   `false` when it was already there (a duplicate: ack without running them)
   */
  remember (key: string, ttlMs: number): boolean | Promise<boolean>
  /** Releases resources; called once when the bot closes. */
  close?(): void | Promise<void>
}

/** Options of {@link MemoryDedupeStore}. */
export interface MemoryDedupeStoreOptions {
  /** Most keys kept; the least recently stored are dropped first (default 10 000). */
  maxEntries?: number
  /** Clock in ms since the epoch (default `Date.now`); injectable for tests. */
  now?: () => number
}

/** Default of {@link MemoryDedupeStoreOptions.maxEntries}. */
export const DEFAULT_DEDUPE_MAX_ENTRIES = 10_000

/**
 * In-memory LRU of event keys with a time-to-live. Bounded in size, so a
 * flood of distinct events cannot grow memory without limit; expired keys are
 * dropped lazily from the oldest end.
 */
export class MemoryDedupeStore implements DedupeStore {
  readonly #entries = new Map<string, number>()
  readonly #maxEntries: number
  readonly #now: () => number

  constructor (options: MemoryDedupeStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? DEFAULT_DEDUPE_MAX_ENTRIES
    this.#now = options.now ?? Date.now
  }

  /** How many keys are held (expired ones may linger until the next `remember`). */
  get size (): number {
    return this.#entries.size
  }

  remember (key: string, ttlMs: number): boolean {
    const now = this.#now()
    const expiresAt = this.#entries.get(key)
    if (expiresAt !== undefined && expiresAt > now) return false
    this.#entries.delete(key)
    this.#entries.set(key, now + ttlMs)
    this.#evict(now)
    return true
  }

  #evict (now: number): void {
    // Map iterates in insertion order: the oldest entries come first.
    for (const [key, expiresAt] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && expiresAt > now) break
      this.#entries.delete(key)
    }
  }

  close (): void {
    this.#entries.clear()
  }
}
