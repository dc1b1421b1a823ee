/**
 * Parsing and validating Chime events (protocol reference §3).
 *
 * The validator is compiled once from the JSON schemas in `core/schemas.ts`
 * and shared by every adapter, so the Fastify route and the Lambda handler
 * accept and reject exactly the same bodies.
 */
import { FST_CHIME_INVALID_EVENT, FST_CHIME_MALFORMED_JSON } from '../errors.js'
import { chimeEventSchemas, type ChimeJsonSchema } from './schemas.js'
import type { ChimeEvent, UnknownChimeEvent } from './types.js'
import type { RawBody } from './signature.js'
import { asText } from './raw-body.js'

/** Event types this version knows; anything else is dispatched as an unknown event. */
export const KNOWN_EVENT_TYPES = Object.freeze(Object.keys(chimeEventSchemas)) as readonly ChimeEvent['EventType'][]

/** A verified body, parsed: a known event (validated against its schema) or an unknown one. */
export type ParsedChimeEvent =
  | { known: true, event: ChimeEvent }
  | { known: false, event: UnknownChimeEvent }

/** Checks one value; returns a sentence fragment naming the bad field, or `undefined` when it fits. */
type Check = (value: unknown) => string | undefined

/** How a value looks, for error messages (`null`, `array`, `number 3`, `string "x"`). */
export function describeValue (value: unknown): string {
  if (value === undefined) return 'nothing (undefined)'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'function') return 'a function'
  return `${typeof value} ${String(value)}`
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Compiles the subset of JSON Schema in `ChimeJsonSchema` into a closure. */
export function compileSchema (schema: ChimeJsonSchema, path = ''): Check {
  const where = path === '' ? 'the event' : `field \`${path}\``
  if (schema.type === 'string') {
    const allowed = schema.const !== undefined ? [schema.const] : schema.enum
    return (value) => {
      if (typeof value !== 'string') return `${where} must be a string; got ${describeValue(value)}`
      if (allowed !== undefined && !allowed.includes(value)) {
        return `${where} must be ${allowed.map(a => JSON.stringify(a)).join(' or ')}; got ${describeValue(value)}`
      }
      return undefined
    }
  }
  const required = schema.required ?? []
  const entries = Object.entries(schema.properties ?? {})
  // Flat arrays and indexed loops: this runs on every event, and on success it
  // must allocate nothing.
  const names = entries.map(([name]) => name)
  const checks = entries.map(([name, sub]) => compileSchema(sub, path === '' ? name : `${path}.${name}`))
  return (value) => {
    if (!isObject(value)) return `${where} must be an object; got ${describeValue(value)}`
    for (let i = 0; i < required.length; i++) {
      const name = required[i] as string
      if (value[name] === undefined) return `field \`${path === '' ? name : `${path}.${name}`}\` is missing`
    }
    for (let i = 0; i < names.length; i++) {
      const field = value[names[i] as string]
      if (field === undefined) continue
      const problem = (checks[i] as Check)(field)
      if (problem !== undefined) return problem
    }
    return undefined
  }
}

const validators = new Map<string, Check>(
  Object.entries(chimeEventSchemas).map(([type, schema]) => [type, compileSchema(schema)])
)

/**
 * Checks that a parsed body is an event: a JSON object with a string
 * `EventType`, and, for the types Chime documents, the shape of that type.
 *
 * @throws FST_CHIME_INVALID_EVENT (400) naming the first field that does not fit
 */
export function validateChimeEvent (value: unknown): ParsedChimeEvent {
  if (!isObject(value)) throw new FST_CHIME_INVALID_EVENT(`the body must be a JSON object; got ${describeValue(value)}`)
  const type = value.EventType
  if (typeof type !== 'string') {
    throw new FST_CHIME_INVALID_EVENT(type === undefined
      ? 'field `EventType` is missing'
      : `field \`EventType\` must be a string; got ${describeValue(type)}`)
  }
  const check = validators.get(type)
  if (check === undefined) return { known: false, event: value as UnknownChimeEvent }
  const problem = check(value)
  if (problem !== undefined) throw new FST_CHIME_INVALID_EVENT(`${type} event: ${problem}`)
  return { known: true, event: value as unknown as ChimeEvent }
}

/**
 * Parses a (verified) raw body and validates it.
 *
 * @throws FST_CHIME_MALFORMED_JSON (400) when the body is not JSON
 * @throws FST_CHIME_INVALID_EVENT (400) when it is not a valid event
 */
export function parseChimeEvent (rawBody: RawBody): ParsedChimeEvent {
  let value: unknown
  try {
    value = JSON.parse(asText(rawBody))
  } catch (err) {
    throw new FST_CHIME_MALFORMED_JSON((err as Error).message)
  }
  return validateChimeEvent(value)
}
