import t, { type Test } from 'tap'
import { createServer } from 'node:net'
import { MockAgent } from 'undici'
import { ChimeWebhookClient, type WebhookSendOptions } from '../src/core/reply/webhook-client.js'
import type { ChimeReplyError, ReplyErrorInfo } from '../src/core/reply/failure.js'
import type { ChimeWebhookClientOptions } from '../src/core/reply/options.js'
import { gaps, rejection, startWebhookServer, type WebhookServer } from './reply-webhook-server.js'

// Fast settings for most tests; one test proves the 1 s default.
const fast: ChimeWebhookClientOptions = { minIntervalMs: 20, backoffBaseMs: 10, backoffMaxMs: 40, requestTimeoutMs: 2000 }

async function setup (t: Test, options: ChimeWebhookClientOptions = {}): Promise<{
  server: WebhookServer
  client: ChimeWebhookClient
  failures: Array<[ChimeReplyError, ReplyErrorInfo]>
}> {
  const server = await startWebhookServer()
  const failures: Array<[ChimeReplyError, ReplyErrorInfo]> = []
  const client = new ChimeWebhookClient({ ...fast, onReplyError: (err, info) => failures.push([err, info]), ...options })
  t.teardown(async () => {
    await client.close(0)
    await server.close()
  })
  return { server, client, failures }
}

t.test('a message is POSTed as {"Content"} JSON and resolves with a receipt', async t => {
  const { server, client } = await setup(t)
  const receipt = await client.send(server.url('w1'), 'Hello, room 👋')
  t.same(receipt, { messages: 1, attempts: 1, fallback: false })
  const [request] = server.requests
  t.equal(request?.contentType, 'application/json')
  t.same(JSON.parse(request?.raw ?? ''), { Content: 'Hello, room 👋' })
  t.equal(request?.token, 'secret-token', 'the URL is used with its token')
})

t.test('markdown is sent with the /md prefix only when asked', async t => {
  const { server, client } = await setup(t)
  await client.send(server.url('w1'), '# plain')
  await client.send(server.url('w1'), '# title', { markdown: true })
  t.same(server.requests.map(r => r.content), ['# plain', '/md\n# title'])
})

t.test('messages to one webhook keep their order and are paced', async t => {
  const { server, client } = await setup(t, { minIntervalMs: 60 })
  const texts = Array.from({ length: 6 }, (_, i) => `message ${i}`)
  await Promise.all(texts.map(text => client.send(server.url('w1'), text)))
  t.same(server.requests.map(r => r.content), texts)
  for (const gap of gaps(server.requests)) t.ok(gap >= 50, `gap of ${gap} ms is at least the 60 ms interval (10 ms tolerance)`)
})

t.test('by default, requests to one webhook are at least a second apart', async t => {
  const { server, client } = await setup(t, { minIntervalMs: undefined })
  await Promise.all([client.send(server.url('w1'), 'one'), client.send(server.url('w1'), 'two')])
  const [gap] = gaps(server.requests)
  t.ok(gap !== undefined && gap >= 950, `gap of ${String(gap)} ms`)
})

t.test('different webhooks are served in parallel', async t => {
  const { server, client } = await setup(t, { minIntervalMs: 400 })
  await Promise.all([
    client.send(server.url('a'), 'a1'), client.send(server.url('a'), 'a2'),
    client.send(server.url('b'), 'b1'), client.send(server.url('b'), 'b2')
  ])
  const [a1, a2] = server.to('a')
  const [b1, b2] = server.to('b')
  t.ok(Math.abs((a1?.at ?? 0) - (b1?.at ?? 0)) < 350, 'both first messages went out without waiting for each other')
  t.ok((a2?.at ?? 0) - (a1?.at ?? 0) >= 380 && (b2?.at ?? 0) - (b1?.at ?? 0) >= 380, 'each webhook is paced on its own')
})

t.test('429, 503 and other 5xx are retried until accepted', async t => {
  const { server, client, failures } = await setup(t)
  server.script('w1', { status: 429 }, { status: 503 }, { status: 500 })
  const receipt = await client.send(server.url('w1'), 'persist')
  t.same(receipt, { messages: 1, attempts: 4, fallback: false })
  t.equal(server.to('w1').length, 4)
  t.same(failures, [])
})

t.test('Retry-After (seconds) is honoured', async t => {
  const { server, client } = await setup(t)
  server.script('w1', { status: 429, headers: { 'retry-after': '1' } })
  await client.send(server.url('w1'), 'later')
  const [gap] = gaps(server.to('w1'))
  t.ok(gap !== undefined && gap >= 950, `retried after ${String(gap)} ms`)
})

t.test('retries stop at maxAttempts with a typed error that reaches the caller and the hook', async t => {
  const { server, client, failures } = await setup(t, { maxAttempts: 3 })
  server.script('w1', { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 })
  const error = await rejection(client.send(server.url('w1'), 'doomed', { roomId: 'room-1' }))
  t.equal(error.code, 'FST_CHIME_REPLY_RETRIES_EXHAUSTED')
  t.match(error.message, /room room-1 \(webhook w1\).*3 attempt\(s\).*503/)
  t.equal(error.attempts, 3)
  t.equal(error.status, 503)
  t.equal(error.roomId, 'room-1')
  t.equal(error.webhookId, 'w1')
  t.equal(server.to('w1').length, 3)
  t.equal(failures.length, 1)
  t.equal(failures[0]?.[0], error)
  t.same(failures[0]?.[1], { code: 'FST_CHIME_REPLY_RETRIES_EXHAUSTED', roomId: 'room-1', webhookId: 'w1', status: 503, attempts: 3, messagesSent: 0 })
})

t.test('a Retry-After longer than maxRetryTimeMs gives up at once, saying why', async t => {
  const { server, client } = await setup(t, { maxRetryTimeMs: 1000 })
  server.script('w1', { status: 429, headers: { 'retry-after': '30' } })
  const error = await rejection(client.send(server.url('w1'), 'hurry'))
  t.equal(error.code, 'FST_CHIME_REPLY_RETRIES_EXHAUSTED')
  t.match(error.message, /429.*30000 ms.*maxRetryTimeMs \(1000 ms\)/)
  t.equal(server.to('w1').length, 1)
})

t.test('a URL without a path is named by its host', async t => {
  const { server, client } = await setup(t, { maxAttempts: 1 })
  const host = new URL(server.origin).host
  server.script('', { status: 500 })
  const error = await rejection(client.send(`${server.origin}/?token=x`, 'hi'))
  t.equal(error.webhookId, host)
  t.match(error.message, /1 attempt\(s\).*Chime answered 500/)
})

t.test('refusals are not retried and each has its own typed error', async t => {
  const { server, client, failures } = await setup(t)
  const cases: Array<[number, string, string, RegExp]> = [
    [403, 'hi', 'FST_CHIME_WEBHOOK_FORBIDDEN', /403 Forbidden.*token/],
    [404, 'hi', 'FST_CHIME_WEBHOOK_GONE', /404.*regenerated or deleted/],
    [413, 'hi', 'FST_CHIME_MESSAGE_TOO_LARGE', /413/],
    [400, 'hey @All, lunch', 'FST_CHIME_MENTION_NOT_ALLOWED', /@All or @Present.*50 members/],
    [400, 'hey @present', 'FST_CHIME_MENTION_NOT_ALLOWED', /@All or @Present/],
    [400, 'plain', 'FST_CHIME_WEBHOOK_REJECTED', /HTTP 400/],
    [401, 'plain', 'FST_CHIME_WEBHOOK_REJECTED', /HTTP 401/]
  ]
  for (const [index, [status, content, code, message]] of cases.entries()) {
    const id = `refuse-${index}`
    server.script(id, { status })
    const error = await rejection(client.send(server.url(id, 'TOPSECRET'), content, { roomId: 'r' }))
    t.equal(error.code, code, `${status} → ${code}`)
    t.match(error.message, message)
    t.equal(error.status, status)
    t.equal(error.attempts, 1)
    t.notMatch(error.message, /TOPSECRET/, 'the token never appears')
    t.notMatch(JSON.stringify(failures.at(-1)?.[1]), /TOPSECRET/)
    t.equal(server.to(id).length, 1, 'not retried')
  }
  t.equal(failures.length, cases.length)
})

t.test('connection errors are retried, then reported', async t => {
  // A port that was just free: connecting is refused.
  const probe = createServer()
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise(resolve => probe.close(resolve))
  const { client } = await setup(t, { maxAttempts: 2 })
  const error = await rejection(client.send(`http://127.0.0.1:${port}/incomingwebhooks/gone?token=x`, 'hello?'))
  t.equal(error.code, 'FST_CHIME_REPLY_RETRIES_EXHAUSTED')
  t.match(error.message, /2 attempt\(s\).*network error \(ECONNREFUSED\)/)
  t.equal(error.status, undefined)
  t.equal(error.attempts, 2)
})

t.test('a reset connection and a timeout are retried', async t => {
  const { server, client } = await setup(t, { requestTimeoutMs: 150 })
  server.script('w1', { reset: true }, { hang: true })
  const receipt = await client.send(server.url('w1'), 'eventually')
  t.equal(receipt.attempts, 3)
  t.equal(server.to('w1').length, 3)
})

t.test('a long message is split and its parts are sent in order, each within 4 KB', async t => {
  const { server, client } = await setup(t)
  const text = Array.from({ length: 600 }, (_, i) => `row ${i} ${'•'.repeat(i % 9)}`).join('\n')
  const other = client.send(server.url('w1'), 'after')
  const receipt = await client.send(server.url('w1'), text, { markdown: true })
  await other
  const parts = server.to('w1').filter(r => r.content !== 'after')
  t.equal(receipt.messages, parts.length)
  t.ok(parts.length > 1)
  for (const part of parts) {
    t.ok(part.bytes <= 4096, `${part.bytes} bytes`)
    t.ok(part.content.startsWith('/md\n'))
  }
  t.equal(parts.map(p => p.content.slice(4)).join(''), text)
  t.equal(server.requests[0]?.content, 'after', 'the earlier message went first')
})

t.test('with split: false a long message fails before any request', async t => {
  const { server, client, failures } = await setup(t, { split: false })
  const error = await rejection(client.send(server.url('w1'), 'y'.repeat(5000), { roomId: 'r9' }))
  t.equal(error.code, 'FST_CHIME_MESSAGE_TOO_LARGE')
  t.match(error.message, /room r9 \(webhook w1\).*5014 bytes.*splitting is turned off/)
  t.equal(server.requests.length, 0)
  t.equal(failures.length, 1)
  const allowed = await client.send(server.url('w1'), 'y'.repeat(5000), { split: true })
  t.equal(allowed.messages, 2, 'a per-message option overrides the client default')
})

t.test('a refused part stops the rest of its message, and later messages still go', async t => {
  const { server, client } = await setup(t)
  server.script('w1', {}, { status: 403 })
  const long = 'para\n'.repeat(2000)
  const first = client.send(server.url('w1'), long)
  const second = client.send(server.url('w1'), 'next one')
  const error = await rejection(first)
  t.equal(error.code, 'FST_CHIME_WEBHOOK_FORBIDDEN')
  t.equal(error.messagesSent, 1)
  t.same(await second, { messages: 1, attempts: 1, fallback: false })
  t.same(server.to('w1').map(r => r.content === 'next one'), [false, false, true])
})

t.test('bad input is a typed error that never echoes the URL', async t => {
  const { server, client, failures } = await setup(t)
  const cases: Array<[unknown, unknown, string, RegExp]> = [
    [server.url('w1'), '', 'FST_CHIME_INVALID_REPLY', /non-empty string; got an empty string/],
    [server.url('w1'), 42, 'FST_CHIME_INVALID_REPLY', /got 42/],
    ['not a url ?token=TOPSECRET', 'hi', 'FST_CHIME_INVALID_WEBHOOK_URL', /not a valid absolute URL/],
    ['ftp://h/x?token=TOPSECRET', 'hi', 'FST_CHIME_INVALID_WEBHOOK_URL', /uses ftp:/],
    [undefined, 'hi', 'FST_CHIME_INVALID_WEBHOOK_URL', /must be a string, got a undefined/]
  ]
  for (const [url, content, code, message] of cases) {
    const error = await rejection(client.send(url as string, content as string, { roomId: 'r' }))
    t.equal(error.code, code)
    t.match(error.message, message)
    t.notMatch(error.message, /TOPSECRET/)
    t.equal(error.roomId, 'r')
  }
  t.equal(failures.length, cases.length)
  t.equal(server.requests.length, 0)
})

t.test('an expired URL fails fast without a fallback, and uses the fallback when there is one', async t => {
  const { server, client } = await setup(t)
  const past = new Date(Date.now() - 5000)
  const error = await rejection(client.send(server.url('short'), 'late', { roomId: 'r', expiresAt: past }))
  t.equal(error.code, 'FST_CHIME_WEBHOOK_EXPIRED')
  t.match(error.message, /room r \(webhook short\).*2 minutes.*expired 5 s ago/)
  t.equal(error.attempts, 0)
  const viaNothing = await rejection(client.send(server.url('short'), 'late', { expiresAt: past, fallbackUrl: () => undefined }))
  t.equal(viaNothing.code, 'FST_CHIME_WEBHOOK_EXPIRED')
  t.equal(server.requests.length, 0)
  const receipt = await client.send(server.url('short'), 'late but fine', { expiresAt: past, fallbackUrl: () => server.url('persistent') })
  t.same(receipt, { messages: 1, attempts: 1, fallback: true })
  t.same(server.to('persistent').map(r => r.content), ['late but fine'])
  const badFallback = await rejection(client.send(server.url('short'), 'x', { roomId: 'r', expiresAt: past, fallbackUrl: () => 'nonsense?token=TOPSECRET' }))
  t.equal(badFallback.code, 'FST_CHIME_INVALID_WEBHOOK_URL')
  t.equal(badFallback.roomId, 'r')
  t.equal(badFallback.messagesSent, 0)
  t.notMatch(badFallback.message, /TOPSECRET/)
  t.same(await client.send(server.url('w9'), 'no options', null as never), { messages: 1, attempts: 1, fallback: false }, 'null options read as none')
})

t.test('a URL that expires while the message waits in the queue moves to the fallback', async t => {
  const { server, client } = await setup(t)
  // Generous margins: the first message must go out well before the expiry, even on a loaded machine.
  server.script('short', { delayMs: 900 })
  const options: WebhookSendOptions = { expiresAt: Date.now() + 450, fallbackUrl: () => server.url('persistent') }
  const first = client.send(server.url('short'), 'first', options)
  const second = client.send(server.url('short'), 'second', options)
  t.same(await first, { messages: 1, attempts: 1, fallback: false })
  t.same(await second, { messages: 1, attempts: 1, fallback: true })
  t.same(server.to('persistent').map(r => r.content), ['second'])
})

t.test('a URL that expires during retries, and a 404 on an expiring URL, move to the fallback', async t => {
  const { server, client } = await setup(t, { backoffBaseMs: 150, backoffMaxMs: 150 })
  server.script('short', { status: 503, headers: { 'retry-after': '0.9' } })
  const receipt = await client.send(server.url('short'), 'retried', { expiresAt: Date.now() + 450, fallbackUrl: () => server.url('persistent') })
  t.same(receipt, { messages: 1, attempts: 2, fallback: true })
  server.script('short2', { status: 404 })
  const moved = await client.send(server.url('short2'), 'gone', { expiresAt: Date.now() + 60_000, fallbackUrl: () => server.url('persistent') })
  t.equal(moved.fallback, true)
  t.same(server.to('persistent').map(r => r.content), ['retried', 'gone'])
  server.script('short3', { status: 404 })
  const error = await rejection(client.send(server.url('short3'), 'nowhere', { expiresAt: Date.now() + 60_000 }))
  t.equal(error.code, 'FST_CHIME_WEBHOOK_GONE', 'without a fallback a 404 is a gone webhook')
})

t.test('close waits for queued messages to be delivered', async t => {
  const { server, client } = await setup(t, { minIntervalMs: 50 })
  const sends = ['a', 'b', 'c'].map(text => client.send(server.url('w1'), text))
  t.equal(client.pending, 3)
  await client.close(5000)
  t.equal(client.closed, true)
  t.same(await Promise.all(sends), [1, 2, 3].map(() => ({ messages: 1, attempts: 1, fallback: false })))
  t.same(server.requests.map(r => r.content), ['a', 'b', 'c'])
  const error = await rejection(client.send(server.url('w1'), 'too late', { roomId: 'r' }))
  t.equal(error.code, 'FST_CHIME_REPLY_UNDELIVERED')
  t.match(error.message, /already closed/)
})

t.test('close gives up after its timeout and reports every undelivered message', async t => {
  const { server, client, failures } = await setup(t)
  server.script('w1', { hang: true })
  server.script('w2', { status: 503, headers: { 'retry-after': '20' } })
  const hung = client.send(server.url('w1'), 'stuck', { roomId: 'r1' })
  const queued = client.send(server.url('w1'), 'behind it', { roomId: 'r1' })
  const waiting = client.send(server.url('w2'), 'waiting for a retry', { roomId: 'r2' })
  const errors = Promise.all([hung, queued, waiting].map(rejection))
  await server.waitFor(2)
  const started = Date.now()
  const report = await client.close(100)
  t.ok(Date.now() - started < 2000, 'close is bounded')
  t.same(report, { undelivered: 3 })
  for (const error of await errors) {
    t.equal(error.code, 'FST_CHIME_REPLY_UNDELIVERED')
    t.match(error.message, /did not drain within 100 ms/)
  }
  t.same(failures.map(([, info]) => info.roomId).sort(), ['r1', 'r1', 'r2'])
  t.equal(await client.close(5), report, 'closing again returns the same report')
})

t.test('close and flush reject a bad timeout', async t => {
  const { client } = await setup(t)
  await t.rejects(client.close(-1), { code: 'FST_CHIME_INVALID_REPLY_OPTION', message: /`timeoutMs` must be a number of at least 0; got -1/ })
  await t.rejects(client.flush(Number.NaN), { code: 'FST_CHIME_INVALID_REPLY_OPTION' })
  t.equal(client.closed, false)
})

t.test('flush waits for pending messages without closing, within its bound', async t => {
  const { server, client } = await setup(t, { minIntervalMs: 30 })
  t.equal(await client.flush(), 0, 'nothing pending: resolves at once')
  const sends = ['a', 'b'].map(text => client.send(server.url('w1'), text))
  t.equal(await client.flush(5000), 0)
  t.equal(server.requests.length, 2)
  await Promise.all(sends)
  server.script('w1', { hang: true })
  const stuck = rejection(client.send(server.url('w1'), 'stuck'))
  t.equal(await client.flush(50), 1, 'reports what is still pending after the bound')
  t.equal(client.closed, false)
  await client.close(0)
  t.equal((await stuck).code, 'FST_CHIME_REPLY_UNDELIVERED')
})

t.test('an injected dispatcher is used and left open', async t => {
  const agent = new MockAgent()
  agent.disableNetConnect()
  t.teardown(() => agent.close())
  const pool = agent.get('https://hooks.chime.example')
  pool.intercept({ path: '/incomingwebhooks/abc?token=tok', method: 'POST', body: '{"Content":"mocked"}' }).reply(200, '')
  const client = new ChimeWebhookClient({ dispatcher: agent })
  t.same(await client.send('https://hooks.chime.example/incomingwebhooks/abc?token=tok', 'mocked'), { messages: 1, attempts: 1, fallback: false })
  await client.close()
  agent.assertNoPendingInterceptors()
  pool.intercept({ path: '/incomingwebhooks/abc?token=tok', method: 'POST' }).reply(200, '')
  const other = new ChimeWebhookClient({ dispatcher: agent })
  await other.send('https://hooks.chime.example/incomingwebhooks/abc?token=tok', 'still open')
  await other.close()
})

t.test('a failure without onReplyError still rejects, naming the network error', async t => {
  const agent = new MockAgent()
  agent.disableNetConnect()
  t.teardown(() => agent.close())
  agent.get('https://hooks.chime.example').intercept({ path: '/incomingwebhooks/abc?token=tok', method: 'POST' }).replyWithError(new Error('socket hiccup'))
  const client = new ChimeWebhookClient({ dispatcher: agent, maxAttempts: 1 })
  t.teardown(() => client.close())
  const error = await rejection(client.send('https://hooks.chime.example/incomingwebhooks/abc?token=tok', 'x'))
  t.equal(error.code, 'FST_CHIME_REPLY_RETRIES_EXHAUSTED')
  t.match(error.message, /network error \(socket hiccup\)/)
})

t.test('idle webhook queues are forgotten once their interval is over', async t => {
  const { server, client } = await setup(t, { minIntervalMs: 10 })
  for (let i = 0; i < 5; i++) await client.send(server.url(`short-${i}`), 'hi')
  await new Promise(resolve => setTimeout(resolve, 30))
  await client.send(server.url('last'), 'hi')
  t.equal(server.requests.length, 6)
})

t.test('an onReplyError that throws becomes a process warning, not a crash', async t => {
  const server = await startWebhookServer()
  const client = new ChimeWebhookClient({ ...fast, onReplyError: () => { throw new Error('hook bug') } })
  t.teardown(async () => { await client.close(0); await server.close() })
  server.script('w1', { status: 403 })
  const warned = new Promise<Error>(resolve => process.once('warning', resolve))
  const error = await rejection(client.send(server.url('w1'), 'x'))
  t.equal(error.code, 'FST_CHIME_WEBHOOK_FORBIDDEN')
  t.match((await warned).message, /onReplyError threw: Error: hook bug/)
})

t.test('options are validated with a sentence naming what was expected', async t => {
  const bad: Array<[unknown, RegExp]> = [
    [null, /`options` must be an object; got null/],
    [{ dispatcher: {} }, /`dispatcher` must be an undici Dispatcher.*got an object/],
    [{ split: 'no' }, /`split` must be true or false; got a string of 2 characters/],
    [{ onReplyError: 1 }, /`onReplyError` must be a function/],
    [{ maxAttempts: 0 }, /`maxAttempts` must be an integer of at least 1; got 0/],
    [{ maxAttempts: 1.5 }, /`maxAttempts` must be an integer/],
    [{ minIntervalMs: -1 }, /`minIntervalMs` must be a number of at least 0; got -1/],
    [{ requestTimeoutMs: Number.NaN }, /`requestTimeoutMs`.*got NaN/],
    [{ backoffBaseMs: 100, backoffMaxMs: 50 }, /`backoffMaxMs` must be a number of at least 100; got 50/],
    [{ maxRetryTimeMs: true }, /`maxRetryTimeMs`.*got true/]
  ]
  for (const [options, message] of bad) {
    t.throws(() => new ChimeWebhookClient(options as ChimeWebhookClientOptions), { code: 'FST_CHIME_INVALID_REPLY_OPTION', message })
  }
  const client = new ChimeWebhookClient({ backoffBaseMs: 20_000 })
  t.equal(client.pending, 0, 'a large base raises the default backoff ceiling with it')
  await client.close()
})
