import t from 'tap'
import Fastify from 'fastify'
import { compileSchema, describeValue, parseChimeEvent, validateChimeEvent, KNOWN_EVENT_TYPES } from '../src/core/events.js'
import { chimeEventSchemas } from '../src/core/schemas.js'
import { invite, mention, remove } from './chime-fixtures.js'

t.test('the three documented events validate and are typed as known', async t => {
  for (const event of [invite(), mention(), remove()]) {
    const parsed = validateChimeEvent(event)
    t.equal(parsed.known, true, event.EventType)
    t.equal(parsed.event, event)
  }
  t.same(KNOWN_EVENT_TYPES, ['Invite', 'Mention', 'Remove'])
})

t.test('extra fields are allowed: Chime may add some', async t => {
  t.equal(validateChimeEvent({ ...mention(), NewField: 1 }).known, true)
})

t.test('a mismatch names the field and what was got', async t => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...mention(), Message: undefined }, /Mention event: field `Message` is missing/],
    [{ ...mention(), Message: 42 }, /field `Message` must be a string; got number 42/],
    [{ ...invite(), Sender: { SenderId: 'a' } }, /field `Sender.SenderIdType` is missing/],
    [{ ...invite(), Discussion: 'room' }, /field `Discussion` must be an object; got the string "room"/],
    [{ ...invite(), InboundHttpsEndpoint: { EndpointType: 'Forever', Url: 'x' } }, /`InboundHttpsEndpoint.EndpointType` must be "Persistent" or "ShortLived"; got the string "Forever"/],
    [{ ...remove(), Sender: null }, /field `Sender` must be an object; got null/],
    [{ ...remove(), Sender: [] }, /field `Sender` must be an object; got an array/],
    [{ ...remove(), EventTimestamp: { at: 1 } }, /field `EventTimestamp` must be a string; got an object/]
  ]
  for (const [value, pattern] of cases) {
    t.throws(() => validateChimeEvent(value), { code: 'FST_CHIME_INVALID_EVENT', statusCode: 400, message: pattern })
  }
})

t.test('a body that is not an event object is rejected with a reason', async t => {
  t.throws(() => validateChimeEvent([1]), { code: 'FST_CHIME_INVALID_EVENT', message: /must be a JSON object; got an array/ })
  t.throws(() => validateChimeEvent('x'), { message: /got the string "x"/ })
  t.throws(() => validateChimeEvent({}), { message: /field `EventType` is missing/ })
  t.throws(() => validateChimeEvent({ EventType: 7 }), { message: /field `EventType` must be a string; got number 7/ })
})

t.test('an unknown EventType is accepted as an unknown event', async t => {
  const parsed = validateChimeEvent({ EventType: 'Reaction', Emoji: '👍' })
  t.equal(parsed.known, false)
  t.equal(parsed.event.EventType, 'Reaction')
})

t.test('parseChimeEvent parses strings, Buffers and byte views', async t => {
  const text = JSON.stringify(mention('@Bot héllo'))
  t.equal((parseChimeEvent(text).event as { Message: string }).Message, '@Bot héllo')
  t.equal((parseChimeEvent(Buffer.from(text)).event as { Message: string }).Message, '@Bot héllo')
  const bytes = new Uint8Array(Buffer.from(`xx${text}yy`)).subarray(2, 2 + Buffer.byteLength(text))
  t.equal((parseChimeEvent(bytes).event as { Message: string }).Message, '@Bot héllo')
})

t.test('parseChimeEvent turns bad JSON into FST_CHIME_MALFORMED_JSON', async t => {
  t.throws(() => parseChimeEvent('{"EventType":'), { code: 'FST_CHIME_MALFORMED_JSON', statusCode: 400, message: /not valid JSON/ })
})

t.test('describeValue covers every kind of value', async t => {
  t.equal(describeValue(undefined), 'nothing (undefined)')
  t.equal(describeValue(() => 1), 'a function')
  t.equal(describeValue(true), 'boolean true')
  t.equal(describeValue('y'.repeat(50)), `the string "${'y'.repeat(40)}…"`)
})

t.test('compileSchema reports the whole value when it is not an object', async t => {
  t.equal(compileSchema({ type: 'object' })(3), 'the event must be an object; got number 3')
  t.equal(compileSchema({ type: 'object' })({}), undefined)
})

// The exported JSON schemas are real JSON Schema: Fastify's own validator
// (Ajv) must accept and reject exactly what the built-in validator does.
t.test('Fastify compiles the exported schemas and agrees with the validator', async t => {
  // Fastify coerces types by default (1 → "1"); Chime events are never coerced.
  const app = Fastify({ ajv: { customOptions: { coerceTypes: false } } })
  t.teardown(() => app.close())
  for (const [type, schema] of Object.entries(chimeEventSchemas)) {
    app.post(`/${type}`, { schema: { body: schema } }, async () => ({ ok: true }))
  }
  const samples: unknown[] = [
    invite(), mention(), remove(),
    { ...mention(), Message: 1 }, { ...invite(), InboundHttpsEndpoint: undefined }, { ...remove(), EventType: 'Invite' },
    { ...invite(), InboundHttpsEndpoint: { EndpointType: 'Other', Url: 'u' } }, { ...mention(), Sender: { SenderId: 'x' } }
  ]
  for (const type of Object.keys(chimeEventSchemas)) {
    for (const sample of samples) {
      const res = await app.inject({ method: 'POST', url: `/${type}`, payload: sample as object })
      let ours: boolean
      try {
        const parsed = validateChimeEvent(sample)
        ours = parsed.known && parsed.event.EventType === type
      } catch {
        ours = false
      }
      t.equal(res.statusCode === 200, ours, `${type} schema vs validator on ${JSON.stringify(sample).slice(0, 60)}`)
    }
  }
})

t.test('an optional property may be absent, and is checked when present', async t => {
  const check = compileSchema({ type: 'object', properties: { Note: { type: 'string' } } })
  t.equal(check({}), undefined)
  t.equal(check({ Note: 3 }), 'field `Note` must be a string; got number 3')
})
