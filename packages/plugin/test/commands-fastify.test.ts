// Commands registered on the bot (app.chime.command), end to end through the
// Fastify route: signed Mentions in with fastify.inject, replies out over a real
// socket to a local webhook server. Covers the '*' fallback and the botNames option.
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import chimeBot, { type ChimeBotPluginOptions } from '../src/index.js'
import { signChimeRequest } from '../src/core/signature.js'
import type { MentionEvent } from '../src/core/types.js'
import { startWebhookServer, type WebhookServer } from './reply-webhook-server.js'

const TOKEN = 'commands-security-token'

async function setup (t: Test, options: Partial<ChimeBotPluginOptions> = {}): Promise<{ app: FastifyInstance, server: WebhookServer }> {
  const server = await startWebhookServer()
  const app = Fastify()
  await app.register(chimeBot, { securityToken: TOKEN, replies: { minIntervalMs: 10 }, ...options })
  t.teardown(async () => {
    await app.close()
    await server.close()
  })
  return { app, server }
}

function mention (server: WebhookServer, message: string): MentionEvent {
  return {
    Sender: { SenderId: 'alice@example.com', SenderIdType: 'EmailId' },
    Discussion: { DiscussionId: 'room-7', DiscussionType: 'Room' },
    EventType: 'Mention',
    Message: message,
    InboundHttpsEndpoint: { EndpointType: 'ShortLived', Url: server.url('short') },
    EventTimestamp: new Date().toISOString()
  }
}

/** Delivers a signed Mention and waits for the reply it causes. */
async function ask (app: FastifyInstance, server: WebhookServer, message: string): Promise<string | undefined> {
  const before = server.requests.length
  const body = JSON.stringify(mention(server, message))
  const response = await app.inject({
    method: 'POST', url: '/chime', headers: { 'content-type': 'application/json', ...signChimeRequest(TOKEN, body) }, payload: body
  })
  if (response.statusCode !== 200) throw new Error(`the route answered ${response.statusCode}`)
  await server.waitFor(before + 1)
  return server.requests[before]?.content
}

t.test('app.chime.command(\'*\') answers text that is not a command; help and a bare mention still get the help', async t => {
  const { app, server } = await setup(t)
  app.chime.command('echo', { description: 'Repeats the text after it.', handler: (command, _event, ctx) => ctx.reply(command.text) })
  app.chime.command('*', { description: 'Repeated as written.', handler: (command, _event, ctx) => ctx.reply(command.input) })

  t.equal(await ask(app, server, '@EchoBot Hello World'), 'Hello World', 'not a command: the fallback gets the text after the mention')
  t.equal(await ask(app, server, '@EchoBot echo one two'), 'one two', 'a command runs as before')
  const help = `/md\n${app.chime.commands?.helpText('@EchoBot')}`
  t.match(help, /- `echo` — Repeats the text after it\.\n- `help`.*\n- anything else — Repeated as written\.$/)
  t.equal(await ask(app, server, '@EchoBot help'), help)
  t.equal(await ask(app, server, '@EchoBot'), help, 'a mention without text')
})

t.test('botNames: a display name with spaces, and Chime\'s " (Bot)" suffix, are stripped before the command', async t => {
  const { app, server } = await setup(t, { botNames: ['Echo Bot', 'echo-bot-chimebot@example.com'] })
  app.chime.command('status', (_command, _event, ctx) => ctx.reply('all good'))
  app.chime.command('*', (command, _event, ctx) => ctx.reply(`echo: ${command.input}`))

  t.equal(await ask(app, server, '@Echo Bot status'), 'all good')
  t.equal(await ask(app, server, '@Echo Bot (Bot) status'), 'all good')
  t.equal(await ask(app, server, '@echo-bot-chimebot@example.com: status'), 'all good')
  t.equal(await ask(app, server, '@Echo Bot Bot, are you there?'), 'echo: Bot, are you there?')
  t.equal(app.chime.commands?.parse('@Echo Bot status').mention, '@Echo Bot', 'the router uses the bot\'s names')
})

t.test('a bad botNames option fails registration with a sentence naming it', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(chimeBot, { securityToken: TOKEN, botNames: 'Echo Bot' as unknown as string[] }) }, {
    code: 'FST_CHIME_INVALID_OPTION',
    message: /`botNames` must be an array of the names the bot is mentioned by.*; got the string "Echo Bot"/
  })
})
