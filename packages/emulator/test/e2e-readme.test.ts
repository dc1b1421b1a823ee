// The end-to-end example of the README ("Writing end-to-end tests"), kept runnable here.
import t from 'tap'
import Fastify from 'fastify'
import fastifyChimeBot from 'fastify-chime-bot'
import { createEmulator } from '../src/index.js'

const TOKEN = 'test-token-0123456789abcdefghijklmn'

t.test('the bot echoes a mention', async t => {
  const emu = await createEmulator({ deliveryTimeoutMs: 500, retryDelaysMs: [20, 40] })
  t.teardown(() => emu.close())

  const app = Fastify()
  await app.register(fastifyChimeBot, { securityToken: TOKEN })
  app.chime.on('Mention', async (event, ctx) => { await ctx.reply(`echo: ${event.Message}`) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const { port } = app.server.address() as { port: number }

  // Like CreateBot + PutEventsConfiguration: the endpoint must answer the challenge.
  const bot = await emu.createBot({ displayName: 'EchoBot', endpoint: `http://127.0.0.1:${port}/chime`, securityToken: TOKEN })
  const room = await emu.createRoom('test')
  await room.add(bot) // Invite
  await room.mention(bot, 'hello') // "@EchoBot hello" from user@example.com → Mention
  const reply = await room.expectReply(/hello/, { timeoutMs: 2000 })
  t.equal(reply.Content, 'echo: @EchoBot hello')

  await emu.idle()
  emu.assertNoPendingDeliveries()
  t.same(emu.deliveries().map(d => d.Outcome), ['Delivered', 'Delivered'])
})
