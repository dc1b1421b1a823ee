/**
 * Delivering events to bots, as Chime does (protocol reference §4, §5).
 *
 * HTTPS endpoint: POST the compact JSON event with `Chime-Request-Timestamp`
 * and `Chime-Signature` (the plugin's `signChimeRequest`, with the bot's
 * CURRENT SecurityToken). The bot must answer 2xx within the timeout (2 s).
 * A connection error, a timeout or a 5xx is retried twice, 200 ms after the
 * first failure and 400 ms after the second, each time with a new timestamp
 * and signature; a 4xx (or any other non-2xx below 500) is not retried; after
 * the third failure the event is dropped.
 *
 * Lambda function: the event is the invocation payload and the two headers
 * travel in the ClientContext. The emulator invokes with `RequestResponse`, so
 * a failed invocation is seen and retried (twice, same gaps) and the delivery
 * log shows what the function returned. The HTTP timeout does not apply.
 *
 * `Chime-Request-Timestamp` is real time (the bot compares it with its own
 * clock); the event's `EventTimestamp` comes from the emulator's clock.
 *
 * Every delivery and every attempt is recorded (a bounded log, newest last)
 * and announced on `engine.events` for the event stream and tests.
 */
import { EventEmitter } from 'node:events'
import { randomBytes, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { signChimeRequest } from 'fastify-chime-bot'
import type { BotRecord, EmulatorState, EventsConfigurationRecord } from './state.js'
import type { FaultRegistry, SignatureProbeResult } from './faults.js'
import type { LambdaInvoker } from './lambda.js'
import { buildMentionEvent, serializeEvent, type ChimeEventPayload, type ChimeEventType } from './events.js'

/** How long a bot has to answer an event, in ms. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 2000
/** Gaps before the second and third attempt, in ms. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [200, 400]
/** How many deliveries the log keeps. */
export const DEFAULT_MAX_DELIVERY_RECORDS = 1000
/** How much of a bot's answer body an attempt keeps. */
const RESPONSE_EXCERPT_CHARS = 500

/** Where an event went. */
export type DeliveryOutcome =
  /** Still being attempted (or waiting between attempts). */
  | 'Pending'
  /** The bot answered 2xx (or the Lambda invocation succeeded). */
  | 'Delivered'
  /** Every attempt failed (timeout, connection error, 5xx, invoke error): the event was dropped. */
  | 'Failed'
  /** The bot answered a 4xx (not retried). */
  | 'Rejected'
  /** The bot had no events configuration when the event happened: nothing was sent. */
  | 'Undeliverable'
  /** The emulator was reset or closed before the delivery finished. */
  | 'Cancelled'

/** One try at delivering an event. */
export interface DeliveryAttempt {
  /** 1, 2 or 3. */
  Attempt: number
  /** When the attempt started (real time; the `Chime-Request-Timestamp` sent). */
  Timestamp: string
  /** The bot's HTTP status (200 for a successful Lambda invocation); absent on timeout or connection error. */
  Status?: number
  /** What went wrong, in words. */
  Error?: string
  DurationMs: number
  /** The headers sent, signature included (the signature does not reveal the token). */
  RequestHeaders: Record<string, string>
  /** The first characters of the bot's answer (or the Lambda result), for debugging. */
  ResponseBody?: string
  /** Set when an injected fault (emu.faults.delivery) decided this attempt's result. */
  InjectedFault?: string
}

/** One event sent (or being sent) to one bot. */
export interface DeliveryRecord {
  DeliveryId: string
  BotId: string
  RoomId: string
  EventType: ChimeEventType
  /** The HTTPS endpoint URL or the Lambda function ARN. */
  Target: string
  TargetType: 'HTTPS' | 'Lambda' | 'None'
  Outcome: DeliveryOutcome
  Event: ChimeEventPayload
  Attempts: DeliveryAttempt[]
  CreatedTimestamp: string
  FinishedTimestamp?: string
  /** A signature probe (deliberately bad signature), not a real event. */
  Probe?: boolean
}

/** What `engine.events` announces. */
export interface DeliveryEvents {
  'delivery.started': [DeliveryRecord]
  'delivery.attempt': [DeliveryRecord, DeliveryAttempt]
  'delivery.finished': [DeliveryRecord]
}

/** The part of the Lambda invoker (lambda.ts) delivery needs. */
export type LambdaInvokerLike = Pick<LambdaInvoker, 'invoke'>

/** A minimal pino-like logger. */
export interface DeliveryLogger {
  info (obj: object, msg: string): void
  warn (obj: object, msg: string): void
}

/** Options of {@link DeliveryEngine}. */
export interface DeliveryOptions {
  state: EmulatorState
  faults: FaultRegistry
  /** Invokes Lambda-configured bots; without it their deliveries fail with a clear error. */
  lambda?: LambdaInvokerLike | undefined
  /** Answer deadline per attempt, ms (default 2000). */
  timeoutMs?: number | undefined
  /** Gaps before each retry, ms (default [200, 400]: two retries). */
  retryDelaysMs?: readonly number[] | undefined
  /** Deliveries kept in the log (default 1000). */
  maxRecords?: number | undefined
  /** Accept self-signed certificates on https bot endpoints. */
  trustSelfSigned?: boolean | undefined
  logger?: DeliveryLogger | undefined
}

function checkOptions (opts: DeliveryOptions): { timeoutMs: number, retryDelaysMs: readonly number[], maxRecords: number } {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`deliveryTimeoutMs must be a positive number of milliseconds; got ${JSON.stringify(timeoutMs)}.`)
  }
  const retryDelaysMs = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
  if (!Array.isArray(retryDelaysMs) || retryDelaysMs.some(d => typeof d !== 'number' || !Number.isFinite(d) || d < 0)) {
    throw new TypeError(`retryDelaysMs must be an array of non-negative numbers of milliseconds (Chime: [200, 400]); got ${JSON.stringify(retryDelaysMs)}.`)
  }
  const maxRecords = opts.maxRecords ?? DEFAULT_MAX_DELIVERY_RECORDS
  if (typeof maxRecords !== 'number' || !Number.isInteger(maxRecords) || maxRecords < 1) {
    throw new TypeError(`maxRecords must be a positive whole number; got ${JSON.stringify(maxRecords)}.`)
  }
  return { timeoutMs, retryDelaysMs, maxRecords }
}

const silentLogger: DeliveryLogger = { info () {}, warn () {} }

type AttemptResult = { attempt: DeliveryAttempt, verdict: 'ok' | 'retry' | 'reject' }

function describeError (error: unknown): string {
  const e = error as { code?: unknown, message?: unknown }
  const code = typeof e?.code === 'string' ? e.code : undefined
  const message = typeof e?.message === 'string' ? e.message : String(error)
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message
}

function excerpt (value: unknown): string | undefined {
  if (value === undefined) return undefined
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > RESPONSE_EXCERPT_CHARS ? `${text.slice(0, RESPONSE_EXCERPT_CHARS)}…` : text
}

/** Sends events to bots and keeps the delivery log. One per emulator. */
export class DeliveryEngine {
  /** `delivery.started`, `delivery.attempt`, `delivery.finished`. */
  readonly events = new EventEmitter<DeliveryEvents>()
  private readonly records: DeliveryRecord[] = []
  private readonly inFlight = new Set<Promise<DeliveryRecord>>()
  private stop = new AbortController()
  private closed = false
  private readonly agent: Agent
  private readonly timeoutMs: number
  private readonly retryDelaysMs: readonly number[]
  private readonly maxRecords: number
  private readonly log: DeliveryLogger

  constructor (private readonly opts: DeliveryOptions) {
    const checked = checkOptions(opts)
    this.timeoutMs = checked.timeoutMs
    this.retryDelaysMs = checked.retryDelaysMs
    this.maxRecords = checked.maxRecords
    this.log = opts.logger ?? silentLogger
    this.agent = new Agent({ connect: { rejectUnauthorized: opts.trustSelfSigned !== true } })
  }

  /**
   * Delivers an event to a bot with Chime's retries. The record is in the log
   * (`Pending`) as soon as this returns; the promise settles when it is done.
   */
  deliver (bot: BotRecord, event: ChimeEventPayload): Promise<DeliveryRecord> {
    const config = this.opts.state.eventsConfigurations.get(bot.BotId)
    const record = this.open(bot, event, config)
    const run = this.run(bot, record, config)
    this.inFlight.add(run)
    void run.finally(() => this.inFlight.delete(run))
    return run
  }

  /** The delivery log, oldest first (copies). */
  list (filter: { botId?: string | undefined, roomId?: string | undefined, eventType?: string | undefined } = {}): DeliveryRecord[] {
    return this.records
      .filter(r => (filter.botId === undefined || r.BotId === filter.botId) &&
        (filter.roomId === undefined || r.RoomId === filter.roomId) &&
        (filter.eventType === undefined || r.EventType === filter.eventType))
      .map(r => structuredClone(r))
  }

  /** Deliveries still being attempted. */
  pending (): DeliveryRecord[] {
    return this.list().filter(r => r.Outcome === 'Pending')
  }

  /** Resolves when every delivery in flight has finished. */
  async idle (): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  /** Cancels deliveries in flight and empties the log. */
  async clear (): Promise<void> {
    this.stop.abort()
    await this.idle()
    this.stop = new AbortController()
    this.records.length = 0
  }

  /** Cancels deliveries in flight and closes connections to bots. */
  async close (): Promise<void> {
    this.stop.abort()
    await this.idle()
    if (this.closed) return
    this.closed = true
    await this.agent.close()
  }

  /**
   * Sends the bot one Mention signed with a random wrong key and reports
   * whether it refused it with 401/403, as a bot that verifies signatures must.
   * One attempt, no retries; recorded in the log with `Probe: true`.
   */
  async probeSignature (botId: string): Promise<SignatureProbeResult> {
    const bot = this.opts.state.bots.get(botId)
    if (bot === undefined) throw new TypeError(`probeSignature(): no bot has the id '${botId}'.`)
    const config = this.opts.state.eventsConfigurations.get(botId)
    if (config === undefined) {
      throw new TypeError(`probeSignature(): bot '${botId}' has no events configuration, so there is nothing to probe. Configure its HTTPS endpoint or Lambda function first.`)
    }
    const event = buildMentionEvent({
      sender: 'signature-probe@chime-emulator.invalid',
      roomId: 'signature-probe',
      timestamp: this.opts.state.timestamp(),
      webhookUrl: 'http://127.0.0.1:9/incomingwebhooks/signature-probe?token=none',
      message: `@${bot.DisplayName} this event is deliberately signed with a wrong key; a bot that checks Chime-Signature refuses it with 401`
    })
    const record = this.open(bot, event, config)
    record.Probe = true
    const wrongToken = randomBytes(30).toString('base64')
    const { attempt, verdict } = await this.attempt({ ...bot, SecurityToken: wrongToken }, record, config, 1, false)
    this.addAttempt(record, attempt)
    const status = attempt.Status
    // A Lambda function refuses by failing (or by an API Gateway-style 401), which the attempt records as a rejection.
    const rejected = status === 401 || status === 403 || (record.TargetType === 'Lambda' && verdict === 'reject')
    this.finish(record, verdict === 'ok' ? 'Delivered' : verdict === 'reject' ? 'Rejected' : 'Failed')
    const result: SignatureProbeResult = {
      BotId: botId,
      Rejected: rejected,
      Verdict: rejected
        ? `The bot refused a badly signed event (${attempt.Error as string}): it verifies Chime-Signature.`
        : status === undefined
          ? `The probe could not reach the bot (${attempt.Error as string}), so nothing is known about its signature check.`
          : `The bot accepted a badly signed event (answered ${status}): it does not verify Chime-Signature, so anyone can send it events. It must answer 401.`
    }
    if (status !== undefined) result.Status = status
    if (attempt.Error !== undefined) result.Error = attempt.Error
    return result
  }

  private open (bot: BotRecord, event: ChimeEventPayload, config: EventsConfigurationRecord | undefined): DeliveryRecord {
    const record: DeliveryRecord = {
      DeliveryId: randomUUID(),
      BotId: bot.BotId,
      RoomId: event.Discussion.DiscussionId,
      EventType: event.EventType,
      Target: config?.OutboundEventsHTTPSEndpoint ?? config?.LambdaFunctionArn ?? '',
      TargetType: config?.OutboundEventsHTTPSEndpoint !== undefined ? 'HTTPS' : config?.LambdaFunctionArn !== undefined ? 'Lambda' : 'None',
      Outcome: 'Pending',
      Event: event,
      Attempts: [],
      CreatedTimestamp: new Date().toISOString()
    }
    this.records.push(record)
    if (this.records.length > this.maxRecords) this.records.splice(0, this.records.length - this.maxRecords)
    this.events.emit('delivery.started', record)
    return record
  }

  private finish (record: DeliveryRecord, outcome: DeliveryOutcome): DeliveryRecord {
    record.Outcome = outcome
    record.FinishedTimestamp = new Date().toISOString()
    this.events.emit('delivery.finished', record)
    return record
  }

  private addAttempt (record: DeliveryRecord, attempt: DeliveryAttempt): void {
    record.Attempts.push(attempt)
    this.events.emit('delivery.attempt', record, attempt)
  }

  private async run (bot: BotRecord, record: DeliveryRecord, config: EventsConfigurationRecord | undefined): Promise<DeliveryRecord> {
    if (record.TargetType === 'None' || config === undefined) {
      this.log.warn({ deliveryId: record.DeliveryId, botId: bot.BotId, eventType: record.EventType },
        `${record.EventType} event for ${bot.DisplayName} not sent: the bot has no events configuration`)
      return this.finish(record, 'Undeliverable')
    }
    const signal = this.stop.signal
    const total = this.retryDelaysMs.length + 1
    for (let n = 1; n <= total; n++) {
      if (n > 1) {
        try {
          await sleep(this.retryDelaysMs[n - 2] as number, undefined, { signal })
        } catch {
          return this.finish(record, 'Cancelled')
        }
      }
      // Always sign with the bot's current token: a RegenerateSecurityToken between attempts applies at once.
      const current = this.opts.state.bots.get(bot.BotId) ?? bot
      const { attempt, verdict } = await this.attempt(current, record, config, n, true)
      this.addAttempt(record, attempt)
      const what = attempt.Status !== undefined ? String(attempt.Status) : attempt.Error
      const line = `${record.EventType} to ${current.DisplayName}, attempt ${n}/${total}: ${what} in ${attempt.DurationMs} ms`
      const fields = { deliveryId: record.DeliveryId, botId: bot.BotId, roomId: record.RoomId, eventType: record.EventType, attempt: n, status: attempt.Status, durationMs: attempt.DurationMs }
      if (verdict === 'ok') {
        this.log.info(fields, `delivered ${line}`)
        return this.finish(record, 'Delivered')
      }
      this.log.warn({ ...fields, error: attempt.Error }, `delivery failed: ${line}`)
      if (verdict === 'reject') return this.finish(record, 'Rejected')
      if (signal.aborted) return this.finish(record, 'Cancelled')
    }
    this.log.warn({ deliveryId: record.DeliveryId, botId: bot.BotId }, `${record.EventType} to ${bot.DisplayName} dropped after ${total} failed attempts`)
    return this.finish(record, 'Failed')
  }

  private async attempt (bot: BotRecord, record: DeliveryRecord, config: EventsConfigurationRecord, n: number, useFaults: boolean): Promise<AttemptResult> {
    const body = serializeEvent(record.Event)
    const signed = signChimeRequest(bot.SecurityToken, body, new Date())
    const fault = useFaults ? this.opts.faults.takeDeliveryFault(bot.BotId) : undefined
    const started = performance.now()
    const attempt: DeliveryAttempt = { Attempt: n, Timestamp: signed.timestamp, DurationMs: 0, RequestHeaders: {} }
    const done = (verdict: AttemptResult['verdict']): AttemptResult => {
      attempt.DurationMs = Math.round(performance.now() - started)
      return { attempt, verdict }
    }
    if (fault !== undefined) attempt.InjectedFault = `${fault.FaultId}: ${String(fault.status)}`

    if (config.OutboundEventsHTTPSEndpoint === undefined) {
      const arn = config.LambdaFunctionArn as string
      const clientContext = { 'Chime-Signature': signed.signature, 'Chime-Request-Timestamp': signed.timestamp }
      attempt.RequestHeaders = { 'X-Amz-Invocation-Type': 'RequestResponse', 'X-Amz-Client-Context': Buffer.from(JSON.stringify(clientContext)).toString('base64') }
      if (fault?.status === 'reset') {
        attempt.Error = 'ECONNRESET: the connection to Lambda was reset (injected fault)'
        return done('retry')
      }
      if (this.opts.lambda === undefined) {
        attempt.Error = `No Lambda invoker is configured, so ${arn} cannot be invoked. Start the emulator with lambdaEndpoint or lambdaHandlers.`
        return done('retry')
      }
      try {
        const result = await this.opts.lambda.invoke(arn, record.Event, { invocationType: 'RequestResponse', clientContext })
        attempt.ResponseBody = excerpt(result.payload)
        if (fault?.status === 'timeout') {
          attempt.Error = 'the invocation timed out (injected fault)'
          return done('retry')
        }
        if (typeof fault?.status === 'number') {
          attempt.Status = fault.status
          attempt.Error = `Lambda answered ${fault.status} (injected fault)`
          return done(fault.status >= 500 ? 'retry' : fault.status >= 300 ? 'reject' : 'ok')
        }
        attempt.Status = result.statusCode
        if (result.functionError !== undefined) {
          // The invocation worked but the function failed: not an SDK error, so Chime does not retry.
          attempt.Error = `the function failed (${result.functionError}): ${attempt.ResponseBody ?? 'no details'}`
          return done('reject')
        }
        const proxyStatus = (result.payload as { statusCode?: unknown } | null | undefined)?.statusCode
        if (typeof proxyStatus === 'number' && proxyStatus >= 400 && proxyStatus < 500) {
          // An API Gateway-style answer refusing the event (e.g. a bad signature → 401).
          attempt.Status = proxyStatus
          attempt.Error = `the function answered statusCode ${proxyStatus}`
          return done('reject')
        }
        return done('ok')
      } catch (error) {
        attempt.Error = `Lambda invocation failed: ${describeError(error)}`
        return done('retry')
      }
    }

    const url = config.OutboundEventsHTTPSEndpoint
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'chime-emulator',
      'Chime-Request-Timestamp': signed.timestamp,
      'Chime-Signature': signed.signature
    }
    attempt.RequestHeaders = headers
    if (fault?.status === 'reset') {
      attempt.Error = 'ECONNRESET: the connection was reset before the event reached the bot (injected fault)'
      return done('retry')
    }
    const timeout = new AbortController()
    const timer = setTimeout(() => { timeout.abort() }, this.timeoutMs)
    const signal = AbortSignal.any([timeout.signal, this.stop.signal])
    let statusCode: number
    try {
      const response = await request(url, { method: 'POST', body, headers, signal, dispatcher: this.agent })
      attempt.ResponseBody = excerpt(await response.body.text())
      statusCode = response.statusCode
    } catch (error) {
      attempt.Error = timeout.signal.aborted
        ? `no answer within ${this.timeoutMs} ms (Chime's deadline): the bot must answer 200 before doing slow work`
        : this.stop.signal.aborted ? 'cancelled: the emulator was reset or closed' : `could not reach ${url}: ${describeError(error)}`
      return done('retry')
    } finally {
      clearTimeout(timer)
    }
    if (fault?.status === 'timeout') {
      attempt.Error = `no answer within ${this.timeoutMs} ms (injected fault: the bot did get the event, its answer was ignored)`
      return done('retry')
    }
    const status = typeof fault?.status === 'number' ? fault.status : statusCode
    attempt.Status = status
    if (status >= 200 && status < 300) return done('ok')
    attempt.Error = `the bot answered ${status}${typeof fault?.status === 'number' ? ` (injected fault; it really answered ${statusCode})` : ''}`
    return done(status >= 500 ? 'retry' : 'reject')
  }
}
