import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { request as undiciRequest } from 'undici'
import chimeBot, { chimeBotPlugin, createChimeBot, fastifyChimeBot, signChimeRequest, unconfiguredReplyChannel } from '../src/index.js'
import type { ChimeBotPluginOptions } from '../src/adapters/fastify.js'
import { deferred, invite, mention, remove, settle, signedHeaders, TOKEN } from './chime-fixtures.js'

async function build (t: Test, options: Partial<ChimeBotPluginOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(chimeBot, { path: '/chime', securityToken: TOKEN, replyChannel: unconfiguredReplyChannel, ...options })
  return app
}

function post (app: FastifyInstance, body: string | object, headers?: Record<string, string>, url = '/chime') {
  const payload = typeof body === 'string' ? body : JSON.stringify(body)
  return app.inject({ method: 'POST', url, payload, headers: headers ?? signedHeaders(payload) })
}

t.test('the documented usage: register, then app.chime.on for Invite, Mention and Remove', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(chimeBot, { path: '/chime', securityToken: TOKEN })
  const seen: string[] = []
  app.chime.on('Invite', async (event, ctx) => { seen.push(`invite ${event.InboundHttpsEndpoint.EndpointType} ${ctx.roomId}`) })
  app.chime.on('Mention', async (event) => { seen.push(`mention ${event.Message}`) })
  app.chime.on('Remove', async (event) => { seen.push(`remove ${event.Sender.SenderId}`) })
  for (const event of [invite(), mention('@Bot hello'), remove()]) {
    const res = await post(app, event)
    t.equal(res.statusCode, 200)
    t.same(res.json(), { ok: true })
  }
  await settle()
  t.same(seen, ['invite Persistent room-1f2e3d', 'mention @Bot hello', 'remove alice@example.com'])
})

t.test('the challenge is echoed as application/json with or without signature headers', async t => {
  const app = await build(t)
  const body = '{"Challenge":"00000000000000000000","EventType":"HTTPSEndpointVerification"}'
  for (const headers of [{ 'content-type': 'application/json' }, signedHeaders(body)]) {
    const res = await post(app, body, headers)
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^application\/json/)
    t.equal(res.body, '{"Challenge":"00000000000000000000"}')
  }
})

t.test('every bad input gets its status and code', async t => {
  const app = await build(t, { bodyLimit: 2048 })
  const body = JSON.stringify(mention())
  const good = signedHeaders(body)
  const cases: Array<[string, string, Record<string, string>, number, string]> = [
    ['no signature', body, { 'content-type': 'application/json', 'chime-request-timestamp': good['chime-request-timestamp'] as string }, 401, 'FST_CHIME_MISSING_SIGNATURE'],
    ['no timestamp', body, { 'content-type': 'application/json', 'chime-signature': good['chime-signature'] as string }, 401, 'FST_CHIME_INVALID_TIMESTAMP'],
    ['stale timestamp', body, signedHeaders(body, TOKEN, '2019-04-04T21:30:43.181Z'), 401, 'FST_CHIME_STALE_TIMESTAMP'],
    ['wrong token', body, signedHeaders(body, 'not-the-token'), 401, 'FST_CHIME_INVALID_SIGNATURE'],
    ['tampered body', body.replace('Hello', 'Hullo'), good, 401, 'FST_CHIME_INVALID_SIGNATURE'],
    ['malformed JSON', '{"EventType":', signedHeaders('{"EventType":'), 400, 'FST_CHIME_MALFORMED_JSON'],
    ['schema mismatch', JSON.stringify({ ...mention(), Sender: { SenderId: 1, SenderIdType: 'EmailId' } }), {}, 400, 'FST_CHIME_INVALID_EVENT'],
    ['too large', JSON.stringify(mention('x'.repeat(3000))), {}, 413, 'FST_CHIME_BODY_TOO_LARGE'],
    ['text/plain', body, { ...good, 'content-type': 'text/plain' }, 415, 'FST_CHIME_UNSUPPORTED_MEDIA_TYPE'],
    ['form', body, { ...good, 'content-type': 'application/x-www-form-urlencoded' }, 415, 'FST_CHIME_UNSUPPORTED_MEDIA_TYPE']
  ]
  for (const [name, payload, headers, status, code] of cases) {
    const res = await post(app, payload, Object.keys(headers).length === 0 ? signedHeaders(payload) : headers)
    t.equal(res.statusCode, status, name)
    t.equal(res.json().code, code, name)
    t.match(res.headers['content-type'], /^application\/json/)
  }
  const schema = await post(app, JSON.stringify({ ...mention(), Sender: { SenderId: 1, SenderIdType: 'EmailId' } }))
  t.match(schema.json().message, /field `Sender.SenderId` must be a string; got number 1/)
})

t.test('a body without a content type is refused with 415', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/chime', payload: Buffer.from(JSON.stringify(mention())) , headers: { 'content-type': '' } })
  t.equal(res.statusCode, 415)
  t.match(res.json().message, /content type is missing/)
})

t.test('an empty signed POST is a 400, an empty unsigned one a 401', async t => {
  const app = await build(t)
  t.equal((await app.inject({ method: 'POST', url: '/chime' })).statusCode, 401)
  const signed = signChimeRequest(TOKEN, '')
  const res = await app.inject({ method: 'POST', url: '/chime', headers: { ...signed } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'FST_CHIME_MALFORMED_JSON')
})

t.test('other request errors keep Fastify\'s status and code', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/chime', payload: '{"a":1}', headers: { 'content-type': 'application/json', 'content-length': '2' } })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' })
})

t.test('the raw-body parser is scoped: a sibling route still gets parsed JSON and other types', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(chimeBot, { securityToken: TOKEN, replyChannel: unconfiguredReplyChannel })
  app.post('/users', async (request) => ({ body: request.body, isBuffer: Buffer.isBuffer(request.body) }))
  const json = await app.inject({ method: 'POST', url: '/users', payload: { name: 'Ada' } })
  t.same(json.json(), { body: { name: 'Ada' }, isBuffer: false })
  const text = await app.inject({ method: 'POST', url: '/users', payload: 'hi', headers: { 'content-type': 'text/plain' } })
  t.same(text.json(), { body: 'hi', isBuffer: false })
  const event = JSON.stringify(invite())
  t.equal((await post(app, event)).statusCode, 200, 'default path /chime')
})

t.test('an unknown EventType is acked 200 and reaches \'*\' handlers', async t => {
  const app = await build(t)
  const seen: string[] = []
  app.chime.on('*', (event) => { seen.push(event.EventType) })
  const res = await post(app, { EventType: 'MeetingStarted', Discussion: { DiscussionId: 'r' } })
  t.equal(res.statusCode, 200)
  await settle()
  t.same(seen, ['MeetingStarted'])
})

t.test('a retried event (same body, new signature) is acked without running handlers twice', async t => {
  const app = await build(t)
  let runs = 0
  app.chime.on('Mention', () => { runs++ })
  const body = JSON.stringify(mention())
  const first = await post(app, body)
  const retry = await post(app, body, signedHeaders(body, TOKEN, new Date(Date.now() + 1500).toISOString()))
  await settle()
  t.equal(first.statusCode, 200)
  t.same(retry.json(), { ok: true, duplicate: true })
  t.equal(runs, 1)
})

t.test('a handler error never becomes a 5xx; it is logged with the request id and passed to onError', async t => {
  const errors: unknown[] = []
  const lines: string[] = []
  const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => { lines.push(line) } } } })
  t.teardown(() => app.close())
  await app.register(chimeBot, { securityToken: TOKEN, replyChannel: unconfiguredReplyChannel, onError: (err, _event, ctx) => { errors.push([(err as Error).message, ctx.requestId]) } })
  app.chime.on('Mention', () => { throw new Error('handler bug') })
  const res = await post(app, mention())
  t.equal(res.statusCode, 200)
  await settle()
  t.same(errors, [['handler bug', 'req-1']])
  const logged = lines.map(l => JSON.parse(l) as { reqId: string, msg: string, err: { message: string } }).find(l => /handler failed/.test(l.msg))
  t.match(logged, { reqId: 'req-1', err: { message: 'handler bug' } })
})

t.test('ack \'after-handler\' answers after the handler, or when handlerBudgetMs runs out', async t => {
  const app = await build(t, { ack: 'after-handler', handlerBudgetMs: 30 })
  let done = false
  const release = deferred()
  app.chime.on('Mention', async () => { await new Promise(resolve => setTimeout(resolve, 5)); done = true })
  app.chime.on('Invite', async () => { await release.promise })
  const res = await post(app, mention())
  t.equal(res.statusCode, 200)
  t.equal(done, true, 'the Mention handler finished before the answer')
  const slow = await post(app, invite())
  t.equal(slow.statusCode, 200, 'answered although the Invite handler still runs')
  t.equal(app.chime.running, 1)
  release.resolve()
})

t.test('app.close() waits for running handlers', async t => {
  const app = await build(t, { closeTimeoutMs: 2000 })
  let finished = false
  app.chime.on('Mention', async () => { await new Promise(resolve => setTimeout(resolve, 30)); finished = true })
  await post(app, mention())
  await app.close()
  t.equal(finished, true)
})

t.test('a token function is awaited on the request path, and a rotated token is picked up', async t => {
  let tokens = ['old-token']
  const app = await build(t, { securityToken: async () => tokens, securityTokens: undefined })
  const body = JSON.stringify(invite())
  t.equal((await post(app, body, signedHeaders(body, 'old-token'))).statusCode, 200)
  tokens = ['old-token', 'new-token']
  const rotated = JSON.stringify(mention())
  // The cache still holds ['old-token'] (but was loaded more than minRefreshMs ago): a miss reloads it.
  await new Promise(resolve => setTimeout(resolve, 1100))
  t.equal((await post(app, rotated, signedHeaders(rotated, 'new-token'))).statusCode, 200)
})

t.test('a failing token function answers 503 so Chime retries', async t => {
  const app = await build(t, { securityToken: async () => { throw new Error('vault sealed') } })
  const res = await post(app, mention())
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'FST_CHIME_TOKENS_UNAVAILABLE')
})

t.test('several bots in one service: decorator names, or a handle made with createChimeBot', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  const support = createChimeBot({ securityToken: 'support-token', replyChannel: unconfiguredReplyChannel })
  await app.register(chimeBot, { path: '/bots/sales', decorator: 'salesBot', securityToken: 'sales-token', replyChannel: unconfiguredReplyChannel })
  await app.register(chimeBot, { path: '/bots/support', bot: support, decorator: false })
  const seen: string[] = []
  const sales = (app as unknown as Record<string, typeof support>).salesBot as typeof support
  sales.on('Mention', () => { seen.push('sales') })
  support.on('Mention', () => { seen.push('support') })
  t.equal(app.hasDecorator('chime'), false)
  const a = JSON.stringify(mention('@Sales hi'))
  const b = JSON.stringify(mention('@Support hi'))
  t.equal((await post(app, a, signedHeaders(a, 'sales-token'), '/bots/sales')).statusCode, 200)
  t.equal((await post(app, b, signedHeaders(b, 'support-token'), '/bots/support')).statusCode, 200)
  t.equal((await post(app, b, signedHeaders(b, 'sales-token'), '/bots/support')).statusCode, 401, 'each bot checks its own token')
  await settle()
  t.same(seen.sort(), ['sales', 'support'])
})

t.test('registration errors are clear sentences', async t => {
  const attempts: Array<[Partial<ChimeBotPluginOptions>, string, RegExp]> = [
    [{ securityToken: undefined }, 'FST_CHIME_MISSING_SECURITY_TOKEN', /securityToken.*CHIME_BOT_SECURITY_TOKEN/],
    [{ path: 'chime' }, 'FST_CHIME_INVALID_OPTION', /`path`/],
    [{ bot: {} as never, securityToken: undefined }, 'FST_CHIME_INVALID_OPTION', /`bot` must be a bot made with createChimeBot\(\)/],
    [{ bot: createChimeBot({ securityToken: 'x', replyChannel: unconfiguredReplyChannel }) }, 'FST_CHIME_INVALID_OPTION', /`securityToken` must be left out when `bot` is given/],
    [{ bot: createChimeBot({ securityToken: 'x', replyChannel: unconfiguredReplyChannel }), securityToken: undefined, securityTokens: ['y'] }, 'FST_CHIME_INVALID_OPTION', /`securityToken` must be left out/]
  ]
  for (const [options, code, message] of attempts) {
    const app = Fastify()
    await t.rejects(async () => { await app.register(chimeBot, { securityToken: TOKEN, ...options }) }, { code, message })
    await app.close()
  }
})

t.test('two bots on the same decorator are refused with a hint', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(chimeBot, { securityToken: TOKEN, replyChannel: unconfiguredReplyChannel })
  await t.rejects(async () => { await app.register(chimeBot, { securityToken: TOKEN, path: '/other', replyChannel: unconfiguredReplyChannel }) }, {
    code: 'FST_CHIME_DECORATOR_TAKEN',
    message: /`chime`.*give each registration its own `decorator`/
  })
})

t.test('the bare plugin is exported too, and the default export is the fastify-plugin wrapper', async t => {
  t.equal(chimeBot, fastifyChimeBot)
  t.equal((chimeBot as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')], 'fastify-chime-bot')
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(chimeBotPlugin, { securityToken: TOKEN, replyChannel: unconfiguredReplyChannel })
  t.equal(app.hasDecorator('chime'), false, 'without fastify-plugin the decorator stays inside the plugin scope')
})

t.test('over a real socket, the exact bytes on the wire are verified', async t => {
  const app = await build(t)
  const seen: string[] = []
  app.chime.on('Mention', (event) => { seen.push(event.Message) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address() as { port: number }
  // Non-ASCII text and Chime-like spacing: any re-serialisation would break the signature.
  const body = '{"Sender":{"SenderId":"zoë@example.com","SenderIdType":"EmailId"}, "Discussion":{"DiscussionId":"r1","DiscussionType":"Room"},' +
    '"EventType":"Mention","Message":"@Bot ça marche \\u00e9 👍","InboundHttpsEndpoint":{"EndpointType":"ShortLived","Url":"https://x"},"EventTimestamp":"2019-04-04T21:30:43.181Z"}'
  const res = await undiciRequest(`http://127.0.0.1:${address.port}/chime`, { method: 'POST', body, headers: signedHeaders(body) })
  t.equal(res.statusCode, 200)
  t.same(await res.body.json(), { ok: true })
  await settle()
  t.same(seen, ['@Bot ça marche é 👍'])
})
