/**
 * One queue per webhook: messages to the same webhook go out one at a time,
 * in the order they were queued, and requests are paced.
 *
 * Pacing rule: a request starts no sooner than `intervalMs` after the previous
 * request to the same webhook was *answered* (or failed). Measuring from the
 * answer rather than from the send keeps the gap Chime sees between two
 * requests at least `intervalMs` whatever the network latency, so the
 * 1-message-per-second limit is never hit by this process. Different webhooks
 * have independent queues and run in parallel. Pacing is per process:
 * several instances of a bot posting to the same room do not coordinate.
 */
import { sleep } from './retry.js'

/** The queue key of a webhook URL: scheme, host and path (the webhook id is in the path; the token, in the query, is left out). */
export function webhookKey (url: URL): string {
  return url.origin + url.pathname
}

/** A serial, paced job runner for one webhook. */
export class WebhookQueue {
  #tail: Promise<void> = Promise.resolve()
  #lastAnsweredAt = Number.NEGATIVE_INFINITY
  #pending = 0

  /**
   * @param key - the webhook's {@link webhookKey}
   * @param intervalMs - the least time between an answer and the next request
   */
  constructor (readonly key: string, readonly intervalMs: number) {}

  /** How many jobs are queued or running. */
  get pending (): number {
    return this.#pending
  }

  /** Runs `job` once every job queued before it has settled. A failing job does not stop the queue. */
  run (job: () => Promise<void>): Promise<void> {
    this.#pending++
    const done = this.#tail.then(job).finally(() => { this.#pending-- })
    this.#tail = done.catch(() => {})
    return done
  }

  /** Resolves when every job queued so far has settled. */
  drained (): Promise<void> {
    return this.#tail
  }

  /** Waits until the next request to this webhook may start (see the pacing rule above). */
  async ready (signal: AbortSignal): Promise<void> {
    const wait = this.#lastAnsweredAt + this.intervalMs - Date.now()
    if (wait > 0) await sleep(wait, signal)
  }

  /** Whether nothing is queued and the pacing interval since the last answer is over (the queue can be forgotten). */
  restedAt (now: number): boolean {
    return this.#pending === 0 && now >= this.#lastAnsweredAt + this.intervalMs
  }

  /** Records that a request to this webhook was just answered or failed. */
  answered (): void {
    this.#lastAnsweredAt = Date.now()
  }
}
