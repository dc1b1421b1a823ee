/**
 * `createEmulator()`: a whole Amazon Chime emulator in one call — the admin
 * API, the incoming webhooks, the control API and event stream on one local
 * port, plus helpers that read like a test:
 *
 *     const emu = await createEmulator()
 *     const bot = await emu.createBot({ displayName: 'EchoBot', endpoint: 'http://127.0.0.1:3000/chime' })
 *     const room = await emu.createRoom('general')
 *     await room.add(bot)
 *     await room.mention(bot, 'hello')
 *     await room.expectReply(/hello/)
 *     await emu.close()
 */
import type { AddressInfo } from 'node:net'
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { EmulatorState, ADMIN_EMAIL, DEFAULT_AWS_ACCOUNT_ID, type BotRecord, type Clock, type MessageRecord, type RoomMembershipRecord, type RoomRecord } from './state.js'
import { awsApi } from './api/index.js'
import { badRequest, notFound } from './aws/errors.js'
import { createEndpointVerifier } from './handshake.js'
import { createLambdaInvoker, LambdaError, parseLambdaArn, type LambdaContext, type LambdaHandler, type LambdaInvoker } from './lambda.js'
import { DEFAULT_ACCOUNT_NAME, loadFixture, type Fixture } from './fixture.js'
import { attachStateFile, type StateFile } from './persistence.js'
import { DeliveryEngine, type DeliveryRecord } from './delivery.js'
import { FaultRegistry } from './faults.js'
import { incomingWebhooks, redactToken, WebhookRateLimiter } from './webhooks.js'
import { EventDispatcher, type PostedMessage } from './dispatch.js'
import { ActivityFeed, controlApi, CONTROL_PREFIX, DEFAULT_SENDER, type ControlBackend, type ResetScope } from './control.js'
import { botMentionNames, roomMessages } from './messages.js'

/** Options of {@link createEmulator}. */
export interface CreateEmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number
  /** Interface to bind; default `127.0.0.1` (loopback only). */
  host?: string
  /** Accounts and bots to create at start: a JSON file path or the object (`{"Accounts":[…]}`). Without one, a default account is created. */
  fixture?: string | Fixture
  /** Keep the state in this JSON file: loaded at start if it exists (then the fixture is not applied), saved after each change. */
  stateFile?: string
  /** A Lambda Invoke API (e.g. `sam local start-lambda`'s `http://127.0.0.1:3001`) for Lambda-configured bots. */
  lambdaEndpoint?: string
  /**
   * In-process Lambda functions by ARN; they win over `lambdaEndpoint`. Each is
   * called as `(event, context)` like the Node.js Lambda runtime calls it
   * (`context` is a {@link LambdaContext}); typed loosely so handlers built for
   * other context types (e.g. `fastify-chime-bot`'s `createLambdaHandler`) fit.
   */
  lambdaHandlers?: Record<string, (event: any, context: any, callback?: any) => unknown>
  /** The clock for event and message timestamps and ShortLived webhook expiry (see `createManualClock`). */
  clock?: Clock
  /** Fastify/pino logging: `false` (the default), `true`, or pino options. Tokens are never logged. */
  logger?: boolean | Record<string, unknown>
  /** Log level when `logger` is `true` (default `info`). */
  logLevel?: string
  /** Access key ids the AWS API accepts; unset, any well-formed SigV4 request is accepted. */
  accessKeys?: string[]
  /** Accept self-signed certificates on https bot endpoints (handshake and delivery). */
  trustSelfSigned?: boolean
  /** How long a bot has to answer an event, ms (Chime: 2000). */
  deliveryTimeoutMs?: number
  /** Gaps before the retries of a failed delivery, ms (Chime: [200, 400]). */
  retryDelaysMs?: number[]
  /** How long the endpoint has to answer the verification challenge, ms (Chime: 2000). */
  handshakeTimeoutMs?: number
  /** How many deliveries the log keeps (default 1000). */
  maxDeliveries?: number
  /** How often an idle `/_emulator/events` stream gets a keep-alive comment, ms (default 15000). */
  eventStreamHeartbeatMs?: number
}

/** What {@link Emulator.createBot} takes. */
export interface CreateBotInput {
  displayName: string
  /** The bot's HTTPS endpoint: verified with Chime's challenge handshake, then saved as its events configuration. */
  endpoint?: string
  /** Or a Lambda function ARN (checked with AddPermission and a DryRun invoke). */
  lambdaArn?: string
  domain?: string
  /** Default: the emulator's default account. */
  accountId?: string
  botId?: string
  securityToken?: string
}

/** A bot given as its record or its id. */
export type BotRef = BotRecord | string

/** Options of {@link Emulator.waitForBotMessage}. */
export interface WaitForBotMessageOptions {
  /** A string the content must contain, a pattern it must match, or a predicate. */
  match?: string | RegExp | ((message: MessageRecord) => boolean)
  /** Only messages from this bot. */
  from?: BotRef
  /** Default 5000. */
  timeoutMs?: number
}

/** A room, with helpers bound to it. */
export interface RoomHandle extends RoomRecord {
  add (bot: BotRef, options?: { invitedBy?: string }): Promise<RoomMembershipRecord>
  remove (bot: BotRef, options?: { removedBy?: string }): Promise<void>
  post (content: string, options?: { sender?: string }): Promise<PostedMessage>
  mention (bot: BotRef, text: string, options?: { sender?: string }): Promise<PostedMessage>
  expectReply (match?: WaitForBotMessageOptions['match'], options?: Omit<WaitForBotMessageOptions, 'match'>): Promise<MessageRecord>
  messages (): MessageRecord[]
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`: AWS `--endpoint-url`, webhooks and `/_emulator`. */
  readonly url: string
  /** The default account (the first one of the fixture, or the one created at start). */
  readonly accountId: string
  readonly state: EmulatorState
  readonly app: FastifyInstance
  /** Fault injection: `faults.webhook(…)`, `faults.delivery(…)`, `faults.probeSignature(botId)`. */
  readonly faults: FaultRegistry
  readonly delivery: DeliveryEngine
  /** Everything that happens, as a stream (the same as `GET /_emulator/events`). */
  readonly activity: ActivityFeed
  createBot (input: CreateBotInput): Promise<BotRecord>
  createRoom (name: string, options?: { accountId?: string }): Promise<RoomHandle>
  room (roomId: string): RoomHandle
  addBot (roomId: string, bot: BotRef, options?: { invitedBy?: string }): Promise<RoomMembershipRecord>
  removeBot (roomId: string, bot: BotRef, options?: { removedBy?: string }): Promise<void>
  postMessage (roomId: string, content: string, options?: { sender?: string }): Promise<PostedMessage>
  mention (roomId: string, bot: BotRef, text: string, options?: { sender?: string }): Promise<PostedMessage>
  waitForBotMessage (roomId: string, options?: WaitForBotMessageOptions): Promise<MessageRecord>
  deliveries (filter?: { botId?: string, roomId?: string, eventType?: string }): DeliveryRecord[]
  messages (roomId: string): MessageRecord[]
  /** Resolves when no delivery is in flight (retries included). */
  idle (): Promise<void>
  /** Throws, listing them, if deliveries are still in flight. */
  assertNoPendingDeliveries (): void
  reset (scope?: ResetScope): Promise<void>
  close (): Promise<void>
}

const DEFAULT_WAIT_MS = 5000

function formatAddress (host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

function checkOptions (o: CreateEmulatorOptions): void {
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) {
    throw new TypeError(`port must be a whole number from 0 to 65535 (0 picks a free port); got ${JSON.stringify(o.port)}.`)
  }
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === '')) {
    throw new TypeError(`host must be an interface address such as 127.0.0.1; got ${JSON.stringify(o.host)}.`)
  }
  if (o.clock !== undefined && typeof o.clock?.now !== 'function') {
    throw new TypeError('clock must be an object with a now() method returning milliseconds, such as createManualClock().')
  }
}

function describeMessages (messages: MessageRecord[]): string {
  if (messages.length === 0) return '  (none)'
  return messages.map(m => `  [${m.SenderType}] ${m.Sender}: ${JSON.stringify(m.Content.length > 200 ? `${m.Content.slice(0, 200)}…` : m.Content)}`).join('\n')
}

function describeDeliveries (deliveries: DeliveryRecord[]): string {
  if (deliveries.length === 0) return '  (none)'
  return deliveries.map(d => {
    const attempts = d.Attempts.map(a => a.Status !== undefined ? String(a.Status) : a.Error).join(', ')
    return `  ${d.EventType} → ${d.BotId}: ${d.Outcome}${attempts === '' ? '' : ` (attempts: ${attempts})`}`
  }).join('\n')
}

/**
 * Starts an emulator. Close it with `close()` (e.g. in `t.teardown`).
 *
 * @example
 * const emu = await createEmulator({ deliveryTimeoutMs: 500 })
 * t.teardown(() => emu.close())
 */
export async function createEmulator (options: CreateEmulatorOptions = {}): Promise<Emulator> {
  checkOptions(options)
  const host = options.host ?? '127.0.0.1'
  const state = new EmulatorState(options.clock)
  let stateFile: StateFile | undefined
  const seed = (accountId?: string): string => {
    if (options.fixture !== undefined) {
      const accounts = loadFixture(options.fixture, state)
      return (accounts[0]?.AccountId ?? state.createAccount({ Name: DEFAULT_ACCOUNT_NAME, AwsAccountId: DEFAULT_AWS_ACCOUNT_ID }).AccountId)
    }
    const input: Parameters<EmulatorState['createAccount']>[0] = { Name: DEFAULT_ACCOUNT_NAME, AwsAccountId: DEFAULT_AWS_ACCOUNT_ID }
    if (accountId !== undefined) input.AccountId = accountId
    return state.createAccount(input).AccountId
  }
  let accountId: string
  if (options.stateFile !== undefined) stateFile = attachStateFile(state, options.stateFile)
  if (stateFile?.loaded === true && state.accounts.size > 0) {
    accountId = (state.accounts.values().next().value as { AccountId: string }).AccountId
  } else {
    accountId = seed()
  }

  const serializers = {
    req (req: { method: string, url: string }) { return { method: req.method, url: redactToken(req.url) } }
  }
  const level = options.logLevel ?? 'info'
  let logger: FastifyServerOptions['logger'] = false
  if (options.logger === true) logger = { level, serializers }
  else if (typeof options.logger === 'object' && options.logger !== null) logger = { level, ...options.logger, serializers }
  // Fastify's own two lines per request are off: the AWS API, webhooks and delivery log one readable line each.
  const app = Fastify({ logger, logController: new LogController({ disableRequestLogging: true }) })

  const lambdaOptions: Parameters<typeof createLambdaInvoker>[0] = { log: app.log }
  if (options.lambdaHandlers !== undefined) lambdaOptions.handlers = options.lambdaHandlers as Record<string, LambdaHandler>
  if (options.lambdaEndpoint !== undefined) lambdaOptions.endpoint = options.lambdaEndpoint
  const lambda: LambdaInvoker = createLambdaInvoker(lambdaOptions)
  const handshake = { timeoutMs: options.handshakeTimeoutMs, trustSelfSigned: options.trustSelfSigned }
  const verifier = createEndpointVerifier(handshake)
  const faults: FaultRegistry = new FaultRegistry(async botId => await delivery.probeSignature(botId))
  const delivery = new DeliveryEngine({
    state,
    faults,
    lambda,
    timeoutMs: options.deliveryTimeoutMs,
    retryDelaysMs: options.retryDelaysMs,
    maxRecords: options.maxDeliveries,
    trustSelfSigned: options.trustSelfSigned,
    logger: app.log.child({ component: 'delivery' })
  })
  let url = ''
  const dispatcher = new EventDispatcher({ state, delivery, baseUrl: () => url })
  const activity = new ActivityFeed(state, delivery)
  const cursors = new Map<string, number>()
  const limiter = new WebhookRateLimiter()

  const botOf = (ref: BotRef): BotRecord => {
    const id = typeof ref === 'string' ? ref : ref.BotId
    const bot = state.findBot(id)
    if (bot === undefined) throw notFound(`No bot has the id '${id}'. Create one with emu.createBot() or CreateBot.`)
    return bot
  }
  const roomRecord = (roomId: string): RoomRecord => {
    const room = state.rooms.get(roomId)
    if (room === undefined) throw notFound(`Room '${roomId}' does not exist. Create it with emu.createRoom() or CreateRoom.`)
    return room
  }

  const backend: ControlBackend = {
    state,
    delivery,
    faults,
    activity,
    info: () => ({ Url: url, AccountId: accountId }),
    createBot: async (input) => {
      const bot: CreateBotInput = { displayName: input.DisplayName }
      if (input.Domain !== undefined) bot.domain = input.Domain
      if (input.Endpoint !== undefined) bot.endpoint = input.Endpoint
      if (input.LambdaFunctionArn !== undefined) bot.lambdaArn = input.LambdaFunctionArn
      if (input.AccountId !== undefined) bot.accountId = input.AccountId
      return await emulator.createBot(bot)
    },
    createRoom: (input) => state.createRoom(input.AccountId ?? accountId, { Name: input.Name }),
    addBot: (roomId, botId, invitedBy) => {
      const room = roomRecord(roomId)
      return state.addRoomMember(room.AccountId, roomId, botOf(botId).BotId, { invitedBy: invitedBy ?? ADMIN_EMAIL })
    },
    removeBot: (roomId, botId, removedBy) => {
      const room = roomRecord(roomId)
      state.removeRoomMember(room.AccountId, roomId, botOf(botId).BotId, { removedBy: removedBy ?? ADMIN_EMAIL })
    },
    postMessage: (roomId, content, sender) => dispatcher.postUserMessage(roomId, sender, content),
    reset: async (scope) => {
      await delivery.clear()
      faults.clear()
      limiter.clear()
      cursors.clear()
      if (scope === 'All') {
        state.clear()
        accountId = seed(options.fixture === undefined ? accountId : undefined)
        state.bus.emit('changed')
      } else {
        state.messages.length = 0
        state.bus.emit('changed')
      }
      activity.publish('reset', { Scope: scope })
    }
  }

  await app.register(awsApi, { state, handshake, lambda, ...(options.accessKeys !== undefined ? { accessKeys: options.accessKeys } : {}) })
  await app.register(incomingWebhooks, {
    state,
    faults,
    limiter,
    onRejected: rejection => { activity.publish('webhook.rejected', rejection) }
  })
  app.setNotFoundHandler(async (request, reply) => await reply.code(404).send({
    Code: 'NotFound',
    Message: `Nothing is served at ${request.method} ${redactToken(request.url).split('?')[0]}. The AWS API is under /accounts, incoming webhooks under /incomingwebhooks, the control API under ${CONTROL_PREFIX}.`
  }))
  await app.register(controlApi, { backend, ...(options.eventStreamHeartbeatMs !== undefined ? { heartbeatMs: options.eventStreamHeartbeatMs } : {}) })

  let closed = false
  const shutdown = async (): Promise<void> => {
    if (closed) return
    closed = true
    await delivery.close()
    await app.close()
    await verifier.close()
    await lambda.close()
    dispatcher.detach()
    activity.detach()
    stateFile?.close()
  }
  try {
    await app.listen({ port: options.port ?? 0, host })
  } catch (error) {
    await shutdown()
    throw error
  }
  url = formatAddress(host, (app.server.address() as AddressInfo).port)
  app.log.info({ url, accountId }, `Amazon Chime emulator listening on ${url} (default account ${accountId})`)

  const makeRoom = (record: RoomRecord): RoomHandle => ({
    ...record,
    add: async (bot, o) => await emulator.addBot(record.RoomId, bot, o),
    remove: async (bot, o) => { await emulator.removeBot(record.RoomId, bot, o) },
    post: async (content, o) => await emulator.postMessage(record.RoomId, content, o),
    mention: async (bot, text, o) => await emulator.mention(record.RoomId, bot, text, o),
    expectReply: async (match, o) => await emulator.waitForBotMessage(record.RoomId, { ...o, ...(match !== undefined ? { match } : {}) }),
    messages: () => emulator.messages(record.RoomId)
  })

  const emulator: Emulator = {
    get url () { return url },
    get accountId () { return accountId },
    state,
    app,
    faults,
    delivery,
    activity,

    async createBot (input) {
      if (input === null || typeof input !== 'object' || typeof input.displayName !== 'string') {
        throw new TypeError(`createBot() expects { displayName, endpoint? | lambdaArn? }; got ${JSON.stringify(input)}.`)
      }
      if (input.endpoint !== undefined && input.lambdaArn !== undefined) {
        throw new TypeError('createBot() takes an endpoint or a lambdaArn, not both: a bot receives its events in one place.')
      }
      const target = input.accountId ?? accountId
      const botInput: Parameters<EmulatorState['createBot']>[1] = { DisplayName: input.displayName }
      if (input.domain !== undefined) botInput.Domain = input.domain
      if (input.botId !== undefined) botInput.BotId = input.botId
      if (input.securityToken !== undefined) botInput.SecurityToken = input.securityToken
      if (input.lambdaArn !== undefined && parseLambdaArn(input.lambdaArn) === undefined) {
        throw badRequest(`'${input.lambdaArn}' is not a Lambda function ARN; expected arn:aws:lambda:<region>:<12-digit account id>:function:<name>.`)
      }
      if (input.endpoint !== undefined) await verifier.verify(input.endpoint)
      if (input.lambdaArn !== undefined) {
        try {
          await lambda.addPermission(input.lambdaArn)
          await lambda.invoke(input.lambdaArn, {}, { invocationType: 'DryRun' })
        } catch (error) {
          throw badRequest(`Amazon Chime could not verify the Lambda function ${input.lambdaArn}: ${(error as LambdaError).message}`)
        }
      }
      const bot = state.createBot(target, botInput)
      if (input.endpoint !== undefined) {
        state.putEventsConfiguration(target, bot.BotId, { OutboundEventsHTTPSEndpoint: input.endpoint })
        app.log.info({ botId: bot.BotId, endpoint: input.endpoint }, `created bot ${bot.DisplayName}; handshake passed: ${input.endpoint} echoed the challenge`)
      } else if (input.lambdaArn !== undefined) {
        state.putEventsConfiguration(target, bot.BotId, { LambdaFunctionArn: input.lambdaArn })
        app.log.info({ botId: bot.BotId, arn: input.lambdaArn }, `created bot ${bot.DisplayName}; Lambda check passed for ${input.lambdaArn}`)
      } else {
        app.log.info({ botId: bot.BotId }, `created bot ${bot.DisplayName} without an events configuration`)
      }
      return bot
    },

    async createRoom (name, o = {}) {
      return makeRoom(backend.createRoom({ Name: name, ...(o.accountId !== undefined ? { AccountId: o.accountId } : {}) }))
    },

    room (roomId) {
      return makeRoom(roomRecord(roomId))
    },

    async addBot (roomId, bot, o = {}) {
      return backend.addBot(roomId, botOf(bot).BotId, o.invitedBy)
    },

    async removeBot (roomId, bot, o = {}) {
      backend.removeBot(roomId, botOf(bot).BotId, o.removedBy)
    },

    async postMessage (roomId, content, o = {}) {
      return backend.postMessage(roomId, content, o.sender ?? DEFAULT_SENDER)
    },

    async mention (roomId, ref, text, o = {}) {
      const name = typeof ref === 'string' && state.findBot(ref) === undefined
        ? ref
        : botMentionNames(botOf(ref)).at(-1) as string
      return await emulator.postMessage(roomId, `@${name.replace(/^@/, '')} ${text}`, o)
    },

    async waitForBotMessage (roomId, o = {}) {
      roomRecord(roomId)
      const timeoutMs = o.timeoutMs ?? DEFAULT_WAIT_MS
      const fromId = o.from === undefined ? undefined : botOf(o.from)
      const matches = (m: MessageRecord): boolean => {
        if (m.SenderType !== 'Bot') return false
        if (fromId !== undefined && m.Sender !== fromId.BotEmail) return false
        const { match } = o
        if (match === undefined) return true
        if (typeof match === 'string') return m.Content.includes(match)
        if (match instanceof RegExp) return match.test(m.Content)
        return match(m)
      }
      const find = (): MessageRecord | undefined => {
        const list = roomMessages(state, roomId)
        const start = cursors.get(roomId) ?? 0
        for (let i = start; i < list.length; i++) {
          const m = list[i] as MessageRecord
          if (matches(m)) {
            cursors.set(roomId, i + 1)
            return m
          }
        }
        return undefined
      }
      const found = find()
      if (found !== undefined) return found
      return await new Promise<MessageRecord>((resolve, reject) => {
        const onPosted = ({ message }: { message: MessageRecord }): void => {
          if (message.RoomId !== roomId) return
          const hit = find()
          if (hit === undefined) return
          cleanup()
          resolve(hit)
        }
        const timer = setTimeout(() => {
          cleanup()
          const wanted = o.match === undefined ? 'any bot message' : `a bot message matching ${String(o.match)}`
          reject(new Error(
            `No bot message arrived in room ${roomId} within ${timeoutMs} ms (waited for ${wanted}${fromId !== undefined ? ` from ${fromId.DisplayName}` : ''}).\n` +
            `Messages in the room:\n${describeMessages(roomMessages(state, roomId))}\n` +
            `Deliveries to bots for this room:\n${describeDeliveries(delivery.list({ roomId }))}`))
        }, timeoutMs)
        const cleanup = (): void => {
          clearTimeout(timer)
          state.bus.off('message.posted', onPosted)
        }
        state.bus.on('message.posted', onPosted)
      })
    },

    deliveries: (filter = {}) => delivery.list(filter),
    messages: (roomId) => roomMessages(state, roomId),
    idle: async () => { await delivery.idle() },

    assertNoPendingDeliveries () {
      const pending = delivery.pending()
      if (pending.length > 0) {
        throw new Error(`${pending.length} deliveries are still in flight:\n${describeDeliveries(pending)}\nAwait emu.idle() first, or check the bot answers within the delivery timeout.`)
      }
    },

    reset: async (scope = 'All') => { await backend.reset(scope) },

    close: shutdown
  }
  return emulator
}
