import t from 'tap'
import { EmulatorState } from '../src/state.js'
import { appendMessage, botMentionNames, mentionedBots, mentions, mentionsBot, roomBots, roomMessages, usesRoomCallout } from '../src/messages.js'

function setup () {
  const state = new EmulatorState()
  const account = state.createAccount({ Name: 'Test' })
  const echo = state.createBot(account.AccountId, { DisplayName: 'EchoBot' })
  const spaced = state.createBot(account.AccountId, { DisplayName: 'Build Bot', Domain: 'corp.example' })
  const outsider = state.createBot(account.AccountId, { DisplayName: 'Outsider' })
  for (const bot of [echo, spaced, outsider]) state.putEventsConfiguration(account.AccountId, bot.BotId, { OutboundEventsHTTPSEndpoint: 'http://127.0.0.1:1/' })
  const room = state.createRoom(account.AccountId, { Name: 'general' })
  state.addRoomMember(account.AccountId, room.RoomId, echo.BotId, { invitedBy: 'alice@example.com' })
  state.addRoomMember(account.AccountId, room.RoomId, spaced.BotId, { invitedBy: 'alice@example.com' })
  state.addRoomMember(account.AccountId, room.RoomId, 'bob@example.com', { invitedBy: 'alice@example.com' })
  return { state, account, echo, spaced, outsider, room }
}

t.test('a bot is mentioned by display name, short name, e-mail or alias, case-insensitively', async t => {
  const { echo } = setup()
  t.same(botMentionNames(echo), ['EchoBot-chimebot@example.com', 'EchoBot-chimebot', 'EchoBot (Bot)', 'EchoBot'])
  for (const text of ['@EchoBot hi', 'hey @echobot, hi', '@EchoBot-chimebot@example.com hi', '@echobot-chimebot ping', '(@ECHOBOT)', '@EchoBot@example.com Hello', '@EchoBot (Bot) hi']) {
    t.ok(mentionsBot(text, echo), text)
  }
  for (const text of ['EchoBot hi', '@EchoBotty hi', 'mail x@EchoBot.com', 'me@EchoBot hi', '@Echo hi']) {
    t.notOk(mentionsBot(text, echo), text)
  }
  t.notOk(mentions('@ anything', ''), 'an empty name never matches')
})

t.test('only bots that are members of the room count', async t => {
  const { state, echo, spaced, outsider, room } = setup()
  t.same(roomBots(state, room.RoomId).map(b => b.BotId), [echo.BotId, spaced.BotId])
  t.same(mentionedBots(state, room.RoomId, '@Build Bot deploy and @EchoBot and @Outsider').map(b => b.BotId), [echo.BotId, spaced.BotId])
  t.same(mentionedBots(state, room.RoomId, `@${outsider.DisplayName}`), [])
  state.bots.delete(spaced.BotId)
  t.same(roomBots(state, room.RoomId).map(b => b.BotId), [echo.BotId], 'a membership without a bot record is skipped')
})

t.test('messages are appended, announced and listed per room', async t => {
  const { state, room } = setup()
  const seen: string[] = []
  state.bus.on('message.posted', ({ message }) => seen.push(message.Content))
  const m = appendMessage(state, { RoomId: room.RoomId, Sender: 'bob@example.com', SenderType: 'User', Content: 'hi' })
  appendMessage(state, { RoomId: 'other', Sender: 'x@example.com', SenderType: 'User', Content: 'elsewhere' })
  t.match(m, { RoomId: room.RoomId, Sender: 'bob@example.com', SenderType: 'User', Content: 'hi' })
  t.match(m.MessageId, /^[0-9a-f-]{36}$/)
  t.same(roomMessages(state, room.RoomId), [m])
  t.same(seen, ['hi', 'elsewhere'])
})

t.test('@All and @Present are room callouts', async t => {
  t.ok(usesRoomCallout('@All please'))
  t.ok(usesRoomCallout('hey @present'))
  t.notOk(usesRoomCallout('@Allison'))
  t.notOk(usesRoomCallout('x@All.com'))
})
