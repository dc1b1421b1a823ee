/**
 * Duplicate suppression. Chime retries a delivery that timed out with a new
 * timestamp (so a new signature) but the same body, so the same event can
 * arrive twice. The key is a hash of the raw body: identical bytes, same event.
 */
import crypto from 'node:crypto'
import type { RawBody } from './signature.js'

/** Default window in which a repeated body counts as a duplicate: 10 minutes. */
export const DEFAULT_DEDUPE_WINDOW_MS = 10 * 60 * 1000

type OneShotHash = (algorithm: string, data: RawBody, encoding: 'base64') => string

// `crypto.hash` (Node ≥ 20.12) hashes in one call, about twice as fast as
// createHash() for a 1 KB body; older Node 20 releases fall back.
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash
/* c8 ignore start -- the fallback only runs on Node < 20.12; the tests run on newer */
const sha256 = typeof oneShot === 'function'
  ? (data: RawBody): string => oneShot('sha256', data, 'base64')
  : (data: RawBody): string => crypto.createHash('sha256').update(data).digest('base64')
/* c8 ignore stop */

/** The duplicate-suppression key of a raw body: its SHA-256, base64 (44 characters). */
export function dedupeKey (rawBody: RawBody): string {
  return sha256(rawBody)
}
