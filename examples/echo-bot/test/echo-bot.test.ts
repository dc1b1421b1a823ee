// End-to-end test of the echo bot against a local Amazon Chime (chime-emulator).
// Real sockets all the way: the emulator verifies the bot's endpoint with Chime's
// challenge, sends it signed events, and the bot replies through the room's webhook.
// Copy this file to test your own bot.
import t, { type Test } from 'tap'
import type { AddressInfo } from 'node:net'
import { createEmulator } from 'chime-emulator'
import { buildEchoBot, helpText, welcomeText } from '../src/bot.js'

// Any string works as a token in tests; the emulator signs with whatever the bot was created with.
const securityToken = 'echo-bot-test-token'

async function startChimeAndBot (t: Test) {
  const emu = await createEmulator()
  t.teardown(() => emu.close())

  const app = await buildEchoBot({ securityToken })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/chime`

  // CreateBot + PutEventsConfiguration in one call: the emulator sends the bot
  // the verification challenge first, so this fails if the bot does not echo it.
  const bot = await emu.createBot({ displayName: 'EchoBot', endpoint, securityToken })
  const room = await emu.createRoom('general')
  // Replies starting with "/md" and a newline are shown as markdown by Chime.
  const welcome = `/md\n${welcomeText(app.chime)}`
  const help = `/md\n${helpText(app.chime)}`
  return { emu, bot, room, welcome, help }
}

t.test('the echo bot introduces itself, echoes a mention and leaves quietly', async t => {
  const { emu, bot, room, welcome } = await startChimeAndBot(t)

  await room.add(bot) // → Invite
  t.equal((await room.expectReply()).Content, welcome, 'says hello with its commands when added')

  await room.mention(bot, 'hello') // posts "@EchoBot hello" as a user → Mention
  t.equal((await room.expectReply()).Content, 'hello', 'replies with the text after its name')

  await room.remove(bot) // → Remove
  await emu.idle()
  t.same(emu.deliveries().map(d => [d.EventType, d.Outcome]), [
    ['Invite', 'Delivered'],
    ['Mention', 'Delivered'],
    ['Remove', 'Delivered']
  ], 'every event reached the bot, signed and acknowledged')
})

t.test('the echo bot answers its commands: help, an empty mention, echo', async t => {
  const { bot, room, help } = await startChimeAndBot(t)
  await room.add(bot)
  await room.expectReply()

  await room.mention(bot, 'help')
  t.equal((await room.expectReply()).Content, help, 'help lists the commands')
  t.match(help, /- `echo` — Repeats the text after it\.\n- `help` — .*\n- anything else — Repeated as written\.$/)

  await room.post('@EchoBot')
  t.equal((await room.expectReply()).Content, help, 'a bare mention gets the help too')

  await room.mention(bot, 'echo  two  spaces')
  t.equal((await room.expectReply()).Content, 'two  spaces', 'echo repeats its text')

  await room.mention(bot, 'echo')
  t.equal((await room.expectReply()).Content, 'Nothing to repeat.')

  await room.post('@EchoBot (Bot) Hello, World')
  t.equal((await room.expectReply()).Content, 'Hello, World', 'the name as Chime shows it, "EchoBot (Bot)", is stripped too')
})
