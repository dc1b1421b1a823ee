import t, { type Test } from 'tap'
import { createHmac } from 'node:crypto'
import { verifyChimeSignature } from 'fastify-chime-bot'
import { EmulatorState } from '../src/state.js'
import { FaultRegistry } from '../src/faults.js'
import { DeliveryEngine, type DeliveryLogger, type LambdaInvokerLike } from '../src/delivery.js'
import { buildInviteEvent, buildRemoveEvent, serializeEvent } from '../src/events.js'
import { answer, startRecorder } from './helpers/recorder.js'

function setup (t: Test, opts: { endpoint?: string, lambdaArn?: string, lambda?: LambdaInvokerLike, timeoutMs?: number, retryDelaysMs?: number[], maxRecords?: number, logger?: DeliveryLogger } = {}) {
  const state = new EmulatorState()
  const account = state.createAccount({ Name: 'Test' })
  const bot = state.createBot(account.AccountId, { DisplayName: 'EchoBot' })
  if (opts.endpoint !== undefined || opts.lambdaArn !== undefined) {
    state.putEventsConfiguration(account.AccountId, bot.BotId, opts.endpoint !== undefined ? { OutboundEventsHTTPSEndpoint: opts.endpoint } : { LambdaFunctionArn: opts.lambdaArn as string })
  }
  const faults = new FaultRegistry()
  const engine = new DeliveryEngine({ state, faults, lambda: opts.lambda, timeoutMs: opts.timeoutMs, retryDelaysMs: opts.retryDelaysMs, maxRecords: opts.maxRecords, logger: opts.logger })
  t.teardown(() => engine.close())
  const invite = buildInviteEvent({ sender: 'alice@example.com', roomId: 'room-1', timestamp: '2026-01-01T00:00:00.000Z', webhookUrl: 'http://127.0.0.1:1/incomingwebhooks/x?token=y' })
  return { state, account, bot, faults, engine, invite }
}

t.test('an Invite is POSTed as compact JSON, signed with the bot token, and recorded as Delivered', async t => {
  const bot = await startRecorder()
  t.teardown(() => bot.close())
  const { engine, bot: record, invite } = setup(t, { endpoint: bot.url })
  const seen: string[] = []
  engine.events.on('delivery.started', r => seen.push(`started ${r.Outcome}`))
  engine.events.on('delivery.attempt', (_r, a) => seen.push(`attempt ${a.Status}`))
  engine.events.on('delivery.finished', r => seen.push(`finished ${r.Outcome}`))
  const done = engine.deliver(record, invite)
  t.equal(engine.pending().length, 1, 'the delivery is pending while in flight')
  const result = await done
  t.equal(result.Outcome, 'Delivered')
  t.same(seen, ['started Pending', 'attempt 200', 'finished Delivered'])
  const [req] = bot.requests
  t.ok(req)
  t.equal(req!.rawBody, serializeEvent(invite), 'the body is the compact JSON of the event')
  t.equal(req!.headers['content-type'], 'application/json')
  const stamp = req!.headers['chime-request-timestamp'] as string
  const expected = createHmac('sha256', record.SecurityToken).update(`${stamp}|${req!.rawBody}`).digest('base64')
  t.equal(req!.headers['chime-signature'], expected, 'node:crypto computes the same signature')
  t.ok(verifyChimeSignature({ securityToken: record.SecurityToken, timestamp: stamp, signature: req!.headers['chime-signature'] as string, rawBody: req!.rawBody }))
  t.ok(Math.abs(Date.parse(stamp) - Date.now()) < 60_000, 'Chime-Request-Timestamp is real time')
  const [logged] = engine.list()
  t.equal(logged!.Target, bot.url)
  t.equal(logged!.TargetType, 'HTTPS')
  t.equal(logged!.RoomId, 'room-1')
  t.equal(logged!.Attempts[0]!.RequestHeaders['Chime-Signature'], expected)
  t.equal(logged!.Attempts[0]!.ResponseBody, '{}')
  t.same(engine.pending(), [])
})

t.test('a bot answering 500 gets three attempts, 200 ms then 400 ms apart, each freshly signed', async t => {
  const bot = await startRecorder(answer(500, 'boom'))
  t.teardown(() => bot.close())
  const { engine, bot: record, invite } = setup(t, { endpoint: bot.url })
  const result = await engine.deliver(record, invite)
  t.equal(result.Outcome, 'Failed')
  t.equal(result.Attempts.length, 3)
  t.same(result.Attempts.map(a => a.Status), [500, 500, 500])
  t.match(result.Attempts[0]!.Error, /answered 500/)
  const [a, b, c] = bot.requests
  const gap1 = b!.receivedAt - a!.receivedAt
  const gap2 = c!.receivedAt - b!.receivedAt
  // Generous upper bounds: the gap also holds one request's round trip on a possibly busy machine.
  t.ok(gap1 >= 190 && gap1 < 600, `first gap about 200 ms (was ${Math.round(gap1)})`)
  t.ok(gap2 >= 390 && gap2 < 1000, `second gap about 400 ms (was ${Math.round(gap2)})`)
  t.ok(gap2 > gap1, 'the second gap is the longer one')
  const stamps = bot.requests.map(r => r.headers['chime-request-timestamp'])
  t.equal(new Set(stamps).size, 3, 'every attempt has its own timestamp')
  t.equal(new Set(bot.requests.map(r => r.headers['chime-signature'])).size, 3, 'and so its own signature')
  for (const r of bot.requests) {
    t.ok(verifyChimeSignature({ securityToken: record.SecurityToken, timestamp: r.headers['chime-request-timestamp'] as string, signature: r.headers['chime-signature'] as string, rawBody: r.rawBody }))
  }
})

t.test('a 4xx answer is not retried', async t => {
  const bot = await startRecorder(answer(401))
  t.teardown(() => bot.close())
  const { engine, bot: record, invite } = setup(t, { endpoint: bot.url })
  const result = await engine.deliver(record, invite)
  t.equal(result.Outcome, 'Rejected')
  t.equal(bot.requests.length, 1)
})

t.test('recovering on the second attempt counts as Delivered', async t => {
  const bot = await startRecorder((_req, res, i) => { res.writeHead(i === 0 ? 503 : 200).end() })
  t.teardown(() => bot.close())
  const { engine, bot: record, invite } = setup(t, { endpoint: bot.url, retryDelaysMs: [1, 1] })
  const result = await engine.deliver(record, invite)
  t.equal(result.Outcome, 'Delivered')
  t.same(result.Attempts.map(a => a.Status), [503, 200])
})

t.test('a bot slower than the timeout is timed out and retried', async t => {
  const bot = await startRecorder((_req, res) => { setTimeout(() => res.writeHead(200).end(), 300) })
  t.teardown(() => bot.close())
  const { engine, bot: record, invite } = setup(t, { endpoint: bot.url, timeoutMs: 50, retryDelaysMs: [1, 1] })
  const result = await engine.deliver(record, invite)
  t.equal(result.Outcome, 'Failed')
  t.equal(result.Attempts.length, 3)
  t.match(result.Attempts[0]!.Error, /no answer within 50 ms/)
  t.equal(result.Attempts[0]!.Status, undefined)
})

t.test('the default timeout is Chime\'s 2 seconds', async t => {
  const bot = await startRecorder((_req, res) => { setTimeout(() => res.writeHead(200).end(), 2300) })
  t.teardown(() => bot.close())
  const { engine, bot: record, invite } = setup(t, { endpoint: bot.url, retryDelaysMs: [] })
  const result = await engine.deliver(record, invite)
  t.equal(result.Outcome, 'Failed')
  t.match(result.Attempts[0]!.Error, /no answer within 2000 ms/)
  t.ok(result.Attempts[0]!.DurationMs >= 1900, 'it waited about 2 s')
})

t.test('a refused connection is a failed attempt with the reason', async t => {
  const bot = await startRecorder()
  const url = bot.url
  await bot.close()
  const { engine, bot: record, invite } = setup(t, { endpoint: url, retryDelaysMs: [1, 1] })
  const result = await engine.deliver(record, invite)
  t.equal(result.Outcome, 'Failed')
  t.match(result.Attempts[0]!.Error, /could not reach .*ECONNREFUSED/)
})

t.test('a bot without events configuration is Undeliverable, nothing is sent', async t => {
  const warnings: string[] = []
  const { engine, bot, invite } = setup(t, { logger: { info () {}, warn (_o, m) { warnings.push(m) } } })
  const result = await engine.deliver(bot, invite)
  t.equal(result.Outcome, 'Undeliverable')
  t.equal(result.TargetType, 'None')
  t.match(warnings[0], /no events configuration/)
})

t.test('each attempt signs with the current token, even after a regeneration', async t => {
  const bot = await startRecorder((_req, res, i) => { res.writeHead(i === 0 ? 500 : 200).end() })
  t.teardown(() => bot.close())
  const { engine, state, account, bot: record, invite } = setup(t, { endpoint: bot.url, retryDelaysMs: [30] })
  const oldToken = record.SecurityToken
  const done = engine.deliver({ ...record }, invite)
  await bot.waitFor(1)
  const fresh = state.regenerateSecurityToken(account.AccountId, record.BotId)
  await done
  const [first, second] = bot.requests
  const check = (token: string, r: typeof first) => verifyChimeSignature({ securityToken: token, timestamp: r!.headers['chime-request-timestamp'] as string, signature: r!.headers['chime-signature'] as string, rawBody: r!.rawBody })
  t.ok(check(oldToken, first))
  t.ok(check(fresh.SecurityToken, second))
  t.notOk(check(oldToken, second), 'the old token no longer signs')
})

t.test('a bot that vanished from the state between attempts is still signed for with its last token', async t => {
  const bot = await startRecorder((_req, res, i) => { res.writeHead(i === 0 ? 500 : 200).end() })
  t.teardown(() => bot.close())
  const { engine, state, bot: record, invite } = setup(t, { endpoint: bot.url, retryDelaysMs: [30] })
  const done = engine.deliver(record, invite)
  await bot.waitFor(1)
  state.bots.delete(record.BotId)
  const result = await done
  t.equal(result.Outcome, 'Delivered')
  const second = bot.requests[1]!
  t.ok(verifyChimeSignature({ securityToken: record.SecurityToken, timestamp: second.headers['chime-request-timestamp'] as string, signature: second.headers['chime-signature'] as string, rawBody: second.rawBody }))
})

t.test('delivery faults: a status replaces the answer, timeout ignores it, reset never sends', async t => {
  const bot = await startRecorder()
  t.teardown(() => bot.close())
  const { engine, faults, bot: record, invite } = setup(t, { endpoint: bot.url, retryDelaysMs: [1, 1] })
  faults.delivery({ botId: record.BotId, status: 'reset' })
  faults.delivery({ status: 'timeout' })
  faults.delivery({ botId: record.BotId, status: 503 })
  const result = await engine.deliver(record, invite)
  t.equal(result.Outcome, 'Failed')
  t.equal(bot.requests.length, 2, 'reset never reached the bot; timeout and 503 did')
  t.match(result.Attempts[0]!.Error, /ECONNRESET.*injected/)
  t.match(result.Attempts[1]!.Error, /injected fault: the bot did get the event/)
  t.equal(result.Attempts[2]!.Status, 503)
  t.match(result.Attempts[2]!.Error, /injected fault; it really answered 200/)
  t.ok(result.Attempts.every(a => a.InjectedFault !== undefined))

  faults.delivery({ status: 404 })
  const rejected = await engine.deliver(record, invite)
  t.equal(rejected.Outcome, 'Rejected')
  faults.delivery({ botId: 'another-bot', status: 500 })
  const unaffected = await engine.deliver(record, invite)
  t.equal(unaffected.Outcome, 'Delivered', 'a fault for another bot does not apply')
})

t.test('the log is bounded and filterable', async t => {
  const bot = await startRecorder()
  t.teardown(() => bot.close())
  const { engine, bot: record, invite } = setup(t, { endpoint: bot.url, maxRecords: 2 })
  await engine.deliver(record, invite)
  await engine.deliver(record, buildRemoveEvent({ sender: 'a@example.com', roomId: 'room-2', timestamp: '2026-01-01T00:00:00.000Z' }))
  await engine.deliver(record, invite)
  t.equal(engine.list().length, 2)
  t.same(engine.list({ roomId: 'room-2' }).map(r => r.EventType), ['Remove'])
  t.same(engine.list({ eventType: 'Invite' }).length, 1)
  t.same(engine.list({ botId: 'nope' }), [])
  await engine.clear()
  t.same(engine.list(), [])
})

t.test('clear() cancels a delivery waiting to retry', async t => {
  const bot = await startRecorder(answer(500))
  t.teardown(() => bot.close())
  const { engine, bot: record, invite } = setup(t, { endpoint: bot.url, retryDelaysMs: [5000] })
  const attempted = new Promise(resolve => engine.events.once('delivery.attempt', resolve))
  const done = engine.deliver(record, invite)
  await attempted
  await engine.clear()
  const result = await done
  t.equal(result.Outcome, 'Cancelled')
  t.equal(result.Attempts.length, 1, 'the retry never happened')
})

t.test('close() cancels a request in flight', async t => {
  const bot = await startRecorder(() => { /* never answers */ })
  t.teardown(() => bot.close())
  const { engine, bot: record, invite } = setup(t, { endpoint: bot.url, timeoutMs: 10_000 })
  const done = engine.deliver(record, invite)
  await bot.waitFor(1)
  await engine.close()
  const result = await done
  t.equal(result.Outcome, 'Cancelled')
  t.match(result.Attempts[0]!.Error, /cancelled/)
})

t.test('Lambda bots get the event as payload, the signature in the client context', async t => {
  const calls: Array<{ arn: string, payload: unknown, options: { invocationType: string, clientContext?: object } }> = []
  let failures = 1
  const lambda: LambdaInvokerLike = {
    async invoke (arn, payload, options) {
      calls.push({ arn, payload, options })
      if (failures-- > 0) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
      return { statusCode: 200, payload: { ok: true } }
    }
  }
  const arn = 'arn:aws:lambda:us-east-1:111122223333:function:echo'
  const { engine, bot, invite } = setup(t, { lambdaArn: arn, lambda, retryDelaysMs: [1, 1] })
  const result = await engine.deliver(bot, invite)
  t.equal(result.Outcome, 'Delivered')
  t.equal(result.TargetType, 'Lambda')
  t.equal(result.Target, arn)
  t.match(result.Attempts[0]!.Error, /Lambda invocation failed: ECONNRESET: socket hang up/)
  t.equal(result.Attempts[1]!.Status, 200)
  t.equal(result.Attempts[1]!.ResponseBody, '{"ok":true}')
  t.equal(calls.length, 2)
  const { payload, options } = calls[1]!
  t.same(payload, invite)
  t.equal(options.invocationType, 'RequestResponse')
  const ctx = options.clientContext as Record<string, string>
  t.ok(verifyChimeSignature({ securityToken: bot.SecurityToken, timestamp: ctx['Chime-Request-Timestamp'], signature: ctx['Chime-Signature'], rawBody: JSON.stringify(payload) }))
  const header = result.Attempts[1]!.RequestHeaders['X-Amz-Client-Context']!
  t.same(JSON.parse(Buffer.from(header, 'base64').toString('utf8')), ctx)
})

t.test('Lambda faults and a missing invoker fail clearly', async t => {
  const lambda: LambdaInvokerLike = { invoke: async () => ({ statusCode: 200, payload: 'x'.repeat(600) }) }
  const arn = 'arn:aws:lambda:us-east-1:111122223333:function:echo'
  const { engine, faults, bot, invite } = setup(t, { lambdaArn: arn, lambda, retryDelaysMs: [1, 1] })
  faults.delivery({ status: 'reset' })
  faults.delivery({ status: 'timeout' })
  faults.delivery({ status: 502 })
  const result = await engine.deliver(bot, invite)
  t.equal(result.Outcome, 'Failed')
  t.match(result.Attempts.map(a => a.Error), [/ECONNRESET/, /timed out/, /Lambda answered 502/])
  t.ok(result.Attempts[1]!.ResponseBody!.endsWith('…'), 'long results are cut')
  faults.delivery({ status: 403 })
  t.equal((await engine.deliver(bot, invite)).Outcome, 'Rejected')
  faults.delivery({ status: 202 })
  t.equal((await engine.deliver(bot, invite)).Outcome, 'Delivered')

  const noInvoker = setup(t, { lambdaArn: arn, retryDelaysMs: [] })
  const failed = await noInvoker.engine.deliver(noInvoker.bot, noInvoker.invite)
  t.match(failed.Attempts[0]!.Error, /No Lambda invoker is configured/)
})

t.test('a failing function or a 4xx proxy answer is Rejected, not retried', async t => {
  const results = [
    { statusCode: 200, functionError: 'Unhandled', payload: { errorMessage: 'bad signature' } },
    { statusCode: 200, functionError: 'Handled' },
    { statusCode: 200, payload: { statusCode: 401, body: '' } },
    { statusCode: 200, payload: { statusCode: 200 } },
    { statusCode: 200, payload: null }
  ]
  const lambda: LambdaInvokerLike = { invoke: async () => results.shift()! }
  const { engine, bot, invite } = setup(t, { lambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:f', lambda })
  const failed = await engine.deliver(bot, invite)
  t.equal(failed.Outcome, 'Rejected')
  t.equal(failed.Attempts.length, 1)
  t.match(failed.Attempts[0]!.Error, /the function failed \(Unhandled\): .*bad signature/)
  t.match((await engine.deliver(bot, invite)).Attempts[0]!.Error, /no details/)
  const proxy = await engine.deliver(bot, invite)
  t.equal(proxy.Outcome, 'Rejected')
  t.equal(proxy.Attempts[0]!.Status, 401)
  t.equal((await engine.deliver(bot, invite)).Outcome, 'Delivered')
  t.equal((await engine.deliver(bot, invite)).Outcome, 'Delivered')
})

t.test('errors without a code are described by their message', async t => {
  const lambda: LambdaInvokerLike = { invoke: async () => { throw 'plain failure' } } // eslint-disable-line no-throw-literal
  const { engine, bot, invite } = setup(t, { lambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:f', lambda, retryDelaysMs: [] })
  const result = await engine.deliver(bot, invite)
  t.match(result.Attempts[0]!.Error, /Lambda invocation failed: plain failure/)
})

t.test('the signature probe reports whether the bot refuses a bad signature', async t => {
  const strict = await startRecorder(answer(401))
  t.teardown(() => strict.close())
  const { engine, state, account, bot, faults } = setup(t, { endpoint: strict.url })
  const good = await engine.probeSignature(bot.BotId)
  t.equal(good.Rejected, true)
  t.equal(good.Status, 401)
  t.match(good.Verdict, /verifies Chime-Signature/)
  const req = strict.requests[0]!
  t.notOk(verifyChimeSignature({ securityToken: bot.SecurityToken, timestamp: req.headers['chime-request-timestamp'] as string, signature: req.headers['chime-signature'] as string, rawBody: req.rawBody }), 'the probe really is mis-signed')
  t.equal(engine.list()[0]!.Probe, true)

  faults.delivery({ status: 'reset' })
  const naive = await startRecorder(answer(200))
  t.teardown(() => naive.close())
  state.putEventsConfiguration(account.AccountId, bot.BotId, { OutboundEventsHTTPSEndpoint: naive.url })
  const bad = await engine.probeSignature(bot.BotId)
  t.equal(bad.Rejected, false)
  t.match(bad.Verdict, /does not verify/)
  t.equal(faults.list().Deliveries.length, 1, 'probes do not use up faults')

  const down = await startRecorder(answer(500))
  const downUrl = down.url
  await down.close()
  state.putEventsConfiguration(account.AccountId, bot.BotId, { OutboundEventsHTTPSEndpoint: downUrl })
  const unreachable = await engine.probeSignature(bot.BotId)
  t.equal(unreachable.Rejected, false)
  t.match(unreachable.Verdict, /could not reach the bot/)
  t.match(unreachable.Error, /ECONNREFUSED/)
  t.equal(engine.list().at(-1)!.Outcome, 'Failed')

  const answered500 = await startRecorder(answer(500))
  t.teardown(() => answered500.close())
  state.putEventsConfiguration(account.AccountId, bot.BotId, { OutboundEventsHTTPSEndpoint: answered500.url })
  t.equal((await engine.probeSignature(bot.BotId)).Status, 500)

  await t.rejects(engine.probeSignature('missing'), /no bot has the id 'missing'/)
  const other = state.createBot(account.AccountId, { DisplayName: 'Unconfigured' })
  await t.rejects(engine.probeSignature(other.BotId), /has no events configuration/)
})

t.test('the signature probe of a Lambda bot counts a failed function as a refusal', async t => {
  const results = [
    { statusCode: 200, functionError: 'Unhandled', payload: { errorMessage: 'invalid signature' } },
    { statusCode: 200, payload: { statusCode: 200 } }
  ]
  const lambda: LambdaInvokerLike = { invoke: async () => results.shift()! }
  const { engine, bot } = setup(t, { lambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:f', lambda })
  const refused = await engine.probeSignature(bot.BotId)
  t.equal(refused.Rejected, true)
  t.match(refused.Verdict, /refused a badly signed event \(the function failed/)
  const accepted = await engine.probeSignature(bot.BotId)
  t.equal(accepted.Rejected, false)
  t.match(accepted.Verdict, /does not verify/)
})

t.test('options are validated with a sentence', async t => {
  const state = new EmulatorState()
  const faults = new FaultRegistry()
  t.throws(() => new DeliveryEngine({ state, faults, timeoutMs: 0 }), /deliveryTimeoutMs must be a positive number/)
  t.throws(() => new DeliveryEngine({ state, faults, retryDelaysMs: [-1] }), /retryDelaysMs must be an array/)
  t.throws(() => new DeliveryEngine({ state, faults, retryDelaysMs: 'x' as unknown as number[] }), /retryDelaysMs/)
  t.throws(() => new DeliveryEngine({ state, faults, maxRecords: 1.5 }), /maxRecords must be a positive whole number/)
})
