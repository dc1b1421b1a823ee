/** Small helpers to read a raw body (string, Buffer or Uint8Array) without copying it. */
import type { RawBody } from './signature.js'

/** The body as a Buffer; strings are encoded as UTF-8, byte views are wrapped without a copy. */
export function asBuffer (rawBody: RawBody): Buffer {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8')
  return Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength)
}

/** The body as text (UTF-8). */
export function asText (rawBody: RawBody): string {
  return typeof rawBody === 'string' ? rawBody : asBuffer(rawBody).toString('utf8')
}
