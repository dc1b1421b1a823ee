import t from 'tap'
import { challengeResponseBody, isChallenge, readChallenge } from '../src/core/challenge.js'

t.test('a challenge is recognised in a string, a Buffer and a byte view', async t => {
  const body = '{"Challenge":"00000000000000000000","EventType":"HTTPSEndpointVerification"}'
  t.equal(readChallenge(body), '00000000000000000000')
  t.equal(readChallenge(Buffer.from(body)), '00000000000000000000')
  t.equal(readChallenge(new Uint8Array(Buffer.from(body))), '00000000000000000000')
})

t.test('the seed document\'s spaced JSON is a challenge too', async t => {
  t.equal(readChallenge('{ "Challenge":"abc", "EventType" : "HTTPSEndpointVerification" }'), 'abc')
})

t.test('ordinary events, look-alikes and broken JSON are not challenges', async t => {
  t.equal(readChallenge('{"EventType":"Mention","Message":"hi"}'), undefined, 'no marker: not even parsed')
  t.equal(readChallenge('{"EventType":"Mention","Message":"say HTTPSEndpointVerification"}'), undefined)
  t.equal(readChallenge('{"EventType":"HTTPSEndpointVerification"'), undefined, 'broken JSON')
  t.equal(readChallenge('{"Challenge":5,"EventType":"HTTPSEndpointVerification"}'), undefined, 'non-string challenge')
  t.equal(isChallenge(null), false)
  t.equal(isChallenge('HTTPSEndpointVerification'), false)
})

t.test('the answer is exactly {"Challenge":"<same>"}, escaped as JSON', async t => {
  t.equal(challengeResponseBody('abc'), '{"Challenge":"abc"}')
  t.equal(challengeResponseBody('a"b'), '{"Challenge":"a\\"b"}')
})

t.test('raw bodies are read without copies, from strings too', async t => {
  const { asBuffer, asText } = await import('../src/core/raw-body.js')
  const buffer = Buffer.from('héllo')
  t.equal(asBuffer(buffer), buffer, 'a Buffer is used as is')
  t.same(asBuffer('héllo'), buffer, 'a string is encoded as UTF-8')
  const view = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  t.equal(asBuffer(view).buffer, buffer.buffer, 'a byte view is wrapped, not copied')
  t.equal(asText(view), 'héllo')
  t.equal(asText('héllo'), 'héllo')
})
