/**
 * List pagination as Chime does it: `max-results` bounds the page, an opaque
 * `NextToken` (returned only when more items follow) asks for the next page.
 */
import { badRequest } from '../aws/errors.js'

/** One page of a list and the token for the next, if any. */
export interface Page<T> {
  items: T[]
  NextToken?: string
}

/** Reads `max-results` (1..`max`, default `max`); throws BadRequestException on anything else. */
export function parseMaxResults (value: unknown, max: number): number {
  if (value === undefined) return max
  const text = String(value)
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw badRequest(`MaxResults (max-results) must be a whole number from 1 to ${max}; got '${text}'.`)
  }
  return n
}

/** Cuts one page out of `items`; `scope` ties tokens to one list so a token from another list is refused. */
export function paginate<T> (items: readonly T[], query: { 'max-results'?: unknown, 'next-token'?: unknown }, options: { max: number, scope: string }): Page<T> {
  const size = parseMaxResults(query['max-results'], options.max)
  const offset = query['next-token'] === undefined ? 0 : readToken(String(query['next-token']), options.scope)
  const page: Page<T> = { items: items.slice(offset, offset + size) }
  if (offset + size < items.length) page.NextToken = writeToken(offset + size, options.scope)
  return page
}

function writeToken (offset: number, scope: string): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64url')
}

function readToken (token: string, scope: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown, o?: unknown }
    if (parsed.s === scope && Number.isInteger(parsed.o) && (parsed.o as number) >= 0) return parsed.o as number
  } catch {}
  throw badRequest('NextToken (next-token) is not one this list returned; pass the NextToken of the previous page of the same list, unchanged.')
}
