import t, { type Test } from 'tap'
import Fastify from 'fastify'
import fastifyChimeBot from 'fastify-chime-bot'
import { createEmulator, type Activity } from '../src/index.js'

const TOKEN = 'e2e-security-token-0123456789abcdefghij'

async function startPluginBot (t: Test) {
  const app = Fastify()
  await app.register(fastifyChimeBot, { securityToken: TOKEN, replies: { backoffBaseMs: 20, backoffMaxMs: 50 } })
  const seen: string[] = []
  app.chime.on('*', async (event) => { seen.push(event.EventType) })
  app.chime.on('Mention', async (event, ctx) => {
    await ctx.reply(`you said: ${event.Message.replace(/^@\S+\s*/, '')}`)
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const address = app.server.address() as { port: number }
  return { app, seen, url: `http://127.0.0.1:${address.port}/chime` }
}

/** An emulator and a real fastify-chime-bot bot, the bot created in the emulator with the bot's endpoint (handshake included). */
async function startEmulatorAndBot (t: Test, options: Parameters<typeof createEmulator>[0] = {}) {
  const emu = await createEmulator(options)
  t.teardown(() => emu.close())
  const bot = await startPluginBot(t)
  const echo = await emu.createBot({ displayName: 'EchoBot', endpoint: bot.url, securityToken: TOKEN })
  return { emu, bot, echo }
}

t.test('a fastify-chime-bot bot passes the handshake, gets Invite and Mention, and its reply lands in the transcript', async t => {
  const { emu, bot, echo } = await startEmulatorAndBot(t)
  const room = await emu.createRoom('e2e')
  await room.add(echo)
  await room.mention(echo, 'hello plugin', { sender: 'alice@example.com' })
  const reply = await room.expectReply(/hello plugin/, { from: echo })
  t.equal(reply.Content, 'you said: hello plugin')
  t.equal(reply.Sender, echo.BotEmail)
  await emu.idle()
  t.same(emu.deliveries().map(d => [d.EventType, d.Outcome, d.Attempts.length]), [['Invite', 'Delivered', 1], ['Mention', 'Delivered', 1]])
  while (bot.seen.length < 2) await new Promise(resolve => setTimeout(resolve, 5)) // '*' handlers run after the Mention handler
  t.same(bot.seen, ['Invite', 'Mention'])
  t.same(emu.messages(room.RoomId).map(m => [m.SenderType, m.Sender]), [['User', 'alice@example.com'], ['Bot', echo.BotEmail]])
})

t.test('the plugin retries a webhook 503 and the reply still lands; the refusals are on the activity stream', async t => {
  const { emu, bot, echo } = await startEmulatorAndBot(t)
  const room = await emu.createRoom('e2e')
  await room.add(echo)
  const refusals: Activity[] = []
  emu.activity.subscribe(a => { if (a.Type === 'webhook.rejected') refusals.push(a) })
  emu.faults.webhook({ status: 503, times: 2, roomId: room.RoomId })
  await room.mention(echo, 'despite faults')
  const reply = await room.expectReply('despite faults', { timeoutMs: 8000 })
  t.equal(reply.Content, 'you said: despite faults')
  t.equal(refusals.length, 2)
  t.match(refusals[0]!.Data, { Status: 503, RoomId: room.RoomId })
})

t.test('the plugin refuses the signature probe with 401', async t => {
  const { emu, bot, echo } = await startEmulatorAndBot(t)
  const probe = await emu.faults.probeSignature(echo.BotId)
  t.equal(probe.Rejected, true)
  t.equal(probe.Status, 401)
  t.same(bot.seen, [], 'no handler ran for the forged event')
})

t.test('a timed-out delivery is retried and the plugin drops the duplicate', async t => {
  const { emu, bot, echo } = await startEmulatorAndBot(t, { retryDelaysMs: [10, 10] })
  const room = await emu.createRoom('e2e')
  await room.add(echo)
  emu.faults.delivery({ botId: echo.BotId, status: 'timeout' })
  await room.mention(echo, 'once only')
  await room.expectReply('once only')
  await emu.idle()
  const mention = emu.deliveries({ eventType: 'Mention' })[0]!
  t.equal(mention.Attempts.length, 2, 'the bot got the event twice')
  t.equal(mention.Outcome, 'Delivered')
  await new Promise(resolve => setTimeout(resolve, 100))
  t.equal(emu.messages(room.RoomId).filter(m => m.SenderType === 'Bot').length, 1, 'but answered once')
})
