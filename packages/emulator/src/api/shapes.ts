/**
 * Request-body reading and response shapes shared by the API routes: the
 * records in state are shaped like the service model, minus the fields the
 * emulator keeps for itself.
 */
import { badRequest } from '../aws/errors.js'
import type { BotRecord } from '../state.js'

/** The `Bot` shape of the service model (a bot record without its AccountId). */
export function toBot (bot: BotRecord): Omit<BotRecord, 'AccountId'> {
  const { AccountId: _accountId, ...shape } = bot
  return shape
}

/** The JSON object body of a request (an absent body reads as `{}`); BadRequestException otherwise. */
export function bodyOf (body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.')
  }
  return body as Record<string, unknown>
}

/** An optional string member of a body; BadRequestException if it is something else. */
export function optionalString (body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw badRequest(`${key} must be a string; got ${JSON.stringify(value)}.`)
  return value
}

/** A required string member of a body; BadRequestException if it is missing or not a string. */
export function requiredString (body: Record<string, unknown>, key: string): string {
  const value = optionalString(body, key)
  if (value === undefined) throw badRequest(`${key} is required.`)
  return value
}

/** An optional boolean member of a body; BadRequestException if it is something else. */
export function optionalBoolean (body: Record<string, unknown>, key: string): boolean | undefined {
  const value = body[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw badRequest(`${key} must be true or false; got ${JSON.stringify(value)}.`)
  return value
}
