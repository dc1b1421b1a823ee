/**
 * Where duplicate suppression remembers the events it has seen.
 *
 * The default is an in-memory LRU, right for one process. Several replicas
 * behind a load balancer need a shared store (a Redis adapter is planned):
 * implement {@link DedupeStore} — one atomic "remember unless present" call —
 * and pass it as the `dedupeStore` option.
 */
import { FST_CHIME_INVALID_OPTION } from '../errors.js'
import { describeValue } from './events.js'

/**
 * A store of recently seen event keys. Methods may be sync or async; a sync
 * answer keeps the request path free of extra promise hops.
 *
 * @example A Redis implementation (ioredis):
 * ```ts
 * const store: DedupeStore = {
 *   async remember (key, ttlMs) {
 *     // SET NX answers null when the key already exists: a duplicate.
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
  /** Most keys kept; the oldest are dropped first (default 10 000). */
  maxEntries?: number
  /** Clock in ms since the epoch (default `Date.now`); injectable for tests. */
  now?: () => number
}

/** Default of {@link MemoryDedupeStoreOptions.maxEntries}. */
export const DEFAULT_DEDUPE_MAX_ENTRIES = 10_000

/**
 * In-memory store of event keys with a time-to-live, bounded in size so a
 * flood of distinct events cannot grow memory without limit. Keys are kept in
 * a ring in the order they were stored: expired keys and, when full, the
 * oldest keys are dropped from its head in O(1).
 */
export class MemoryDedupeStore implements DedupeStore {
  readonly #expiry = new Map<string, number>()
  readonly #ringKeys: (string | undefined)[]
  readonly #ringExpiry: Float64Array
  #head = 0
  #count = 0
  readonly #now: () => number

  constructor (options: MemoryDedupeStoreOptions = {}) {
    const max = options.maxEntries ?? DEFAULT_DEDUPE_MAX_ENTRIES
    if (!Number.isInteger(max) || max < 1) throw new FST_CHIME_INVALID_OPTION('maxEntries', 'a whole number ≥ 1', describeValue(max))
    this.#ringKeys = new Array<string | undefined>(max).fill(undefined)
    this.#ringExpiry = new Float64Array(max)
    this.#now = options.now ?? Date.now
  }

  /** How many keys are held (expired ones may linger until the next `remember`). */
  get size (): number {
    return this.#expiry.size
  }

  remember (key: string, ttlMs: number): boolean {
    const now = this.#now()
    this.#dropExpired(now)
    const expiresAt = this.#expiry.get(key)
    if (expiresAt !== undefined && expiresAt > now) return false
    if (this.#count === this.#ringKeys.length) this.#shift()
    const at = now + ttlMs
    const tail = (this.#head + this.#count) % this.#ringKeys.length
    this.#ringKeys[tail] = key
    this.#ringExpiry[tail] = at
    this.#count++
    this.#expiry.set(key, at)
    return true
  }

  #dropExpired (now: number): void {
    while (this.#count > 0 && (this.#ringExpiry[this.#head] as number) <= now) this.#shift()
  }

  /** Drops the ring's oldest slot, and its key unless that key was stored again since. */
  #shift (): void {
    const key = this.#ringKeys[this.#head] as string
    if (this.#expiry.get(key) === this.#ringExpiry[this.#head]) this.#expiry.delete(key)
    this.#ringKeys[this.#head] = undefined
    this.#head = (this.#head + 1) % this.#ringKeys.length
    this.#count--
  }

  close (): void {
    this.#expiry.clear()
    this.#ringKeys.fill(undefined)
    this.#head = 0
    this.#count = 0
  }
}
