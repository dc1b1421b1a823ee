/**
 * `ChimeWebhookClient`: posts messages to Chime incoming webhooks
 * (protocol reference §6) and never drops one silently.
 *
 *     send(url, content) ─► validate ─► split (4 KB) ─► per-webhook queue (order, pacing)
 *                                            └─► POST {"Content"} ─► 2xx: next part
 *                                                 ├─ 429 / 408 / 5xx / network: wait (Retry-After or backoff), retry
 *                                                 └─ 400 / 403 / 404 / 413 / other 4xx: typed error, no retry
 *
 * The promise of `send` resolves once every part was accepted, or rejects
 * with a typed error (codes in the "replying" section of errors.ts) that
 * names the room and webhook id, never the URL's token.
 */
import { Agent, request, type Dispatcher } from 'undici'
import {
  FST_CHIME_INVALID_REPLY,
  FST_CHIME_INVALID_REPLY_OPTION,
  FST_CHIME_INVALID_WEBHOOK_URL,
  FST_CHIME_MENTION_NOT_ALLOWED,
  FST_CHIME_MESSAGE_TOO_LARGE,
  FST_CHIME_REPLY_RETRIES_EXHAUSTED,
  FST_CHIME_REPLY_UNDELIVERED,
  FST_CHIME_WEBHOOK_EXPIRED,
  FST_CHIME_WEBHOOK_FORBIDDEN,
  FST_CHIME_WEBHOOK_GONE,
  FST_CHIME_WEBHOOK_REJECTED
} from '../../errors.js'
import type { ReplyOptions, ReplyReceipt } from '../types.js'
import { describeTarget, infoOf, webhookIdOf, withDetails, type ChimeReplyError } from './failure.js'
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  describeValue,
  resolveClientOptions,
  type ChimeWebhookClientOptions,
  type ResolvedClientOptions
} from './options.js'
import { WebhookQueue, webhookKey } from './queue.js'
import { backoffDelay, isRetryableStatus, parseRetryAfter, sleep } from './retry.js'
import { MessageTooLarge, prepareMessage } from './split.js'

/** Options of one {@link ChimeWebhookClient.send} call. */
export interface WebhookSendOptions extends ReplyOptions {
  /** The chat room the webhook belongs to; only used to name it in errors and logs. */
  roomId?: string
  /**
   * When the URL stops working (a Mention's ShortLived URL: 2 minutes after the event),
   * as a `Date` or ms since the epoch. Past it, no request is made.
   */
  expiresAt?: number | Date
  /**
   * Where to post instead once `expiresAt` has passed (or the expiring URL answers 404):
   * usually the room's Persistent webhook. Asked at that moment; `undefined` means none is known.
   */
  fallbackUrl?: () => string | undefined
}

/** What {@link ChimeWebhookClient.close} reports. */
export interface ReplyCloseReport {
  /** Messages that were still queued or being retried when the close timeout ran out; each one's promise rejected with `FST_CHIME_REPLY_UNDELIVERED`. */
  undelivered: number
}

/** One `send` call on its way. */
interface Outgoing {
  readonly parts: string[]
  readonly roomId: string | undefined
  url: URL
  webhookId: string
  expiresAt: number | undefined
  fallbackUrl: (() => string | undefined) | undefined
  fallback: boolean
  /** Parts accepted so far. */
  sent: number
  attempts: number
  status: number | undefined
  resolve: (receipt: ReplyReceipt) => void
  reject: (error: ChimeReplyError) => void
}

const SUCCESS = 'sent'
const MOVED = 'moved'

function parseWebhookUrl (raw: unknown): URL {
  if (typeof raw !== 'string') throw new FST_CHIME_INVALID_WEBHOOK_URL(`must be a string, got ${describeValue(raw)}`)
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    // Never echo the value: it may hold a token.
    throw new FST_CHIME_INVALID_WEBHOOK_URL('is not a valid absolute URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new FST_CHIME_INVALID_WEBHOOK_URL(`uses ${url.protocol} (only https, or http for a local emulator, can be posted to)`)
  }
  return url
}

function isReplyError (error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('FST_CHIME_')
}

function checkTimeout (timeoutMs: unknown): void {
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new FST_CHIME_INVALID_REPLY_OPTION('timeoutMs', 'a number of at least 0', describeValue(timeoutMs))
  }
}

function connectionReason (error: unknown): string {
  const { code, message } = error as { code?: unknown, message?: unknown }
  return `a network error (${typeof code === 'string' ? code : String(message)})`
}

/**
 * A client for Chime incoming webhooks: a queue per webhook that keeps order
 * and paces requests (1 per second by default), retries what can succeed
 * later, splits long messages, and rejects with typed errors.
 *
 * @example
 * const client = new ChimeWebhookClient()
 * await client.send(event.InboundHttpsEndpoint.Url, 'Hello from the bot')
 * await client.close()
 */
export class ChimeWebhookClient {
  readonly #options: ResolvedClientOptions
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #queues = new Map<string, WebhookQueue>()
  readonly #abort = new AbortController()
  #inFlight = 0
  #idle: Array<() => void> = []
  #undelivered = 0
  #closing: Promise<ReplyCloseReport> | undefined
  #abortReason = ''

  /** @param options - see {@link ChimeWebhookClientOptions}; validated here. */
  constructor (options: ChimeWebhookClientOptions = {}) {
    this.#options = resolveClientOptions(options)
    this.#ownsDispatcher = this.#options.dispatcher === undefined
    this.#dispatcher = this.#options.dispatcher ?? new Agent({ connect: { timeout: this.#options.requestTimeoutMs } })
  }

  /** Messages queued, being sent or waiting for a retry. */
  get pending (): number {
    return this.#inFlight
  }

  /** Whether `close()` was called: new messages are refused. */
  get closed (): boolean {
    return this.#closing !== undefined
  }

  /**
   * Posts a message to a webhook.
   *
   * @param url - the webhook URL, as Chime sent it (`InboundHttpsEndpoint.Url`, token included)
   * @param content - the text (or markdown with `{ markdown: true }`)
   * @returns resolves when Chime accepted every part; rejects with a typed error otherwise
   *   (`onReplyError` is told as well)
   */
  send (url: string, content: string, options: WebhookSendOptions = {}): Promise<ReplyReceipt> {
    try {
      return this.#send(url, content, options)
    } catch (error) {
      // Refused before queueing; failures after that are reported where they happen.
      const failure = error as ChimeReplyError
      this.#report(failure)
      return Promise.reject(failure)
    }
  }

  #send (rawUrl: string, content: string, options: WebhookSendOptions | null): Promise<ReplyReceipt> {
    options ??= {}
    const roomId = options.roomId
    let url: URL
    try {
      url = parseWebhookUrl(rawUrl)
    } catch (error) {
      throw withDetails(error as ChimeReplyError, { roomId })
    }
    const webhookId = webhookIdOf(url)
    const target = describeTarget(roomId, webhookId)
    if (this.#closing !== undefined) {
      throw withDetails(new FST_CHIME_REPLY_UNDELIVERED(target, 'the reply client is already closed (the app is shutting down)'), { roomId, webhookId })
    }
    if (typeof content !== 'string' || content === '') {
      throw withDetails(new FST_CHIME_INVALID_REPLY(describeValue(content)), { roomId, webhookId })
    }
    let parts: string[]
    try {
      parts = prepareMessage(content, { markdown: options.markdown, split: options.split ?? this.#options.split }).parts
    } catch (error) {
      const bytes = (error as MessageTooLarge).bytes
      throw withDetails(new FST_CHIME_MESSAGE_TOO_LARGE(target, `${bytes} bytes as JSON, and splitting is turned off`), { roomId, webhookId })
    }
    let resolve!: (receipt: ReplyReceipt) => void
    let reject!: (error: ChimeReplyError) => void
    const promise = new Promise<ReplyReceipt>((resolvePromise, rejectPromise) => {
      resolve = resolvePromise
      reject = rejectPromise
    })
    const message: Outgoing = {
      parts,
      roomId,
      url,
      webhookId,
      expiresAt: options.expiresAt === undefined ? undefined : +options.expiresAt,
      fallbackUrl: options.fallbackUrl,
      fallback: false,
      sent: 0,
      attempts: 0,
      status: undefined,
      resolve,
      reject
    }
    // Fail fast: an expired URL without a fallback is refused before queueing.
    this.#redirectIfExpired(message)
    this.#inFlight++
    this.#enqueue(message)
    return promise
  }

  #report (error: ChimeReplyError): void {
    const hook = this.#options.onReplyError
    if (hook === undefined) return
    try {
      hook(error, infoOf(error))
    } catch (hookError) {
      process.emitWarning(`onReplyError threw: ${String(hookError)}`, { code: 'FST_CHIME_ON_REPLY_ERROR_THREW' })
    }
  }

  #enqueue (message: Outgoing): void {
    const key = webhookKey(message.url)
    let queue = this.#queues.get(key)
    if (queue === undefined) {
      this.#sweep()
      queue = new WebhookQueue(key, this.#options.minIntervalMs)
      this.#queues.set(key, queue)
    }
    const current = queue
    void current.run(() => this.#deliver(current, message))
  }

  // Forget idle queues whose pacing interval is over (every Mention has its own ShortLived webhook).
  #sweep (): void {
    const now = Date.now()
    for (const [key, queue] of this.#queues) {
      if (queue.restedAt(now)) this.#queues.delete(key)
    }
  }

  #settled (): void {
    this.#inFlight--
    if (this.#inFlight === 0) {
      for (const resolve of this.#idle.splice(0)) resolve()
    }
  }

  #details (message: Outgoing): Parameters<typeof withDetails>[1] {
    return {
      roomId: message.roomId,
      webhookId: message.webhookId,
      status: message.status,
      attempts: message.attempts,
      messagesSent: message.sent
    }
  }

  #target (message: Outgoing): string {
    return describeTarget(message.roomId, message.webhookId)
  }

  /** Switches an expired message to its fallback URL; `true` when it did. Throws when there is none. */
  #redirectIfExpired (message: Outgoing): boolean {
    if (message.expiresAt === undefined || Date.now() < message.expiresAt) return false
    if (this.#fallBack(message)) return true
    const ago = Math.round((Date.now() - message.expiresAt) / 1000)
    throw withDetails(new FST_CHIME_WEBHOOK_EXPIRED(this.#target(message), ago), this.#details(message))
  }

  #fallBack (message: Outgoing): boolean {
    const raw = message.fallbackUrl?.()
    if (raw === undefined) return false
    try {
      message.url = parseWebhookUrl(raw)
    } catch (error) {
      throw withDetails(error as ChimeReplyError, this.#details(message))
    }
    message.webhookId = webhookIdOf(message.url)
    message.expiresAt = undefined
    message.fallbackUrl = undefined
    message.fallback = true
    return true
  }

  async #deliver (queue: WebhookQueue, message: Outgoing): Promise<void> {
    try {
      while (message.sent < message.parts.length) {
        if (this.#redirectIfExpired(message) || await this.#sendPart(queue, message, message.parts[message.sent] as string) === MOVED) {
          // Continues, in order, on the fallback webhook's queue.
          this.#enqueue(message)
          return
        }
        message.sent++
      }
      message.resolve({ messages: message.parts.length, attempts: message.attempts, fallback: message.fallback })
    } catch (error) {
      let failure = error as ChimeReplyError
      if (!isReplyError(error)) {
        // Only an abort gets here untyped: the close timeout cut this message short.
        this.#undelivered++
        failure = withDetails(new FST_CHIME_REPLY_UNDELIVERED(this.#target(message), this.#abortReason), this.#details(message))
      }
      this.#report(failure)
      message.reject(failure)
    }
    this.#settled()
  }

  async #sendPart (queue: WebhookQueue, message: Outgoing, content: string): Promise<typeof SUCCESS | typeof MOVED> {
    const { maxAttempts, maxRetryTimeMs, backoffBaseMs, backoffMaxMs, requestTimeoutMs } = this.#options
    const signal = this.#abort.signal
    const body = JSON.stringify({ Content: content })
    let firstAt: number | undefined
    let reason = ''
    let delay = 0
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      await sleep(delay, signal)
      await queue.ready(signal)
      if (this.#redirectIfExpired(message)) return MOVED
      firstAt ??= Date.now()
      message.attempts++
      let status: number | undefined
      let retryAfter: number | undefined
      try {
        const response = await request(message.url, {
          method: 'POST',
          dispatcher: this.#dispatcher,
          headers: { 'content-type': 'application/json', 'user-agent': 'fastify-chime-bot' },
          body,
          signal,
          headersTimeout: requestTimeoutMs,
          bodyTimeout: requestTimeoutMs
        })
        status = response.statusCode
        retryAfter = parseRetryAfter(response.headers['retry-after'], Date.now())
        await response.body.dump()
        reason = `Chime answered ${status}`
      } catch (error) {
        signal.throwIfAborted()
        reason = connectionReason(error)
      } finally {
        queue.answered()
      }
      if (status !== undefined) {
        if (status >= 200 && status < 300) return SUCCESS
        message.status = status
        if (!isRetryableStatus(status)) {
          if (status === 404 && message.expiresAt !== undefined && this.#fallBack(message)) return MOVED
          throw this.#refusal(message, status, content)
        }
      }
      delay = retryAfter ?? backoffDelay(attempt, backoffBaseMs, backoffMaxMs)
      if (attempt < maxAttempts && Date.now() + delay - firstAt > maxRetryTimeMs) {
        throw withDetails(new FST_CHIME_REPLY_RETRIES_EXHAUSTED(this.#target(message), attempt,
          `the last one failed with ${reason}, and waiting ${delay} ms more would exceed maxRetryTimeMs (${maxRetryTimeMs} ms)`), this.#details(message))
      }
    }
    throw withDetails(new FST_CHIME_REPLY_RETRIES_EXHAUSTED(this.#target(message), maxAttempts, `the last one failed with ${reason}`), this.#details(message))
  }

  #refusal (message: Outgoing, status: number, content: string): ChimeReplyError {
    const target = this.#target(message)
    const details = this.#details(message)
    switch (status) {
      case 403: return withDetails(new FST_CHIME_WEBHOOK_FORBIDDEN(target), details)
      case 404: return withDetails(new FST_CHIME_WEBHOOK_GONE(target), details)
      case 413: return withDetails(new FST_CHIME_MESSAGE_TOO_LARGE(target, 'Chime answered 413 Payload Too Large'), details)
      case 400:
        if (/@(all|present)\b/i.test(content)) return withDetails(new FST_CHIME_MENTION_NOT_ALLOWED(target), details)
    }
    return withDetails(new FST_CHIME_WEBHOOK_REJECTED(target, status), details)
  }

  /**
   * Waits until nothing is queued or being retried, for at most `timeoutMs`,
   * without closing anything. Useful where the process may freeze once a
   * handler returns (AWS Lambda).
   *
   * @returns how many messages are still pending (0 when all were settled)
   */
  async flush (timeoutMs: number = DEFAULT_CLOSE_TIMEOUT_MS): Promise<number> {
    checkTimeout(timeoutMs)
    await this.#settledWithin(timeoutMs)
    return this.#inFlight
  }

  /**
   * Stops taking messages, waits up to `timeoutMs` for the queued ones, then
   * gives up on the rest (each rejects with `FST_CHIME_REPLY_UNDELIVERED` and
   * is reported to `onReplyError`) and closes the connections it owns.
   * Calling it again returns the same report.
   */
  close (timeoutMs: number = DEFAULT_CLOSE_TIMEOUT_MS): Promise<ReplyCloseReport> {
    try {
      checkTimeout(timeoutMs)
    } catch (error) {
      return Promise.reject(error)
    }
    this.#closing ??= this.#close(timeoutMs)
    return this.#closing
  }

  #idleNow (): Promise<void> {
    return this.#inFlight === 0 ? Promise.resolve() : new Promise<void>(resolve => { this.#idle.push(resolve) })
  }

  // Resolves true once nothing is pending, or false when `timeoutMs` passes first.
  async #settledWithin (timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const settled = await Promise.race([
      this.#idleNow().then(() => true),
      new Promise<boolean>(resolve => { timer = setTimeout(resolve, timeoutMs, false) })
    ])
    clearTimeout(timer)
    return settled
  }

  async #close (timeoutMs: number): Promise<ReplyCloseReport> {
    if (!await this.#settledWithin(timeoutMs)) {
      this.#abortReason = `the app was closing and the reply queue did not drain within ${timeoutMs} ms`
      this.#abort.abort()
      await this.#idleNow()
    }
    this.#queues.clear()
    if (this.#ownsDispatcher) await this.#dispatcher.close()
    return { undelivered: this.#undelivered }
  }
}
