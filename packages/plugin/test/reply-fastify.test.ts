// The reply side wired into the Fastify plugin: events go in through
// fastify.inject, replies come out over a real socket to a local webhook server.
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import chimeBot, { createChimeBot, unconfiguredReplyChannel, type ChimeBotPluginOptions, type ChimeReplyError } from '../src/index.js'
import { signChimeRequest } from '../src/core/signature.js'
import type { InviteEvent, MentionEvent, RemoveEvent } from '../src/core/types.js'
import { startWebhookServer, type WebhookServer } from './reply-webhook-server.js'

const TOKEN = 'integration-security-token'
const ROOM = 'room-42'
const sender = { SenderId: 'alice@example.com', SenderIdType: 'EmailId' as const }
const discussion = { DiscussionId: ROOM, DiscussionType: 'Room' as const }

async function setup (t: Test, options: Partial<ChimeBotPluginOptions> = {}): Promise<{ app: FastifyInstance, server: WebhookServer }> {
  const server = await startWebhookServer()
  const app = Fastify()
  await app.register(chimeBot, { securityToken: TOKEN, replies: { minIntervalMs: 10, backoffBaseMs: 10 }, ...options })
  t.teardown(async () => {
    await app.close()
    await server.close()
  })
  return { app, server }
}

function invite (server: WebhookServer): InviteEvent {
  return {
    Sender: sender,
    Discussion: discussion,
    EventType: 'Invite',
    InboundHttpsEndpoint: { EndpointType: 'Persistent', Url: server.url('persistent') },
    EventTimestamp: new Date().toISOString()
  }
}

function mention (server: WebhookServer, message: string): MentionEvent {
  return {
    Sender: sender,
    Discussion: discussion,
    EventType: 'Mention',
    Message: message,
    InboundHttpsEndpoint: { EndpointType: 'ShortLived', Url: server.url('short') },
    EventTimestamp: new Date().toISOString()
  }
}

function remove (): RemoveEvent {
  return { Sender: sender, Discussion: discussion, EventType: 'Remove', EventTimestamp: new Date().toISOString() }
}

async function deliver (app: FastifyInstance, event: object): Promise<number> {
  const body = JSON.stringify(event)
  const response = await app.inject({
    method: 'POST',
    url: '/chime',
    headers: { 'content-type': 'application/json', ...signChimeRequest(TOKEN, body) },
    payload: body
  })
  return response.statusCode
}

t.test('a Mention handler\'s ctx.reply reaches the room\'s webhook', async t => {
  const { app, server } = await setup(t)
  app.chime.on('Mention', async (event, ctx) => {
    await ctx.reply(`You said: ${event.Message.replace(/^@\S+\s*/, '')}`)
  })
  t.equal(await deliver(app, mention(server, '@EchoBot hello there')), 200)
  await server.waitFor(1)
  t.same(server.requests.map(r => [r.webhookId, r.token, r.content]), [['short', 'secret-token', 'You said: hello there']])
})

t.test('app.chime.say posts to a room the bot was invited to, until it is removed', async t => {
  const { app, server } = await setup(t)
  t.equal(await deliver(app, invite(server)), 200)
  t.same(await app.chime.say(ROOM, 'Good morning, room'), { messages: 1, attempts: 1, fallback: false })
  t.same(server.to('persistent').map(r => r.content), ['Good morning, room'])
  t.equal(await deliver(app, remove()), 200)
  await t.rejects(app.chime.say(ROOM, 'still here?'), { code: 'FST_CHIME_UNKNOWN_ROOM' })
})

t.test('commands answer through the webhook, and Mention handlers still see every Mention', async t => {
  const { app, server } = await setup(t)
  const seen: string[] = []
  app.chime.on('Mention', event => { seen.push(event.Message) })
  app.chime.command('ping', { description: 'Answers pong.', handler: (_command, _event, ctx) => ctx.reply('pong') })
  t.ok(app.chime.commands?.list().some(c => c.name === 'ping'))
  await deliver(app, mention(server, '@EchoBot ping'))
  await server.waitFor(1)
  await deliver(app, mention(server, '@EchoBot help'))
  await server.waitFor(2)
  const [pong, help] = server.to('short').map(r => r.content)
  t.equal(pong, 'pong')
  t.match(help, /^\/md\n\*\*Commands\*\* Write `@EchoBot <command>`\.\n- `help`.*\n- `ping` — Answers pong\.$/)
  t.same(seen, ['@EchoBot ping', '@EchoBot help'])
})

t.test('app.close() delivers the replies still queued', async t => {
  const server = await startWebhookServer()
  t.teardown(() => server.close())
  const app = Fastify()
  await app.register(chimeBot, { securityToken: TOKEN, replies: { minIntervalMs: 100 } })
  app.chime.on('Mention', (_event, ctx) => {
    // Not awaited: close must still deliver them.
    for (const text of ['one', 'two', 'three']) void ctx.reply(text)
  })
  await deliver(app, mention(server, '@EchoBot count'))
  await app.close()
  t.same(server.to('short').map(r => r.content), ['one', 'two', 'three'])
})

t.test('a failed reply reaches the caller and the onReplyError option, and is logged on the request\'s logger', async t => {
  const server = await startWebhookServer()
  const lines: Array<{ msg?: string, roomId?: string, code?: string }> = []
  const stream = { write (line: string) { lines.push(JSON.parse(line)) } }
  const app = Fastify({ logger: { level: 'error', stream } })
  const failures: string[] = []
  await app.register(chimeBot, { securityToken: TOKEN, replies: { minIntervalMs: 10, onReplyError: (err) => failures.push(err.code) } })
  t.teardown(async () => { await app.close(); await server.close() })
  server.script('short', { status: 403 })
  const caught = new Promise<ChimeReplyError>(resolve => {
    app.chime.on('Mention', async (_event, ctx) => {
      try {
        await ctx.reply('forbidden')
      } catch (error) {
        resolve(error as ChimeReplyError)
      }
    })
  })
  await deliver(app, mention(server, '@EchoBot hi'))
  const error = await caught
  t.equal(error.code, 'FST_CHIME_WEBHOOK_FORBIDDEN')
  t.same(failures, ['FST_CHIME_WEBHOOK_FORBIDDEN'])
  const line = lines.find(l => l.code === 'FST_CHIME_WEBHOOK_FORBIDDEN')
  t.match(line, { roomId: ROOM, msg: /Chime reply failed: .*room-42/ })
  t.notMatch(JSON.stringify(lines), /secret-token/, 'the token is not logged')
})

t.test('a logger in the replies option receives the failures of say', async t => {
  const logged: string[] = []
  const logger = {
    debug () {}, info () {}, warn () {},
    error (_obj: unknown, msg?: string) { logged.push(String(msg)) }
  }
  const { app } = await setup(t, { replies: { logger } })
  await t.rejects(app.chime.say('room-unknown', 'hello?'), { code: 'FST_CHIME_UNKNOWN_ROOM' })
  t.match(logged, [/Chime reply failed: .*room-unknown/])
})

t.test('the replies option is validated, and an explicit channel still wins', async t => {
  await t.rejects(async () => {
    const app = Fastify()
    await app.register(chimeBot, { securityToken: TOKEN, replies: 'fast' as never })
  }, { code: 'FST_CHIME_INVALID_OPTION', message: /`replies` must be an object of reply options/ })
  t.throws(() => createChimeBot({ securityToken: TOKEN, replyChannel: unconfiguredReplyChannel, replies: {} }),
    { code: 'FST_CHIME_INVALID_OPTION', message: /`replies` must be left out when `replyChannel` is given/ })
  t.throws(() => createChimeBot({ securityToken: TOKEN, replies: { maxAttempts: 0 } }), { code: 'FST_CHIME_INVALID_REPLY_OPTION' })
  const bot = createChimeBot({ securityToken: TOKEN, replyChannel: unconfiguredReplyChannel })
  await t.rejects(bot.say(ROOM, 'x'), { code: 'FST_CHIME_REPLIES_NOT_CONFIGURED' })
  await bot.close()
})
