import t, { type Test } from 'tap'
import { createReplyChannel, SHORT_LIVED_TTL_MS, type ReplyChannelOptions } from '../src/core/reply/channel.js'
import type { ChimeReplyError, ReplyErrorInfo } from '../src/core/reply/failure.js'
import type { ChimeLogger, InviteEvent, MentionEvent, RemoveEvent, UnknownChimeEvent } from '../src/core/types.js'
import { rejection, startWebhookServer, type WebhookServer } from './reply-webhook-server.js'

interface LogLine { level: string, obj: unknown, msg: string | undefined }

function recordingLogger (): ChimeLogger & { lines: LogLine[] } {
  const lines: LogLine[] = []
  const at = (level: string) => (obj: unknown, msg?: string) => { lines.push({ level, obj, msg }) }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

async function setup (t: Test, options: ReplyChannelOptions = {}) {
  const server = await startWebhookServer()
  const failures: Array<[ChimeReplyError, ReplyErrorInfo]> = []
  const logger = recordingLogger()
  const channel = createReplyChannel({
    minIntervalMs: 10,
    backoffBaseMs: 10,
    logger,
    onReplyError: (err, info) => failures.push([err, info]),
    ...options
  })
  t.teardown(async () => {
    await channel.close(0)
    await server.close()
  })
  const sender = { SenderId: 'user@example.com', SenderIdType: 'EmailId' as const }
  const discussion = (room: string) => ({ DiscussionId: room, DiscussionType: 'Room' as const })
  const invite = (room: string, webhookId = `persistent-${room}`): InviteEvent => ({
    Sender: sender,
    Discussion: discussion(room),
    EventType: 'Invite',
    InboundHttpsEndpoint: { EndpointType: 'Persistent', Url: server.url(webhookId) },
    EventTimestamp: new Date().toISOString()
  })
  const mention = (room: string, message: string, at = new Date()): MentionEvent => ({
    Sender: sender,
    Discussion: discussion(room),
    EventType: 'Mention',
    Message: message,
    InboundHttpsEndpoint: { EndpointType: 'ShortLived', Url: server.url(`short-${room}`) },
    EventTimestamp: at.toISOString()
  })
  const remove = (room: string): RemoveEvent => ({
    Sender: sender, Discussion: discussion(room), EventType: 'Remove', EventTimestamp: new Date().toISOString()
  })
  return { server, channel, failures, logger, invite, mention, remove }
}

function contents (server: WebhookServer, webhookId: string): string[] {
  return server.to(webhookId).map(r => r.content)
}

t.test('ctx.reply posts to the event\'s own webhook, and .markdown adds the /md prefix', async t => {
  const { server, channel, invite, mention } = await setup(t)
  const log = recordingLogger()
  const hello = invite('room-1')
  t.same(await channel.replyFor(hello, log)('Thanks for inviting me'), { messages: 1, attempts: 1, fallback: false })
  const reply = channel.replyFor(mention('room-1', '@Bot hi'), log)
  await reply('hi yourself')
  await reply.markdown('**bold**')
  t.same(contents(server, 'persistent-room-1'), ['Thanks for inviting me'])
  t.same(contents(server, 'short-room-1'), ['hi yourself', '/md\n**bold**'])
  t.same(log.lines, [], 'nothing to log when all went well')
})

t.test('the room\'s Persistent webhook is remembered on Invite, used by say, and forgotten on Remove', async t => {
  const { server, channel, failures, logger, invite, remove } = await setup(t)
  channel.observe(invite('room-1'))
  t.equal(channel.webhookFor('room-1'), server.url('persistent-room-1'))
  await channel.say('room-1', 'proactive hello')
  await channel.say('room-1', '| a |', { markdown: true })
  t.same(contents(server, 'persistent-room-1'), ['proactive hello', '/md\n| a |'])
  channel.observe(remove('room-1'))
  t.equal(channel.webhookFor('room-1'), undefined)
  const error = await rejection(channel.say('room-1', 'anyone?'))
  t.equal(error.code, 'FST_CHIME_UNKNOWN_ROOM')
  t.match(error.message, /room room-1.*Invite event/)
  t.equal(error.roomId, 'room-1')
  t.equal(failures.length, 1)
  t.equal(failures[0]?.[1].code, 'FST_CHIME_UNKNOWN_ROOM')
  t.equal(logger.lines.length, 1)
  t.match(logger.lines[0], { level: 'error', obj: { roomId: 'room-1', code: 'FST_CHIME_UNKNOWN_ROOM' }, msg: /Chime reply failed: .*room-1/ })
})

t.test('a Mention\'s ShortLived URL is not remembered, and events without a room are ignored', async t => {
  const { channel, mention } = await setup(t)
  channel.observe(mention('room-2', '@Bot hi'))
  t.equal(channel.webhookFor('room-2'), undefined)
  channel.observe({ EventType: 'Invite' } as UnknownChimeEvent)
  channel.observe({ EventType: 'Invite', Discussion: { DiscussionId: 'room-3' } } as UnknownChimeEvent)
  t.equal(channel.webhookFor('room-3'), undefined, 'no endpoint, nothing remembered')
})

t.test('Remove and unknown events have no webhook: reply rejects and says why', async t => {
  const { channel, failures, remove } = await setup(t)
  const log = recordingLogger()
  const removed = await rejection(channel.replyFor(remove('room-1'), log)('bye'))
  t.equal(removed.code, 'FST_CHIME_NO_WEBHOOK')
  t.match(removed.message, /A Remove event carries no webhook URL/)
  t.equal(removed.roomId, 'room-1')
  const unknown = await rejection(channel.replyFor({ EventType: 'Reaction', InboundHttpsEndpoint: { Url: 'https://x/y' } }, log).markdown('?'))
  t.equal(unknown.code, 'FST_CHIME_NO_WEBHOOK')
  t.match(unknown.message, /A Reaction event/)
  t.equal(failures.length, 2)
  t.same(log.lines.map(l => l.level), ['error', 'error'], 'logged on the event\'s logger')
})

t.test('a late Mention reply uses the room\'s Persistent webhook when known, and fails fast otherwise', async t => {
  const { server, channel, failures, invite, mention } = await setup(t)
  const log = recordingLogger()
  const old = new Date(Date.now() - SHORT_LIVED_TTL_MS - 1000)
  const error = await rejection(channel.replyFor(mention('room-1', '@Bot slow job', old), log)('done at last'))
  t.equal(error.code, 'FST_CHIME_WEBHOOK_EXPIRED')
  t.match(error.message, /room room-1 \(webhook short-room-1\).*2 minutes/)
  t.equal(server.requests.length, 0, 'no request was made')
  t.equal(failures.length, 1)
  channel.observe(invite('room-1'))
  const receipt = await channel.replyFor(mention('room-1', '@Bot slow job', old), log)('done at last')
  t.same(receipt, { messages: 1, attempts: 1, fallback: true })
  t.same(contents(server, 'persistent-room-1'), ['done at last'])
  await new Promise(resolve => setImmediate(resolve))
  t.match(log.lines.at(-1), { level: 'info', obj: { roomId: 'room-1' }, msg: /ShortLived webhook had expired/ })
})

t.test('a Mention without a readable timestamp or room is replied to without expiry', async t => {
  const { server, channel, mention } = await setup(t)
  const event = { ...mention('room-1', '@Bot hi'), EventTimestamp: 'whenever' }
  await channel.replyFor(event, recordingLogger())('ok')
  const roomless = { EventType: 'Mention', InboundHttpsEndpoint: { EndpointType: 'ShortLived', Url: server.url('short-x') } }
  await channel.replyFor(roomless, recordingLogger())('ok too')
  t.same(server.requests.map(r => r.content), ['ok', 'ok too'])
})

t.test('a reply nobody awaits still reaches the log and the hook, without an unhandled rejection', async t => {
  const { server, channel, failures, mention } = await setup(t)
  server.script('short-room-1', { status: 403 })
  const log = recordingLogger()
  const reported = new Promise<void>(resolve => {
    const original = log.error
    log.error = (obj, msg) => { original(obj, msg); resolve() }
  })
  void channel.replyFor(mention('room-1', '@Bot hi'), log)('fire and forget')
  await reported
  t.equal(failures[0]?.[1].code, 'FST_CHIME_WEBHOOK_FORBIDDEN')
  t.match(log.lines[0], { obj: { roomId: 'room-1', webhookId: 'short-room-1', status: 403 } })
  t.notMatch(JSON.stringify(log.lines), /secret-token/, 'the token is never logged')
})

t.test('a throwing onReplyError is logged and the caller still gets the reply error', async t => {
  const { channel } = await setup(t, { onReplyError: () => { throw new Error('hook bug') } })
  const error = await rejection(channel.say('nowhere', 'x'))
  t.equal(error.code, 'FST_CHIME_UNKNOWN_ROOM')
  await new Promise(resolve => setImmediate(resolve))
})

t.test('the rooms option seeds known webhooks; remember and forget manage them', async t => {
  const server = await startWebhookServer()
  t.teardown(() => server.close())
  const fromObject = createReplyChannel({ rooms: { 'room-a': server.url('pa') }, minIntervalMs: 0 })
  const fromMap = createReplyChannel({ rooms: new Map([['room-b', server.url('pb')]]), minIntervalMs: 0 })
  t.teardown(async () => { await fromObject.close(); await fromMap.close() })
  await fromObject.say('room-a', 'a')
  await fromMap.say('room-b', 'b')
  t.same(server.requests.map(r => r.content), ['a', 'b'])
  fromMap.remember('room-c', server.url('pc'))
  fromMap.forget('room-b')
  t.equal(fromMap.webhookFor('room-b'), undefined)
  t.equal(fromMap.webhookFor('room-c'), server.url('pc'))
  t.throws(() => fromMap.remember('', 'x'), { code: 'FST_CHIME_INVALID_REPLY_OPTION', message: /got an empty string → a string of 1 characters/ })
})

t.test('channel options are validated', async t => {
  const bad: Array<[unknown, RegExp]> = [
    [{ onReplyError: 'no' }, /`onReplyError` must be a function/],
    [{ logger: {} }, /`logger` must be a logger/],
    [{ rooms: 'room-1' }, /`rooms` must be an object or iterable/],
    [{ rooms: { r: 42 } }, /`rooms` must be room ids and webhook URLs/],
    [{ maxAttempts: 0 }, /`maxAttempts`/]
  ]
  for (const [options, message] of bad) {
    t.throws(() => createReplyChannel(options as ReplyChannelOptions), { code: 'FST_CHIME_INVALID_REPLY_OPTION', message })
  }
})

t.test('flush waits for queued replies without closing the channel', async t => {
  const { server, channel, invite } = await setup(t, { minIntervalMs: 40 })
  channel.observe(invite('room-1'))
  void channel.say('room-1', 'one')
  void channel.say('room-1', 'two')
  t.equal(await channel.flush(5000), 0)
  t.same(contents(server, 'persistent-room-1'), ['one', 'two'])
  await channel.say('room-1', 'still open')
  t.equal(server.requests.length, 3)
})

t.test('close drains queued replies', async t => {
  const { server, channel, invite } = await setup(t, { minIntervalMs: 40 })
  channel.observe(invite('room-1'))
  const sends = [channel.say('room-1', 'one'), channel.say('room-1', 'two')]
  t.equal(channel.pending, 2)
  await channel.close(5000)
  await Promise.all(sends)
  t.same(contents(server, 'persistent-room-1'), ['one', 'two'])
})

t.test('close reports what could not be delivered in time', async t => {
  const { server, channel, failures, logger, invite } = await setup(t)
  channel.observe(invite('room-1'))
  server.script('persistent-room-1', { hang: true })
  const stuck = rejection(channel.say('room-1', 'stuck'))
  await server.waitFor(1)
  await channel.close(50)
  t.equal((await stuck).code, 'FST_CHIME_REPLY_UNDELIVERED')
  t.equal(failures.length, 1)
  t.match(logger.lines.find(l => l.level === 'debug'), { obj: { pending: 1 }, msg: /Closing/ })
  t.match(logger.lines.find(l => l.level === 'warn'), { obj: { undelivered: 1 }, msg: /1 Chime reply message\(s\) were not delivered/ })
})

t.test('without a logger, failures go to console.error', async t => {
  const printed: unknown[][] = []
  const original = console.error
  console.error = (...args: unknown[]) => { printed.push(args) }
  t.teardown(() => { console.error = original })
  const server = await startWebhookServer()
  t.teardown(() => server.close())
  const channel = createReplyChannel({ rooms: { 'room-y': server.url('py') } })
  await rejection(channel.say('room-x', 'hello'))
  t.match(String(printed[0]?.[0]), /Chime reply failed: .*room-x/)
  // A fallback is only worth an info line, which the default logger keeps quiet.
  const old = new Date(Date.now() - SHORT_LIVED_TTL_MS - 1000).toISOString()
  await channel.replyFor({
    EventType: 'Mention', Discussion: { DiscussionId: 'room-y' }, EventTimestamp: old,
    InboundHttpsEndpoint: { EndpointType: 'ShortLived', Url: server.url('sy') }
  }, recordingLogger())('late')
  t.equal(printed.length, 1)
  server.script('py', { hang: true })
  const stuck = rejection(channel.say('room-y', 'stuck'))
  await server.waitFor(2)
  await channel.close(20)
  await stuck
  t.match(printed.map(args => String(args[0])), [/Chime reply failed/, /Chime reply failed: .*not delivered/, /1 Chime reply message\(s\) were not delivered/])
})
