/**
 * Chime's endpoint-verification handshake (seed document): before saving an
 * HTTPS endpoint, Chime POSTs `{"Challenge":"…","EventType":"HTTPSEndpointVerification"}`
 * and expects `200`, `application/json`, `{"Challenge":"<same>"}` back.
 *
 * The documentation does not say the challenge is signed, so it is answered
 * whether or not signature headers are present. Echoing a value back to the
 * sender reveals nothing and triggers no handler, so this is safe.
 */
import type { ChallengeRequest } from './types.js'
import type { RawBody } from './signature.js'
import { asBuffer, asText } from './raw-body.js'

/** The `EventType` of the verification handshake. */
export const CHALLENGE_EVENT_TYPE = 'HTTPSEndpointVerification'

const MARKER = Buffer.from(CHALLENGE_EVENT_TYPE)

/** `true` when a parsed value is a verification challenge (a string `Challenge` and the handshake's `EventType`). */
export function isChallenge (value: unknown): value is ChallengeRequest {
  return typeof value === 'object' && value !== null &&
    (value as Record<string, unknown>).EventType === CHALLENGE_EVENT_TYPE &&
    typeof (value as Record<string, unknown>).Challenge === 'string'
}

/**
 * Recognises a challenge in a raw body without trusting it for anything else.
 * A cheap byte search rules out ordinary events first, so normal traffic is
 * never parsed before its signature is checked.
 *
 * @returns the challenge string, or `undefined` when the body is not a challenge
 */
export function readChallenge (rawBody: RawBody): string | undefined {
  const present = typeof rawBody === 'string' ? rawBody.includes(CHALLENGE_EVENT_TYPE) : asBuffer(rawBody).includes(MARKER)
  if (!present) return undefined
  let value: unknown
  try {
    value = JSON.parse(asText(rawBody))
  } catch {
    return undefined
  }
  return isChallenge(value) ? value.Challenge : undefined
}

/** The exact answer body Chime expects: `{"Challenge":"<same>"}`. */
export function challengeResponseBody (challenge: string): string {
  return JSON.stringify({ Challenge: challenge })
}
