/**
 * Fault injection: make the emulator misbehave on purpose, the way Chime can,
 * so a bot's retry and idempotency logic can be tested.
 *
 * - Webhook faults answer the bot's next N replies with an error status
 *   (e.g. 503 or 429, optionally with `Retry-After`) and/or after a delay.
 * - Delivery faults spoil the next N delivery attempts to a bot:
 *   a `status` (the request reaches the bot, but its answer is replaced by this
 *   status — so a retry makes the bot see the same event twice, as after a real
 *   timeout), `'timeout'` (the request reaches the bot, the answer is ignored and
 *   the attempt counts as timed out, without waiting the 2 s) or `'reset'` (the
 *   connection fails before anything reaches the bot).
 *
 * Faults are consumed in the order they were added; each matching request or
 * attempt uses up one of its `times`.
 */

/** What to do to the next webhook requests. */
export interface WebhookFaultSpec {
  /** Answer with this HTTP status instead of handling the request (e.g. 503, 429, 500). Omit to only delay. */
  status?: number
  /** How many requests this fault applies to (default 1; `Infinity` until cleared). */
  times?: number
  /** Seconds to put in a `Retry-After` header (only with `status`). */
  retryAfter?: number
  /** Wait this long before answering (or before handling the request normally when there is no `status`). */
  delayMs?: number
  /** Only requests to webhooks of this room. */
  roomId?: string
  /** Only requests to this webhook. */
  webhookId?: string
}

/** What to do to the next delivery attempts. */
export interface DeliveryFaultSpec {
  /** The bot's answer is replaced by this HTTP status, or the attempt times out, or the connection resets. */
  status: number | 'timeout' | 'reset'
  /** How many attempts this fault applies to (default 1; `Infinity` until cleared). */
  times?: number
  /** Only attempts to this bot. */
  botId?: string
}

/** A registered fault and how many uses it has left. */
export interface WebhookFault extends WebhookFaultSpec {
  FaultId: string
  remaining: number
}

/** A registered delivery fault and how many uses it has left. */
export interface DeliveryFault extends DeliveryFaultSpec {
  FaultId: string
  remaining: number
}

/** Result of {@link FaultRegistry.probeSignature}. */
export interface SignatureProbeResult {
  BotId: string
  /** `true` when the bot refused the badly signed event with 401 (or 403), as it should. */
  Rejected: boolean
  /** The bot's HTTP status, when it answered. */
  Status?: number
  /** What went wrong, when the bot could not be reached. */
  Error?: string
  /** One sentence a person can act on. */
  Verdict: string
}

/** Sends one deliberately mis-signed event to a bot: provided by the delivery engine. */
export type SignatureProbe = (botId: string) => Promise<SignatureProbeResult>

function checkTimes (times: unknown, where: string): number {
  if (times === undefined) return 1
  if (times === Infinity) return Infinity
  if (typeof times !== 'number' || !Number.isInteger(times) || times < 1) {
    throw new TypeError(`${where}: "times" must be a positive whole number (or Infinity); got ${JSON.stringify(times)}.`)
  }
  return times
}

function checkStatus (status: unknown, where: string): void {
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError(`${where}: "status" must be an HTTP status code between 200 and 599; got ${JSON.stringify(status)}.`)
  }
}

function checkNonNegative (value: unknown, name: string, where: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new TypeError(`${where}: "${name}" must be a non-negative number; got ${JSON.stringify(value)}.`)
  }
}

function checkId (value: unknown, name: string, where: string): void {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new TypeError(`${where}: "${name}" must be a non-empty string; got ${JSON.stringify(value)}.`)
  }
}

/** The emulator's list of armed faults. Available as `emu.faults`. */
export class FaultRegistry {
  private readonly webhookFaults: WebhookFault[] = []
  private readonly deliveryFaults: DeliveryFault[] = []
  private nextId = 1

  constructor (private readonly probe?: SignatureProbe) {}

  /**
   * Arms a fault for the next webhook requests (the bot's replies).
   *
   * @example
   * emu.faults.webhook({ status: 503, times: 2, retryAfter: 1 }) // the next two replies get 503
   */
  webhook (spec: WebhookFaultSpec): WebhookFault {
    const where = 'faults.webhook()'
    if (spec === null || typeof spec !== 'object') throw new TypeError(`${where} expects an object such as { status: 503, times: 2 }; got ${JSON.stringify(spec)}.`)
    if (spec.status === undefined && spec.delayMs === undefined) {
      throw new TypeError(`${where} needs a "status" (e.g. 503) or a "delayMs" (or both); got neither.`)
    }
    if (spec.status !== undefined) checkStatus(spec.status, where)
    checkNonNegative(spec.retryAfter, 'retryAfter', where)
    checkNonNegative(spec.delayMs, 'delayMs', where)
    checkId(spec.roomId, 'roomId', where)
    checkId(spec.webhookId, 'webhookId', where)
    const fault: WebhookFault = { ...spec, FaultId: `webhook-fault-${this.nextId++}`, remaining: checkTimes(spec.times, where) }
    this.webhookFaults.push(fault)
    return fault
  }

  /**
   * Arms a fault for the next delivery attempts (events sent to bots).
   *
   * @example
   * emu.faults.delivery({ botId, status: 'timeout' }) // first attempt "times out": the bot sees the event twice
   */
  delivery (spec: DeliveryFaultSpec): DeliveryFault {
    const where = 'faults.delivery()'
    if (spec === null || typeof spec !== 'object') throw new TypeError(`${where} expects an object such as { status: 500, times: 3 }; got ${JSON.stringify(spec)}.`)
    if (spec.status !== 'timeout' && spec.status !== 'reset') {
      if (typeof spec.status !== 'number') {
        throw new TypeError(`${where}: "status" must be an HTTP status code, 'timeout' or 'reset'; got ${JSON.stringify(spec.status)}.`)
      }
      checkStatus(spec.status, where)
    }
    checkId(spec.botId, 'botId', where)
    const fault: DeliveryFault = { ...spec, FaultId: `delivery-fault-${this.nextId++}`, remaining: checkTimes(spec.times, where) }
    this.deliveryFaults.push(fault)
    return fault
  }

  /** Uses up the first armed webhook fault matching this request, if any. */
  takeWebhookFault (target: { webhookId: string, roomId?: string | undefined }): WebhookFault | undefined {
    return take(this.webhookFaults, f =>
      (f.webhookId === undefined || f.webhookId === target.webhookId) &&
      (f.roomId === undefined || f.roomId === target.roomId))
  }

  /** Uses up the first armed delivery fault matching this bot, if any. */
  takeDeliveryFault (botId: string): DeliveryFault | undefined {
    return take(this.deliveryFaults, f => f.botId === undefined || f.botId === botId)
  }

  /** The faults still armed. */
  list (): { Webhooks: WebhookFault[], Deliveries: DeliveryFault[] } {
    return { Webhooks: this.webhookFaults.map(f => ({ ...f })), Deliveries: this.deliveryFaults.map(f => ({ ...f })) }
  }

  /** Disarms every fault. */
  clear (): void {
    this.webhookFaults.length = 0
    this.deliveryFaults.length = 0
  }

  /**
   * Sends the bot one event signed with a wrong key, as Discord does to keep
   * bots honest, and reports whether the bot refused it (it must answer 401).
   * Nothing else happens: the attempt is recorded as a probe, never retried.
   */
  async probeSignature (botId: string): Promise<SignatureProbeResult> {
    if (this.probe === undefined) throw new Error('probeSignature() needs a running emulator: use emu.faults from createEmulator().')
    return await this.probe(botId)
  }
}

function take<F extends { remaining: number }> (list: F[], matches: (f: F) => boolean): F | undefined {
  const index = list.findIndex(matches)
  if (index === -1) return undefined
  const fault = list[index] as F
  fault.remaining -= 1
  if (fault.remaining <= 0) list.splice(index, 1)
  return { ...fault }
}
