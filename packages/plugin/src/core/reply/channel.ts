/**
 * The reply channel: what `ctx.reply` and `say` are built on (the
 * `ReplyChannel` seam of core/types.ts), on top of one {@link ChimeWebhookClient}.
 *
 * - It remembers each room's Persistent webhook from the room's Invite event
 *   and forgets it on Remove, so `say(roomId, …)` can post proactively.
 * - `ctx.reply` posts to the event's own webhook. A Mention's ShortLived URL
 *   works for 2 minutes after the event; a reply after that uses the room's
 *   Persistent webhook when it is known, and otherwise fails fast with
 *   `FST_CHIME_WEBHOOK_EXPIRED` (no request is made).
 * - Every failed reply rejects the caller's promise, is logged (with the room
 *   and the reason) and is passed to `onReplyError`. Because it is reported,
 *   a reply the handler did not await does not crash the process with an
 *   unhandled rejection.
 */
import { FST_CHIME_INVALID_REPLY_OPTION, FST_CHIME_NO_WEBHOOK, FST_CHIME_UNKNOWN_ROOM } from '../../errors.js'
import type {
  ChimeEvent,
  ChimeLogger,
  ReplyChannel,
  ReplyFunction,
  ReplyOptions,
  ReplyReceipt,
  UnknownChimeEvent
} from '../types.js'
import { infoOf, withDetails, type ChimeReplyError } from './failure.js'
import { describeValue, type ChimeWebhookClientOptions } from './options.js'
import { ChimeWebhookClient } from './webhook-client.js'

/** A Mention's ShortLived webhook URL works for this long after the event's `EventTimestamp`. */
export const SHORT_LIVED_TTL_MS = 2 * 60 * 1000

/** Options of {@link createReplyChannel}: the client's options, plus these. */
export interface ReplyChannelOptions extends ChimeWebhookClientOptions {
  /** Where failed replies of `say` and closing reports are logged (default: warnings and errors to `console.error`). `ctx.reply` logs to the event's logger. */
  logger?: ChimeLogger
  /**
   * Rooms whose Persistent webhook is already known, `roomId → url` (e.g. stored from
   * earlier Invite events), so `say` works for them after a restart.
   */
  rooms?: Record<string, string> | Iterable<readonly [string, string]>
}

const quiet = (): void => {}
const print = (obj: unknown, msg?: string): void => { console.error(msg, obj) }
const consoleLogger: ChimeLogger = { debug: quiet, info: quiet, warn: print, error: print }

interface Endpoint { url: string, shortLived: boolean }

function endpointOf (event: ChimeEvent | UnknownChimeEvent): Endpoint | undefined {
  const endpoint = (event as { InboundHttpsEndpoint?: { Url?: unknown, EndpointType?: unknown } }).InboundHttpsEndpoint
  if (typeof endpoint?.Url !== 'string') return undefined
  return { url: endpoint.Url, shortLived: endpoint.EndpointType === 'ShortLived' }
}

function roomOf (event: ChimeEvent | UnknownChimeEvent): string | undefined {
  const id = (event as { Discussion?: { DiscussionId?: unknown } }).Discussion?.DiscussionId
  return typeof id === 'string' ? id : undefined
}

/** The {@link ReplyChannel} that really posts to Chime. Create it with {@link createReplyChannel}. */
export class ChimeReplyChannel implements ReplyChannel {
  readonly #client: ChimeWebhookClient
  readonly #rooms = new Map<string, string>()
  readonly #logger: ChimeLogger
  readonly #onReplyError: ChimeWebhookClientOptions['onReplyError']

  /** @param options - see {@link ReplyChannelOptions}; validated here. */
  constructor (options: ReplyChannelOptions = {}) {
    const { logger, rooms, onReplyError, ...clientOptions } = options
    // The channel reports failures itself (log + hook), so the client does not.
    this.#client = new ChimeWebhookClient({ ...clientOptions, onReplyError: undefined })
    if (onReplyError !== undefined && typeof onReplyError !== 'function') {
      throw new FST_CHIME_INVALID_REPLY_OPTION('onReplyError', 'a function (error, info) => void', describeValue(onReplyError))
    }
    if (logger !== undefined && typeof logger?.error !== 'function') {
      throw new FST_CHIME_INVALID_REPLY_OPTION('logger', 'a logger with debug/info/warn/error methods', describeValue(logger))
    }
    if (rooms !== undefined && (typeof rooms !== 'object' || rooms === null)) {
      throw new FST_CHIME_INVALID_REPLY_OPTION('rooms', 'an object or iterable of roomId → webhook URL', describeValue(rooms))
    }
    this.#onReplyError = onReplyError
    this.#logger = logger ?? consoleLogger
    const entries = rooms === undefined ? [] : Symbol.iterator in rooms ? rooms : Object.entries(rooms)
    for (const [roomId, url] of entries) this.remember(roomId, url)
  }

  /** Messages queued, being sent or waiting for a retry. */
  get pending (): number {
    return this.#client.pending
  }

  /** Remembers a room's Persistent webhook (what an Invite event does). */
  remember (roomId: string, url: string): void {
    if (typeof roomId !== 'string' || roomId === '' || typeof url !== 'string' || url === '') {
      throw new FST_CHIME_INVALID_REPLY_OPTION('rooms', 'room ids and webhook URLs as non-empty strings', `${describeValue(roomId)} → ${describeValue(url)}`)
    }
    this.#rooms.set(roomId, url)
  }

  /** Forgets a room's webhook (what a Remove event does). */
  forget (roomId: string): void {
    this.#rooms.delete(roomId)
  }

  /** The room's remembered Persistent webhook URL, if any. Handle it as a secret: it holds the token. */
  webhookFor (roomId: string): string | undefined {
    return this.#rooms.get(roomId)
  }

  /** Remembers the room's Persistent webhook from an Invite, forgets it on Remove. */
  observe (event: ChimeEvent | UnknownChimeEvent): void {
    const roomId = roomOf(event)
    if (roomId === undefined) return
    if (event.EventType === 'Remove') {
      this.forget(roomId)
      return
    }
    const endpoint = endpointOf(event)
    if (endpoint !== undefined && !endpoint.shortLived) this.#rooms.set(roomId, endpoint.url)
  }

  /** Builds `ctx.reply` for one event: it posts to the event's webhook (see the module comment for expiry). */
  replyFor (event: ChimeEvent | UnknownChimeEvent, log: ChimeLogger): ReplyFunction {
    const roomId = roomOf(event)
    const endpoint = endpointOf(event)
    const known = event.EventType === 'Invite' || event.EventType === 'Mention'
    let send: (content: string, options?: ReplyOptions) => Promise<ReplyReceipt>
    if (!known || endpoint === undefined) {
      send = () => this.#track(Promise.reject(withDetails(new FST_CHIME_NO_WEBHOOK(event.EventType), { roomId })), log, roomId)
    } else {
      const timestamp = Date.parse((event as { EventTimestamp?: string }).EventTimestamp ?? '')
      const expiresAt = endpoint.shortLived && !Number.isNaN(timestamp) ? timestamp + SHORT_LIVED_TTL_MS : undefined
      const fallbackUrl = roomId === undefined ? undefined : () => this.#rooms.get(roomId)
      send = (content, options) => this.#track(
        this.#client.send(endpoint.url, content, { ...options, roomId, expiresAt, fallbackUrl }), log, roomId)
    }
    return Object.assign(send, { markdown: (content: string) => send(content, { markdown: true }) })
  }

  /** Posts to a room the bot knows the Persistent webhook of; rejects with `FST_CHIME_UNKNOWN_ROOM` otherwise. */
  say (roomId: string, content: string, options?: ReplyOptions): Promise<ReplyReceipt> {
    const url = this.#rooms.get(roomId)
    if (url === undefined) {
      return this.#track(Promise.reject(withDetails(new FST_CHIME_UNKNOWN_ROOM(String(roomId)), { roomId })), this.#logger, roomId)
    }
    return this.#track(this.#client.send(url, content, { ...options, roomId }), this.#logger, roomId)
  }

  // Logs a fallback; logs and reports a failure (the caller's promise still rejects).
  #track (promise: Promise<ReplyReceipt>, log: ChimeLogger, roomId: string | undefined): Promise<ReplyReceipt> {
    promise.then(receipt => {
      if (receipt.fallback === true) {
        log.info({ roomId }, 'The Mention\'s ShortLived webhook had expired; the reply went through the room\'s Persistent webhook instead')
      }
    }, (error: ChimeReplyError) => {
      const info = infoOf(error)
      log.error({ ...info, err: error }, `Chime reply failed: ${error.message}`)
      if (this.#onReplyError === undefined) return
      try {
        this.#onReplyError(error, info)
      } catch (hookError) {
        log.error({ err: hookError }, 'onReplyError threw')
      }
    })
    return promise
  }

  /**
   * Waits (at most `timeoutMs`) until every queued reply was delivered or failed, without
   * closing: call it before a Lambda handler returns, since Lambda freezes the process then.
   *
   * @returns how many messages are still pending
   */
  flush (timeoutMs?: number): Promise<number> {
    return this.#client.flush(timeoutMs)
  }

  /**
   * Sends what is queued within `timeoutMs`, then gives up on the rest (each one
   * rejects and is reported), logs how many were not delivered, and closes connections.
   */
  async close (timeoutMs?: number): Promise<void> {
    this.#logger.debug({ pending: this.pending }, 'Closing the Chime reply channel: sending what is still queued')
    const report = await this.#client.close(timeoutMs)
    if (report.undelivered > 0) {
      this.#logger.warn({ undelivered: report.undelivered }, `${report.undelivered} Chime reply message(s) were not delivered before closing`)
    }
  }
}

/**
 * Creates the reply channel the bot uses for `ctx.reply`, `ctx.reply.markdown` and `say`.
 *
 * @example
 * const replies = createReplyChannel({ logger: app.log, onReplyError: (err, info) => metrics.count(info.code) })
 */
export function createReplyChannel (options: ReplyChannelOptions = {}): ChimeReplyChannel {
  return new ChimeReplyChannel(options)
}
