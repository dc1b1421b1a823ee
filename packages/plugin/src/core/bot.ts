/**
 * The bot: accepted tokens, the handler registry, duplicate suppression, the
 * ack policy and graceful close, behind one framework-free `handle()` that
 * both adapters (Fastify, Lambda) call with the raw request.
 *
 *   challenge? → echo it
 *   event      → verify signature + freshness on the raw bytes
 *              → parse + validate by EventType
 *              → duplicate? ack only
 *              → ack 200, dispatch to handlers (now or after, per the ack policy)
 */
import { STATUS_CODES } from 'node:http'
import {
  FST_CHIME_CLOSE_TIMEOUT, FST_CHIME_HANDLER_BUDGET_EXCEEDED, FST_CHIME_INVALID_HANDLER, FST_CHIME_INVALID_SIGNATURE,
  FST_CHIME_INVALID_TIMESTAMP, FST_CHIME_MISSING_SIGNATURE, FST_CHIME_STALE_TIMESTAMP, FST_CHIME_TOKENS_UNAVAILABLE
} from '../errors.js'
import { resolveBotOptions, type ChimeBotOptions, type ResolvedChimeBotOptions } from '../options.js'
import { challengeResponseBody, readChallenge } from './challenge.js'
import { CommandRouter, type CommandDefinition, type CommandHandler } from './commands.js'
import { ChimeEventContext } from './context.js'
import { dedupeKey } from './dedupe.js'
import { KNOWN_EVENT_TYPES, parseChimeEvent, type ParsedChimeEvent } from './events.js'
import { checkChimeSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER, type ChimeSignatureCheck, type RawBody } from './signature.js'
import type {
  ChimeEvent, ChimeEventName, ChimeHandler, ChimeLogger, ReplyChannel, ReplyOptions, ReplyReceipt, UnknownChimeEvent
} from './types.js'

/** An HTTP request as an adapter hands it to {@link ChimeBot.handle}. */
export interface ChimeHttpRequest {
  /** Request headers with lower-case names (Node's `IncomingHttpHeaders` fits). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The exact body bytes as received. */
  rawBody: RawBody
  /** The request id, for logs and `ctx.requestId`. */
  requestId: string
  /** The request's logger (default: the bot's logger). */
  log?: ChimeLogger
}

/** What happened to a request. */
export type ChimeOutcome = 'challenge' | 'event' | 'unknown-event' | 'duplicate' | 'rejected'

/** The answer {@link ChimeBot.handle} gives; adapters send it as is. */
export interface ChimeHttpResponse {
  statusCode: number
  headers: Readonly<Record<string, string>>
  /** The body, already serialised (JSON). */
  body: string
  outcome: ChimeOutcome
  /** The typed error, when the request was rejected. */
  error?: Error & { code: string, statusCode?: number }
}

/** Per-call options of {@link ChimeBot.handle}. */
export interface HandleOptions {
  /** Wait until every handler has finished before answering, whatever the ack policy (the Lambda adapter uses it: Lambda freezes once the handler returns). */
  waitForHandlers?: boolean
}

/** The public handle of a bot: `app.chime` in Fastify, what `createChimeBot` returns. */
export type ChimeBotHandle = ChimeBot

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json; charset=utf-8' })
const ACK: ChimeHttpResponse = Object.freeze({ statusCode: 200, headers: JSON_HEADERS, body: '{"ok":true}', outcome: 'event' })
const ACK_UNKNOWN: ChimeHttpResponse = Object.freeze({ ...ACK, outcome: 'unknown-event' })
const ACK_DUPLICATE: ChimeHttpResponse = Object.freeze({ ...ACK, body: '{"ok":true,"duplicate":true}', outcome: 'duplicate' })
const EVENT_NAMES: ReadonlySet<string> = new Set<string>([...KNOWN_EVENT_TYPES, '*'])
const BUDGET_EXCEEDED = Symbol('budget exceeded')

type TypedError = Error & { code: string, statusCode?: number }
interface SignatureInput { signature: string | undefined, timestamp: string | undefined, rawBody: RawBody }

function storeFailed (err: unknown, log: ChimeLogger): true {
  log.error({ err }, 'The duplicate-suppression store failed; handling the event as new')
  return true
}

function isThenable (value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

type AnyHandler = (event: ChimeEvent | UnknownChimeEvent, ctx: ChimeEventContext) => unknown

/** Builds the JSON error answer (Fastify's error shape) for a typed error. */
export function errorResponse (error: TypedError): ChimeHttpResponse {
  const statusCode = error.statusCode ?? 500
  const body = JSON.stringify({ statusCode, code: error.code, error: STATUS_CODES[statusCode], message: error.message })
  return { statusCode, headers: JSON_HEADERS, body, outcome: 'rejected', error }
}

function header (headers: ChimeHttpRequest['headers'], name: string): string | undefined {
  const value = headers[name]
  return typeof value === 'string' ? value : value?.[0]
}

function signatureError (check: Exclude<ChimeSignatureCheck, { ok: true }>, timestamp: string | undefined, toleranceMs: number): Error & { code: string, statusCode: number } {
  switch (check.reason) {
    case 'missing-signature': return new FST_CHIME_MISSING_SIGNATURE()
    case 'missing-timestamp': return new FST_CHIME_INVALID_TIMESTAMP('missing')
    case 'invalid-timestamp': return new FST_CHIME_INVALID_TIMESTAMP(`not a date (${JSON.stringify(timestamp)})`)
    case 'stale-timestamp': return new FST_CHIME_STALE_TIMESTAMP(String(timestamp), toleranceMs)
    default: return new FST_CHIME_INVALID_SIGNATURE()
  }
}

/**
 * A Chime bot, independent of any web framework. Register handlers with
 * {@link ChimeBot.on}; adapters feed requests to {@link ChimeBot.handle}.
 */
export class ChimeBot {
  /** The validated options, defaults filled in. */
  readonly options: ResolvedChimeBotOptions
  readonly #handlers = new Map<string, AnyHandler[]>()
  /** Handlers to run per EventType (specific ones, then `*`), rebuilt on `on()`. */
  #plan = new Map<string, readonly AnyHandler[]>()
  #active = 0
  #idle: (() => void) | undefined
  #closing: Promise<void> | undefined
  #commands: CommandRouter | undefined
  /** Events waiting for their handlers (ack 'immediate'): flat triples event, ctx, handlers. */
  #queue: unknown[] = []
  readonly #drain: () => void

  /**
   * @throws FST_CHIME_MISSING_SECURITY_TOKEN / FST_CHIME_INVALID_OPTION on bad options
   */
  constructor (options: ChimeBotOptions) {
    this.options = resolveBotOptions(options)
    this.#drain = () => { this.#drainQueue() }
  }

  /** The bot's logger (outside requests). */
  get log (): ChimeLogger {
    return this.options.logger
  }

  /** The channel `ctx.reply` goes through. */
  get replyChannel (): ReplyChannel {
    return this.options.replyChannel
  }

  /** How many events have handlers scheduled or running. */
  get running (): number {
    return this.#active
  }

  /**
   * Registers a handler for an event type, or `'*'` for every event — known
   * types and types this version does not know yet (Chime may add some).
   * Handlers of one event run one after the other, in registration order,
   * specific ones before `'*'`; an error in one does not stop the next.
   *
   * @throws FST_CHIME_INVALID_HANDLER for an unknown name or a non-function
   */
  on<N extends ChimeEventName>(name: N, handler: ChimeHandler<N>): this {
    if (!EVENT_NAMES.has(name)) {
      throw new FST_CHIME_INVALID_HANDLER(JSON.stringify(name), `the event name must be one of ${[...EVENT_NAMES].map(n => `'${n}'`).join(', ')}`)
    }
    if (typeof handler !== 'function') throw new FST_CHIME_INVALID_HANDLER(`'${name}'`, `the handler must be a function; got ${typeof handler}`)
    const list = this.#handlers.get(name) ?? []
    list.push(handler as unknown as AnyHandler)
    this.#handlers.set(name, list)
    this.#plan = new Map()
    return this
  }

  /**
   * Registers a command: `@Bot <name> <args…>` in a Mention runs `handler(command, event, ctx)`.
   * The first call adds the command router as a Mention handler (so `on('Mention')`
   * handlers still see every Mention); `help` and unknown commands answer with the
   * list of commands. The name `'*'` registers the fallback for text that is not a
   * command (instead of that answer). Mentions are parsed with the `botNames` option.
   * See core/commands.ts.
   *
   * @throws FST_CHIME_INVALID_COMMAND for a bad name, a missing handler, or a name already registered
   */
  command (name: string, handler: CommandHandler | CommandDefinition): this {
    if (this.#commands === undefined) {
      this.#commands = new CommandRouter({ botNames: this.options.botNames })
      this.on('Mention', this.#commands.handler)
    }
    this.#commands.command(name, handler)
    return this
  }

  /** The command router (`undefined` until the first `command()`), e.g. for `commands.helpText()`. */
  get commands (): CommandRouter | undefined {
    return this.#commands
  }

  /**
   * Posts to a room outside any handler, through the room's Persistent webhook
   * (remembered from its Invite event, forgotten on Remove).
   *
   * @throws (rejects) FST_CHIME_UNKNOWN_ROOM when the room's webhook is not known, or any reply error
   */
  say (roomId: string, content: string, options?: ReplyOptions): Promise<ReplyReceipt> {
    return this.options.replyChannel.say(roomId, content, options)
  }

  #handlersFor (type: string): readonly AnyHandler[] {
    let plan = this.#plan.get(type)
    if (plan === undefined) {
      plan = [...(EVENT_NAMES.has(type) && type !== '*' ? this.#handlers.get(type) ?? [] : []), ...this.#handlers.get('*') ?? []]
      this.#plan.set(type, plan)
    }
    return plan
  }

  /**
   * Checks a signature against the accepted tokens, reloading them once when
   * they come from a function and none matched (a rotation).
   *
   * @throws FST_CHIME_TOKENS_UNAVAILABLE when the tokens cannot be loaded
   */
  async checkSignature (input: SignatureInput, log: ChimeLogger = this.log): Promise<ChimeSignatureCheck> {
    return await this.#check(input, log)
  }

  /** {@link checkSignature}, synchronous when the tokens are static or cached. */
  #check (input: SignatureInput, log: ChimeLogger): ChimeSignatureCheck | Promise<ChimeSignatureCheck> {
    const provider = this.options.tokens
    const tokens = provider.peek()
    if (tokens === undefined) return this.#checkAfterLoad(input, log)
    const check = this.#checkWith(tokens, input)
    if (check.ok || check.reason !== 'invalid-signature' || !provider.dynamic) return check
    return this.#checkAfterMiss(check, input, log)
  }

  #checkWith (tokens: readonly string[], input: SignatureInput): ChimeSignatureCheck {
    return checkChimeSignature({
      securityTokens: tokens,
      timestamp: input.timestamp,
      rawBody: input.rawBody,
      signature: input.signature,
      toleranceMs: this.options.timestampToleranceMs
    })
  }

  async #checkAfterLoad (input: SignatureInput, log: ChimeLogger): Promise<ChimeSignatureCheck> {
    let tokens: readonly string[]
    try {
      tokens = await this.options.tokens.get(log)
    } catch (err) {
      log.error({ err }, 'Could not load the Chime security tokens (the securityToken function failed)')
      throw new FST_CHIME_TOKENS_UNAVAILABLE()
    }
    const check = this.#checkWith(tokens, input)
    return check.ok || check.reason !== 'invalid-signature' ? check : await this.#checkAfterMiss(check, input, log)
  }

  async #checkAfterMiss (miss: ChimeSignatureCheck, input: SignatureInput, log: ChimeLogger): Promise<ChimeSignatureCheck> {
    const refreshed = await this.options.tokens.refreshAfterMiss(log)
    return refreshed === undefined ? miss : this.#checkWith(refreshed, input)
  }

  /**
   * Handles one request: answers the challenge, or verifies, parses,
   * de-duplicates and dispatches an event. Never rejects: every failure is
   * an answer with a status code and a typed `error`.
   */
  async handle (request: ChimeHttpRequest, options?: HandleOptions): Promise<ChimeHttpResponse> {
    return await this.receive(request, options)
  }

  /**
   * {@link handle} for adapters on a hot path: answers synchronously when
   * nothing needs waiting for (static or cached tokens, a synchronous
   * duplicate store, `ack: 'immediate'`), and with a promise otherwise.
   * Never throws or rejects.
   */
  receive (request: ChimeHttpRequest, options?: HandleOptions): ChimeHttpResponse | Promise<ChimeHttpResponse> {
    const log = request.log ?? this.log
    const { rawBody } = request

    const challenge = readChallenge(rawBody)
    if (challenge !== undefined) {
      log.info({ challenge }, 'Answered Chime\'s endpoint verification challenge')
      return { statusCode: 200, headers: JSON_HEADERS, body: challengeResponseBody(challenge), outcome: 'challenge' }
    }

    // 1. The signature, over the exact raw bytes, before anything is parsed.
    const input: SignatureInput = {
      signature: header(request.headers, SIGNATURE_HEADER),
      timestamp: header(request.headers, TIMESTAMP_HEADER),
      rawBody
    }
    const check = this.#check(input, log)
    if (check instanceof Promise) {
      return check.then(
        result => this.#afterCheck(result, input, request, options, log),
        (err: TypedError) => errorResponse(err)
      )
    }
    return this.#afterCheck(check, input, request, options, log)
  }

  #afterCheck (check: ChimeSignatureCheck, input: SignatureInput, request: ChimeHttpRequest, options: HandleOptions | undefined, log: ChimeLogger): ChimeHttpResponse | Promise<ChimeHttpResponse> {
    if (!check.ok) {
      const error = signatureError(check, input.timestamp, this.options.timestampToleranceMs)
      log.warn({ code: error.code, reason: check.reason }, 'Rejected a request that is not correctly signed by Chime')
      return errorResponse(error)
    }

    // 2. Parse and validate by EventType.
    let parsed: ParsedChimeEvent
    try {
      parsed = parseChimeEvent(request.rawBody)
    } catch (err) {
      const error = err as TypedError
      log.warn({ code: error.code, detail: error.message }, 'Rejected a signed request whose body is not a valid Chime event')
      return errorResponse(error)
    }

    // 3. Duplicates: Chime retries with the same body after a timeout.
    const windowMs = this.options.dedupeWindowMs
    if (windowMs === 0) return this.#accept(parsed, request, options, log)
    let fresh: boolean | Promise<boolean>
    try {
      fresh = this.options.dedupeStore.remember(dedupeKey(request.rawBody), windowMs)
    } catch (err) {
      fresh = storeFailed(err, log)
    }
    if (fresh instanceof Promise) {
      return fresh.then(
        answer => this.#afterDedupe(answer, parsed, request, options, log),
        err => this.#afterDedupe(storeFailed(err, log), parsed, request, options, log)
      )
    }
    return this.#afterDedupe(fresh, parsed, request, options, log)
  }

  #afterDedupe (fresh: boolean, parsed: ParsedChimeEvent, request: ChimeHttpRequest, options: HandleOptions | undefined, log: ChimeLogger): ChimeHttpResponse | Promise<ChimeHttpResponse> {
    if (fresh) return this.#accept(parsed, request, options, log)
    log.debug({ eventType: parsed.event.EventType }, 'Acknowledged a repeated Chime event without running its handlers again')
    return ACK_DUPLICATE
  }

  /** 4. Ack and dispatch. */
  #accept (parsed: ParsedChimeEvent, request: ChimeHttpRequest, options: HandleOptions | undefined, log: ChimeLogger): ChimeHttpResponse | Promise<ChimeHttpResponse> {
    const { event } = parsed
    if (parsed.known) {
      try {
        this.options.replyChannel.observe(parsed.event)
      } catch (err) {
        log.error({ err }, 'The reply channel failed to record the event\'s room')
      }
    } else {
      log.warn({ eventType: event.EventType }, 'Received a correctly signed Chime event of a type this version does not know; passing it to \'*\' handlers')
    }
    const answer = parsed.known ? ACK : ACK_UNKNOWN
    const handlers = this.#handlersFor(event.EventType)
    if (handlers.length === 0) return answer
    const ctx = new ChimeEventContext(event, request.requestId, log, this.options.replyChannel)

    this.#active++
    if (options?.waitForHandlers === true) {
      const running = this.#run(event, ctx, handlers)
      return running === undefined ? answer : running.then(() => answer)
    }
    if (this.options.ack === 'after-handler') {
      const running = this.#run(event, ctx, handlers)
      return running === undefined ? answer : this.#within(running, event, ctx).then(() => answer)
    }
    // ack: 'immediate' — queue the event and run the queue in a microtask: after
    // the adapter has sent the answer (it does so synchronously), before any
    // other I/O. One microtask serves every event queued meanwhile.
    this.#queue.push(event, ctx, handlers)
    if (this.#queue.length === 3) queueMicrotask(this.#drain)
    return answer
  }

  #drainQueue (): void {
    const queue = this.#queue
    this.#queue = []
    for (let i = 0; i < queue.length; i += 3) {
      void this.#run(queue[i] as ChimeEvent | UnknownChimeEvent, queue[i + 1] as ChimeEventContext, queue[i + 2] as readonly AnyHandler[])
    }
  }

  /** With `ack: 'after-handler'`: waits for the handlers at most `handlerBudgetMs`. */
  async #within (running: Promise<void>, event: ChimeEvent | UnknownChimeEvent, ctx: ChimeEventContext): Promise<void> {
    const budgetMs = this.options.handlerBudgetMs
    let timer: NodeJS.Timeout | undefined
    const budget = new Promise<typeof BUDGET_EXCEEDED>(resolve => { timer = setTimeout(resolve, budgetMs, BUDGET_EXCEEDED) })
    const outcome = await Promise.race([running, budget])
    clearTimeout(timer)
    if (outcome === BUDGET_EXCEEDED) {
      const err = new FST_CHIME_HANDLER_BUDGET_EXCEEDED(event.EventType, budgetMs)
      ctx.log.warn({ err, requestId: ctx.requestId }, err.message)
    }
  }

  /**
   * Runs the handlers of one event, counted for graceful close (the caller
   * incremented `#active`). Synchronous as long as the handlers are: returns
   * `undefined` when all of them finished without returning a promise, else a
   * promise that settles (never rejects) when the rest have run.
   */
  #run (event: ChimeEvent | UnknownChimeEvent, ctx: ChimeEventContext, handlers: readonly AnyHandler[]): Promise<void> | undefined {
    for (let i = 0; i < handlers.length; i++) {
      let result: unknown
      try {
        result = (handlers[i] as AnyHandler)(event, ctx)
      } catch (err) {
        return this.#runAsync(this.#report(err, event, ctx), event, ctx, handlers, i + 1)
      }
      if (isThenable(result)) return this.#runAsync(result, event, ctx, handlers, i + 1)
    }
    this.#finished()
    return undefined
  }

  /** The rest of {@link #run} once a handler returned a promise (or failed). */
  async #runAsync (pending: PromiseLike<unknown>, event: ChimeEvent | UnknownChimeEvent, ctx: ChimeEventContext, handlers: readonly AnyHandler[], next: number): Promise<void> {
    try {
      try {
        await pending
      } catch (err) {
        await this.#report(err, event, ctx)
      }
      for (let i = next; i < handlers.length; i++) {
        try {
          await (handlers[i] as AnyHandler)(event, ctx)
        } catch (err) {
          await this.#report(err, event, ctx)
        }
      }
    } finally {
      this.#finished()
    }
  }

  #finished (): void {
    if (--this.#active === 0 && this.#idle !== undefined) this.#idle()
  }

  async #report (err: unknown, event: ChimeEvent | UnknownChimeEvent, ctx: ChimeEventContext): Promise<void> {
    ctx.log.error({ err, requestId: ctx.requestId, eventType: event.EventType, roomId: ctx.roomId }, `A ${event.EventType} handler failed`)
    const hook = this.options.onError
    if (hook === undefined) return
    try {
      await hook(err, event, ctx)
    } catch (hookErr) {
      ctx.log.error({ err: hookErr, requestId: ctx.requestId }, 'The onError hook failed')
    }
  }

  /**
   * Waits (at most `closeTimeoutMs`) for running handlers, then closes the
   * reply channel and the duplicate store. Safe to call more than once.
   */
  close (): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close (): Promise<void> {
    const timeoutMs = this.options.closeTimeoutMs
    const log = this.log
    if (this.#active > 0) {
      let timer: NodeJS.Timeout | undefined
      const finished = await Promise.race([
        new Promise<boolean>(resolve => { this.#idle = () => { resolve(true) } }),
        new Promise<boolean>(resolve => { timer = setTimeout(resolve, timeoutMs, false) })
      ])
      clearTimeout(timer)
      this.#idle = undefined
      if (!finished) {
        const err = new FST_CHIME_CLOSE_TIMEOUT(this.#active, timeoutMs)
        log.warn({ err }, err.message)
      }
    }
    try {
      await this.options.replyChannel.close(timeoutMs)
    } catch (err) {
      log.error({ err }, 'Closing the reply channel failed')
    }
    try {
      await this.options.dedupeStore.close?.()
    } catch (err) {
      log.error({ err }, 'Closing the duplicate-suppression store failed')
    }
  }
}

/** Creates a bot without Fastify (for the Lambda adapter, or to share one bot between adapters). */
export function createChimeBot (options: ChimeBotOptions): ChimeBot {
  return new ChimeBot(options)
}
