import t, { type Test } from 'tap'
import Fastify from 'fastify'
import { EmulatorState } from '../src/state.js'
import { FaultRegistry } from '../src/faults.js'
import { createManualClock } from '../src/clock.js'
import {
  incomingWebhooks, issueWebhook, revokeWebhooks, webhookUrl, redactToken, WebhookRateLimiter,
  SHORT_LIVED_TTL_MS, WEBHOOK_MAX_PAYLOAD_BYTES, EXPIRED_WEBHOOK_RETENTION_MS, type WebhookRejection
} from '../src/webhooks.js'
import type { WebhookRecord } from '../src/state.js'

async function setup (t: Test) {
  const clock = createManualClock('2026-01-01T00:00:00.000Z')
  const state = new EmulatorState(clock)
  const account = state.createAccount({ Name: 'Test' })
  const bot = state.createBot(account.AccountId, { DisplayName: 'EchoBot' })
  state.putEventsConfiguration(account.AccountId, bot.BotId, { OutboundEventsHTTPSEndpoint: 'http://127.0.0.1:1/chime' })
  const room = state.createRoom(account.AccountId, { Name: 'general' })
  state.addRoomMember(account.AccountId, room.RoomId, bot.BotId, { invitedBy: 'alice@example.com' })
  const faults = new FaultRegistry()
  let realNow = 1_000_000
  const rejections: WebhookRejection[] = []
  const app = Fastify()
  await app.register(incomingWebhooks, { state, faults, limiter: new WebhookRateLimiter(() => realNow), onRejected: r => rejections.push(r) })
  t.teardown(() => app.close())
  const persistent = issueWebhook(state, { roomId: room.RoomId, botId: bot.BotId, type: 'Persistent' })
  const path = (w: WebhookRecord, token = w.Token) => `/incomingwebhooks/${w.WebhookId}?token=${encodeURIComponent(token)}`
  const post = async (w: WebhookRecord, payload: unknown, opts: { token?: string, raw?: boolean } = {}) => {
    const res = await app.inject({
      method: 'POST',
      url: path(w, opts.token),
      headers: { 'content-type': 'application/json' },
      payload: opts.raw === true ? payload as string : JSON.stringify(payload)
    })
    realNow += 1000 // the next request is in the next second unless a test says otherwise
    return res
  }
  return { clock, state, account, bot, room, faults, app, persistent, post, path, rejections, tick: (ms: number) => { realNow += ms }, back: (ms: number) => { realNow -= ms } }
}

t.test('an accepted message joins the transcript as from the bot and answers MessageId and RoomId', async t => {
  const { app, state, bot, room, persistent, post } = await setup(t)
  const changed: number[] = []
  state.bus.on('changed', () => changed.push(1))
  const res = await post(persistent, { Content: 'hello room' })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.RoomId, room.RoomId)
  const message = state.messages.at(-1)!
  t.same(body.MessageId, message.MessageId)
  t.match(message, { RoomId: room.RoomId, Sender: bot.BotEmail, SenderType: 'Bot', Content: 'hello room', CreatedTimestamp: '2026-01-01T00:00:00.000Z' })
  t.ok(changed.length > 0, 'persistence hears about it')
  void app
})

t.test('a second request within a second gets 429 with Retry-After: 1', async t => {
  const { persistent, post, back, rejections } = await setup(t)
  t.equal((await post(persistent, { Content: 'one' })).statusCode, 200)
  back(1000 - 10) // only 10 ms later
  const res = await post(persistent, { Content: 'two' })
  t.equal(res.statusCode, 429)
  t.equal(res.headers['retry-after'], '1')
  t.match(res.json(), { Code: 'Throttled', Message: /at most 1 request per second/ })
  t.match(rejections.at(-1), { Status: 429, WebhookId: persistent.WebhookId })
  t.equal((await post(persistent, { Content: 'three' })).statusCode, 200, 'a second later it works again')
})

t.test('the limit is per webhook', async t => {
  const { state, bot, room, persistent, post, back } = await setup(t)
  const other = issueWebhook(state, { roomId: room.RoomId, botId: bot.BotId, type: 'ShortLived' })
  t.equal((await post(persistent, { Content: 'one' })).statusCode, 200)
  back(1000)
  t.equal((await post(other, { Content: 'two' })).statusCode, 200)
})

t.test('a payload over 4096 bytes gets 413; exactly 4096 is fine', async t => {
  const { persistent, post } = await setup(t)
  const exact = JSON.stringify({ Content: 'x'.repeat(WEBHOOK_MAX_PAYLOAD_BYTES - '{"Content":""}'.length) })
  t.equal(Buffer.byteLength(exact), 4096)
  t.equal((await post(persistent, exact, { raw: true })).statusCode, 200)
  const res = await post(persistent, JSON.stringify({ Content: 'é'.repeat(2100) }), { raw: true })
  t.equal(res.statusCode, 413)
  t.match(res.json(), { Code: 'PayloadTooLarge', Message: /at most 4096 bytes/ })
})

t.test('a body over Fastify\'s own limit is refused with 413 too', async t => {
  const { persistent, post } = await setup(t)
  const res = await post(persistent, 'x'.repeat(1024 * 1024 + 10), { raw: true })
  t.equal(res.statusCode, 413)
  t.equal(res.json().Code, 'PayloadTooLarge')
})

t.test('malformed JSON, a missing body, or no Content get 400', async t => {
  const { app, persistent, path, post } = await setup(t)
  t.match((await post(persistent, '{nope', { raw: true })).json(), { Code: 'BadRequest', Message: /could not be parsed/ })
  t.equal((await post(persistent, { Text: 'hi' })).statusCode, 400)
  t.equal((await post(persistent, { Content: '' })).statusCode, 400)
  t.equal((await post(persistent, 'null', { raw: true })).statusCode, 400)
  const empty = await app.inject({ method: 'POST', url: path(persistent) })
  t.equal(empty.statusCode, 400)
  t.match(empty.json().Message, /could not be parsed/)
})

t.test('@All or @Present in a room of more than 50 members gets 400', async t => {
  const { state, account, room, persistent, post } = await setup(t)
  for (let i = 1; i < 50; i++) state.addRoomMember(account.AccountId, room.RoomId, `user${i}@example.com`, { invitedBy: 'alice@example.com' })
  t.equal(state.roomMembers(room.RoomId).length, 50)
  t.equal((await post(persistent, { Content: 'hey @All' })).statusCode, 200, '50 members is still fine')
  state.addRoomMember(account.AccountId, room.RoomId, 'user51@example.com', { invitedBy: 'alice@example.com' })
  const res = await post(persistent, { Content: 'hey @All' })
  t.equal(res.statusCode, 400)
  t.match(res.json().Message, /more than 50 members; this room has 51/)
  t.equal((await post(persistent, { Content: '@present look' })).statusCode, 400)
  t.equal((await post(persistent, { Content: 'mail me at x@Allison.com or @Allison' })).statusCode, 200, 'only the callouts themselves count')
})

t.test('a body that does not match its Content-Length gets 400', async t => {
  const { app, persistent, path } = await setup(t)
  const res = await app.inject({ method: 'POST', url: path(persistent), headers: { 'content-type': 'application/json', 'content-length': '3' }, payload: '{"Content":"hi"}' })
  t.equal(res.statusCode, 400)
  t.equal(res.json().Code, 'BadRequest')
})

t.test('a wrong or missing token, or an unknown webhook, gets 403', async t => {
  const { app, persistent, post } = await setup(t)
  t.match((await post(persistent, { Content: 'hi' }, { token: 'wrong' })).json(), { Code: 'Forbidden', Message: /not valid/ })
  t.equal((await app.inject({ method: 'POST', url: `/incomingwebhooks/${persistent.WebhookId}`, payload: { Content: 'hi' } })).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/incomingwebhooks/unknown?token=x', payload: { Content: 'hi' } })).statusCode, 403)
})

t.test('a revoked webhook (bot removed) or a deleted room gets 404', async t => {
  const { state, account, bot, room, persistent, post } = await setup(t)
  t.equal(revokeWebhooks(state, room.RoomId, bot.BotId), 1)
  t.equal(revokeWebhooks(state, room.RoomId, bot.BotId), 0, 'revoking twice changes nothing')
  const res = await post(persistent, { Content: 'hi' })
  t.equal(res.statusCode, 404)
  t.match(res.json(), { Code: 'NotFound', Message: /removed from the room/ })
  t.equal((await post(persistent, { Content: 'hi' }, { token: 'bad' })).statusCode, 403, 'a bad token is still 403')

  const fresh = issueWebhook(state, { roomId: room.RoomId, botId: bot.BotId, type: 'Persistent' })
  t.not(fresh.WebhookId, persistent.WebhookId, 'a new Persistent webhook after a revocation')
  state.rooms.delete(room.RoomId)
  t.equal((await post(fresh, { Content: 'hi' })).statusCode, 404)
  void account
})

t.test('a ShortLived URL works for 2 minutes by the emulator clock, then gets 404', async t => {
  const { clock, state, bot, room, post } = await setup(t)
  const short = issueWebhook(state, { roomId: room.RoomId, botId: bot.BotId, type: 'ShortLived' })
  t.equal(short.ExpiresTimestamp, new Date(clock.now() + SHORT_LIVED_TTL_MS).toISOString())
  clock.advance(SHORT_LIVED_TTL_MS - 1)
  t.equal((await post(short, { Content: 'just in time' })).statusCode, 200)
  clock.advance(1)
  const res = await post(short, { Content: 'too late' })
  t.equal(res.statusCode, 404)
  t.match(res.json().Message, /expired at .* \(2 minutes after its Mention/)
})

t.test('ShortLived webhooks are forgotten a day after they expire', async t => {
  const { clock, state, bot, room, persistent } = await setup(t)
  const old = issueWebhook(state, { roomId: room.RoomId, botId: bot.BotId, type: 'ShortLived' })
  clock.advance(SHORT_LIVED_TTL_MS + EXPIRED_WEBHOOK_RETENTION_MS)
  issueWebhook(state, { roomId: room.RoomId, botId: bot.BotId, type: 'ShortLived' })
  t.ok(state.webhooks.has(old.WebhookId), 'kept until a full day has passed')
  clock.advance(1)
  const fresh = issueWebhook(state, { roomId: room.RoomId, botId: bot.BotId, type: 'ShortLived' })
  t.notOk(state.webhooks.has(old.WebhookId))
  t.ok(state.webhooks.has(fresh.WebhookId))
  t.ok(state.webhooks.has(persistent.WebhookId), 'Persistent webhooks are never pruned')
})

t.test('a Persistent webhook is reused while valid', async t => {
  const { state, bot, room, persistent } = await setup(t)
  t.equal(issueWebhook(state, { roomId: room.RoomId, botId: bot.BotId, type: 'Persistent' }), persistent)
  t.equal(issueWebhook(state, { roomId: room.RoomId, botId: 'other', type: 'Persistent' }).BotId, 'other')
})

t.test('a message from a webhook whose bot record is gone is attributed to the bot id', async t => {
  const { state, bot, persistent, post } = await setup(t)
  state.bots.delete(bot.BotId)
  t.equal((await post(persistent, { Content: 'hi' })).statusCode, 200)
  t.equal(state.messages.at(-1)!.Sender, bot.BotId)
})

t.test('webhook faults answer with their status, Retry-After and delay, then stop', async t => {
  const { faults, state, bot, room, persistent, post, rejections } = await setup(t)
  faults.webhook({ status: 503, times: 2, retryAfter: 2 })
  const first = await post(persistent, { Content: 'a' })
  t.equal(first.statusCode, 503)
  t.equal(first.headers['retry-after'], '2')
  t.match(first.json(), { Code: 'ServiceUnavailable', Message: /Injected fault/ })
  t.equal((await post(persistent, { Content: 'b' })).statusCode, 503)
  t.equal((await post(persistent, { Content: 'c' })).statusCode, 200, 'the fault is used up')

  faults.webhook({ status: 429 })
  const throttled = await post(persistent, { Content: 'd' })
  t.equal(throttled.json().Code, 'Throttled')
  t.equal(throttled.headers['retry-after'], undefined)
  faults.webhook({ status: 418 })
  t.equal((await post(persistent, { Content: 'e' })).json().Code, 'InjectedFault')

  const other = issueWebhook(state, { roomId: room.RoomId, botId: bot.BotId, type: 'ShortLived' })
  faults.webhook({ status: 500, webhookId: other.WebhookId })
  faults.webhook({ status: 500, roomId: 'another-room' })
  t.equal((await post(persistent, { Content: 'f' })).statusCode, 200, 'faults for other webhooks or rooms do not apply')
  t.equal((await post(other, { Content: 'g' })).statusCode, 500)

  faults.clear()
  faults.webhook({ delayMs: 30 })
  const started = Date.now()
  t.equal((await post(persistent, { Content: 'slow' })).statusCode, 200, 'a delay alone still handles the request')
  t.ok(Date.now() - started >= 25)
  t.ok(rejections.some(r => r.Status === 503 && r.RoomId === room.RoomId))
  t.ok(rejections.every(r => r.Message !== ''))
})

t.test('helpers build URLs and redact tokens', async t => {
  const { persistent } = await setup(t)
  const url = webhookUrl('http://127.0.0.1:4020/', persistent)
  t.equal(url, `http://127.0.0.1:4020/incomingwebhooks/${persistent.WebhookId}?token=${encodeURIComponent(persistent.Token)}`)
  t.equal(redactToken(url), `http://127.0.0.1:4020/incomingwebhooks/${persistent.WebhookId}?token=[redacted]`)
  t.equal(redactToken('/x?a=1&token=abc&b=2'), '/x?a=1&token=[redacted]&b=2')
  const limiter = new WebhookRateLimiter()
  t.equal(limiter.hit('w'), 0)
  t.ok(limiter.hit('w') > 0)
  limiter.clear()
  t.equal(limiter.hit('w'), 0)
})

t.test('without an injected limiter the 1 request/second limit runs on real time', async t => {
  const { state, persistent, path } = await setup(t)
  const app = Fastify()
  await app.register(incomingWebhooks, { state, faults: new FaultRegistry() })
  t.teardown(() => app.close())
  const send = async () => (await app.inject({ method: 'POST', url: path(persistent), payload: { Content: 'hi' } })).statusCode
  t.equal(await send(), 200)
  t.equal(await send(), 429)
})
