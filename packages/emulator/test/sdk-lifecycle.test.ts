import t from 'tap'
import {
  CreateAccountCommand, GetAccountCommand, ListAccountsCommand, CreateBotCommand, GetBotCommand, UpdateBotCommand,
  ListBotsCommand, RegenerateSecurityTokenCommand, PutEventsConfigurationCommand, GetEventsConfigurationCommand,
  DeleteEventsConfigurationCommand, CreateRoomCommand, GetRoomCommand, ListRoomsCommand, UpdateRoomCommand,
  DeleteRoomCommand, CreateRoomMembershipCommand, ListRoomMembershipsCommand, UpdateRoomMembershipCommand,
  DeleteRoomMembershipCommand, paginateListBots
} from '@aws-sdk/client-chime'
import { startApi, startEndpoint } from './helpers/api.js'
import { ADMIN_EMAIL } from '../src/state.js'
import { createLambdaInvoker } from '../src/lambda.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

t.test('a bot goes through its whole life with the unmodified AWS SDK', async t => {
  const { client, state } = await startApi(t)
  const endpoint = await startEndpoint(t)

  const { Account } = await client.send(new CreateAccountCommand({ Name: 'Acme' }))
  const accountId = Account!.AccountId
  t.match(accountId, UUID, 'account ids are UUIDs')
  t.match(Account, { Name: 'Acme', AccountType: 'Team', AwsAccountId: /^\d{12}$/, AccountStatus: 'Active', DefaultLicense: 'Pro' })
  t.type(Account!.CreatedTimestamp, Date, 'the SDK reads the ISO-8601 timestamp as a Date')
  t.same((await client.send(new GetAccountCommand({ AccountId: accountId }))).Account, Account)
  t.equal((await client.send(new ListAccountsCommand({}))).Accounts!.length, 1)

  const created = await client.send(new CreateBotCommand({ AccountId: accountId, DisplayName: 'EchoBot', Domain: 'example.com' }))
  t.equal(created.$metadata.httpStatusCode, 201)
  const bot = created.Bot!
  t.match(bot.BotId, UUID)
  t.equal(bot.UserId, bot.BotId, 'a bot user has the bot id, as in Chime')
  t.equal(bot.DisplayName, 'EchoBot (Bot)')
  t.equal(bot.BotEmail, 'EchoBot-chimebot@example.com')
  t.equal(bot.BotType, 'ChatBot')
  t.equal(bot.Disabled, false)
  t.match(bot.SecurityToken, /^[A-Za-z0-9+/=]{40}$/)
  t.same((await client.send(new GetBotCommand({ AccountId: accountId, BotId: bot.BotId }))).Bot, bot)

  const put = await client.send(new PutEventsConfigurationCommand({ AccountId: accountId, BotId: bot.BotId, OutboundEventsHTTPSEndpoint: endpoint.url }))
  t.equal(put.$metadata.httpStatusCode, 201, 'PutEventsConfiguration answers 201')
  t.same(put.EventsConfiguration, { BotId: bot.BotId, OutboundEventsHTTPSEndpoint: endpoint.url })
  t.equal(endpoint.received.length, 1, 'the endpoint was challenged once')
  t.equal(endpoint.received[0].body.EventType, 'HTTPSEndpointVerification')
  t.ok(endpoint.received[0].body.Challenge.length >= 20, 'the challenge has at least 20 characters')
  t.match(endpoint.received[0].headers['content-type'], /^application\/json/)
  t.same((await client.send(new GetEventsConfigurationCommand({ AccountId: accountId, BotId: bot.BotId }))).EventsConfiguration, put.EventsConfiguration)

  const { Room } = await client.send(new CreateRoomCommand({ AccountId: accountId, Name: 'team' }))
  t.match(Room, { RoomId: UUID, Name: 'team', AccountId: accountId, CreatedBy: /^arn:aws:iam::\d{12}:user\// })
  t.same((await client.send(new GetRoomCommand({ AccountId: accountId, RoomId: Room!.RoomId }))).Room, Room)

  const invited: any[] = []
  state.bus.on('bot.invited', e => invited.push(e))
  const membership = await client.send(new CreateRoomMembershipCommand({ AccountId: accountId, RoomId: Room!.RoomId, MemberId: bot.BotId }))
  t.equal(membership.$metadata.httpStatusCode, 201)
  t.match(membership.RoomMembership, { RoomId: Room!.RoomId, Role: 'Member', Member: { MemberId: bot.BotId, MemberType: 'Bot', Email: bot.BotEmail, FullName: bot.DisplayName, AccountId: accountId } })
  t.equal(invited.length, 1, 'adding the bot raised bot.invited')
  t.equal(invited[0].bot.BotId, bot.BotId)
  t.equal(invited[0].room.RoomId, Room!.RoomId)
  t.equal(invited[0].invitedBy, ADMIN_EMAIL, 'the inviting user is the account administrator')

  const user = await client.send(new CreateRoomMembershipCommand({ AccountId: accountId, RoomId: Room!.RoomId, MemberId: 'alice@example.com', Role: 'Administrator' }))
  t.match(user.RoomMembership!.Member, { MemberType: 'User', Email: 'alice@example.com', FullName: 'alice' })
  const promoted = await client.send(new UpdateRoomMembershipCommand({ AccountId: accountId, RoomId: Room!.RoomId, MemberId: 'alice@example.com', Role: 'Member' }))
  t.equal(promoted.RoomMembership!.Role, 'Member')
  const members = await client.send(new ListRoomMembershipsCommand({ AccountId: accountId, RoomId: Room!.RoomId }))
  t.same(members.RoomMemberships!.map(m => m.Member!.MemberType), ['Bot', 'User'])
  const botRooms = await client.send(new ListRoomsCommand({ AccountId: accountId, MemberId: bot.BotId }))
  t.same(botRooms.Rooms!.map(r => r.RoomId), [Room!.RoomId], 'ListRooms filters by member')

  for (let i = 2; i <= 5; i++) await client.send(new CreateBotCommand({ AccountId: accountId, DisplayName: `Bot${i}` }))
  const first = await client.send(new ListBotsCommand({ AccountId: accountId, MaxResults: 2 }))
  t.equal(first.Bots!.length, 2)
  t.type(first.NextToken, 'string', 'a full page carries a NextToken')
  const names: string[] = []
  for await (const page of paginateListBots({ client, pageSize: 2 }, { AccountId: accountId })) names.push(...page.Bots!.map(b => b.DisplayName!))
  t.same(names, ['EchoBot (Bot)', 'Bot2 (Bot)', 'Bot3 (Bot)', 'Bot4 (Bot)', 'Bot5 (Bot)'], 'the SDK paginator walks every page in order')

  const regenerated = await client.send(new RegenerateSecurityTokenCommand({ AccountId: accountId, BotId: bot.BotId }))
  t.not(regenerated.Bot!.SecurityToken, bot.SecurityToken, 'a new token')
  t.equal(state.findBot(bot.BotId!)!.SecurityToken, regenerated.Bot!.SecurityToken, 'delivery reads the new token from now on')

  const disabled = await client.send(new UpdateBotCommand({ AccountId: accountId, BotId: bot.BotId, Disabled: true }))
  t.equal(disabled.Bot!.Disabled, true)
  const { Room: other } = await client.send(new CreateRoomCommand({ AccountId: accountId, Name: 'other' }))
  await t.rejects(client.send(new CreateRoomMembershipCommand({ AccountId: accountId, RoomId: other!.RoomId, MemberId: bot.BotId })),
    { name: 'BadRequestException', message: /disabled/ }, 'a disabled bot cannot join a room')
  t.equal(invited.length, 1, 'no Invite for a refused membership')

  const removed: any[] = []
  state.bus.on('bot.removed', e => removed.push(e))
  const deleted = await client.send(new DeleteRoomMembershipCommand({ AccountId: accountId, RoomId: Room!.RoomId, MemberId: bot.BotId }))
  t.equal(deleted.$metadata.httpStatusCode, 204)
  t.match(removed, [{ bot: { BotId: bot.BotId }, room: { RoomId: Room!.RoomId }, removedBy: ADMIN_EMAIL }])

  const renamed = await client.send(new UpdateRoomCommand({ AccountId: accountId, RoomId: Room!.RoomId, Name: 'renamed' }))
  t.equal(renamed.Room!.Name, 'renamed')
  t.equal((await client.send(new DeleteRoomCommand({ AccountId: accountId, RoomId: Room!.RoomId }))).$metadata.httpStatusCode, 204)
  await t.rejects(client.send(new GetRoomCommand({ AccountId: accountId, RoomId: Room!.RoomId })), { name: 'NotFoundException' })

  t.equal((await client.send(new DeleteEventsConfigurationCommand({ AccountId: accountId, BotId: bot.BotId }))).$metadata.httpStatusCode, 204)
  await t.rejects(client.send(new GetEventsConfigurationCommand({ AccountId: accountId, BotId: bot.BotId })), { name: 'NotFoundException', message: /no events configuration/ })
})

t.test('CreateRoom honours the SDK idempotency token', async t => {
  const { client, state } = await startApi(t)
  const { Account } = await client.send(new CreateAccountCommand({ Name: 'Acme' }))
  const a = await client.send(new CreateRoomCommand({ AccountId: Account!.AccountId, Name: 'r', ClientRequestToken: 'token-1' }))
  const b = await client.send(new CreateRoomCommand({ AccountId: Account!.AccountId, Name: 'r', ClientRequestToken: 'token-1' }))
  const c = await client.send(new CreateRoomCommand({ AccountId: Account!.AccountId, Name: 'r' }))
  t.equal(a.Room!.RoomId, b.Room!.RoomId, 'the same token returns the same room')
  t.not(c.Room!.RoomId, a.Room!.RoomId, 'the SDK fills in a fresh token, so a new call makes a new room')
  t.equal(state.listRooms(Account!.AccountId!).length, 2)
})

t.test('a Lambda ARN is checked with AddPermission and a DryRun invoke of an in-process handler', async t => {
  const arn = 'arn:aws:lambda:us-east-1:111122223333:function:echo-bot'
  const calls: string[] = []
  const lambda = createLambdaInvoker({ handlers: { [arn]: async () => { calls.push('invoked') } } })
  const { client } = await startApi(t, { lambda })
  const { Account } = await client.send(new CreateAccountCommand({ Name: 'Acme' }))
  const { Bot } = await client.send(new CreateBotCommand({ AccountId: Account!.AccountId, DisplayName: 'L' }))
  const put = await client.send(new PutEventsConfigurationCommand({ AccountId: Account!.AccountId, BotId: Bot!.BotId, LambdaFunctionArn: arn }))
  t.equal(put.$metadata.httpStatusCode, 201)
  t.same(put.EventsConfiguration, { BotId: Bot!.BotId, LambdaFunctionArn: arn })
  t.same(calls, [], 'a DryRun does not run the function')
})
