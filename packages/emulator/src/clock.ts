/**
 * Time, as the emulator reads it.
 *
 * Everything that belongs to Chime's model — event timestamps, message
 * timestamps, when a ShortLived webhook URL expires — reads the injected
 * {@link Clock}. Network time (the delivery timeout, retry gaps, the webhook
 * rate limit and `Chime-Request-Timestamp`, which the bot checks against its
 * own clock) always runs on real time, so a frozen test clock never stalls a
 * request or makes a fresh signature look stale.
 */
import type { Clock } from './state.js'

export type { Clock } from './state.js'
export { systemClock } from './state.js'

/** A clock that only moves when told to: see {@link createManualClock}. */
export interface ManualClock extends Clock {
  /** Moves the clock forward by `ms` milliseconds and returns the new time. */
  advance (ms: number): number
  /** Sets the clock to a given time (ms since the epoch, a `Date` or an ISO-8601 string). */
  set (time: number | Date | string): number
}

function toMillis (time: number | Date | string, what: string): number {
  const ms = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : time.getTime()
  if (!Number.isFinite(ms)) {
    throw new TypeError(`${what} must be a time (ms since the epoch, a Date or an ISO-8601 string); got ${JSON.stringify(String(time))}.`)
  }
  return ms
}

/**
 * A frozen clock for tests. It starts at `start` (default: now) and moves only
 * with `advance()` or `set()`, so a test can expire a ShortLived webhook URL
 * (2 minutes) instantly.
 *
 * @example
 * const clock = createManualClock()
 * const emu = await createEmulator({ clock })
 * clock.advance(2 * 60_000 + 1) // every ShortLived URL handed out so far is now expired
 */
export function createManualClock (start: number | Date | string = Date.now()): ManualClock {
  let now = toMillis(start, 'createManualClock(start)')
  return {
    now: () => now,
    advance (ms: number): number {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new TypeError(`clock.advance(ms) expects a non-negative number of milliseconds; got ${String(ms)}.`)
      }
      now += ms
      return now
    },
    set (time: number | Date | string): number {
      now = toMillis(time, 'clock.set(time)')
      return now
    }
  }
}
