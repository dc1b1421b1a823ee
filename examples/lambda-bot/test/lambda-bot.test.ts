// End-to-end test of the echo bot as a Lambda function, through the emulator's
// Lambda path: the emulator checks the function (AddPermission + DryRun), then
// invokes it with each event and the signature in the client context, as
// Chime does. No AWS tooling needed: the ARN is mapped to the handler in-process.
import t, { type Test } from 'tap'
import { createEmulator } from 'chime-emulator'
import { createChimeBot, type ChimeLambdaHandler } from 'fastify-chime-bot'
import { addEchoCommands, createEchoHandler, helpText, readToken, welcomeText } from '../src/bot.js'

const securityToken = 'lambda-bot-test-token'
const arn = 'arn:aws:lambda:us-east-1:123456789012:function:echo-bot'

async function startChimeWithLambda (t: Test, handler: ChimeLambdaHandler) {
  t.teardown(() => handler.bot.close())
  // The emulator calls the handler as the Node.js Lambda runtime would: (event, context).
  const emu = await createEmulator({ lambdaHandlers: { [arn]: (event, context) => handler(event, { ...context }) } })
  t.teardown(() => emu.close())
  // CreateBot + PutEventsConfiguration with a Lambda ARN.
  const bot = await emu.createBot({ displayName: 'EchoBot', lambdaArn: arn, securityToken })
  const room = await emu.createRoom('general')
  return { emu, bot, room }
}

t.test('the Lambda echo bot introduces itself, echoes a mention and leaves', async t => {
  const handler = createEchoHandler(securityToken)
  const { emu, bot, room } = await startChimeWithLambda(t, handler)

  await room.add(bot)
  t.equal((await room.expectReply()).Content, `/md\n${welcomeText(handler.bot)}`)

  await room.mention(bot, 'Hello from a room')
  t.equal((await room.expectReply()).Content, 'Hello from a room')

  await room.mention(bot, 'help')
  t.equal((await room.expectReply()).Content, `/md\n${helpText(handler.bot)}`)
  t.match(helpText(handler.bot), /^\*\*Commands\*\* Write `@EchoBot <command>`\.\n- `echo` — .*\n- `help` — .*\n- anything else — Repeated as written\.$/)

  await room.remove(bot)
  await emu.idle()
  t.same(emu.deliveries().map(d => [d.EventType, d.TargetType, d.Outcome]), [
    ['Invite', 'Lambda', 'Delivered'],
    ['Mention', 'Lambda', 'Delivered'],
    ['Mention', 'Lambda', 'Delivered'],
    ['Remove', 'Lambda', 'Delivered']
  ])
})

t.test('a function whose token does not match refuses the events', async t => {
  const { emu, bot, room } = await startChimeWithLambda(t, createEchoHandler('some-other-token'))
  await room.add(bot)
  await emu.idle()
  const [invite] = emu.deliveries()
  t.match(invite?.Outcome, /^(Rejected|Failed)$/, 'the invocation failed: the signature was refused')
  t.same(room.messages().filter(m => m.SenderType === 'Bot'), [], 'and the bot said nothing')
})

t.test('the entry point reads CHIME_BOT_SECURITY_TOKEN, and says so when it is missing', async t => {
  t.throws(() => readToken({}), /CHIME_BOT_SECURITY_TOKEN is not set/)
  process.env.CHIME_BOT_SECURITY_TOKEN = securityToken
  t.teardown(() => { delete process.env.CHIME_BOT_SECURITY_TOKEN })
  const { handler } = await import('../src/handler.js')
  const { bot, room } = await startChimeWithLambda(t, handler)
  await room.add(bot)
  await room.expectReply()
  await room.mention(bot, 'echo ping')
  t.equal((await room.expectReply()).Content, 'ping', 'the echo command repeats its text')
  await room.mention(bot, 'echo')
  t.equal((await room.expectReply()).Content, 'Nothing to repeat.')
})

t.test('the help text lists the commands once they are registered', async t => {
  const bot = createChimeBot({ securityToken })
  t.teardown(() => bot.close())
  t.equal(helpText(bot), '', 'nothing to list yet')
  addEchoCommands(bot)
  t.match(helpText(bot), /- `echo` — Repeats the text after it\./)
})
