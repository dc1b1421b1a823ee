/**
 * When to retry a webhook request, and how long to wait (protocol reference §6).
 *
 * Retried: 429 (rate limit: one message per second per webhook), 408, every
 * 5xx (503 is Chime's "service unavailable"), and connection errors or
 * timeouts. Not retried: every other status; 400, 403, 404 and 413 have
 * their own typed errors. The wait is Chime's `Retry-After` when it sends one
 * (seconds or an HTTP date), otherwise exponential backoff with full jitter:
 * a random time between 0 and `min(maxMs, baseMs * 2^(retry - 1))`.
 */

/** Whether an HTTP status is worth retrying. */
export function isRetryableStatus (status: number): boolean {
  return status === 429 || status === 408 || status >= 500
}

/**
 * Reads a `Retry-After` header.
 *
 * @param value - the header as undici exposes it
 * @param now - the current time in ms since the epoch
 * @returns the wait in ms (never negative), or `undefined` when absent or unreadable
 */
export function parseRetryAfter (value: string | string[] | undefined, now: number): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim()
  if (raw === undefined || raw === '') return undefined
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000)
  const at = Date.parse(raw)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}

/**
 * Exponential backoff with full jitter.
 *
 * @param retry - 1 for the first retry, 2 for the second…
 * @param baseMs - the ceiling of the first wait
 * @param maxMs - the largest ceiling
 * @param random - a source of numbers in [0, 1) (default `Math.random`)
 */
export function backoffDelay (retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (retry - 1))
  return Math.floor(random() * ceiling)
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as it aborts.
 * The timer is not unref'd on purpose: a pending reply keeps the process alive
 * until it is sent or given up, so nothing is dropped because Node exited.
 */
export function sleep (ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, Math.max(0, ms))
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
