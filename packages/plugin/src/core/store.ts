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
 *
 * The Map holds each key's ring slot (its expiry lives in a typed array), so
 * dropping a slot costs one Map operation: a key stored again after expiry
 * moves to a new slot and its old slot is marked empty, never deleted twice.
 * (A Map alone, relying on its insertion order, is much slower here: V8 keeps
 * deleted entries as holes until it rehashes, and finding the oldest key then
 * means walking over them.)
 *
 * Sizing: Chime's retries follow a 2 s read timeout (then 200 ms, then
 * 400 ms), so the last copy of an event arrives within about 7 s of the first;
 * the window is much longer, and `maxEntries` only matters under sustained
 * load. At `r` distinct events per second the store holds
 * `min(maxEntries, r × window)` keys: the default 10 000 covers the whole
 * 10-minute window up to ~16 events/s, and still covers 7 s of traffic up to
 * ~1 400 events/s. Each key costs ~150 bytes. A smaller store did not
 * measure faster (bench/plugin.mjs), so the default stays safe.
 */
export class MemoryDedupeStore implements DedupeStore {
  /** Key → its slot in the ring. */
  readonly #slots = new Map<string, number>()
  /** The ring: key (or `undefined` once dropped or moved) and expiry of each slot. */
  readonly #ringKeys: (string | undefined)[]
  readonly #ringExpiry: Float64Array
  readonly #capacity: number
  #head = 0
  #count = 0
  readonly #now: () => number

  constructor (options: MemoryDedupeStoreOptions = {}) {
    const max = options.maxEntries ?? DEFAULT_DEDUPE_MAX_ENTRIES
    if (!Number.isInteger(max) || max < 1) throw new FST_CHIME_INVALID_OPTION('maxEntries', 'a whole number ≥ 1', describeValue(max))
    this.#capacity = max
    this.#ringKeys = new Array<string | undefined>(max).fill(undefined)
    this.#ringExpiry = new Float64Array(max)
    this.#now = options.now ?? Date.now
  }

  /** How many keys are held (expired ones may linger until the next `remember`). */
  get size (): number {
    return this.#slots.size
  }

  remember (key: string, ttlMs: number): boolean {
    const now = this.#now()
    const expiry = this.#ringExpiry
    while (this.#count > 0 && (expiry[this.#head] as number) <= now) this.#shift()
    const slot = this.#slots.get(key)
    if (slot !== undefined) {
      if ((expiry[slot] as number) > now) return false
      this.#ringKeys[slot] = undefined // expired, not dropped yet (a shorter ttl behind a longer one): it moves to a new slot
    }
    if (this.#count === this.#capacity) this.#shift()
    let tail = this.#head + this.#count
    if (tail >= this.#capacity) tail -= this.#capacity
    this.#ringKeys[tail] = key
    expiry[tail] = now + ttlMs
    this.#count++
    this.#slots.set(key, tail)
    return true
  }

  /** Drops the ring's oldest slot and its key (unless the key moved to a newer slot). */
  #shift (): void {
    const head = this.#head
    const key = this.#ringKeys[head]
    if (key !== undefined) {
      this.#slots.delete(key)
      this.#ringKeys[head] = undefined
    }
    this.#head = head + 1 === this.#capacity ? 0 : head + 1
    this.#count--
  }

  close (): void {
    this.#slots.clear()
    this.#ringKeys.fill(undefined)
    this.#head = 0
    this.#count = 0
  }
}
