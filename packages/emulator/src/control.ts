/**
 * The emulator's control API, under `/_emulator`: what a Chime user would do
 * in the Chime app (post messages, add and remove bots), what a test needs to
 * look at (transcripts, the delivery log), fault injection, reset, and a
 * server-sent-events stream of everything that happens (for the web UI,
 * the CLI and tests).
 *
 * Bodies and answers are JSON with PascalCase keys like Chime's own API;
 * errors are `{"Code","Message"}` with the matching status.
 */
import { EventEmitter } from 'node:events'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify'
import { badRequest, chimeErrorHandler, notFound } from './aws/errors.js'
import { bodyOf, optionalString, requiredString } from './api/shapes.js'
import type { BotRecord, EmulatorState, MessageRecord, RoomMembershipRecord, RoomRecord } from './state.js'
import type { DeliveryEngine, DeliveryRecord } from './delivery.js'
import type { DeliveryFaultSpec, FaultRegistry, WebhookFaultSpec } from './faults.js'
import type { PostedMessage } from './dispatch.js'
import type { WebhookRejection } from './webhooks.js'

/** The prefix of every control route. */
export const CONTROL_PREFIX = '/_emulator'
/** The sender of messages posted without one. */
export const DEFAULT_SENDER = 'user@example.com'
/** A comment line is sent on idle event streams this often, so proxies keep them open. */
const SSE_HEARTBEAT_MS = 15_000

/** Every kind of activity the event stream carries, with its data. */
export interface ActivityEvents {
  'message.posted': MessageRecord
  'bot.invited': { RoomId: string, BotId: string, InvitedBy: string }
  'bot.removed': { RoomId: string, BotId: string, RemovedBy: string }
  'delivery.started': DeliveryRecord
  'delivery.attempt': DeliveryRecord
  'delivery.finished': DeliveryRecord
  'webhook.rejected': WebhookRejection
  'reset': { Scope: ResetScope }
}

/** One item of the activity stream. */
export interface Activity<K extends keyof ActivityEvents = keyof ActivityEvents> {
  /** Increasing number, the SSE `id:`. */
  Sequence: number
  Type: K
  Data: ActivityEvents[K]
}

/**
 * Everything that happens in the emulator, as one ordered stream: the state's
 * bus, the delivery engine and refused webhook requests, merged.
 */
export class ActivityFeed {
  private readonly emitter = new EventEmitter<{ activity: [Activity] }>()
  private sequence = 0
  private readonly detachers: Array<() => void> = []

  constructor (state: EmulatorState, delivery: DeliveryEngine) {
    this.emitter.setMaxListeners(0)
    const onMessage = ({ message }: { message: MessageRecord }): void => { this.publish('message.posted', message) }
    const onInvited = ({ bot, room, invitedBy }: { bot: BotRecord, room: RoomRecord, invitedBy: string }): void => {
      this.publish('bot.invited', { RoomId: room.RoomId, BotId: bot.BotId, InvitedBy: invitedBy })
    }
    const onRemoved = ({ bot, room, removedBy }: { bot: BotRecord, room: RoomRecord, removedBy: string }): void => {
      this.publish('bot.removed', { RoomId: room.RoomId, BotId: bot.BotId, RemovedBy: removedBy })
    }
    const onStarted = (record: DeliveryRecord): void => { this.publish('delivery.started', structuredClone(record)) }
    const onAttempt = (record: DeliveryRecord): void => { this.publish('delivery.attempt', structuredClone(record)) }
    const onFinished = (record: DeliveryRecord): void => { this.publish('delivery.finished', structuredClone(record)) }
    state.bus.on('message.posted', onMessage)
    state.bus.on('bot.invited', onInvited)
    state.bus.on('bot.removed', onRemoved)
    delivery.events.on('delivery.started', onStarted)
    delivery.events.on('delivery.attempt', onAttempt)
    delivery.events.on('delivery.finished', onFinished)
    this.detachers.push(() => {
      state.bus.off('message.posted', onMessage)
      state.bus.off('bot.invited', onInvited)
      state.bus.off('bot.removed', onRemoved)
      delivery.events.off('delivery.started', onStarted)
      delivery.events.off('delivery.attempt', onAttempt)
      delivery.events.off('delivery.finished', onFinished)
    })
  }

  /** Adds an item to the stream. */
  publish<K extends keyof ActivityEvents> (type: K, data: ActivityEvents[K]): void {
    this.emitter.emit('activity', { Sequence: ++this.sequence, Type: type, Data: data } as Activity)
  }

  /** Calls `listener` for every item from now on; returns the unsubscribe function. */
  subscribe (listener: (activity: Activity) => void): () => void {
    this.emitter.on('activity', listener)
    return () => { this.emitter.off('activity', listener) }
  }

  /** Stops listening to the state and the delivery engine. */
  detach (): void {
    for (const detach of this.detachers.splice(0)) detach()
  }
}

/** `All`: back to the start state (fixture or default account, same ids). `Activity`: only transcripts, deliveries, faults and rate limits. */
export type ResetScope = 'All' | 'Activity'

/** What the control API needs from the emulator (the harness provides it). */
export interface ControlBackend {
  state: EmulatorState
  delivery: DeliveryEngine
  faults: FaultRegistry
  activity: ActivityFeed
  /** The emulator's base URL and default account. */
  info (): { Url: string, AccountId: string }
  createBot (input: { DisplayName: string, Domain?: string, Endpoint?: string, LambdaFunctionArn?: string, AccountId?: string }): Promise<BotRecord>
  createRoom (input: { Name: string, AccountId?: string }): RoomRecord
  addBot (roomId: string, botId: string, invitedBy?: string): RoomMembershipRecord
  removeBot (roomId: string, botId: string, removedBy?: string): void
  postMessage (roomId: string, content: string, sender: string): PostedMessage
  reset (scope: ResetScope): Promise<void>
}

/** Options of {@link controlApi}. */
export interface ControlApiOptions {
  backend: ControlBackend
  /** How often idle event streams get a keep-alive comment, ms (default 15000). */
  heartbeatMs?: number
}

function roomOf (state: EmulatorState, roomId: string): RoomRecord {
  const room = state.rooms.get(roomId)
  if (room === undefined) throw notFound(`Room '${roomId}' does not exist. List rooms with GET ${CONTROL_PREFIX}/rooms.`)
  return room
}

function optionalNumber (body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number') throw badRequest(`${key} must be a number; got ${JSON.stringify(value)}.`)
  return value
}

/** Runs a fault registration, turning its validation error (a TypeError saying what is wrong) into 400 BadRequest. */
function asBadRequest<T> (fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw badRequest((error as Error).message)
  }
}

function roomView (state: EmulatorState, room: RoomRecord): RoomRecord & { Members: Array<RoomMembershipRecord['Member']> } {
  return { ...room, Members: state.roomMembers(room.RoomId).map(m => m.Member) }
}

/**
 * The control API plugin. Register it at the root; its routes start with
 * `/_emulator`. It has its own error handler (Chime's error format).
 */
export const controlApi: FastifyPluginAsync<ControlApiOptions> = async (app: FastifyInstance, { backend, heartbeatMs = SSE_HEARTBEAT_MS }) => {
  const { state, delivery, faults, activity } = backend
  const streams = new Set<FastifyReply>()
  app.setErrorHandler(chimeErrorHandler)
  // JSON bodies, where an empty body (e.g. a bodiless POST sent as JSON) reads as no body.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') { done(null, undefined); return }
    try {
      done(null, JSON.parse(body as string))
    } catch (error) {
      done(badRequest(`The request body is not valid JSON (${(error as Error).message}).`), undefined)
    }
  })
  app.addHook('preClose', async () => {
    for (const reply of streams) reply.raw.end()
  })

  app.get(CONTROL_PREFIX, async () => backend.info())

  app.all(`${CONTROL_PREFIX}/*`, async (request) => {
    throw notFound(`The control API has no route ${request.method} ${request.url.split('?')[0]}. The routes are listed in the chime-emulator README under "Control API".`)
  })

  app.get(`${CONTROL_PREFIX}/rooms`, async () => ({ Rooms: [...state.rooms.values()].map(r => roomView(state, r)) }))

  app.post(`${CONTROL_PREFIX}/rooms`, async (request, reply) => {
    const body = bodyOf(request.body)
    const input: { Name: string, AccountId?: string } = { Name: requiredString(body, 'Name') }
    const accountId = optionalString(body, 'AccountId')
    if (accountId !== undefined) input.AccountId = accountId
    return await reply.code(201).send({ Room: roomView(state, backend.createRoom(input)) })
  })

  app.get(`${CONTROL_PREFIX}/bots`, async () => ({
    Bots: [...state.bots.values()].map(bot => ({ ...bot, EventsConfiguration: state.eventsConfigurations.get(bot.BotId) ?? null }))
  }))

  app.post(`${CONTROL_PREFIX}/bots`, async (request, reply) => {
    const body = bodyOf(request.body)
    const input: Parameters<ControlBackend['createBot']>[0] = { DisplayName: requiredString(body, 'DisplayName') }
    for (const key of ['Domain', 'Endpoint', 'LambdaFunctionArn', 'AccountId'] as const) {
      const value = optionalString(body, key)
      if (value !== undefined) input[key] = value
    }
    const bot = await backend.createBot(input)
    return await reply.code(201).send({ Bot: bot, EventsConfiguration: state.eventsConfigurations.get(bot.BotId) ?? null })
  })

  app.post<{ Params: { botId: string } }>(`${CONTROL_PREFIX}/bots/:botId/signature-probe`, async (request) => {
    if (state.bots.get(request.params.botId) === undefined) throw notFound(`Bot '${request.params.botId}' does not exist. List bots with GET ${CONTROL_PREFIX}/bots.`)
    return { Probe: await asBadRequestAsync(() => faults.probeSignature(request.params.botId)) }
  })

  app.post<{ Params: { roomId: string, botId: string } }>(`${CONTROL_PREFIX}/rooms/:roomId/bots/:botId`, async (request, reply) => {
    const by = optionalString(bodyOf(request.body), 'InvitedBy')
    return await reply.code(201).send({ RoomMembership: backend.addBot(request.params.roomId, request.params.botId, by) })
  })

  app.delete<{ Params: { roomId: string, botId: string } }>(`${CONTROL_PREFIX}/rooms/:roomId/bots/:botId`, async (request, reply) => {
    backend.removeBot(request.params.roomId, request.params.botId)
    return await reply.code(204).send()
  })

  app.get<{ Params: { roomId: string } }>(`${CONTROL_PREFIX}/rooms/:roomId/messages`, async (request) => {
    const room = roomOf(state, request.params.roomId)
    return { Messages: state.messages.filter(m => m.RoomId === room.RoomId) }
  })

  app.post<{ Params: { roomId: string } }>(`${CONTROL_PREFIX}/rooms/:roomId/messages`, async (request, reply) => {
    const body = bodyOf(request.body)
    const content = requiredString(body, 'Content')
    const sender = optionalString(body, 'Sender') ?? DEFAULT_SENDER
    roomOf(state, request.params.roomId)
    const posted = backend.postMessage(request.params.roomId, content, sender)
    return await reply.code(201).send({ Message: posted.message, Notices: posted.notices, MentionedBots: posted.mentioned })
  })

  app.get<{ Querystring: { botId?: string, roomId?: string, eventType?: string, outcome?: string } }>(`${CONTROL_PREFIX}/deliveries`, async (request) => {
    const { botId, roomId, eventType, outcome } = request.query
    const deliveries = delivery.list({ botId, roomId, eventType }).filter(d => outcome === undefined || d.Outcome === outcome)
    return { Deliveries: deliveries }
  })

  app.get(`${CONTROL_PREFIX}/faults`, async () => faults.list())

  app.post(`${CONTROL_PREFIX}/faults/webhooks`, async (request, reply) => {
    const body = bodyOf(request.body)
    const spec: WebhookFaultSpec = {}
    const status = optionalNumber(body, 'Status')
    if (status !== undefined) spec.status = status
    const times = optionalNumber(body, 'Times')
    if (times !== undefined) spec.times = times
    const retryAfter = optionalNumber(body, 'RetryAfter')
    if (retryAfter !== undefined) spec.retryAfter = retryAfter
    const delayMs = optionalNumber(body, 'DelayMs')
    if (delayMs !== undefined) spec.delayMs = delayMs
    const roomId = optionalString(body, 'RoomId')
    if (roomId !== undefined) spec.roomId = roomId
    const webhookId = optionalString(body, 'WebhookId')
    if (webhookId !== undefined) spec.webhookId = webhookId
    return await reply.code(201).send({ Fault: asBadRequest(() => faults.webhook(spec)) })
  })

  app.post(`${CONTROL_PREFIX}/faults/deliveries`, async (request, reply) => {
    const body = bodyOf(request.body)
    const raw = body.Status
    const spec = { status: raw } as DeliveryFaultSpec
    const times = optionalNumber(body, 'Times')
    if (times !== undefined) spec.times = times
    const botId = optionalString(body, 'BotId')
    if (botId !== undefined) spec.botId = botId
    return await reply.code(201).send({ Fault: asBadRequest(() => faults.delivery(spec)) })
  })

  app.delete(`${CONTROL_PREFIX}/faults`, async (_request, reply) => {
    faults.clear()
    return await reply.code(204).send()
  })

  app.post(`${CONTROL_PREFIX}/reset`, async (request) => {
    const scope = optionalString(bodyOf(request.body), 'Scope') ?? 'All'
    if (scope !== 'All' && scope !== 'Activity') throw badRequest(`Scope must be "All" (back to the start state) or "Activity" (only transcripts, deliveries and faults); got ${JSON.stringify(scope)}.`)
    await backend.reset(scope)
    return { Reset: scope, ...backend.info() }
  })

  app.get(`${CONTROL_PREFIX}/events`, (request, reply) => {
    reply.hijack()
    const raw = reply.raw
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive'
    })
    raw.write(`retry: 1000\n: connected to chime-emulator at ${backend.info().Url}\n\n`)
    streams.add(reply)
    const unsubscribe = activity.subscribe(item => {
      raw.write(`id: ${item.Sequence}\nevent: ${item.Type}\ndata: ${JSON.stringify(item.Data)}\n\n`)
    })
    const heartbeat = setInterval(() => { raw.write(': keep-alive\n\n') }, heartbeatMs)
    heartbeat.unref()
    request.raw.on('close', () => {
      clearInterval(heartbeat)
      unsubscribe()
      streams.delete(reply)
    })
  })
}

async function asBadRequestAsync<T> (fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (error instanceof TypeError) throw badRequest(error.message)
    throw error
  }
}
