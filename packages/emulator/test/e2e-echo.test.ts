import t from 'tap'
import { createEmulator } from '../src/index.js'
import { startEchoBot } from './helpers/echo-bot.js'

t.test('a node:http bot is invited, mentioned, and its echo lands in the transcript', async t => {
  const emu = await createEmulator()
  t.teardown(() => emu.close())
  const echo = await startEchoBot()
  t.teardown(() => echo.close())
  const bot = await emu.createBot({ displayName: 'EchoBot', endpoint: echo.url })
  echo.setToken(bot.SecurityToken)
  const room = await emu.createRoom('general')
  await room.add(bot)
  await room.mention(bot, 'hello there')
  const reply = await room.expectReply(/hello there/)
  t.equal(reply.Content, 'echo: hello there')
  t.equal(reply.SenderType, 'Bot')
  t.equal(reply.Sender, bot.BotEmail)
  await emu.idle()
  emu.assertNoPendingDeliveries()
  t.same(emu.deliveries().map(d => [d.EventType, d.Outcome]), [['Invite', 'Delivered'], ['Mention', 'Delivered']])
  t.same(echo.events.map(e => e.EventType), ['Invite', 'Mention'])
  t.same(echo.events[0]!.Sender, { SenderId: 'admin@example.com', SenderIdType: 'EmailId' })
  t.match(echo.events[0]!.InboundHttpsEndpoint, { EndpointType: 'Persistent', Url: new RegExp(`^${emu.url}/incomingwebhooks/[0-9a-f-]+\\?token=`) })
  t.match(echo.events[1]!, { EventType: 'Mention', Message: '@EchoBot hello there', Sender: { SenderId: 'user@example.com' }, InboundHttpsEndpoint: { EndpointType: 'ShortLived' } })
  t.same(emu.messages(room.RoomId).map(m => m.SenderType), ['User', 'Bot'])
})
