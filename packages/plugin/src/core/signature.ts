/**
 * Chime's request signature (protocol reference §4).
 *
 * `Chime-Signature` = base64( HMAC-SHA256( key = security token (UTF-8),
 * data = `${Chime-Request-Timestamp}|${raw body}` ) ).
 *
 * This module is the single implementation of the signing rule: the plugin
 * verifies with it and the emulator signs with it.
 */
import { createHmac } from 'node:crypto'

/** Header names Chime uses on every event POST (lower-cased as Node exposes them). */
export const SIGNATURE_HEADER = 'chime-signature'
export const TIMESTAMP_HEADER = 'chime-request-timestamp'

/** A raw request body: the exact bytes received, or the exact string sent. */
export type RawBody = string | Buffer | Uint8Array

/**
 * The two headers a signed Chime request carries. Spread it into a request's
 * headers as is; `signature` and `timestamp` are non-enumerable shortcuts to
 * the same values, so spreading never adds them as headers.
 */
export interface ChimeSignatureHeaders {
  'Chime-Request-Timestamp': string
  'Chime-Signature': string
  readonly signature: string
  readonly timestamp: string
}

function hmac (token: string, timestamp: string, rawBody: RawBody): string {
  const mac = createHmac('sha256', token)
  mac.update(timestamp)
  mac.update('|')
  mac.update(rawBody)
  return mac.digest('base64')
}

/**
 * Compares two 44-character base64 strings in constant time: every character
 * is visited, whatever differs, and no branch depends on the contents.
 * (Cheaper than decoding the header and `timingSafeEqual` on two Buffers,
 * and just as blind to where the strings differ.)
 */
function sameSignature (expected: string, received: string): boolean {
  let diff = 0
  for (let i = 0; i < BASE64_SHA256_LENGTH; i++) diff |= expected.charCodeAt(i) ^ received.charCodeAt(i)
  return diff === 0
}

/**
 * Computes the `Chime-Signature` value for a body, as Chime does.
 *
 * @param securityToken - the bot's SecurityToken (from CreateBot / RegenerateSecurityToken)
 * @param rawBody - the exact body that will be sent
 * @param timestamp - the `Chime-Request-Timestamp` value; defaults to now, ISO-8601
 * @returns both headers, ready to put on the request
 */
export function signChimeRequest (
  securityToken: string,
  rawBody: RawBody,
  timestamp: string | Date | number = new Date()
): ChimeSignatureHeaders {
  const stamp = typeof timestamp === 'string' ? timestamp : new Date(timestamp).toISOString()
  const signature = hmac(securityToken, stamp, rawBody)
  const headers = { 'Chime-Request-Timestamp': stamp, 'Chime-Signature': signature }
  Object.defineProperties(headers, {
    signature: { value: signature, enumerable: false },
    timestamp: { value: stamp, enumerable: false }
  })
  return headers as ChimeSignatureHeaders
}

/** Input of {@link verifyChimeSignature}. */
export interface VerifyChimeSignatureInput {
  /** One token, or several during a rotation: the signature may match any of them. */
  securityTokens?: string | readonly string[]
  /** Alias of `securityTokens`, for the common single-token case. */
  securityToken?: string | readonly string[]
  /** The `Chime-Request-Timestamp` header as received. */
  timestamp: string | undefined
  /** The exact raw body bytes as received. */
  rawBody: RawBody
  /** The `Chime-Signature` header as received. */
  signature: string | undefined
  /** How far the timestamp may be from `now`, in ms (default 5 minutes). `Infinity` disables the check. */
  toleranceMs?: number
  /** The current time in ms since the epoch (default `Date.now()`); injectable for tests. */
  now?: number
}

/** Why a signature check failed; `ok: true` (with the index of the token that matched) when it passed. */
export type ChimeSignatureCheck =
  | { ok: true, tokenIndex: number }
  | { ok: false, reason: 'missing-signature' | 'missing-timestamp' | 'invalid-timestamp' | 'stale-timestamp' | 'invalid-signature' }

/** Default tolerance between `Chime-Request-Timestamp` and the receiver's clock. */
export const DEFAULT_TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000

const BASE64_SHA256_LENGTH = 44

/**
 * Checks a Chime signature over the exact raw body, in constant time, against
 * every accepted token, and checks the timestamp is fresh.
 *
 * Never throws on bad input: it returns the reason instead, so callers can
 * map it to their own error type. {@link verifyChimeSignature} is the
 * yes/no version.
 */
export function checkChimeSignature (input: VerifyChimeSignatureInput): ChimeSignatureCheck {
  const { timestamp, signature, rawBody } = input
  if (signature === undefined || signature === '') return { ok: false, reason: 'missing-signature' }
  if (timestamp === undefined || timestamp === '') return { ok: false, reason: 'missing-timestamp' }
  const at = Date.parse(timestamp)
  if (Number.isNaN(at)) return { ok: false, reason: 'invalid-timestamp' }
  const tolerance = input.toleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS
  const now = input.now ?? Date.now()
  if (Math.abs(now - at) > tolerance) return { ok: false, reason: 'stale-timestamp' }

  // A SHA-256 digest in base64 is always 44 characters; anything else cannot match.
  if (signature.length !== BASE64_SHA256_LENGTH) return { ok: false, reason: 'invalid-signature' }

  const given = input.securityTokens ?? input.securityToken ?? []
  const tokens = typeof given === 'string' ? [given] : given
  let match = -1
  // Compare against every token (no early exit) so timing does not reveal which one matched.
  for (let i = 0; i < tokens.length; i++) {
    if (sameSignature(hmac(tokens[i] as string, timestamp, rawBody), signature) && match === -1) match = i
  }
  return match === -1 ? { ok: false, reason: 'invalid-signature' } : { ok: true, tokenIndex: match }
}

/**
 * `true` when `signature` is Chime's signature of `timestamp|rawBody` under
 * one of the tokens and the timestamp is within the tolerance.
 *
 * @example
 * verifyChimeSignature({
 *   securityToken: process.env.CHIME_BOT_SECURITY_TOKEN,
 *   timestamp: headers['chime-request-timestamp'],
 *   signature: headers['chime-signature'],
 *   rawBody
 * })
 */
export function verifyChimeSignature (input: VerifyChimeSignatureInput): boolean {
  return checkChimeSignature(input).ok
}
