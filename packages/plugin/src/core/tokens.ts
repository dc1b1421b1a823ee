/**
 * The security tokens a bot accepts: one string, a list (during a rotation),
 * or an async function (a secrets manager). A function's answer is cached for
 * `cacheMs`; when a signature matches none of the cached tokens, the function
 * is asked again (at most once per `minRefreshMs`) so a rotated token is
 * picked up without a restart, and an attacker's bad signatures cannot turn
 * into a flood of secret look-ups.
 */
import type { ChimeLogger } from './types.js'

/** What the `securityToken` option accepts. */
export type SecurityTokenSource = string | readonly string[] | (() => Promise<readonly string[]> | readonly string[])

/** Default time an async token function's answer is reused. */
export const DEFAULT_TOKEN_CACHE_MS = 60_000
/** Least time between two refreshes forced by signature misses. */
export const DEFAULT_TOKEN_MIN_REFRESH_MS = 1_000

/** Options of {@link TokenProvider}. */
export interface TokenProviderOptions {
  cacheMs?: number
  minRefreshMs?: number
  now?: () => number
}

/** Holds the accepted tokens and refreshes them when they come from a function. */
export class TokenProvider {
  readonly #load: (() => Promise<readonly string[]> | readonly string[]) | undefined
  readonly #cacheMs: number
  readonly #minRefreshMs: number
  readonly #now: () => number
  #tokens: readonly string[] | undefined
  #loadedAt = -Infinity
  #pending: Promise<readonly string[]> | undefined

  constructor (source: SecurityTokenSource, options: TokenProviderOptions = {}) {
    this.#cacheMs = options.cacheMs ?? DEFAULT_TOKEN_CACHE_MS
    this.#minRefreshMs = options.minRefreshMs ?? DEFAULT_TOKEN_MIN_REFRESH_MS
    this.#now = options.now ?? Date.now
    if (typeof source === 'function') {
      this.#load = source
    } else {
      this.#tokens = typeof source === 'string' ? [source] : [...source]
    }
  }

  /** `true` when the tokens come from a function (and may change). */
  get dynamic (): boolean {
    return this.#load !== undefined
  }

  /** The tokens, synchronously, when they are static or freshly cached; otherwise `undefined`. */
  peek (): readonly string[] | undefined {
    if (this.#load === undefined) return this.#tokens
    return this.#now() - this.#loadedAt < this.#cacheMs ? this.#tokens : undefined
  }

  /**
   * The tokens to check against. Loads them when the cache is empty or old; if
   * loading fails, the last known tokens are kept (and the failure logged).
   *
   * @throws the loader's error when no tokens were ever loaded
   */
  async get (log: ChimeLogger): Promise<readonly string[]> {
    return this.peek() ?? await this.#refresh(log)
  }

  /**
   * After a signature miss: reloads the tokens when they come from a function
   * and were not reloaded in the last `minRefreshMs`.
   *
   * @returns the new tokens, or `undefined` when nothing was reloaded
   */
  async refreshAfterMiss (log: ChimeLogger): Promise<readonly string[] | undefined> {
    if (this.#load === undefined || this.#now() - this.#loadedAt < this.#minRefreshMs) return undefined
    return await this.#refresh(log)
  }

  #refresh (log: ChimeLogger): Promise<readonly string[]> {
    this.#pending ??= this.#fetch(log).finally(() => { this.#pending = undefined })
    return this.#pending
  }

  async #fetch (log: ChimeLogger): Promise<readonly string[]> {
    try {
      const tokens = await (this.#load as () => Promise<readonly string[]> | readonly string[])()
      if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every(t => typeof t === 'string' && t !== '')) {
        throw new TypeError('the securityToken function must resolve to a non-empty array of non-empty strings')
      }
      this.#tokens = [...tokens]
      this.#loadedAt = this.#now()
      return this.#tokens
    } catch (err) {
      if (this.#tokens === undefined) throw err
      log.error({ err }, 'Could not reload the Chime security tokens; still accepting the previous ones')
      this.#loadedAt = this.#now()
      return this.#tokens
    }
  }
}
