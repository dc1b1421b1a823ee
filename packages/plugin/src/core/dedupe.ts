/**
 * Duplicate suppression. Chime retries a delivery that timed out with a new
 * timestamp (so a new signature) but the same body, so the same event can
 * arrive twice. The key is a hash of the raw body: identical bytes, same event.
 */
import { createHash } from 'node:crypto'
import type { RawBody } from './signature.js'

/** Default window in which a repeated body counts as a duplicate: 10 minutes. */
export const DEFAULT_DEDUPE_WINDOW_MS = 10 * 60 * 1000

/** The duplicate-suppression key of a raw body: its SHA-256, base64. */
export function dedupeKey (rawBody: RawBody): string {
  return createHash('sha256').update(rawBody).digest('base64')
}
