import t from 'tap'
import { ADMIN_EMAIL, EmulatorState, MAX_BOTS_PER_ACCOUNT } from '../src/state.js'

const setup = (): { state: EmulatorState, accountId: string } => {
  const state = new EmulatorState({ now: () => Date.parse('2026-01-02T03:04:05.678Z') })
  return { state, accountId: state.createAccount({ Name: 'Acme' }).AccountId }
}

t.test('accounts and users follow Chime\'s rules', async t => {
  const { state, accountId } = setup()
  t.equal(state.getAccount(accountId).CreatedTimestamp, '2026-01-02T03:04:05.678Z', 'time comes from the injected clock')
  t.throws(() => state.createAccount({ Name: '' }), { name: 'BadRequestException', message: /1 to 100 characters .*got ''/ })
  t.throws(() => state.createAccount({ Name: 'x'.repeat(101) }), { message: /got 'x{60}…' \(101 characters\)/ })
  t.throws(() => state.createAccount({ Name: 5 as never }), { message: /got 5/ })
  t.throws(() => state.createAccount({ Name: 'again', AccountId: accountId }), { name: 'ConflictException' })
  t.equal(state.adminUser(accountId).PrimaryEmail, ADMIN_EMAIL)
  t.equal(state.ensureUser(accountId, 'Bob@Example.com').UserId, state.ensureUser(accountId, 'bob@example.com').UserId, 'e-mails match without case')
  t.throws(() => state.ensureUser(accountId, 'not-an-email'), { name: 'BadRequestException', message: /'not-an-email' is not an e-mail address/ })
  t.throws(() => state.ensureUser('nope', 'a@b.c'), { name: 'NotFoundException' })
})

t.test('bots follow Chime\'s rules', async t => {
  const { state, accountId } = setup()
  t.throws(() => state.createBot(accountId, { DisplayName: 'x'.repeat(56) }), { name: 'BadRequestException', message: /1 to 55 characters/ })
  t.throws(() => state.createBot(accountId, { DisplayName: undefined as never }), { message: /got nothing/ })
  t.throws(() => state.createBot(accountId, { DisplayName: 'ok', Domain: 'bad domain' }), { message: /Domain must be a domain name/ })
  const spaced = state.createBot(accountId, { DisplayName: 'Stand Up Bot (Bot)' })
  t.equal(spaced.DisplayName, 'Stand Up Bot (Bot)', 'the (Bot) suffix is not doubled')
  t.equal(spaced.BotEmail, 'StandUpBot-chimebot@example.com', 'spaces are dropped from the e-mail')
  t.throws(() => state.createBot(accountId, { DisplayName: 'dup', BotId: spaced.BotId }), { name: 'ConflictException' })
  t.throws(() => state.updateBot(accountId, spaced.BotId, { Disabled: 'no' as never }), { message: /Disabled must be true or false; got 'no'/ })
  t.equal(state.updateBot(accountId, spaced.BotId, {}).Disabled, false, 'an empty update changes nothing')
  for (let i = 1; i < MAX_BOTS_PER_ACCOUNT; i++) state.createBot(accountId, { DisplayName: `b${i}` })
  t.throws(() => state.createBot(accountId, { DisplayName: 'one too many' }), { name: 'ResourceLimitExceededException', code: 'ResourceLimitExceeded', statusCode: 400 })
  const other = state.createAccount({ Name: 'Other' }).AccountId
  t.throws(() => state.getBot(other, spaced.BotId), { name: 'NotFoundException' }, 'a bot belongs to one account')
  t.equal(state.findBot(spaced.BotId), spaced)
  t.equal(state.findBot('nope'), undefined)
})

t.test('events configurations are stored, read and deleted', async t => {
  const { state, accountId } = setup()
  const bot = state.createBot(accountId, { DisplayName: 'b' })
  let changes = 0
  state.bus.on('changed', () => { changes++ })
  state.deleteEventsConfiguration(accountId, bot.BotId)
  t.equal(changes, 0, 'deleting nothing changes nothing')
  state.putEventsConfiguration(accountId, bot.BotId, { LambdaFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:f' })
  t.same(state.getEventsConfiguration(accountId, bot.BotId), { BotId: bot.BotId, LambdaFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:f' })
  state.putEventsConfiguration(accountId, bot.BotId, {})
  t.same(state.getEventsConfiguration(accountId, bot.BotId), { BotId: bot.BotId })
  state.deleteEventsConfiguration(accountId, bot.BotId)
  t.equal(changes, 3)
})

t.test('rooms and memberships follow Chime\'s rules', async t => {
  const { state, accountId } = setup()
  const room = state.createRoom(accountId, { Name: 'team' })
  t.equal(room.CreatedBy, state.adminUser(accountId).UserId, 'rooms made outside the API are created by the administrator')
  t.throws(() => state.createRoom(accountId, { Name: 'x', RoomId: room.RoomId }), { name: 'ConflictException' })
  t.throws(() => state.updateRoom(accountId, room.RoomId, { Name: '' }), { message: /room Name must not be empty/ })
  const bot = state.createBot(accountId, { DisplayName: 'b' })
  t.throws(() => state.addRoomMember(accountId, room.RoomId, bot.BotId, { invitedBy: 'alice@example.com' }), { name: 'BadRequestException', message: /no events configuration.*PutEventsConfiguration first/ })
  state.putEventsConfiguration(accountId, bot.BotId, { OutboundEventsHTTPSEndpoint: 'http://127.0.0.1:9/' })
  t.throws(() => state.addRoomMember(accountId, room.RoomId, bot.BotId, { invitedBy: 'alice@example.com', Role: 'Boss' as never }), { message: /Role must be Administrator or Member/ })
  t.throws(() => state.addRoomMember(accountId, room.RoomId, 'ghost', { invitedBy: 'alice@example.com' }), { name: 'NotFoundException', message: /Member 'ghost' was not found/ })

  const invited: any[] = []
  state.bus.on('bot.invited', e => invited.push(e))
  const membership = state.addRoomMember(accountId, room.RoomId, bot.BotId, { invitedBy: 'alice@example.com', Role: 'Administrator' })
  const alice = state.ensureUser(accountId, 'alice@example.com')
  t.equal(membership.InvitedBy, alice.UserId, 'without an API identity InvitedBy is the inviting user')
  t.equal(invited[0].invitedBy, 'alice@example.com')
  const byId = state.addRoomMember(accountId, room.RoomId, alice.UserId, { invitedBy: ADMIN_EMAIL })
  t.match(byId.Member, { MemberType: 'User', MemberId: alice.UserId, Email: 'alice@example.com' }, 'a user can be added by id')
  t.throws(() => state.updateRoomMember(accountId, room.RoomId, alice.UserId, { Role: 'Owner' as never }), { name: 'BadRequestException', message: /Role must be Administrator or Member; got 'Owner'/ })
  t.same(state.listRooms(accountId, 'ALICE@example.com').map(r => r.RoomId), [room.RoomId], 'rooms of a member given by e-mail')

  const other = state.createAccount({ Name: 'Other' }).AccountId
  const foreignRoom = state.createRoom(other, { Name: 'x' })
  t.throws(() => state.addRoomMember(other, foreignRoom.RoomId, bot.BotId, { invitedBy: 'eve@example.com' }), { name: 'NotFoundException' }, 'a bot of another account is not found')
  t.throws(() => state.addRoomMember(other, foreignRoom.RoomId, alice.UserId, { invitedBy: 'eve@example.com' }), { name: 'NotFoundException' }, 'a user of another account is not found')

  const removed: any[] = []
  state.bus.on('bot.removed', e => removed.push(e))
  state.removeRoomMember(accountId, room.RoomId, alice.UserId, { removedBy: ADMIN_EMAIL })
  t.equal(removed.length, 0, 'removing a user sends no Remove event')

  state.webhooks.set('w1', { WebhookId: 'w1', Token: 't', RoomId: room.RoomId, BotId: bot.BotId, EndpointType: 'Persistent', CreatedTimestamp: state.timestamp() })
  state.deleteRoom(accountId, room.RoomId)
  t.equal(state.roomMembers(room.RoomId).length, 0, 'deleting a room removes its memberships')
  t.equal(state.webhooks.get('w1')!.Revoked, true, 'and revokes its webhooks')
  t.throws(() => state.getRoom(other, room.RoomId), { name: 'NotFoundException' })
})

t.test('a CreateRoom idempotency token is forgotten on clear', async t => {
  const { state, accountId } = setup()
  const first = state.createRoom(accountId, { Name: 'r', ClientRequestToken: 'tok' })
  state.clear()
  const again = state.createAccount({ Name: 'Acme', AccountId: accountId })
  t.not(state.createRoom(again.AccountId, { Name: 'r', ClientRequestToken: 'tok' }).RoomId, first.RoomId)
})
