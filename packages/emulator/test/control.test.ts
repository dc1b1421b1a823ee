import t, { type Test } from 'tap'
import { request } from 'undici'
import { createEmulator, type Emulator } from '../src/index.js'
import { startEchoBot, type EchoBot } from './helpers/echo-bot.js'

async function setup (t: Test, options: Parameters<typeof createEmulator>[0] = {}): Promise<{ emu: Emulator, echo: EchoBot, call: (method: string, path: string, body?: unknown) => Promise<{ status: number, body: any, headers: Record<string, unknown> }> }> {
  const emu = await createEmulator({ retryDelaysMs: [1, 1], ...options })
  t.teardown(() => emu.close())
  const echo = await startEchoBot()
  t.teardown(() => echo.close())
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await emu.app.inject({ method: method as 'GET', url: path, ...(body === undefined ? {} : typeof body === 'string' ? { payload: body, headers: { 'content-type': 'application/json' } } : { payload: body as object }) })
    return { status: res.statusCode, body: res.body === '' ? undefined : res.json(), headers: res.headers }
  }
  return { emu, echo, call }
}

t.test('info, rooms and bots can be created and listed', async t => {
  const { emu, echo, call } = await setup(t)
  t.same((await call('GET', '/_emulator')).body, { Url: emu.url, AccountId: emu.accountId })
  const created = await call('POST', '/_emulator/rooms', { Name: 'general' })
  t.equal(created.status, 201)
  t.match(created.body.Room, { Name: 'general', AccountId: emu.accountId, Members: [] })
  const other = emu.state.createAccount({ Name: 'Other' })
  t.equal((await call('POST', '/_emulator/rooms', { Name: 'elsewhere', AccountId: other.AccountId })).body.Room.AccountId, other.AccountId)

  const bot = await call('POST', '/_emulator/bots', { DisplayName: 'EchoBot', Endpoint: echo.url })
  t.equal(bot.status, 201)
  echo.setToken(bot.body.Bot.SecurityToken)
  t.match(bot.body, { Bot: { DisplayName: 'EchoBot (Bot)' }, EventsConfiguration: { OutboundEventsHTTPSEndpoint: echo.url } })
  const plain = await call('POST', '/_emulator/bots', { DisplayName: 'Quiet', Domain: 'corp.example', AccountId: emu.accountId })
  t.equal(plain.body.EventsConfiguration, null)
  t.equal(plain.body.Bot.BotEmail, 'Quiet-chimebot@corp.example')
  const bots = (await call('GET', '/_emulator/bots')).body.Bots
  t.same(bots.map((b: { DisplayName: string }) => b.DisplayName), ['EchoBot (Bot)', 'Quiet (Bot)'])
  t.equal(bots[1].EventsConfiguration, null)

  const roomId = created.body.Room.RoomId
  const added = await call('POST', `/_emulator/rooms/${roomId}/bots/${bot.body.Bot.BotId as string}`, '')
  t.equal(added.status, 201)
  t.equal(added.body.RoomMembership.Member.MemberType, 'Bot')
  const rooms = (await call('GET', '/_emulator/rooms')).body.Rooms
  t.match(rooms[0].Members, [{ MemberId: bot.body.Bot.BotId, MemberType: 'Bot' }])
  await emu.idle()
  t.match(echo.events[0], { EventType: 'Invite', Sender: { SenderId: 'admin@example.com' } })
})

t.test('adding with InvitedBy, then removing, sends Invite and Remove from those users', async t => {
  const { emu, echo, call } = await setup(t)
  const bot = await emu.createBot({ displayName: 'EchoBot', endpoint: echo.url })
  echo.setToken(bot.SecurityToken)
  const room = await emu.createRoom('general')
  t.equal((await call('POST', `/_emulator/rooms/${room.RoomId}/bots/${bot.BotId}`, { InvitedBy: 'carol@example.com' })).status, 201)
  t.equal((await call('DELETE', `/_emulator/rooms/${room.RoomId}/bots/${bot.BotId}`)).status, 204)
  await emu.idle()
  t.same(echo.events.map(e => [e.EventType, e.Sender.SenderId]), [['Invite', 'carol@example.com'], ['Remove', 'admin@example.com']])
  t.notOk('InboundHttpsEndpoint' in echo.events[1]!)
})

t.test('posting as a user mentions bots; transcripts and deliveries can be read and filtered', async t => {
  const { emu, echo, call } = await setup(t)
  const bot = await emu.createBot({ displayName: 'EchoBot', endpoint: echo.url })
  echo.setToken(bot.SecurityToken)
  const room = await emu.createRoom('general')
  await room.add(bot)
  const posted = await call('POST', `/_emulator/rooms/${room.RoomId}/messages`, { Sender: 'alice@example.com', Content: '@EchoBot hello' })
  t.equal(posted.status, 201)
  t.match(posted.body, { Message: { Sender: 'alice@example.com', SenderType: 'User', Content: '@EchoBot hello' }, Notices: [], MentionedBots: [bot.BotId] })
  await room.expectReply(/hello/)
  const messages = (await call('GET', `/_emulator/rooms/${room.RoomId}/messages`)).body.Messages
  t.same(messages.map((m: { SenderType: string }) => m.SenderType), ['User', 'Bot'])
  t.same(Object.keys(messages[0]).sort(), ['Content', 'CreatedTimestamp', 'MessageId', 'RoomId', 'Sender', 'SenderType'])
  t.equal((await call('POST', `/_emulator/rooms/${room.RoomId}/messages`, { Content: 'no mention' })).body.Message.Sender, 'user@example.com', 'the default sender')

  await emu.idle()
  const all = (await call('GET', '/_emulator/deliveries')).body.Deliveries
  t.same(all.map((d: { EventType: string }) => d.EventType), ['Invite', 'Mention'])
  t.match(all[1], { DeliveryId: String, BotId: bot.BotId, EventType: 'Mention', Target: echo.url, Outcome: 'Delivered', Attempts: [{ Timestamp: String, Status: 200, DurationMs: Number }] })
  t.equal((await call('GET', `/_emulator/deliveries?eventType=Invite&botId=${bot.BotId}&roomId=${room.RoomId}`)).body.Deliveries.length, 1)
  t.equal((await call('GET', '/_emulator/deliveries?outcome=Failed')).body.Deliveries.length, 0)
  t.equal((await call('GET', '/_emulator/deliveries?outcome=Delivered')).body.Deliveries.length, 2)
})

t.test('errors come back as {Code, Message} with the right status', async t => {
  const { emu, call } = await setup(t)
  const room = await emu.createRoom('general')
  t.match((await call('GET', '/_emulator/nothing/here?x=1')).body, { Code: 'NotFound', Message: 'The control API has no route GET /_emulator/nothing/here. The routes are listed in the chime-emulator README under "Control API".' })
  const root = await call('GET', '/somewhere?token=secret')
  t.equal(root.status, 404)
  t.match(root.body, { Code: 'NotFound', Message: /^Nothing is served at GET \/somewhere\. The AWS API is under \/accounts/ })
  const missing = await call('GET', '/_emulator/rooms/nope/messages')
  t.equal(missing.status, 404)
  t.match(missing.body, { Code: 'NotFound', Message: /Room 'nope' does not exist/ })
  t.equal((await call('POST', '/_emulator/rooms/nope/messages', { Content: 'hi' })).status, 404)
  t.match((await call('POST', `/_emulator/rooms/${room.RoomId}/messages`, { Sender: 'a@example.com' })).body, { Code: 'BadRequest', Message: /Content is required/ })
  t.match((await call('POST', `/_emulator/rooms/${room.RoomId}/messages`, { Content: 'hi', Sender: 'not-an-email' })).body, { Code: 'BadRequest', Message: /not an e-mail address/ })
  t.equal((await call('POST', `/_emulator/rooms/${room.RoomId}/messages`, '{bad')).status, 400)
  t.equal((await call('POST', `/_emulator/rooms/${room.RoomId}/messages`, '[1]')).status, 400)
  t.equal((await call('POST', '/_emulator/rooms', {})).status, 400)
  t.equal((await call('POST', `/_emulator/rooms/${room.RoomId}/bots/nobot`)).status, 404)
  t.equal((await call('DELETE', `/_emulator/rooms/nope/bots/nobot`)).status, 404)
  const unconfigured = await emu.createBot({ displayName: 'Quiet' })
  const refused = await call('POST', `/_emulator/rooms/${room.RoomId}/bots/${unconfigured.BotId}`)
  t.equal(refused.status, 400)
  t.match(refused.body.Message, /no events configuration/)
  t.equal(refused.headers['x-amzn-errortype'], 'BadRequestException')
  t.match((await call('POST', '/_emulator/bots', { DisplayName: 'Lambda', LambdaFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:none' })).body, { Code: 'BadRequest', Message: /could not verify the Lambda function/ })
  const handshake = await call('POST', '/_emulator/bots', { DisplayName: 'Broken', Endpoint: 'http://127.0.0.1:9/chime' })
  t.equal(handshake.status, 400)
  t.match(handshake.body.Message, /127\.0\.0\.1:9/)
})

t.test('faults can be armed, listed and cleared over HTTP', async t => {
  const { emu, call } = await setup(t)
  const w = await call('POST', '/_emulator/faults/webhooks', { Status: 503, Times: 2, RetryAfter: 1, DelayMs: 5, RoomId: 'r', WebhookId: 'w' })
  t.equal(w.status, 201)
  t.match(w.body.Fault, { status: 503, remaining: 2, retryAfter: 1, delayMs: 5, roomId: 'r', webhookId: 'w' })
  const d = await call('POST', '/_emulator/faults/deliveries', { Status: 'timeout', Times: 3, BotId: 'b' })
  t.match(d.body.Fault, { status: 'timeout', remaining: 3, botId: 'b' })
  t.equal((await call('POST', '/_emulator/faults/deliveries', { Status: 500 })).status, 201)
  t.equal((await call('GET', '/_emulator/faults')).body.Deliveries.length, 2)
  t.match((await call('POST', '/_emulator/faults/webhooks', { Times: 1 })).body, { Code: 'BadRequest', Message: /needs a "status"/ })
  t.match((await call('POST', '/_emulator/faults/webhooks', { Status: '503' })).body, { Code: 'BadRequest', Message: /Status must be a number/ })
  t.match((await call('POST', '/_emulator/faults/deliveries', { Status: 'boom' })).body, { Code: 'BadRequest', Message: /'timeout' or 'reset'/ })
  t.equal((await call('DELETE', '/_emulator/faults')).status, 204)
  t.same(emu.faults.list(), { Webhooks: [], Deliveries: [] })
})

t.test('the signature probe is available over HTTP', async t => {
  const { emu, echo, call } = await setup(t)
  const bot = await emu.createBot({ displayName: 'EchoBot', endpoint: echo.url })
  echo.setToken(bot.SecurityToken)
  const probe = await call('POST', `/_emulator/bots/${bot.BotId}/signature-probe`)
  t.equal(probe.status, 200)
  t.match(probe.body.Probe, { BotId: bot.BotId, Rejected: true, Status: 401 })
  t.equal((await call('POST', '/_emulator/bots/nobody/signature-probe')).status, 404)
  const quiet = await emu.createBot({ displayName: 'Quiet' })
  t.match((await call('POST', `/_emulator/bots/${quiet.BotId}/signature-probe`)).body, { Code: 'BadRequest', Message: /no events configuration/ })
  const failing = await emu.createBot({ displayName: 'Failing' })
  const original = emu.faults.probeSignature.bind(emu.faults)
  emu.faults.probeSignature = async () => { throw new Error('exploded') }
  t.equal((await call('POST', `/_emulator/bots/${failing.BotId}/signature-probe`)).status, 500, 'other failures are emulator failures')
  emu.faults.probeSignature = original
})

t.test('reset: Activity keeps the setup, All goes back to the start state', async t => {
  const { emu, echo, call } = await setup(t)
  const bot = await emu.createBot({ displayName: 'EchoBot', endpoint: echo.url })
  echo.setToken(bot.SecurityToken)
  const room = await emu.createRoom('general')
  await room.add(bot)
  await room.mention(bot, 'hi')
  await room.expectReply('hi')
  emu.faults.webhook({ status: 503 })
  const accountId = emu.accountId
  const activity = await call('POST', '/_emulator/reset', { Scope: 'Activity' })
  t.same(activity.body, { Reset: 'Activity', Url: emu.url, AccountId: accountId })
  t.same(emu.messages(room.RoomId), [])
  t.same(emu.deliveries(), [])
  t.same(emu.faults.list().Webhooks, [])
  t.ok(emu.state.rooms.has(room.RoomId), 'the room is still there')
  t.match((await call('POST', '/_emulator/reset', { Scope: 'Everything' })).body, { Code: 'BadRequest', Message: /Scope must be "All"/ })
  const all = await call('POST', '/_emulator/reset')
  t.equal(all.body.Reset, 'All')
  t.equal(emu.accountId, accountId, 'the default account keeps its id')
  t.equal(emu.state.rooms.size, 0)
  t.equal(emu.state.bots.size, 0)
})

t.test('the event stream carries everything that happens, as named JSON events', async t => {
  const { emu, echo } = await setup(t, { eventStreamHeartbeatMs: 20 })
  const bot = await emu.createBot({ displayName: 'EchoBot', endpoint: echo.url })
  echo.setToken(bot.SecurityToken)
  const room = await emu.createRoom('general')
  const res = await request(`${emu.url}/_emulator/events`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/event-stream/)
  let text = ''
  res.body.on('data', (chunk: Buffer) => { text += chunk.toString() })
  const until = async (pattern: RegExp) => {
    while (!pattern.test(text)) await new Promise(resolve => setTimeout(resolve, 5))
  }
  await until(/connected to chime-emulator/)
  await room.add(bot)
  await room.mention(bot, 'stream me')
  await room.expectReply('stream me')
  await emu.idle()
  await until(/event: delivery\.finished[\s\S]*event: delivery\.finished[\s\S]*: keep-alive/)
  await emu.reset('Activity')
  await until(/event: reset/)
  await room.remove(bot)
  await until(/event: bot\.removed/)
  const events = [...text.matchAll(/id: (\d+)\nevent: (\S+)\ndata: (.*)\n\n/g)].map(m => ({ id: Number(m[1]), type: m[2], data: JSON.parse(m[3]!) }))
  const types = events.map(e => e.type)
  for (const type of ['bot.invited', 'delivery.started', 'delivery.attempt', 'delivery.finished', 'message.posted', 'reset', 'bot.removed']) {
    t.ok(types.includes(type), `${type} is streamed`)
  }
  t.same(events.map(e => e.id), events.map((_e, i) => events[0]!.id + i), 'ids increase one by one')
  t.match(events.find(e => e.type === 'bot.invited')!.data, { RoomId: room.RoomId, BotId: bot.BotId, InvitedBy: 'admin@example.com' })
  t.match(events.find(e => e.type === 'message.posted')!.data, { Content: '@EchoBot stream me', SenderType: 'User' })
  t.same(events.find(e => e.type === 'reset')!.data, { Scope: 'Activity' })
  res.body.destroy()
})

t.test('a refused webhook request is streamed, and closing the emulator ends open streams', async t => {
  const emu = await createEmulator()
  const res = await request(`${emu.url}/_emulator/events`)
  let text = ''
  const reading = (async () => { for await (const chunk of res.body) text += chunk.toString() })()
  await request(`${emu.url}/incomingwebhooks/unknown?token=nope`, { method: 'POST', body: '{"Content":"x"}' }).then(async r => { t.equal(r.statusCode, 403); await r.body.text() })
  while (!text.includes('webhook.rejected')) await new Promise(resolve => setTimeout(resolve, 5))
  t.match(text, /event: webhook\.rejected\ndata: \{"WebhookId":"unknown","Status":403/)
  t.notMatch(text, /token=nope/, 'tokens never reach the stream')
  await emu.close()
  await reading
  t.pass('the stream ended when the emulator closed')
})
