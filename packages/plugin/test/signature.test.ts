import t from 'tap'
import { createHmac } from 'node:crypto'
import { checkChimeSignature, signChimeRequest, verifyChimeSignature } from '../src/core/signature.js'

// Independent reference computation straight from the protocol text.
function reference (token: string, timestamp: string, body: string): string {
  return createHmac('sha256', Buffer.from(token, 'utf8'))
    .update(Buffer.from(`${timestamp}|${body}`, 'utf8'))
    .digest('base64')
}

const token = 'tok-secret-1'
const body = '{"EventType":"Mention","Message":"@EchoBot héllo"}'
const ts = '2019-04-04T21:30:43.181Z'
const now = Date.parse(ts)

t.test('signChimeRequest matches an independent HMAC computation', async t => {
  const headers = signChimeRequest(token, body, ts)
  t.equal(headers['Chime-Request-Timestamp'], ts)
  t.equal(headers['Chime-Signature'], reference(token, ts, body))
})

t.test('signChimeRequest defaults the timestamp to now', async t => {
  const before = Date.now()
  const headers = signChimeRequest(token, body)
  const at = Date.parse(headers['Chime-Request-Timestamp'])
  t.ok(at >= before && at <= Date.now())
})

t.test('a reference signature verifies over string and Buffer bodies', async t => {
  const signature = reference(token, ts, body)
  t.same(checkChimeSignature({ securityTokens: token, timestamp: ts, rawBody: body, signature, now }), { ok: true, tokenIndex: 0 })
  t.same(checkChimeSignature({ securityTokens: token, timestamp: ts, rawBody: Buffer.from(body), signature, now }), { ok: true, tokenIndex: 0 })
})

t.test('any token of a rotation list is accepted, and the index says which', async t => {
  const signature = reference('new-token', ts, body)
  t.same(checkChimeSignature({ securityTokens: ['old-token', 'new-token'], timestamp: ts, rawBody: body, signature, now }), { ok: true, tokenIndex: 1 })
})

t.test('each failure has its own reason', async t => {
  const signature = reference(token, ts, body)
  const base = { securityTokens: token, timestamp: ts, rawBody: body, signature, now }
  t.same(checkChimeSignature({ ...base, signature: undefined }), { ok: false, reason: 'missing-signature' })
  t.same(checkChimeSignature({ ...base, timestamp: '' }), { ok: false, reason: 'missing-timestamp' })
  t.same(checkChimeSignature({ ...base, timestamp: 'yesterday' }), { ok: false, reason: 'invalid-timestamp' })
  t.same(checkChimeSignature({ ...base, now: now + 5 * 60 * 1000 + 1 }), { ok: false, reason: 'stale-timestamp' })
  t.same(checkChimeSignature({ ...base, rawBody: body + ' ' }), { ok: false, reason: 'invalid-signature' })
  t.same(checkChimeSignature({ ...base, signature: 'short' }), { ok: false, reason: 'invalid-signature' })
  t.same(checkChimeSignature({ ...base, signature: '!'.repeat(44) }), { ok: false, reason: 'invalid-signature' })
  t.same(checkChimeSignature({ ...base, securityTokens: 'other' }), { ok: false, reason: 'invalid-signature' })
  t.same(checkChimeSignature({ ...base, toleranceMs: Infinity, now: 0 }), { ok: true, tokenIndex: 0 })
})

t.test('without an explicit clock the current time is used', async t => {
  const headers = signChimeRequest(token, body)
  const input = { securityTokens: token, timestamp: headers['Chime-Request-Timestamp'], rawBody: body, signature: headers['Chime-Signature'] }
  t.same(checkChimeSignature(input), { ok: true, tokenIndex: 0 })
  t.same(checkChimeSignature({ ...input, timestamp: ts, signature: reference(token, ts, body) }), { ok: false, reason: 'stale-timestamp' })
})

t.test('verifyChimeSignature is the yes/no form and takes securityToken too', async t => {
  const signature = reference(token, ts, body)
  t.equal(verifyChimeSignature({ securityToken: token, timestamp: ts, rawBody: body, signature, now }), true)
  t.equal(verifyChimeSignature({ securityToken: token, timestamp: ts, rawBody: body + 'x', signature, now }), false)
  t.equal(verifyChimeSignature({ timestamp: ts, rawBody: body, signature, now }), false, 'no token accepts nothing')
})

t.test('signChimeRequest takes a Date or epoch ms and exposes non-enumerable shortcuts', async t => {
  const fromDate = signChimeRequest(token, body, new Date(now))
  const fromMs = signChimeRequest(token, body, now)
  t.equal(fromDate['Chime-Request-Timestamp'], ts)
  t.equal(fromMs['Chime-Signature'], reference(token, ts, body))
  t.equal(fromMs.signature, fromMs['Chime-Signature'])
  t.equal(fromMs.timestamp, ts)
  t.same(Object.keys({ ...fromMs }).sort(), ['Chime-Request-Timestamp', 'Chime-Signature'])
})
