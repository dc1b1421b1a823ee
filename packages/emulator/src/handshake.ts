/**
 * The HTTPS endpoint verification Chime runs before PutEventsConfiguration
 * saves an endpoint: POST `{"Challenge":"…","EventType":"HTTPSEndpointVerification"}`
 * and expect, within 2 seconds, `200 OK`, a JSON content type and
 * `{"Challenge":"<the same string>"}`. Every other outcome is explained in a
 * BadRequestException, so the bot author learns what to fix.
 */
import { Agent, request, type Dispatcher } from 'undici'
import { badRequest } from './aws/errors.js'
import { newChallenge } from './ids.js'

/** Chime's deadline for the endpoint's answer. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 2000
const EXCERPT_CHARS = 200

/** Options of {@link createEndpointVerifier}. */
export interface HandshakeOptions {
  /** How long the endpoint has to answer, in ms (Chime: 2000). */
  timeoutMs?: number
  /** Accept an https endpoint with a self-signed or otherwise untrusted certificate. Default false. */
  trustSelfSigned?: boolean
}

/** Runs the verification handshake against bot endpoints. */
export interface EndpointVerifier {
  /** Resolves when `endpoint` echoes a fresh challenge; throws BadRequestException saying why not. */
  verify (endpoint: string): Promise<void>
  /** Closes the connections the verifier keeps. */
  close (): Promise<void>
}

/** Creates the verifier the AWS API uses for PutEventsConfiguration. */
export function createEndpointVerifier (options: HandshakeOptions = {}): EndpointVerifier {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`handshake timeoutMs must be a positive whole number of milliseconds; got ${String(timeoutMs)}.`)
  }
  const agent = new Agent({
    connect: { rejectUnauthorized: options.trustSelfSigned !== true, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs
  })
  return {
    verify: async (endpoint) => { await verifyEndpoint(endpoint, agent, timeoutMs) },
    close: async () => { await agent.close() }
  }
}

/** Checks that `value` is an http(s) URL an endpoint can have; throws BadRequestException if not. */
export function parseEndpointUrl (value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw badRequest(`OutboundEventsHTTPSEndpoint '${value}' is not a URL; give an address such as https://bot.example.com/chime.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badRequest(`OutboundEventsHTTPSEndpoint '${value}' must start with https:// (the emulator also accepts http:// for local endpoints).`)
  }
  return url
}

async function verifyEndpoint (endpoint: string, dispatcher: Dispatcher, timeoutMs: number): Promise<void> {
  parseEndpointUrl(endpoint)
  const challenge = newChallenge()
  const failed = (why: string): Error => badRequest(`The endpoint ${endpoint} failed Amazon Chime's verification: ${why} It must answer the POST {"Challenge":"…","EventType":"HTTPSEndpointVerification"} within ${timeoutMs} ms with 200 OK, Content-Type application/json and {"Challenge":"<the same value>"}. The previous events configuration is unchanged.`)
  let response: Dispatcher.ResponseData
  let text: string
  try {
    response = await request(endpoint, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Challenge: challenge, EventType: 'HTTPSEndpointVerification' }),
      signal: AbortSignal.timeout(timeoutMs)
    })
    text = await response.body.text()
  } catch (error) {
    throw failed(describeNetworkError(error, timeoutMs))
  }
  const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text
  if (response.statusCode !== 200) {
    throw failed(`it answered HTTP ${response.statusCode}${excerpt === '' ? ' with an empty body' : ` with the body: ${excerpt}`}.`)
  }
  const contentType = String(response.headers['content-type'] ?? '')
  if (!/json/i.test(contentType)) {
    throw failed(`its answer has Content-Type '${contentType === '' ? '(none)' : contentType}' instead of application/json (body: ${excerpt === '' ? '(empty)' : excerpt}).`)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw failed(`its answer is not valid JSON: ${excerpt === '' ? '(empty body)' : excerpt}.`)
  }
  const echoed = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).Challenge : undefined
  if (echoed === undefined) {
    throw failed(`its JSON answer has no "Challenge" property: ${excerpt}.`)
  }
  if (echoed !== challenge) {
    throw failed(`it echoed the challenge ${JSON.stringify(echoed)} but was sent "${challenge}".`)
  }
}

/** Says in words why an HTTP request did not get an answer. */
export function describeNetworkError (error: unknown, timeoutMs: number): string {
  const err = error as { name?: string, code?: string, message?: string, cause?: { code?: string, message?: string } }
  const code = err.code ?? err.cause?.code
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `it did not answer within ${timeoutMs} ms (timeout).`
  }
  if (code === 'ECONNREFUSED') return 'the connection was refused: nothing is listening at that address and port.'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its host name could not be resolved.'
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed before an answer arrived.'
  if (code !== undefined && /CERT|SELF_SIGNED|TLS|SSL/i.test(code)) {
    return `its TLS certificate was not accepted (${code}); for a self-signed certificate start the emulator with trustSelfSigned.`
  }
  return `the request failed (${code ?? err.message ?? String(error)}).`
}
