import t, { type Test } from 'tap'
import { ChimeBot, createChimeBot, type ChimeHttpRequest } from '../src/core/bot.js'
import { unconfiguredReplyChannel } from '../src/core/context.js'
import { signChimeRequest } from '../src/core/signature.js'
import type { ChimeBotOptions } from '../src/options.js'
import type { ChimeEvent, ReplyChannel } from '../src/core/types.js'
import { deferred, invite, mention, recordingLogger, remove, settle, signedHeaders, TOKEN } from './chime-fixtures.js'

function setup (t: Test, options: Partial<ChimeBotOptions> = {}): { bot: ChimeBot, log: ReturnType<typeof recordingLogger> } {
  const log = recordingLogger()
  const bot = createChimeBot({ securityToken: TOKEN, logger: log, ...options })
  t.teardown(() => bot.close())
  return { bot, log }
}

function request (event: object | string, headers?: Record<string, string>): ChimeHttpRequest {
  const body = typeof event === 'string' ? event : JSON.stringify(event)
  return { headers: headers ?? signedHeaders(body), rawBody: Buffer.from(body), requestId: 'req-42' }
}

t.test('a signed Mention is acknowledged at once and its handler runs right after', async t => {
  const { bot } = setup(t)
  const seen: string[] = []
  bot.on('Mention', async (event, ctx) => {
    seen.push(`${event.Message} in ${ctx.roomId} (${ctx.requestId})`)
  })
  const answer = bot.receive(request(mention('@Bot hi'))) as Awaited<ReturnType<typeof bot.handle>>
  t.same(seen, [], 'the answer is ready before the handler runs')
  t.same({ statusCode: answer.statusCode, body: answer.body, outcome: answer.outcome }, { statusCode: 200, body: '{"ok":true}', outcome: 'event' })
  t.equal(answer.headers['content-type'], 'application/json; charset=utf-8')
  await settle()
  t.same(seen, ['@Bot hi in room-1f2e3d (req-42)'])
})

t.test('handlers run in registration order, specific ones before \'*\', and each event reaches them once', async t => {
  const { bot } = setup(t)
  const order: string[] = []
  bot.on('*', (event) => { order.push(`*:${event.EventType}`) })
  bot.on('Invite', () => { order.push('invite-1') })
  bot.on('Invite', () => { order.push('invite-2') })
  bot.on('Remove', () => { order.push('remove') })
  await bot.handle(request(invite()))
  await bot.handle(request(remove()))
  await bot.handle(request(mention()))
  await settle()
  // Events run side by side; within one event, handlers run in order.
  t.same(order.filter(o => /invite|Invite/.test(o)), ['invite-1', 'invite-2', '*:Invite'])
  t.same(order.filter(o => /remove|Remove/.test(o)), ['remove', '*:Remove'])
  t.same(order.filter(o => /Mention/.test(o)), ['*:Mention'])
})

t.test('an event without handlers is acknowledged and nothing is scheduled', async t => {
  const { bot } = setup(t)
  const answer = bot.receive(request(invite()))
  t.same((answer as { statusCode: number }).statusCode, 200, 'answered synchronously')
  t.equal(bot.running, 0)
})

t.test('the reply channel observes each verified known event before its handlers, and builds ctx.reply lazily', async t => {
  const calls: string[] = []
  const channel: ReplyChannel = {
    observe (event: ChimeEvent) { calls.push(`observe ${event.EventType}`) },
    replyFor (event) {
      calls.push(`replyFor ${event.EventType}`)
      return Object.assign(async (content: string) => { calls.push(`reply ${content}`); return { messages: 1, attempts: 1 } }, {
        markdown: async (_content: string) => ({ messages: 1, attempts: 1 })
      })
    },
    async say () { return { messages: 1, attempts: 1 } },
    async close (timeoutMs: number) { calls.push(`close ${timeoutMs}`) }
  }
  const { bot } = setup(t, { replyChannel: channel, closeTimeoutMs: 1234 })
  t.equal(bot.replyChannel, channel)
  bot.on('Mention', async (_event, ctx) => {
    calls.push('handler')
    await ctx.reply('pong')
    await ctx.reply('again')
  })
  await bot.handle(request(invite()))
  await bot.handle(request(mention()))
  await bot.handle(request({ EventType: 'Future', Discussion: { DiscussionId: 'r' } }))
  await settle()
  await bot.close()
  t.same(calls, ['observe Invite', 'observe Mention', 'handler', 'replyFor Mention', 'reply pong', 'reply again', 'close 1234'])
})

t.test('with the unconfigured reply channel, ctx.reply, markdown and say reject with a clear typed error', async t => {
  const { bot } = setup(t, { replyChannel: unconfiguredReplyChannel })
  const done = deferred<unknown[]>()
  bot.on('Mention', async (_event, ctx) => {
    done.resolve(await Promise.allSettled([ctx.reply('x'), ctx.reply.markdown('# x'), bot.replyChannel.say('room', 'x')]))
  })
  await bot.handle(request(mention()))
  const results = await done.promise as PromiseRejectedResult[]
  for (const r of results) {
    t.equal(r.status, 'rejected')
    t.match(r.reason, { code: 'FST_CHIME_REPLIES_NOT_CONFIGURED', message: /Replies are not configured/ })
  }
})

t.test('a failing reply channel observe() is logged and the event still dispatched', async t => {
  const channel: ReplyChannel = {
    observe () { throw new Error('observe broke') },
    replyFor () { throw new Error('unused') },
    async say () { throw new Error('unused') },
    async close () {}
  }
  const { bot, log } = setup(t, { replyChannel: channel })
  let ran = false
  bot.on('Invite', () => { ran = true })
  t.equal((await bot.handle(request(invite()))).statusCode, 200)
  await settle()
  t.ok(ran)
  t.ok(log.find('error', /failed to record the event's room/))
})

t.test('ctx.roomId is undefined for events without a room', async t => {
  const { bot } = setup(t)
  const rooms: unknown[] = []
  bot.on('*', (_event, ctx) => { rooms.push(ctx.roomId) })
  await bot.handle(request({ EventType: 'Ping' }))
  await bot.handle(request({ EventType: 'Ping', Discussion: 'nope', n: 1 }))
  await bot.handle(request({ EventType: 'Ping', Discussion: { DiscussionId: 3 } }))
  await settle()
  t.same(rooms, [undefined, undefined, undefined])
})

t.test('an unknown EventType is acked, warned about and given to \'*\' handlers only', async t => {
  const { bot, log } = setup(t)
  const seen: string[] = []
  bot.on('Mention', () => { seen.push('mention') })
  bot.on('*', (event) => { seen.push(event.EventType) })
  const answer = await bot.handle(request({ EventType: 'MessageEdited', Discussion: { DiscussionId: 'r' } }))
  t.equal(answer.statusCode, 200)
  t.equal(answer.outcome, 'unknown-event')
  await settle()
  t.same(seen, ['MessageEdited'])
  t.match(log.find('warn', /does not know/)?.obj, { eventType: 'MessageEdited' })
})

t.test('a repeated body is acked as a duplicate without running handlers again', async t => {
  const { bot, log } = setup(t)
  let runs = 0
  bot.on('Mention', () => { runs++ })
  const body = JSON.stringify(mention())
  const first = await bot.handle(request(body))
  // Chime's retry: same body, new timestamp and signature.
  const retry = await bot.handle(request(body, signedHeaders(body, TOKEN, new Date(Date.now() + 1000).toISOString())))
  await settle()
  t.equal(first.outcome, 'event')
  t.same({ statusCode: retry.statusCode, outcome: retry.outcome, body: retry.body }, { statusCode: 200, outcome: 'duplicate', body: '{"ok":true,"duplicate":true}' })
  t.equal(runs, 1)
  t.ok(log.find('debug', /repeated Chime event/))
})

t.test('dedupeWindowMs: 0 turns duplicate suppression off', async t => {
  const { bot } = setup(t, { dedupeWindowMs: 0 })
  let runs = 0
  bot.on('Mention', () => { runs++ })
  const body = JSON.stringify(mention())
  await bot.handle(request(body))
  await bot.handle(request(body))
  await settle()
  t.equal(runs, 2)
})

t.test('an async duplicate store is awaited; a failing store is logged and the event handled as new', async t => {
  const seen = new Set<string>()
  const asyncStore = { async remember (key: string) { const fresh = !seen.has(key); seen.add(key); return fresh } }
  const { bot } = setup(t, { dedupeStore: asyncStore })
  const body = JSON.stringify(mention())
  t.equal((await bot.handle(request(body))).outcome, 'event')
  t.equal((await bot.handle(request(body))).outcome, 'duplicate')

  const throwing = setup(t, { dedupeStore: { remember () { throw new Error('redis down') } } })
  t.equal((await throwing.bot.handle(request(body))).outcome, 'event')
  t.ok(throwing.log.find('error', /store failed/))

  const rejecting = setup(t, { dedupeStore: { remember: async () => { throw new Error('redis down') } } })
  t.equal((await rejecting.bot.handle(request(body))).outcome, 'event')
  t.ok(rejecting.log.find('error', /store failed/))
})

t.test('each signature failure is a 401 with its own code, logged without the token', async t => {
  const { bot, log } = setup(t, { timestampToleranceMs: 60_000 })
  const body = JSON.stringify(mention())
  const good = signedHeaders(body)
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ 'chime-request-timestamp': good['chime-request-timestamp'] as string }, 'FST_CHIME_MISSING_SIGNATURE', /no Chime-Signature header/],
    [{ 'chime-signature': good['chime-signature'] as string }, 'FST_CHIME_INVALID_TIMESTAMP', /header is missing/],
    [{ ...good, 'chime-request-timestamp': 'yesterday' }, 'FST_CHIME_INVALID_TIMESTAMP', /not a date \("yesterday"\)/],
    [signedHeaders(body, TOKEN, new Date(Date.now() - 61_000).toISOString()), 'FST_CHIME_STALE_TIMESTAMP', /more than 60000 ms away/],
    [signedHeaders(body, 'another-token'), 'FST_CHIME_INVALID_SIGNATURE', /does not match the body/],
    [{ ...good, 'chime-signature': 'x' }, 'FST_CHIME_INVALID_SIGNATURE', /does not match/]
  ]
  for (const [headers, code, message] of cases) {
    const answer = await bot.handle(request(body, headers))
    t.equal(answer.statusCode, 401, code)
    t.equal(answer.outcome, 'rejected')
    t.match(answer.error, { code, message })
    t.match(JSON.parse(answer.body), { statusCode: 401, code, error: 'Unauthorized', message })
  }
  t.notOk(JSON.stringify(log.lines).includes(TOKEN), 'the token never reaches the logs')
  t.equal(log.lines.filter(l => l.level === 'warn').length, cases.length)
})

t.test('a tampered body fails even with a valid signature of the original', async t => {
  const { bot } = setup(t)
  const body = JSON.stringify(mention('@Bot pay 10'))
  const headers = signedHeaders(body)
  const answer = await bot.handle(request(body.replace('10', '99'), headers))
  t.equal(answer.error?.code, 'FST_CHIME_INVALID_SIGNATURE')
})

t.test('repeated signature headers: the first value counts', async t => {
  const { bot } = setup(t)
  const body = JSON.stringify(mention())
  const h = signedHeaders(body)
  const answer = await bot.handle({ headers: { ...h, 'chime-signature': [h['chime-signature'] as string, 'junk'] }, rawBody: body, requestId: 'r' })
  t.equal(answer.statusCode, 200)
})

t.test('signChimeRequest and the reference computation are both accepted', async t => {
  const { bot } = setup(t)
  const body = JSON.stringify(mention('@Bot signed by the library'))
  const signed = signChimeRequest(TOKEN, body)
  const answer = await bot.handle({ headers: { 'chime-signature': signed.signature, 'chime-request-timestamp': signed.timestamp }, rawBody: body, requestId: 'r' })
  t.equal(answer.statusCode, 200)
})

t.test('signed but malformed JSON → 400 FST_CHIME_MALFORMED_JSON; signed but wrong shape → 400 naming the field', async t => {
  const { bot, log } = setup(t)
  const bad = await bot.handle(request('{"EventType": "Mention",'))
  t.equal(bad.statusCode, 400)
  t.equal(bad.error?.code, 'FST_CHIME_MALFORMED_JSON')
  const wrong = await bot.handle(request({ ...mention(), Message: undefined }))
  t.equal(wrong.statusCode, 400)
  t.match(JSON.parse(wrong.body), { code: 'FST_CHIME_INVALID_EVENT', message: /field `Message` is missing/ })
  t.ok(log.find('warn', /not a valid Chime event/))
})

t.test('the challenge is echoed with or without signature headers, and logged', async t => {
  const { bot, log } = setup(t)
  const body = '{"Challenge":"c-123","EventType":"HTTPSEndpointVerification"}'
  for (const headers of [{}, signedHeaders(body), { 'chime-signature': 'garbage' }]) {
    const answer = await bot.handle(request(body, headers))
    t.same({ statusCode: answer.statusCode, body: answer.body, outcome: answer.outcome }, { statusCode: 200, body: '{"Challenge":"c-123"}', outcome: 'challenge' })
  }
  t.match(log.find('info', /verification challenge/)?.obj, { challenge: 'c-123' })
})

t.test('a handler error is logged with the request id, passed to onError, and never changes the answer', async t => {
  const hooked: unknown[] = []
  const { bot, log } = setup(t, { onError: (err, event, ctx) => { hooked.push([(err as Error).message, event.EventType, ctx.requestId]) } })
  let after = false
  bot.on('Mention', () => { throw new Error('boom') })
  bot.on('Mention', async () => { after = true })
  const answer = await bot.handle(request(mention()))
  t.equal(answer.statusCode, 200)
  await settle()
  t.same(hooked, [['boom', 'Mention', 'req-42']])
  t.ok(after, 'the next handler still ran')
  t.match(log.find('error', /Mention handler failed/)?.obj, { requestId: 'req-42', eventType: 'Mention', roomId: 'room-1f2e3d' })
})

t.test('an onError hook that throws is logged too', async t => {
  const { bot, log } = setup(t, { onError: async () => { throw new Error('hook broke') } })
  bot.on('Remove', async () => { throw new Error('boom') })
  await bot.handle(request(remove()))
  await settle()
  t.ok(log.find('error', /onError hook failed/))
})

t.test('ack \'after-handler\' waits for the handlers before answering', async t => {
  const { bot } = setup(t, { ack: 'after-handler' })
  const order: string[] = []
  bot.on('Mention', async () => {
    await new Promise(resolve => setTimeout(resolve, 20))
    order.push('handler done')
  })
  await bot.handle(request(mention()))
  order.push('answered')
  t.same(order, ['handler done', 'answered'])
})

t.test('ack \'after-handler\' answers anyway when the budget runs out, and the handler keeps running', async t => {
  const { bot, log } = setup(t, { ack: 'after-handler', handlerBudgetMs: 10 })
  const release = deferred()
  let finished = false
  bot.on('Invite', async () => { await release.promise; finished = true })
  const answer = await bot.handle(request(invite()))
  t.equal(answer.statusCode, 200)
  t.equal(finished, false)
  t.equal(bot.running, 1)
  t.match(log.find('warn', /still running after 10 ms/)?.obj, { err: { code: 'FST_CHIME_HANDLER_BUDGET_EXCEEDED' } })
  release.resolve()
  await bot.close()
  t.equal(finished, true, 'close waited for it')
})

t.test('synchronous handlers finish before the answer with waitForHandlers and after-handler, without timers', async t => {
  for (const options of [{ ack: 'after-handler' as const }, {}]) {
    const { bot } = setup(t, options)
    const order: string[] = []
    bot.on('Invite', () => { order.push('sync handler') })
    bot.on('*', () => { order.push('sync star') })
    const answer = bot.receive(request(invite()), { waitForHandlers: options.ack === undefined })
    order.push('answered')
    t.notOk(answer instanceof Promise, 'answered synchronously')
    t.same(order, ['sync handler', 'sync star', 'answered'])
    t.equal(bot.running, 0)
  }
})

t.test('a synchronous throw is reported and the remaining handlers still run', async t => {
  const { bot, log } = setup(t, { ack: 'after-handler' })
  const order: string[] = []
  bot.on('Remove', () => { throw new Error('sync boom') })
  bot.on('Remove', async () => { order.push('async after') })
  bot.on('Remove', () => { throw new Error('later boom') })
  bot.on('*', () => { order.push('sync star') })
  await bot.handle(request(remove()))
  t.same(order, ['async after', 'sync star'])
  t.same(log.lines.filter(l => l.level === 'error').map(l => (l.obj as { err: Error }).err.message), ['sync boom', 'later boom'])
  t.equal(bot.running, 0)
})

t.test('waitForHandlers runs every handler before answering, whatever the ack policy', async t => {
  const { bot } = setup(t)
  let done = false
  bot.on('Mention', async () => { await new Promise(resolve => setTimeout(resolve, 5)); done = true })
  await bot.handle(request(mention()), { waitForHandlers: true })
  t.equal(done, true)
})

t.test('close waits for running handlers, bounded by closeTimeoutMs', async t => {
  const { bot } = setup(t, { closeTimeoutMs: 1000 })
  const release = deferred()
  let finished = false
  bot.on('Mention', async () => { await release.promise; finished = true })
  await bot.handle(request(mention()))
  await settle()
  const closing = bot.close()
  t.equal(bot.close(), closing, 'close is idempotent')
  setTimeout(() => release.resolve(), 20)
  await closing
  t.equal(finished, true)
})

t.test('close gives up after closeTimeoutMs and says how many handlers were left', async t => {
  const closed: string[] = []
  const { bot, log } = setup(t, {
    closeTimeoutMs: 20,
    dedupeStore: { remember: () => true, close: () => { closed.push('store') } }
  })
  bot.on('Mention', () => new Promise(() => {}))
  await bot.handle(request(mention()))
  await bot.close()
  t.match(log.find('warn', /still running after 20 ms/)?.obj, { err: { code: 'FST_CHIME_CLOSE_TIMEOUT' } })
  t.same(closed, ['store'])
})

t.test('failures while closing the channel or the store are logged, not thrown', async t => {
  const { bot, log } = setup(t, {
    replyChannel: { observe () {}, replyFor () { throw new Error('x') }, async say () { throw new Error('x') }, async close () { throw new Error('channel') } },
    dedupeStore: { remember: () => true, close: async () => { throw new Error('store') } }
  })
  await bot.close()
  t.ok(log.find('error', /Closing the reply channel failed/))
  t.ok(log.find('error', /Closing the duplicate-suppression store failed/))
})

t.test('on() rejects unknown event names and non-functions with a typed error', async t => {
  const { bot } = setup(t)
  t.throws(() => bot.on('Mentoin' as 'Mention', () => {}), { code: 'FST_CHIME_INVALID_HANDLER', message: /"Mentoin".*must be one of 'Invite', 'Mention', 'Remove', '\*'/ })
  t.throws(() => bot.on('Mention', 'nope' as unknown as () => void), { code: 'FST_CHIME_INVALID_HANDLER', message: /must be a function; got string/ })
  t.equal(bot.on('Invite', () => {}), bot, 'chainable')
})

t.test('handlers registered later are picked up', async t => {
  const { bot } = setup(t)
  const seen: string[] = []
  bot.on('Mention', () => { seen.push('first') })
  await bot.handle(request(mention('@Bot one')))
  bot.on('*', () => { seen.push('star') })
  await bot.handle(request(mention('@Bot two')))
  await settle()
  t.same(seen, ['first', 'first', 'star'])
})

t.test('the bot logger is used when a request brings none, and exposed as bot.log', async t => {
  const { bot, log } = setup(t)
  t.equal(bot.log, log)
  const answer = await bot.handle({ headers: {}, rawBody: '{}', requestId: 'r' })
  t.equal(answer.statusCode, 401)
  t.ok(log.find('warn', /not correctly signed/))
})

t.test('new ChimeBot and createChimeBot build the same thing', async t => {
  const bot = new ChimeBot({ securityToken: TOKEN })
  t.ok(bot instanceof ChimeBot)
  t.equal(bot.options.ack, 'immediate')
  await bot.close()
})

t.test('checkSignature is public: it loads tokens, and reloads once on a miss', async t => {
  let calls = 0
  let tokens = ['first']
  const { bot } = setup(t, { securityToken: async () => { calls++; return tokens } })
  const body = 'payload'
  const sign = (token: string) => {
    const signed = signChimeRequest(token, body)
    return { signature: signed.signature, timestamp: signed.timestamp, rawBody: body }
  }
  const stale = signChimeRequest('first', body, new Date(Date.now() - 3_600_000))
  t.same(await bot.checkSignature({ signature: stale.signature, timestamp: stale.timestamp, rawBody: body }), { ok: false, reason: 'stale-timestamp' }, 'first load, then a non-signature failure')
  t.equal(calls, 1)
  tokens = ['second']
  const second = sign('second')
  t.same(await bot.checkSignature(second), { ok: false, reason: 'invalid-signature' }, 'loaded less than minRefreshMs ago: no reload')
  t.equal(calls, 1)
})

t.test('a miss right after the first load does not reload again', async t => {
  let calls = 0
  const bot = new ChimeBot({ securityToken: () => [`t${++calls}`], logger: recordingLogger(), replyChannel: unconfiguredReplyChannel })
  t.teardown(() => bot.close())
  const signed = signChimeRequest('t2', 'payload')
  const check = await bot.checkSignature({ signature: signed.signature, timestamp: signed.timestamp, rawBody: 'payload' })
  t.same(check, { ok: false, reason: 'invalid-signature' })
  t.equal(calls, 1, 'one load, no reload: minRefreshMs protects the secret store')
})

t.test('errorResponse defaults to 500 for an error without a status', async t => {
  const { errorResponse } = await import('../src/core/bot.js')
  const answer = errorResponse(Object.assign(new Error('odd'), { code: 'X_ODD' }))
  t.equal(answer.statusCode, 500)
  t.same(JSON.parse(answer.body), { statusCode: 500, code: 'X_ODD', error: 'Internal Server Error', message: 'odd' })
})

t.test('a handler error without onError is only logged', async t => {
  const { bot, log } = setup(t)
  bot.on('Invite', () => { throw new Error('plain') })
  await bot.handle(request(invite()))
  await settle()
  t.match(log.find('error', /Invite handler failed/)?.obj, { err: { message: 'plain' } })
})
