import t from 'tap'
import { createChimeBot, createLambdaHandler } from 'fastify-chime-bot'
import { createEmulator } from '../src/index.js'

const TOKEN = 'lambda-e2e-token-0123456789abcdefghijkl'
const ARN = 'arn:aws:lambda:us-east-1:111122223333:function:echo-bot'

t.test('fastify-chime-bot\'s Lambda adapter, run in process, gets signed events and replies through the webhook', async t => {
  const bot = createChimeBot({ securityToken: TOKEN })
  bot.on('Mention', async (event, ctx) => { await ctx.reply(`lambda: ${event.Message}`) })
  const handler = createLambdaHandler(bot)
  const emu = await createEmulator({ lambdaHandlers: { [ARN]: handler } })
  t.teardown(() => emu.close())

  const chimeBot = await emu.createBot({ displayName: 'LambdaBot', lambdaArn: ARN, securityToken: TOKEN })
  const room = await emu.createRoom('lambda')
  await room.add(chimeBot)
  await room.mention(chimeBot, 'hi')
  t.equal((await room.expectReply(/hi/)).Content, 'lambda: @LambdaBot hi')
  await emu.idle()
  t.same(emu.deliveries().map(d => [d.EventType, d.TargetType, d.Outcome]), [['Invite', 'Lambda', 'Delivered'], ['Mention', 'Lambda', 'Delivered']])

  const probe = await emu.faults.probeSignature(chimeBot.BotId)
  t.equal(probe.Rejected, true, 'the adapter refuses a badly signed invocation')
})
