/**
 * Options of a bot and of its adapters: types, defaults (one named constant
 * per option) and eager validation with sentences that say what was expected
 * and what was got. Framework-free: the core and both adapters use it.
 *
 * `buildReplyChannel` is the one place a bot's reply channel is chosen.
 */
import { FST_CHIME_INVALID_OPTION, FST_CHIME_MISSING_SECURITY_TOKEN } from './errors.js'
import { resolveBotNames } from './core/commands.js'
import { DEFAULT_DEDUPE_WINDOW_MS } from './core/dedupe.js'
import { describeValue } from './core/events.js'
import { DEFAULT_TIMESTAMP_TOLERANCE_MS } from './core/signature.js'
import { MemoryDedupeStore, type DedupeStore } from './core/store.js'
import { createReplyChannel, type ReplyChannelOptions } from './core/reply/channel.js'
import { DEFAULT_TOKEN_CACHE_MS, TokenProvider, type SecurityTokenSource } from './core/tokens.js'
import type { ChimeContext, ChimeEvent, ChimeLogger, ReplyChannel, UnknownChimeEvent } from './core/types.js'

/** Default `ack` policy: answer Chime as soon as the event is verified, run handlers afterwards. */
export const DEFAULT_ACK = 'immediate'
/** Default `handlerBudgetMs` (with `ack: 'after-handler'`): Chime's deadline is 2 s. */
export const DEFAULT_HANDLER_BUDGET_MS = 1500
/** Default `closeTimeoutMs`: how long closing waits for running handlers (and then for pending replies). */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5000
/** Default `path` of the Fastify route. */
export const DEFAULT_PATH = '/chime'
/** Default `bodyLimit` in bytes; Chime events are a few hundred bytes. */
export const DEFAULT_BODY_LIMIT = 64 * 1024
/** Default `decorator` name: `app.chime`. */
export const DEFAULT_DECORATOR = 'chime'
/** The environment variable the documentation and error messages point to. */
export const SECURITY_TOKEN_ENV = 'CHIME_BOT_SECURITY_TOKEN'

/** When to answer Chime's POST. */
export type AckPolicy = 'immediate' | 'after-handler'

/** Called with every error a handler throws (after it is logged). */
export type ChimeErrorHook = (
  error: unknown,
  event: ChimeEvent | UnknownChimeEvent,
  ctx: ChimeContext
) => unknown

/** Options of a bot, shared by the Fastify plugin, `createChimeBot` and the Lambda adapter. */
export interface ChimeBotOptions {
  /**
   * The bot's SecurityToken (from CreateBot / RegenerateSecurityToken), usually
   * `process.env.CHIME_BOT_SECURITY_TOKEN`. A list accepts any of its tokens
   * (rotation without downtime); a function is called for the list, cached
   * for `tokenCacheMs` and called again when a signature matches no cached token.
   */
  securityToken?: SecurityTokenSource
  /** Alias of `securityToken`. */
  securityTokens?: SecurityTokenSource
  /** How far `Chime-Request-Timestamp` may be from this server's clock (ms, default 5 min). */
  timestampToleranceMs?: number
  /** How long the answer of a `securityToken` function is reused (ms, default 60 s). */
  tokenCacheMs?: number
  /** `'immediate'` (default): 200 once verified, handlers run after. `'after-handler'`: handlers first, within `handlerBudgetMs`. */
  ack?: AckPolicy
  /** With `ack: 'after-handler'`, how long to wait for the handlers before answering anyway (ms, default 1500). */
  handlerBudgetMs?: number
  /** Window in which a repeated body is a duplicate (ms, default 10 min; `0` turns duplicate suppression off). */
  dedupeWindowMs?: number
  /** Where seen events are remembered (default: an in-memory LRU). Use a shared store with several replicas. */
  dedupeStore?: DedupeStore
  /** Called with every handler error, after it is logged. Its own errors are logged too. */
  onError?: ChimeErrorHook
  /** How long closing waits for running handlers, then for pending replies (ms, default 5000). */
  closeTimeoutMs?: number
  /**
   * Sends `ctx.reply` / `say` messages. Default: the built-in channel that posts to the
   * room's incoming webhook (configured with `replies`). Pass `unconfiguredReplyChannel`
   * to make every reply reject with `FST_CHIME_REPLIES_NOT_CONFIGURED`.
   */
  replyChannel?: ReplyChannel
  /**
   * Options of the built-in reply channel: `dispatcher`, `minIntervalMs`, `maxAttempts`,
   * `maxRetryTimeMs`, `backoffBaseMs`, `backoffMaxMs`, `requestTimeoutMs`, `split`,
   * `onReplyError`, `rooms`, `logger` (default: the bot's logger). Not allowed with `replyChannel`.
   */
  replies?: ReplyChannelOptions
  /** Logger for what happens outside a request (default: `console`, without debug lines). The Fastify plugin uses `app.log`. */
  logger?: ChimeLogger
  /**
   * The names users mention the bot by, for `command()`: its display name and/or e-mail
   * (with or without `@`), e.g. `['Echo Bot', 'echo-bot-chimebot@example.com']`. Needed only
   * when the display name has spaces; without it, the mention is the first `@word` (followed
   * or not by ` (Bot)`, the suffix Chime shows after bot names).
   */
  botNames?: readonly string[]
}

/** A bot's options after validation, with every default filled in. */
export interface ResolvedChimeBotOptions {
  tokens: TokenProvider
  timestampToleranceMs: number
  ack: AckPolicy
  handlerBudgetMs: number
  dedupeWindowMs: number
  dedupeStore: DedupeStore
  onError: ChimeErrorHook | undefined
  closeTimeoutMs: number
  replyChannel: ReplyChannel
  logger: ChimeLogger
  botNames: readonly string[]
}

/** Throws `FST_CHIME_INVALID_OPTION` for `name` with what was expected and what was got. */
export function invalidOption (name: string, expected: string, got: unknown): never {
  throw new FST_CHIME_INVALID_OPTION(name, expected, describeValue(got))
}

function duration (options: object, name: string, fallback: number, allowInfinity = false): number {
  const value = (options as Record<string, unknown>)[name]
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowInfinity && !Number.isFinite(value))) {
    invalidOption(name, `a number of milliseconds ≥ 0${allowInfinity ? ' (or Infinity)' : ''}`, value)
  }
  return value
}

function tokenSource (options: ChimeBotOptions): SecurityTokenSource {
  const given = options.securityToken ?? options.securityTokens
  const name = options.securityToken !== undefined ? 'securityToken' : 'securityTokens'
  if (given === undefined || given === '' || given === null) {
    throw new FST_CHIME_MISSING_SECURITY_TOKEN(given === '' ? 'an empty string (is CHIME_BOT_SECURITY_TOKEN set?)' : describeValue(given))
  }
  if (typeof given === 'string' || typeof given === 'function') return given
  if (!Array.isArray(given) || given.length === 0 || !given.every(t => typeof t === 'string' && t !== '')) {
    invalidOption(name, 'a non-empty string, a non-empty array of non-empty strings, or an async function returning one', given)
  }
  return given
}

/** The default logger outside Fastify: `console`, without debug lines. */
export const consoleLogger: ChimeLogger = Object.freeze({
  debug (): void {},
  info: (obj: unknown, msg?: string) => { console.info(msg ?? '', obj) },
  warn: (obj: unknown, msg?: string) => { console.warn(msg ?? '', obj) },
  error: (obj: unknown, msg?: string) => { console.error(msg ?? '', obj) }
})

/**
 * The reply channel of a bot: the one given, or one that rejects every reply
 * with a clear error. The one place the channel is chosen.
 */
export function buildReplyChannel (options: ChimeBotOptions, logger: ChimeLogger): ReplyChannel {
  const channel = options.replyChannel
  const replies = options.replies
  if (replies !== undefined && (typeof replies !== 'object' || replies === null || channel !== undefined)) {
    invalidOption('replies', channel === undefined ? 'an object of reply options' : 'left out when `replyChannel` is given (configure your channel yourself)', replies)
  }
  if (channel === undefined) return createReplyChannel({ ...replies, logger: replies?.logger ?? logger })
  for (const method of ['observe', 'replyFor', 'say', 'close'] as const) {
    if (typeof channel?.[method] !== 'function') invalidOption('replyChannel', `an object with a ${method}() method (a ReplyChannel)`, channel)
  }
  if (channel.flush !== undefined && typeof channel.flush !== 'function') {
    invalidOption('replyChannel', 'an object whose optional flush is a flush(timeoutMs) method (a ReplyChannel)', channel)
  }
  return channel
}

/**
 * Validates a bot's options and fills in the defaults.
 *
 * @throws FST_CHIME_MISSING_SECURITY_TOKEN when no token is given
 * @throws FST_CHIME_INVALID_OPTION naming the first option that is wrong
 */
export function resolveBotOptions (options: ChimeBotOptions): ResolvedChimeBotOptions {
  if (typeof options !== 'object' || options === null) invalidOption('options', 'an object', options)
  const source = tokenSource(options)
  const ack = options.ack ?? DEFAULT_ACK
  if (ack !== 'immediate' && ack !== 'after-handler') invalidOption('ack', '"immediate" or "after-handler"', ack)
  if (options.onError !== undefined && typeof options.onError !== 'function') invalidOption('onError', 'a function', options.onError)
  const store = options.dedupeStore
  if (store !== undefined && typeof store?.remember !== 'function') invalidOption('dedupeStore', 'an object with a remember(key, ttlMs) method (a DedupeStore)', store)
  const logger = options.logger ?? consoleLogger
  if (typeof logger?.warn !== 'function') invalidOption('logger', 'a logger with debug/info/warn/error methods', logger)
  return {
    tokens: new TokenProvider(source, { cacheMs: duration(options, 'tokenCacheMs', DEFAULT_TOKEN_CACHE_MS) }),
    timestampToleranceMs: duration(options, 'timestampToleranceMs', DEFAULT_TIMESTAMP_TOLERANCE_MS, true),
    ack,
    handlerBudgetMs: duration(options, 'handlerBudgetMs', DEFAULT_HANDLER_BUDGET_MS),
    dedupeWindowMs: duration(options, 'dedupeWindowMs', DEFAULT_DEDUPE_WINDOW_MS),
    dedupeStore: store ?? new MemoryDedupeStore(),
    onError: options.onError,
    closeTimeoutMs: duration(options, 'closeTimeoutMs', DEFAULT_CLOSE_TIMEOUT_MS),
    replyChannel: buildReplyChannel(options, logger),
    logger,
    botNames: resolveBotNames(options.botNames)
  }
}

/** Validates `bodyLimit` (a positive whole number of bytes). */
export function resolveBodyLimit (value: unknown): number {
  if (value === undefined) return DEFAULT_BODY_LIMIT
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) invalidOption('bodyLimit', 'a whole number of bytes > 0', value)
  return value
}

/** Validates the Fastify route `path`. */
export function resolvePath (value: unknown): string {
  if (value === undefined) return DEFAULT_PATH
  if (typeof value !== 'string' || !value.startsWith('/')) invalidOption('path', 'a URL path starting with "/" (e.g. "/chime")', value)
  return value
}

/** Validates the `decorator` name (`false`: do not decorate). */
export function resolveDecorator (value: unknown): string | false {
  if (value === undefined) return DEFAULT_DECORATOR
  if (value !== false && (typeof value !== 'string' || value === '')) invalidOption('decorator', 'a non-empty string or false', value)
  return value as string | false
}
