/**
 * Options of the reply client, with their defaults and eager validation:
 * a wrong option fails when the client is created, with a sentence saying
 * what was expected and what was got.
 */
import type { Dispatcher } from 'undici'
import { FST_CHIME_INVALID_REPLY_OPTION } from '../../errors.js'
import type { OnReplyError } from './failure.js'

/** Chime accepts one message per second per webhook. */
export const DEFAULT_MIN_INTERVAL_MS = 1000
/** Attempts per message part, the first one included. */
export const DEFAULT_MAX_ATTEMPTS = 5
/** How long one message part may keep being retried, from its first attempt. */
export const DEFAULT_MAX_RETRY_TIME_MS = 30_000
/** Ceiling of the first backoff wait; it doubles on each retry. */
export const DEFAULT_BACKOFF_BASE_MS = 500
/** Largest backoff ceiling. */
export const DEFAULT_BACKOFF_MAX_MS = 10_000
/** Connect / response timeout of one request. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000
/** How long `close()` waits for queued replies by default. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000

/** Options of {@link ChimeWebhookClient} (and of the reply channel, which passes them on). */
export interface ChimeWebhookClientOptions {
  /**
   * The undici dispatcher requests go through (an `Agent`, `Pool`, `MockAgent`…).
   * Default: an `Agent` the client creates, reuses connections with, and closes on `close()`.
   * An injected dispatcher is never closed by the client.
   */
  dispatcher?: Dispatcher
  /** Least time between the answer to one request and the next request to the same webhook, in ms (default 1000: Chime's 1 message/second). */
  minIntervalMs?: number
  /** Attempts per message, the first included (default 5). 1 turns retries off. */
  maxAttempts?: number
  /** How long a message may keep being retried, from its first attempt, in ms (default 30000). */
  maxRetryTimeMs?: number
  /** Ceiling of the first backoff wait in ms (default 500); doubles on each retry, with full jitter. */
  backoffBaseMs?: number
  /** Largest backoff ceiling in ms (default 10000). */
  backoffMaxMs?: number
  /** Connect and response timeout of one request in ms (default 10000); a timeout is retried. */
  requestTimeoutMs?: number
  /** Split messages over 4 KB into several (default `true`); `false` rejects them with `FST_CHIME_MESSAGE_TOO_LARGE`. */
  split?: boolean
  /** Told about every failed message, besides the caller's promise rejecting. */
  onReplyError?: OnReplyError
}

/** The options with every default filled in. */
export interface ResolvedClientOptions {
  dispatcher: Dispatcher | undefined
  minIntervalMs: number
  maxAttempts: number
  maxRetryTimeMs: number
  backoffBaseMs: number
  backoffMaxMs: number
  requestTimeoutMs: number
  split: boolean
  onReplyError: OnReplyError | undefined
}

/** Describes a value for an error message without dumping it (never prints a whole object or URL). */
export function describeValue (value: unknown): string {
  if (typeof value === 'string') return value === '' ? 'an empty string' : `a string of ${value.length} characters`
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function number (options: Record<string, unknown>, name: string, fallback: number, min: number, integer: boolean): number {
  const value = options[name]
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new FST_CHIME_INVALID_REPLY_OPTION(name, `${integer ? 'an integer' : 'a number'} of at least ${min}`, describeValue(value))
  }
  return value
}

/** Validates client options and fills in the defaults. */
export function resolveClientOptions (options: ChimeWebhookClientOptions = {}): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) {
    throw new FST_CHIME_INVALID_REPLY_OPTION('options', 'an object', describeValue(options))
  }
  const raw = options as Record<string, unknown>
  const { dispatcher, split, onReplyError } = options
  if (dispatcher !== undefined && typeof (dispatcher as { dispatch?: unknown } | null)?.dispatch !== 'function') {
    throw new FST_CHIME_INVALID_REPLY_OPTION('dispatcher', 'an undici Dispatcher (Agent, Pool, MockAgent…)', describeValue(dispatcher))
  }
  if (split !== undefined && typeof split !== 'boolean') {
    throw new FST_CHIME_INVALID_REPLY_OPTION('split', 'true or false', describeValue(split))
  }
  if (onReplyError !== undefined && typeof onReplyError !== 'function') {
    throw new FST_CHIME_INVALID_REPLY_OPTION('onReplyError', 'a function (error, info) => void', describeValue(onReplyError))
  }
  const backoffBaseMs = number(raw, 'backoffBaseMs', DEFAULT_BACKOFF_BASE_MS, 1, false)
  return {
    dispatcher,
    minIntervalMs: number(raw, 'minIntervalMs', DEFAULT_MIN_INTERVAL_MS, 0, false),
    maxAttempts: number(raw, 'maxAttempts', DEFAULT_MAX_ATTEMPTS, 1, true),
    maxRetryTimeMs: number(raw, 'maxRetryTimeMs', DEFAULT_MAX_RETRY_TIME_MS, 0, false),
    backoffBaseMs,
    backoffMaxMs: number(raw, 'backoffMaxMs', Math.max(DEFAULT_BACKOFF_MAX_MS, backoffBaseMs), backoffBaseMs, false),
    requestTimeoutMs: number(raw, 'requestTimeoutMs', DEFAULT_REQUEST_TIMEOUT_MS, 1, false),
    split: split ?? true,
    onReplyError
  }
}
