// The Lambda adapter and replies: Lambda freezes the process as soon as the
// function returns, so a reply a handler did not await must have reached the
// room's webhook by then. A real local webhook server on 127.0.0.1 stands in
// for Chime's incoming webhook and records what arrives.
import t, { type Test } from 'tap'
import {
  createLambdaHandler, DEFAULT_REPLY_FLUSH_TIMEOUT_MS, REPLY_FLUSH_MARGIN_MS, type LambdaProxyResult
} from '../src/adapters/lambda.js'
import { createChimeBot } from '../src/core/bot.js'
import { unconfiguredReplyChannel } from '../src/core/context.js'
import type { ChimeBotOptions } from '../src/options.js'
import { chimeClientContext, LAMBDA_REQUEST_ID, lambdaContext, mention, recordingLogger, referenceSignature, TOKEN } from './chime-fixtures.js'
import { startWebhookServer, type WebhookServer } from './reply-webhook-server.js'

/** A Mention whose ShortLived webhook is on the local server (and fresh: it expires 2 minutes after EventTimestamp). */
function mentionTo (server: WebhookServer, webhookId: string, text = '@EchoBot hi') {
  return mention(text, {
    EventTimestamp: new Date().toISOString(),
    InboundHttpsEndpoint: { EndpointType: 'ShortLived', Url: server.url(webhookId) }
  })
}

async function setup (t: Test, options: Partial<ChimeBotOptions> = {}) {
  const server = await startWebhookServer()
  const log = recordingLogger()
  const bot = createChimeBot({ securityToken: TOKEN, logger: log, closeTimeoutMs: 200, ...options })
  // Close the bot first (it gives up on what is still queued), then the server.
  t.teardown(async () => {
    await bot.close()
    await server.close()
  })
  // The handler under test: two replies, neither awaited. The second waits in the
  // webhook's queue for the pacing interval after the first was answered.
  bot.on('Mention', (_event, ctx) => {
    void ctx.reply('first')
    void ctx.reply('second')
  })
  return { server, log, bot }
}

t.test('direct invocation: replies a handler did not await have arrived when the function returns', async t => {
  const { server, log, bot } = await setup(t)
  const handler = createLambdaHandler(bot)
  const event = mentionTo(server, 'room-hook')

  const result = await handler(event, lambdaContext(chimeClientContext(event)))

  t.same(result, { ok: true })
  t.same(server.requests.map(r => r.content), ['first', 'second'], 'both messages reached the webhook, in order, before Lambda could freeze')
  t.same(server.requests.map(r => r.webhookId), ['room-hook', 'room-hook'])
  t.equal(log.find('warn', /still queued when the Lambda function returned/), undefined, 'nothing was left behind')
})

t.test('proxy event (function URL): replies a handler did not await have arrived when the function returns', async t => {
  const { server, bot } = await setup(t, { replies: { minIntervalMs: 200 } })
  const handler = createLambdaHandler(bot)
  const body = JSON.stringify(mentionTo(server, 'url-hook'))
  const timestamp = new Date().toISOString()
  const event = {
    version: '2.0',
    rawPath: '/chime',
    headers: { 'content-type': 'application/json', 'chime-request-timestamp': timestamp, 'chime-signature': referenceSignature(TOKEN, timestamp, body) },
    requestContext: { http: { method: 'POST', path: '/chime' } },
    body,
    isBase64Encoded: false
  }

  // A local runner may hand a context without getRemainingTimeInMillis: replyFlushTimeoutMs alone bounds the wait.
  const result = await handler(event, { awsRequestId: 'local-1' }) as LambdaProxyResult

  t.equal(result.statusCode, 200)
  t.same(server.requests.map(r => r.content), ['first', 'second'])
})

t.test('the wait is capped by replyFlushTimeoutMs; what is still queued is logged with its count', async t => {
  const { server, log, bot } = await setup(t)
  // The webhook never answers the first message: nothing can finish within the wait.
  server.script('stuck-hook', { hang: true })
  const handler = createLambdaHandler(bot, { replyFlushTimeoutMs: 30 })
  const event = mentionTo(server, 'stuck-hook')

  t.same(await handler(event, lambdaContext(chimeClientContext(event))), { ok: true }, 'the event was handled: the invocation still succeeds')

  const warning = log.find('warn', /^2 Chime reply message\(s\) were still queued when the Lambda function returned \(after waiting 30 ms\)/)
  t.match(warning?.obj, { requestId: LAMBDA_REQUEST_ID, unsent: 2, waitedMs: 30 })
  t.match(warning?.msg, /lost otherwise\. Await ctx\.reply\(\) in the handler, or raise replyFlushTimeoutMs/)
})

t.test('the wait never runs past the invocation\'s remaining time, less a safety margin', async t => {
  const { server, log, bot } = await setup(t)
  server.script('stuck-hook', { hang: true })
  const handler = createLambdaHandler(bot)
  t.ok(DEFAULT_REPLY_FLUSH_TIMEOUT_MS > 30, 'the default alone would wait longer')

  const event = mentionTo(server, 'stuck-hook', '@EchoBot one')
  await handler(event, lambdaContext(chimeClientContext(event), REPLY_FLUSH_MARGIN_MS + 30))
  t.match(log.find('warn', /still queued/)?.obj, { unsent: 2, waitedMs: 30 })

  const late = mentionTo(server, 'stuck-hook', '@EchoBot two')
  await handler(late, lambdaContext(chimeClientContext(late), REPLY_FLUSH_MARGIN_MS - 100))
  t.match(log.lines.filter(l => l.level === 'warn' && /still queued/.test(l.msg ?? '')).at(-1)?.obj, { unsent: 4, waitedMs: 0 },
    'less time left than the margin: no wait at all')
})

t.test('a reply channel without flush() is not waited for, and a failing flush() is logged, not thrown', async t => {
  const event = mention('@EchoBot hi', { EventTimestamp: new Date().toISOString() })

  const quiet = createLambdaHandler({ securityToken: TOKEN, logger: recordingLogger(), replyChannel: unconfiguredReplyChannel })
  t.teardown(() => quiet.bot.close())
  t.same(await quiet(event, lambdaContext(chimeClientContext(event))), { ok: true })

  const log = recordingLogger()
  const failing = createLambdaHandler({
    securityToken: TOKEN,
    logger: log,
    replyChannel: { ...unconfiguredReplyChannel, flush: async () => { throw new Error('flush broke') } }
  })
  t.teardown(() => failing.bot.close())
  t.same(await failing(event, lambdaContext(chimeClientContext(event))), { ok: true })
  const line = log.find('error', /Waiting for the queued Chime replies failed/)
  t.match(line?.obj, { err: { message: 'flush broke' }, requestId: LAMBDA_REQUEST_ID })
})

t.test('replyFlushTimeoutMs is validated, from the options object or the second argument', async t => {
  const bot = createChimeBot({ securityToken: TOKEN, replyChannel: unconfiguredReplyChannel })
  t.teardown(() => bot.close())
  for (const bad of [-1, Infinity, NaN, '3s', null]) {
    t.throws(() => createLambdaHandler(bot, { replyFlushTimeoutMs: bad as number }), {
      code: 'FST_CHIME_INVALID_OPTION',
      message: /`replyFlushTimeoutMs` must be a number of milliseconds ≥ 0; got/
    })
  }
  t.throws(() => createLambdaHandler({ securityToken: TOKEN, replyChannel: unconfiguredReplyChannel, replyFlushTimeoutMs: -5 }), {
    code: 'FST_CHIME_INVALID_OPTION',
    message: /`replyFlushTimeoutMs`.*got number -5/
  })
  const ok = createLambdaHandler({ securityToken: TOKEN, replyChannel: unconfiguredReplyChannel, replyFlushTimeoutMs: 0 })
  t.teardown(() => ok.bot.close())
  t.equal(typeof ok, 'function')
})
