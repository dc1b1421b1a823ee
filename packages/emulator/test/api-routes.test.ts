import t from 'tap'
import { AUTH, startApi } from './helpers/api.js'

type Res = { statusCode: number, headers: Record<string, unknown>, json: () => any, body: string }

async function api (t: { teardown: (fn: () => unknown) => void }) {
  const { app, state } = await startApi(t, {}, false)
  const call = async (method: string, url: string, payload?: object): Promise<Res> =>
    await app.inject({ method: method as 'GET', url, headers: { authorization: AUTH }, ...(payload === undefined ? {} : { payload }) })
  return { app, state, call }
}

t.test('ListAccounts filters by name and by user e-mail, and paginates', async t => {
  const { state, call } = await api(t)
  const a = state.createAccount({ Name: 'Alpha' })
  state.createAccount({ Name: 'Beta' })
  state.ensureUser(a.AccountId, 'carol@example.com')
  t.same((await call('GET', '/accounts?name=Beta')).json().Accounts.map((x: any) => x.Name), ['Beta'])
  t.same((await call('GET', '/accounts?user-email=CAROL@example.com')).json().Accounts.map((x: any) => x.Name), ['Alpha'])
  const page = (await call('GET', '/accounts?max-results=1')).json()
  t.equal(page.Accounts.length, 1)
  const next = (await call('GET', `/accounts?max-results=1&next-token=${page.NextToken}`)).json()
  t.same(next.Accounts.map((x: any) => x.Name), ['Beta'])
  t.equal(next.NextToken, undefined, 'the last page has no NextToken')
  t.equal((await call('GET', '/accounts?max-results=200')).statusCode, 200, 'ListAccounts allows up to 200')
})

t.test('max-results and next-token are validated like Chime does', async t => {
  const { state, call } = await api(t)
  const a = state.createAccount({ Name: 'Alpha' })
  for (const bad of ['0', '100', 'ten', '1.5']) {
    const res = await call('GET', `/accounts/${a.AccountId}/bots?max-results=${bad}`)
    t.equal(res.statusCode, 400, `max-results=${bad}`)
    t.match(res.json().Message, new RegExp(`MaxResults \\(max-results\\) must be a whole number from 1 to 99; got '${bad.replace('.', '\\.')}'`))
  }
  t.match((await call('GET', `/accounts/${a.AccountId}/bots?next-token=garbage`)).json(), { Code: 'BadRequest', Message: /NextToken .* is not one this list returned/ })
  state.createRoom(a.AccountId, { Name: 'r1' })
  state.createRoom(a.AccountId, { Name: 'r2' })
  const rooms = (await call('GET', `/accounts/${a.AccountId}/rooms?max-results=1`)).json()
  t.type(rooms.NextToken, 'string')
  t.equal((await call('GET', `/accounts/${a.AccountId}/bots?next-token=${rooms.NextToken}`)).statusCode, 400, 'a token of another list is refused')
  const second = (await call('GET', `/accounts/${a.AccountId}/rooms?max-results=1&next-token=${rooms.NextToken}`)).json()
  t.same(second.Rooms.map((r: any) => r.Name), ['r2'])
})

t.test('bots: UpdateBot without changes, unknown operations, and the Bot shape', async t => {
  const { state, call } = await api(t)
  const a = state.createAccount({ Name: 'Alpha' })
  const created = await call('POST', `/accounts/${a.AccountId}/bots`, { DisplayName: 'Helper', Domain: 'corp.example.com' })
  t.equal(created.statusCode, 201)
  const bot = created.json().Bot
  t.same(Object.keys(bot).sort(), ['BotEmail', 'BotId', 'BotType', 'CreatedTimestamp', 'Disabled', 'DisplayName', 'SecurityToken', 'UpdatedTimestamp', 'UserId'], 'exactly the fields of the service model')
  t.match(bot.CreatedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'ISO-8601 timestamps')
  const unchanged = await call('POST', `/accounts/${a.AccountId}/bots/${bot.BotId}`)
  t.equal(unchanged.json().Bot.Disabled, false)
  const wrong = await call('POST', `/accounts/${a.AccountId}/bots/${bot.BotId}?operation=delete`)
  t.equal(wrong.statusCode, 400)
  t.match(wrong.json().Message, /Unknown operation 'delete'; the only operation on a bot is regenerate-security-token/)
  t.match((await call('POST', `/accounts/${a.AccountId}/bots/${bot.BotId}`, { Disabled: 'yes' })).json().Message, /Disabled must be true or false/)
  const deleted = await call('DELETE', `/accounts/${a.AccountId}/bots/${bot.BotId}`)
  t.equal(deleted.statusCode, 404, 'bots cannot be deleted')
  t.equal(deleted.headers['x-amzn-errortype'], 'NotFoundException')
  t.match(deleted.json().Message, /serves no Amazon Chime operation at DELETE \/accounts\/.*\/bots\/.*Bots cannot be deleted/)
  t.equal((await call('PUT', '/accounts')).headers['x-amzn-errortype'], 'NotFoundException', 'unknown methods on /accounts too')
})

t.test('rooms and memberships: validation and the acting administrator', async t => {
  const { state, call } = await api(t)
  const a = state.createAccount({ Name: 'Alpha' })
  t.match((await call('POST', `/accounts/${a.AccountId}/rooms`, { Name: 'r', ClientRequestToken: 'bad token!' })).json().Message, /ClientRequestToken must be 2 to 64/)
  t.match((await call('POST', `/accounts/${a.AccountId}/rooms`, { Name: '  ' })).json().Message, /room Name must not be empty/)
  const room = (await call('POST', `/accounts/${a.AccountId}/rooms`, { Name: 'r' })).json().Room
  t.equal((await call('POST', `/accounts/${a.AccountId}/rooms/${room.RoomId}`, {})).json().Room.Name, 'r', 'UpdateRoom without Name changes nothing')
  t.match((await call('POST', `/accounts/${a.AccountId}/rooms/${room.RoomId}/memberships`, { MemberId: 'dave@example.com', Role: 'Owner' })).json().Message, /Role must be Administrator or Member; got 'Owner'/)
  const added = (await call('POST', `/accounts/${a.AccountId}/rooms/${room.RoomId}/memberships`, { MemberId: 'dave@example.com' })).json().RoomMembership
  t.match(added, { Role: 'Member', InvitedBy: /^arn:aws:iam::111122223333:user\// })
  t.equal((await call('POST', `/accounts/${a.AccountId}/rooms/${room.RoomId}/memberships/${added.Member.MemberId}`, {})).json().RoomMembership.Role, 'Member')
  t.match((await call('POST', `/accounts/${a.AccountId}/rooms/${room.RoomId}/memberships/${added.Member.MemberId}`, { Role: 'King' })).json().Message, /Role must be/)
  t.match((await call('DELETE', `/accounts/${a.AccountId}/rooms/${room.RoomId}/memberships/nobody`)).json(), { Code: 'NotFound', Message: /Member 'nobody' is not in room/ })
  t.equal((await call('DELETE', `/accounts/${a.AccountId}/rooms/${room.RoomId}/memberships/${added.Member.MemberId}`)).statusCode, 204)
  t.same((await call('GET', `/accounts/${a.AccountId}/rooms/${room.RoomId}/memberships`)).json().RoomMemberships, [])
  t.equal((await call('GET', `/accounts/${a.AccountId}/rooms/nope/memberships`)).statusCode, 404)
  t.same((await call('GET', `/accounts/${a.AccountId}/rooms?member-id=nobody@example.com`)).json().Rooms, [], 'an unknown member is in no rooms')
})

t.test('each API call is logged as one readable line without tokens', async t => {
  const lines: string[] = []
  const { default: Fastify } = await import('fastify')
  const { awsApi } = await import('../src/api/index.js')
  const { EmulatorState } = await import('../src/state.js')
  const state = new EmulatorState()
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => { lines.push(line) } } }, disableRequestLogging: true })
  await app.register(awsApi, { state })
  t.teardown(() => app.close())
  const account = state.createAccount({ Name: 'A' })
  const created = await app.inject({ method: 'POST', url: `/accounts/${account.AccountId}/bots`, headers: { authorization: AUTH }, payload: { DisplayName: 'Echo' } })
  const token = created.json().Bot.SecurityToken as string
  await app.inject({ method: 'GET', url: `/accounts/${account.AccountId}/bots/nope`, headers: { authorization: AUTH } })
  await app.inject({ method: 'GET', url: '/accounts' })
  const messages = lines.map(l => JSON.parse(l).msg as string)
  t.same(messages, [
    `CreateBot account=${account.AccountId} → 201`,
    `GetBot account=${account.AccountId} bot=nope → 404 NotFoundException`,
    'GET /accounts → 401 UnauthorizedClientException'
  ])
  t.notOk(lines.some(l => l.includes(token)), 'the security token is never logged')
})
