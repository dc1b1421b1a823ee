/**
 * Incoming webhooks: the URLs a bot replies through, and the route that
 * serves them with Chime's limits (protocol reference §6).
 *
 *     POST /incomingwebhooks/<WebhookId>?token=<Token>   {"Content":"…"}
 *
 * Checks, in this order (the first that fails answers):
 *  1. an armed webhook fault (see faults.ts) — delay and/or its status;
 *  2. unknown webhook id, missing or wrong token → 403 (an invalid URL);
 *  3. a revoked webhook (bot removed, room deleted) or a ShortLived URL more
 *     than 2 minutes old (by the emulator's clock) → 404;
 *  4. more than 1 request per second on this webhook → 429 with `Retry-After: 1`
 *     (Chime does not document the header; sending it lets well-behaved
 *     clients wait exactly as long as needed). Every request that gets this
 *     far counts, accepted or not;
 *  5. a body over 4096 bytes → 413;
 *  6. not JSON, or no non-empty string `Content` → 400;
 *  7. `@All` / `@Present` in a room with more than 50 members → 400.
 * Otherwise the message joins the room's transcript as from the bot and the
 * answer is 200 `{"MessageId","RoomId"}`.
 *
 * Error bodies are `{"Code","Message"}` like the rest of Chime's API.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify'
import type { EmulatorState, WebhookRecord } from './state.js'
import type { FaultRegistry } from './faults.js'
import { appendMessage, usesRoomCallout } from './messages.js'

/** A ShortLived (Mention) webhook URL stops working this long after the event. */
export const SHORT_LIVED_TTL_MS = 2 * 60 * 1000
/** Largest accepted webhook request body, in bytes. */
export const WEBHOOK_MAX_PAYLOAD_BYTES = 4096
/** At most one request per this many milliseconds per webhook. */
export const WEBHOOK_MIN_INTERVAL_MS = 1000
/** `@All` / `@Present` are refused in rooms with more members than this. */
export const ROOM_CALLOUT_MAX_MEMBERS = 50
/** Expired ShortLived webhooks are forgotten this long after they expire (until then their URLs answer 404, then 403). */
export const EXPIRED_WEBHOOK_RETENTION_MS = 24 * 60 * 60 * 1000
/** The route prefix of every webhook URL. */
export const WEBHOOK_PATH = '/incomingwebhooks'

/** Creates a webhook for a room and bot. A Persistent one is reused while it is valid. */
export function issueWebhook (
  state: EmulatorState,
  input: { roomId: string, botId: string, type: 'Persistent' | 'ShortLived' }
): WebhookRecord {
  if (input.type === 'Persistent') {
    for (const w of state.webhooks.values()) {
      if (w.RoomId === input.roomId && w.BotId === input.botId && w.EndpointType === 'Persistent' && w.Revoked !== true) return w
    }
  }
  const now = state.clock.now()
  if (input.type === 'ShortLived') {
    // One ShortLived webhook per Mention: forget long-expired ones so the state (and its file) stays small.
    for (const [id, w] of state.webhooks) {
      if (w.ExpiresTimestamp !== undefined && Date.parse(w.ExpiresTimestamp) + EXPIRED_WEBHOOK_RETENTION_MS < now) state.webhooks.delete(id)
    }
  }
  const webhook: WebhookRecord = {
    WebhookId: randomUUID(),
    Token: randomBytes(48).toString('base64url'),
    RoomId: input.roomId,
    BotId: input.botId,
    EndpointType: input.type,
    CreatedTimestamp: new Date(now).toISOString()
  }
  if (input.type === 'ShortLived') webhook.ExpiresTimestamp = new Date(now + SHORT_LIVED_TTL_MS).toISOString()
  state.webhooks.set(webhook.WebhookId, webhook)
  state.bus.emit('changed')
  return webhook
}

/** Revokes every webhook of a bot in a room (the bot left): their URLs answer 404 from now on. */
export function revokeWebhooks (state: EmulatorState, roomId: string, botId: string): number {
  let count = 0
  for (const w of state.webhooks.values()) {
    if (w.RoomId === roomId && w.BotId === botId && w.Revoked !== true) {
      w.Revoked = true
      count++
    }
  }
  if (count > 0) state.bus.emit('changed')
  return count
}

/** The full URL of a webhook, as put in events. */
export function webhookUrl (baseUrl: string, webhook: WebhookRecord): string {
  return `${baseUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}/${webhook.WebhookId}?token=${encodeURIComponent(webhook.Token)}`
}

/** Replaces the value of every `token=` query parameter, so URLs can be logged. */
export function redactToken (url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]')
}

/** Why a webhook request was refused; also sent on the emulator's event stream. */
export interface WebhookRejection {
  WebhookId: string
  RoomId?: string
  Status: number
  Code: string
  Message: string
}

/** Options of {@link incomingWebhooks}. */
export interface IncomingWebhooksOptions {
  state: EmulatorState
  faults: FaultRegistry
  /** The 1 request/second limiter; pass one to clear it on reset (default: a new one on real time). */
  limiter?: WebhookRateLimiter
  /** Called for every refused request (for the event stream). */
  onRejected?: (rejection: WebhookRejection) => void
}

/** The 1 request per second per webhook limiter. */
export class WebhookRateLimiter {
  private readonly last = new Map<string, number>()
  constructor (private readonly now: () => number = Date.now) {}

  /** Records a request; returns 0 when allowed, else the milliseconds until one would be. */
  hit (webhookId: string): number {
    const now = this.now()
    const previous = this.last.get(webhookId)
    if (previous !== undefined && now - previous < WEBHOOK_MIN_INTERVAL_MS) return WEBHOOK_MIN_INTERVAL_MS - (now - previous)
    this.last.set(webhookId, now)
    return 0
  }

  /** Forgets every webhook's last request. */
  clear (): void {
    this.last.clear()
  }
}

function tokenMatches (expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

function roomMemberCount (state: EmulatorState, roomId: string): number {
  let count = 0
  for (const m of state.memberships.values()) if (m.RoomId === roomId) count++
  return count
}

/**
 * The Fastify plugin serving `POST /incomingwebhooks/:webhookId`. Register it
 * without `fastify-plugin`: it installs its own body parser (raw bytes, so the
 * 4 KB limit is measured on what was sent) and error handler in its own scope.
 */
export const incomingWebhooks: FastifyPluginAsync<IncomingWebhooksOptions> = async (app: FastifyInstance, opts) => {
  const { state, faults } = opts
  const limiter = opts.limiter ?? new WebhookRateLimiter()

  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })

  app.setErrorHandler(async (error: { statusCode: number, message: string }, _request, reply) => {
    // Only body-reading failures reach here (a body over Fastify's 1 MB limit, a wrong Content-Length).
    return await reply.code(error.statusCode).send({ Code: error.statusCode === 413 ? 'PayloadTooLarge' : 'BadRequest', Message: error.message })
  })

  app.post<{ Params: { webhookId: string }, Querystring: { token?: string } }>(`${WEBHOOK_PATH}/:webhookId`, async (request, reply) => {
    const { webhookId } = request.params
    const webhook = state.webhooks.get(webhookId)

    const refuse = async (status: number, code: string, message: string, r: FastifyReply = reply): Promise<FastifyReply> => {
      const rejection: WebhookRejection = { WebhookId: webhookId, Status: status, Code: code, Message: message }
      if (webhook !== undefined) rejection.RoomId = webhook.RoomId
      opts.onRejected?.(rejection)
      request.log.info({ webhookId, roomId: webhook?.RoomId, status }, `webhook request refused with ${status}: ${message}`)
      return await r.code(status).send({ Code: code, Message: message })
    }

    const fault = faults.takeWebhookFault({ webhookId, roomId: webhook?.RoomId })
    if (fault?.delayMs !== undefined) await sleep(fault.delayMs)
    if (fault?.status !== undefined) {
      if (fault.retryAfter !== undefined) void reply.header('retry-after', String(fault.retryAfter))
      return await refuse(fault.status, fault.status === 429 ? 'Throttled' : fault.status >= 500 ? 'ServiceUnavailable' : 'InjectedFault',
        `Injected fault ${fault.FaultId}: answering ${fault.status} on purpose (emu.faults.webhook).`)
    }

    if (webhook === undefined || !tokenMatches(webhook.Token, request.query.token)) {
      return await refuse(403, 'Forbidden', 'This incoming webhook URL is not valid: the webhook id is unknown or the token is missing or wrong. Use the exact Url from the Invite or Mention event.')
    }
    if (webhook.Revoked === true || !state.rooms.has(webhook.RoomId)) {
      return await refuse(404, 'NotFound', 'This incoming webhook no longer exists: the bot was removed from the room (or the room was deleted), which revokes its webhook URLs.')
    }
    if (webhook.ExpiresTimestamp !== undefined && state.clock.now() >= Date.parse(webhook.ExpiresTimestamp)) {
      return await refuse(404, 'NotFound', `This ShortLived webhook URL expired at ${webhook.ExpiresTimestamp} (2 minutes after its Mention event). Reply sooner, or use the Persistent URL from the Invite event.`)
    }
    const waitMs = limiter.hit(webhookId)
    if (waitMs > 0) {
      void reply.header('retry-after', String(Math.ceil(waitMs / 1000)))
      return await refuse(429, 'Throttled', 'Too many requests: an incoming webhook accepts at most 1 request per second. Wait for the Retry-After seconds, then send again.')
    }
    const body = request.body
    const size = Buffer.isBuffer(body) ? body.length : 0
    if (size > WEBHOOK_MAX_PAYLOAD_BYTES) {
      return await refuse(413, 'PayloadTooLarge', `The message payload is ${size} bytes; an incoming webhook accepts at most ${WEBHOOK_MAX_PAYLOAD_BYTES} bytes. Split the message.`)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(size === 0 ? '' : (body as Buffer).toString('utf8'))
    } catch {
      return await refuse(400, 'BadRequest', 'The request body must be JSON such as {"Content":"hello"}; it could not be parsed.')
    }
    const content = (parsed as { Content?: unknown } | null)?.Content
    if (typeof content !== 'string' || content === '') {
      return await refuse(400, 'BadRequest', 'The request body must have a non-empty string "Content", e.g. {"Content":"hello"}.')
    }
    const members = roomMemberCount(state, webhook.RoomId)
    if (members > ROOM_CALLOUT_MAX_MEMBERS && usesRoomCallout(content)) {
      return await refuse(400, 'BadRequest', `@All and @Present are not allowed in rooms with more than ${ROOM_CALLOUT_MAX_MEMBERS} members; this room has ${members}.`)
    }
    const bot = state.bots.get(webhook.BotId)
    const message = appendMessage(state, {
      RoomId: webhook.RoomId,
      Sender: bot?.BotEmail ?? webhook.BotId,
      SenderType: 'Bot',
      Content: content
    })
    request.log.info({ webhookId, roomId: webhook.RoomId, botId: webhook.BotId, bytes: size },
      `webhook message from ${bot?.DisplayName ?? webhook.BotId} accepted into room ${webhook.RoomId} (${webhook.EndpointType} URL, ${size} bytes)`)
    return await reply.code(200).send({ MessageId: message.MessageId, RoomId: message.RoomId })
  })
}
