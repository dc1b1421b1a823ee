/**
 * The AWS Lambda adapter: the same bot, the same handlers, the same checks,
 * in a Lambda function. Two ways Chime can reach a Lambda:
 *
 * 1. Direct invocation (the bot's events configuration names a Lambda ARN):
 *    the payload is the event, and `Chime-Signature` / `Chime-Request-Timestamp`
 *    travel in the invocation's client context.
 * 2. HTTPS endpoint mode behind API Gateway (REST v1 or HTTP v2) or a Lambda
 *    function URL: the payload is a proxy event carrying the raw body and
 *    headers, and the answer is a proxy response.
 *
 * Lambda freezes the process once the handler returns, so here handlers always
 * finish before the function answers (whatever the `ack` option says), and
 * then replies they did not await are flushed from the reply queue, within the
 * invocation's remaining time.
 */
import { randomUUID } from 'node:crypto'
import { ChimeBot, errorResponse, type ChimeHttpResponse } from '../core/bot.js'
import { isChallenge } from '../core/challenge.js'
import { describeValue } from '../core/events.js'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../core/signature.js'
import type { ChimeLogger } from '../core/types.js'
import {
  FST_CHIME_BODY_TOO_LARGE, FST_CHIME_LAMBDA_BAD_CLIENT_CONTEXT, FST_CHIME_LAMBDA_UNRECOGNISED_PAYLOAD,
  FST_CHIME_METHOD_NOT_ALLOWED, FST_CHIME_UNSUPPORTED_MEDIA_TYPE
} from '../errors.js'
import { invalidOption, resolveBodyLimit, type ChimeBotOptions } from '../options.js'

/** The parts of the Lambda context object the adapter reads (the Node runtime's `context`). */
export interface LambdaContextLike {
  /** The invocation's request id; becomes `ctx.requestId`. */
  awsRequestId?: string
  /**
   * The client context. The Node runtime hands it already parsed (an object);
   * a raw base64-encoded JSON string (as sent in `X-Amz-Client-Context`) or a
   * JSON string are accepted too. The Chime headers may sit at the top level
   * or under `custom`.
   */
  clientContext?: unknown
  /** How long the invocation may still run; bounds how long the adapter waits for queued replies. */
  getRemainingTimeInMillis?: () => number
  [key: string]: unknown
}

/** An API Gateway (REST v1, HTTP v2) or Lambda function URL proxy event, as far as the adapter reads it. */
export interface LambdaProxyEvent {
  headers?: Record<string, string | undefined> | null
  body?: string | null
  isBase64Encoded?: boolean
  /** REST API (v1). */
  httpMethod?: string
  /** HTTP API (v2) and function URLs: `requestContext.http.method`. */
  requestContext?: { http?: { method?: string }, [key: string]: unknown }
  [key: string]: unknown
}

/** The proxy response API Gateway and function URLs expect. */
export interface LambdaProxyResult {
  statusCode: number
  headers: Record<string, string>
  body: string
  isBase64Encoded: false
}

/** What a direct invocation returns: the challenge echo, or that the event was taken. */
export type LambdaDirectResult = { Challenge: string } | { ok: true, duplicate?: true }

/** Default `replyFlushTimeoutMs`: how long, at most, the function waits for queued replies after the handlers. */
export const DEFAULT_REPLY_FLUSH_TIMEOUT_MS = 3000
/** Kept free at the end of an invocation: the wait for queued replies ends this long before Lambda's timeout. */
export const REPLY_FLUSH_MARGIN_MS = 500

/** Options of {@link createLambdaHandler}. */
export interface LambdaHandlerOptions {
  /** Largest accepted proxy body in bytes (default 64 KB); larger → 413. */
  bodyLimit?: number
  /**
   * After the handlers, how long (ms, default 3000) the function waits at most for replies
   * still in the reply queue — those a handler did not await, or paced to 1 per second per
   * room — before it returns and Lambda freezes the process. Also bounded by the invocation's
   * remaining time (`context.getRemainingTimeInMillis()`) minus 500 ms. `0` does not wait.
   */
  replyFlushTimeoutMs?: number
}

/** The Lambda handler; `handler.bot` is the bot it runs (register handlers on it). */
export interface ChimeLambdaHandler {
  (event: unknown, context?: LambdaContextLike): Promise<LambdaProxyResult | LambdaDirectResult>
  readonly bot: ChimeBot
}

const HEADER_NAMES = [SIGNATURE_HEADER, TIMESTAMP_HEADER] as const

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `true` for API Gateway / function URL proxy events (Chime events never carry `body` or `headers`). */
export function isLambdaProxyEvent (event: unknown): event is LambdaProxyEvent {
  return isObject(event) && typeof event.EventType !== 'string' &&
    'body' in event && ('headers' in event || 'requestContext' in event || 'httpMethod' in event)
}

function lowerCaseHeaders (headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value
  }
  return out
}

/**
 * Reads `Chime-Signature` and `Chime-Request-Timestamp` from a client context:
 * an object (parsed by the runtime), base64 JSON, or JSON; at the top level or
 * under `custom`; header names in any case.
 *
 * @throws FST_CHIME_LAMBDA_BAD_CLIENT_CONTEXT when a string is neither base64 JSON nor JSON
 */
export function readClientContext (clientContext: unknown): Record<string, string> {
  let value = clientContext
  if (typeof value === 'string') {
    value = parseJsonOrBase64Json(value)
  }
  if (!isObject(value)) return {}
  const top = lowerCaseHeaders(value)
  const custom = isObject(value.custom) ? lowerCaseHeaders(value.custom) : {}
  const out: Record<string, string> = {}
  for (const name of HEADER_NAMES) {
    const found = top[name] ?? custom[name]
    if (found !== undefined) out[name] = found
  }
  return out
}

function parseJsonOrBase64Json (text: string): unknown {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  try {
    return JSON.parse(/^[[{]/.test(trimmed) ? trimmed : Buffer.from(trimmed, 'base64').toString('utf8'))
  } catch {
    throw new FST_CHIME_LAMBDA_BAD_CLIENT_CONTEXT()
  }
}

/** Non-ASCII characters as `\uXXXX` escapes: how many JSON writers (Python's default, some Java configurations) send them. */
function escapeNonAscii (json: string): string {
  return json.replace(/[\u007f-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function proxyResult (answer: ChimeHttpResponse): LambdaProxyResult {
  return { statusCode: answer.statusCode, headers: { ...answer.headers }, body: answer.body, isBase64Encoded: false }
}

function resolveFlushTimeout (value: unknown): number {
  if (value === undefined) return DEFAULT_REPLY_FLUSH_TIMEOUT_MS
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || !Number.isFinite(value)) {
    invalidOption('replyFlushTimeoutMs', 'a number of milliseconds ≥ 0', value)
  }
  return value
}

/** How long the invocation may still wait for replies: its remaining time minus the margin (unbounded without a Lambda context). */
function remainingMs (context: LambdaContextLike | undefined): number {
  const get = context?.getRemainingTimeInMillis
  const left = typeof get === 'function' ? Number(get.call(context)) : NaN
  return Number.isFinite(left) ? left - REPLY_FLUSH_MARGIN_MS : Infinity
}

function isJsonContentType (value: string | undefined): boolean {
  return value !== undefined && value.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

/**
 * Builds a Lambda handler for a bot. Each invocation runs the handlers to
 * the end, then waits (at most `replyFlushTimeoutMs`, and never past the
 * invocation's remaining time) for replies still queued, so a `ctx.reply`
 * the handler did not await is sent before Lambda freezes the process.
 *
 * @param botOrOptions - a bot made with `createChimeBot` (register handlers on
 *   it), or the bot's options (then register on `handler.bot`)
 * @throws FST_CHIME_MISSING_SECURITY_TOKEN / FST_CHIME_INVALID_OPTION on bad options
 *
 * @example
 * const bot = createChimeBot({ securityToken: process.env.CHIME_BOT_SECURITY_TOKEN! })
 * bot.on('Mention', async (event, ctx) => { await ctx.reply('Hello from Lambda') })
 * export const handler = createLambdaHandler(bot)
 */
export function createLambdaHandler (
  botOrOptions: ChimeBot | (ChimeBotOptions & LambdaHandlerOptions),
  options: LambdaHandlerOptions = {}
): ChimeLambdaHandler {
  let bot: ChimeBot
  let bodyLimit: number
  let flushTimeoutMs: number
  if (botOrOptions instanceof ChimeBot) {
    bot = botOrOptions
    bodyLimit = resolveBodyLimit(options.bodyLimit)
    flushTimeoutMs = resolveFlushTimeout(options.replyFlushTimeoutMs)
  } else {
    const { bodyLimit: limit, replyFlushTimeoutMs, ...botOptions } = botOrOptions
    bot = new ChimeBot(botOptions)
    bodyLimit = resolveBodyLimit(options.bodyLimit ?? limit)
    flushTimeoutMs = resolveFlushTimeout(options.replyFlushTimeoutMs ?? replyFlushTimeoutMs)
  }

  // Lambda freezes the process once the handler returns: send what handlers left in the reply queue first.
  async function flushReplies (context: LambdaContextLike | undefined, requestId: string, log: ChimeLogger): Promise<void> {
    const channel = bot.replyChannel
    if (channel.flush === undefined) return
    const waitMs = Math.max(0, Math.min(flushTimeoutMs, remainingMs(context)))
    let unsent: number
    try {
      unsent = await channel.flush(waitMs)
    } catch (err) {
      log.error({ err, requestId }, 'Waiting for the queued Chime replies failed (the reply channel\'s flush() threw)')
      return
    }
    if (unsent > 0) {
      log.warn({ requestId, unsent, waitedMs: waitMs },
        `${unsent} Chime reply message(s) were still queued when the Lambda function returned (after waiting ${waitMs} ms): ` +
        'they go out if AWS reuses this process for a later invocation, and are lost otherwise. ' +
        'Await ctx.reply() in the handler, or raise replyFlushTimeoutMs and the function\'s timeout.')
    }
  }

  async function proxy (event: LambdaProxyEvent, context: LambdaContextLike | undefined, requestId: string, log: ChimeLogger): Promise<LambdaProxyResult> {
    const method = event.httpMethod ?? event.requestContext?.http?.method
    if (method !== undefined && method.toUpperCase() !== 'POST') {
      return proxyResult(errorResponse(new FST_CHIME_METHOD_NOT_ALLOWED(method)))
    }
    const headers = isObject(event.headers) ? lowerCaseHeaders(event.headers) : {}
    const text = typeof event.body === 'string' ? event.body : ''
    const rawBody = event.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8')
    const type = headers['content-type']
    if (rawBody.length > 0 && !isJsonContentType(type)) {
      const err = new FST_CHIME_UNSUPPORTED_MEDIA_TYPE(type === undefined || type === '' ? 'missing' : JSON.stringify(type))
      log.warn({ code: err.code, requestId }, err.message)
      return proxyResult(errorResponse(err))
    }
    if (rawBody.length > bodyLimit) {
      const err = new FST_CHIME_BODY_TOO_LARGE(bodyLimit)
      log.warn({ code: err.code, requestId }, err.message)
      return proxyResult(errorResponse(err))
    }
    const answer = await bot.handle({ headers, rawBody, requestId, log }, { waitForHandlers: true })
    await flushReplies(context, requestId, log)
    return proxyResult(answer)
  }

  async function direct (event: Record<string, unknown>, context: LambdaContextLike | undefined, requestId: string, log: ChimeLogger): Promise<LambdaDirectResult> {
    if (isChallenge(event)) {
      // Chime verifies a Lambda with a DryRun invocation, never a challenge; answer it anyway.
      log.info({ challenge: event.Challenge, requestId }, 'Answered a Chime endpoint verification challenge sent to Lambda')
      return { Challenge: event.Challenge }
    }
    const headers = readClientContext(context?.clientContext)
    const signature = headers[SIGNATURE_HEADER]
    const timestamp = headers[TIMESTAMP_HEADER]
    // The runtime parsed the payload; the signature covers the bytes Chime sent.
    // Compact JSON.stringify output matches compact senders byte for byte; if
    // it does not verify, try the same JSON with non-ASCII escaped as \uXXXX.
    let rawBody = JSON.stringify(event)
    const escaped = escapeNonAscii(rawBody)
    if (escaped !== rawBody) {
      const check = await bot.checkSignature({ signature, timestamp, rawBody }, log)
      if (!check.ok && check.reason === 'invalid-signature' &&
        (await bot.checkSignature({ signature, timestamp, rawBody: escaped }, log)).ok) {
        rawBody = escaped
      }
    }
    const answer = await bot.handle({ headers, rawBody, requestId, log }, { waitForHandlers: true })
    await flushReplies(context, requestId, log)
    if (answer.error !== undefined) throw answer.error
    return answer.outcome === 'duplicate' ? { ok: true, duplicate: true } : { ok: true }
  }

  const handler = async (event: unknown, context?: LambdaContextLike): Promise<LambdaProxyResult | LambdaDirectResult> => {
    const requestId = typeof context?.awsRequestId === 'string' ? context.awsRequestId : randomUUID()
    const log = bot.log
    if (isLambdaProxyEvent(event)) return await proxy(event, context, requestId, log)
    if (isObject(event)) return await direct(event, context, requestId, log)
    throw new FST_CHIME_LAMBDA_UNRECOGNISED_PAYLOAD(describeValue(event))
  }
  return Object.assign(handler, { bot })
}
