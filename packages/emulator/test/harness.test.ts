import t, { type Test } from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createServer } from 'node:net'
import { request } from 'undici'
import { verifyChimeSignature } from 'fastify-chime-bot'
import { createEmulator, createManualClock, SHORT_LIVED_TTL_MS, type LambdaContext, type MentionPayload } from '../src/index.js'
import { startEchoBot } from './helpers/echo-bot.js'
import { answer, startRecorder } from './helpers/recorder.js'

async function withEcho (t: Test, options: Parameters<typeof createEmulator>[0] = {}) {
  const emu = await createEmulator(options)
  t.teardown(() => emu.close())
  const echo = await startEchoBot()
  t.teardown(() => echo.close())
  const bot = await emu.createBot({ displayName: 'EchoBot', endpoint: echo.url })
  echo.setToken(bot.SecurityToken)
  const room = await emu.createRoom('general')
  await room.add(bot)
  return { emu, echo, bot, room }
}

t.test('options are validated before anything starts', async t => {
  await t.rejects(createEmulator({ port: -1 }), /port must be a whole number from 0 to 65535/)
  await t.rejects(createEmulator({ port: 1.5 }), /got 1\.5/)
  await t.rejects(createEmulator({ host: '' }), /host must be an interface address/)
  await t.rejects(createEmulator({ clock: {} as never }), /clock must be an object with a now\(\) method/)
  await t.rejects(createEmulator({ deliveryTimeoutMs: -5 }), /deliveryTimeoutMs must be a positive number/)
})

t.test('it binds 127.0.0.1 on a free port by default, and IPv6 loopback when asked', async t => {
  const emu = await createEmulator()
  t.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal((emu.app.server.address() as { address: string }).address, '127.0.0.1')
  await emu.close()
  await emu.close()
  t.pass('close() twice is fine')
  const v6 = await createEmulator({ host: '::1' })
  t.teardown(() => v6.close())
  t.match(v6.url, /^http:\/\/\[::1\]:\d+$/)
})

t.test('a port already in use fails to start, cleanly', async t => {
  const blocker = createServer()
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const port = (blocker.address() as { port: number }).port
  await t.rejects(createEmulator({ port }), { code: 'EADDRINUSE' })
})

t.test('a fixture creates its accounts and bots; reset brings them back with the same ids', async t => {
  const fixture = { Accounts: [{ AccountId: '12a3456b-7c89-012d-3456-78901e23fg45', Name: 'Seed', Bots: [{ BotId: 'botId', DisplayName: 'SeedBot', Domain: 'example.com', SecurityToken: 'seed-token' }] }] }
  const emu = await createEmulator({ fixture })
  t.teardown(() => emu.close())
  t.equal(emu.accountId, '12a3456b-7c89-012d-3456-78901e23fg45')
  t.equal(emu.state.findBot('botId')?.SecurityToken, 'seed-token')
  await emu.createRoom('scratch')
  await emu.reset()
  t.equal(emu.state.rooms.size, 0)
  t.equal(emu.accountId, '12a3456b-7c89-012d-3456-78901e23fg45')
  t.equal(emu.state.findBot('botId')?.SecurityToken, 'seed-token')

  const empty = await createEmulator({ fixture: { Accounts: [] } })
  t.teardown(() => empty.close())
  t.ok(empty.state.accounts.has(empty.accountId), 'an empty fixture still gets a default account')
})

t.test('a state file keeps bots, rooms and the default account across restarts', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'chime-emu-'))
  const stateFile = join(dir, 'state.json')
  const first = await createEmulator({ stateFile })
  const bot = await first.createBot({ displayName: 'Keeper' })
  const room = await first.createRoom('kept')
  await first.close()
  const second = await createEmulator({ stateFile })
  t.teardown(() => second.close())
  t.equal(second.accountId, first.accountId)
  t.equal(second.state.findBot(bot.BotId)?.SecurityToken, bot.SecurityToken)
  t.ok(second.room(room.RoomId))

  const emptyFile = join(dir, 'empty.json')
  writeFileSync(emptyFile, JSON.stringify({ version: 1, accounts: [], bots: [], eventsConfigurations: [], users: [], rooms: [], memberships: [], webhooks: [], messages: [] }))
  const third = await createEmulator({ stateFile: emptyFile })
  t.teardown(() => third.close())
  t.ok(third.state.accounts.has(third.accountId), 'a state file without accounts gets a default account')
})

t.test('logs have one line per delivery attempt and webhook message, and never a token', async t => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(chunk.toString()); done() } })
  const { emu, bot, room } = await withEcho(t, { logger: { stream } })
  await room.mention(bot, 'log me')
  await room.expectReply('log me')
  await emu.idle()
  emu.app.log.info({ req: { method: 'POST', url: `/incomingwebhooks/x?token=${bot.SecurityToken}` } }, 'a request')
  const text = lines.join('')
  t.match(text, /delivered Invite to EchoBot \(Bot\), attempt 1\/3: 200/)
  t.match(text, /delivered Mention to EchoBot \(Bot\), attempt 1\/3: 200/)
  t.match(text, /webhook message from EchoBot \(Bot\) accepted into room/)
  t.match(text, /listening on http:\/\/127\.0\.0\.1/)
  t.match(text, /created bot EchoBot \(Bot\); handshake passed: http:\/\/127\.0\.0\.1:\d+\/chime echoed the challenge/)
  t.match(text, /token=\[redacted\]/)
  t.notOk(text.includes(bot.SecurityToken), 'the security token is never logged')
  for (const w of emu.state.webhooks.values()) t.notOk(text.includes(w.Token), 'webhook tokens are never logged')

  const quiet = await createEmulator({ logger: true, logLevel: 'silent' })
  t.teardown(() => quiet.close())
  t.equal(quiet.app.log.level, 'silent')
})

t.test('createBot checks its input and verifies the endpoint like PutEventsConfiguration', async t => {
  const emu = await createEmulator()
  t.teardown(() => emu.close())
  await t.rejects(emu.createBot(null as never), /createBot\(\) expects \{ displayName/)
  await t.rejects(emu.createBot({ displayName: 'X', endpoint: 'http://a', lambdaArn: 'arn' }), /not both/)
  await t.rejects(emu.createBot({ displayName: 'X', lambdaArn: 'not-an-arn' }), /is not a Lambda function ARN/)
  await t.rejects(emu.createBot({ displayName: 'X', lambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:nothing' }), /could not verify the Lambda function.*No Lambda is configured/)
  const silent = await startRecorder(answer(200, '{"Challenge":"wrong"}'))
  t.teardown(() => silent.close())
  await t.rejects(emu.createBot({ displayName: 'X', endpoint: silent.url }), { name: 'BadRequestException' })
  t.equal(emu.state.bots.size, 0, 'no bot is created when the check fails')
  const other = emu.state.createAccount({ Name: 'Other' })
  const elsewhere = await emu.createBot({ displayName: 'Elsewhere', accountId: other.AccountId, botId: 'fixed-id', domain: 'corp.example' })
  t.match(elsewhere, { AccountId: other.AccountId, BotId: 'fixed-id', BotEmail: 'Elsewhere-chimebot@corp.example' })
  const room = await emu.createRoom('theirs', { accountId: other.AccountId })
  t.equal(room.AccountId, other.AccountId)
})

t.test('a Lambda bot gets events through an in-process handler, signed in the client context, and can reply', async t => {
  const arn = 'arn:aws:lambda:us-east-1:111122223333:function:echo'
  const token = 'lambda-token-0123456789abcdefghijklmnop'
  const seen: Array<{ event: MentionPayload, context: LambdaContext }> = []
  const emu = await createEmulator({
    lambdaHandlers: {
      [arn]: async (event: MentionPayload, context: LambdaContext) => {
        seen.push({ event, context })
        if (event.EventType === 'Mention') {
          const res = await request(event.InboundHttpsEndpoint.Url, { method: 'POST', body: JSON.stringify({ Content: `lambda heard: ${event.Message}` }) })
          await res.body.text()
        }
        return { ok: true }
      }
    }
  })
  t.teardown(() => emu.close())
  const bot = await emu.createBot({ displayName: 'LambdaBot', lambdaArn: arn, securityToken: token })
  t.same(emu.state.eventsConfigurations.get(bot.BotId), { BotId: bot.BotId, LambdaFunctionArn: arn })
  const room = await emu.createRoom('lambda')
  await room.add(bot)
  await room.mention(bot, 'ping')
  t.equal((await room.expectReply(/ping/)).Content, 'lambda heard: @LambdaBot ping')
  t.same(seen.map(s => s.event.EventType), ['Invite', 'Mention'])
  const ctx = seen[1]!.context.clientContext as Record<string, string>
  t.ok(verifyChimeSignature({ securityToken: token, timestamp: ctx['Chime-Request-Timestamp'], signature: ctx['Chime-Signature'], rawBody: JSON.stringify(seen[1]!.event) }))
  await emu.idle()
  t.same(emu.deliveries().map(d => [d.TargetType, d.Outcome]), [['Lambda', 'Delivered'], ['Lambda', 'Delivered']])
})

t.test('an access-key allow-list is passed to the AWS API', async t => {
  const emu = await createEmulator({ accessKeys: ['AKIDALLOWED'] })
  t.teardown(() => emu.close())
  const auth = (key: string) => `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/chime/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`
  t.equal((await emu.app.inject({ url: '/accounts', headers: { authorization: auth('AKIDALLOWED') } })).statusCode, 200)
  t.equal((await emu.app.inject({ url: '/accounts', headers: { authorization: auth('AKIDOTHER') } })).statusCode, 403)
})

t.test('a Lambda endpoint option routes unknown ARNs to it', async t => {
  const emu = await createEmulator({ lambdaEndpoint: 'http://127.0.0.1:9' })
  t.teardown(() => emu.close())
  await t.rejects(emu.createBot({ displayName: 'Remote', lambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:remote' }), /could not verify the Lambda function/)
})

t.test('room handles post, mention by name or id, remove, and read the transcript', async t => {
  const { emu, echo, bot, room } = await withEcho(t)
  await room.post('no bots here', { sender: 'bob@example.com' })
  await emu.mention(room.RoomId, 'EchoBot', 'by name')
  t.equal((await room.expectReply()).Content, 'echo: by name')
  await emu.mention(room.RoomId, '@echobot', 'with at')
  t.equal((await room.expectReply()).Content, 'echo: with at')
  await emu.mention(room.RoomId, bot.BotId, 'by id')
  t.equal((await emu.waitForBotMessage(room.RoomId, { match: m => m.Content.endsWith('by id') })).Content, 'echo: by id')
  t.same(emu.room(room.RoomId).messages().map(m => m.Sender), ['bob@example.com', 'user@example.com', bot.BotEmail, 'user@example.com', bot.BotEmail, 'user@example.com', bot.BotEmail])
  t.throws(() => emu.room('nope'), /Room 'nope' does not exist/)
  await t.rejects(emu.postMessage('nope', 'hi'), { name: 'NotFoundException', message: /Room 'nope' does not exist/ })
  await t.rejects(room.post(''), { name: 'BadRequestException', message: /non-empty string Content/ })
  await room.remove(bot, { removedBy: 'carol@example.com' })
  await emu.idle()
  t.match(echo.events.at(-1), { EventType: 'Remove', Sender: { SenderId: 'carol@example.com' } })
  const revoked = await request(echo.events[0]!.InboundHttpsEndpoint.Url, { method: 'POST', body: '{"Content":"still here?"}' })
  t.equal(revoked.statusCode, 404, 'removing the bot revokes its Persistent URL')
  await revoked.body.text()
  await t.rejects(emu.addBot(room.RoomId, 'ghost'), /No bot has the id 'ghost'/)
  await room.add(bot, { invitedBy: 'dave@example.com' })
  await emu.idle()
  t.match(echo.events.at(-1), { EventType: 'Invite', Sender: { SenderId: 'dave@example.com' } })
  t.not(echo.events.at(-1)!.InboundHttpsEndpoint.Url, echo.events[0]!.InboundHttpsEndpoint.Url, 'a new Persistent webhook after re-inviting')
})

t.test('waitForBotMessage consumes replies in order, filters by bot and ignores other rooms', async t => {
  const { emu, bot, room } = await withEcho(t)
  const other = await emu.createRoom('other')
  await other.add(bot)
  const waiting = room.expectReply('second', { from: bot })
  await other.mention(bot, 'elsewhere')
  await other.expectReply('elsewhere')
  await room.mention(bot, 'first')
  await room.mention(bot, 'second')
  t.equal((await waiting).Content, 'echo: second')
  await room.mention(bot, 'third')
  while (!emu.messages(room.RoomId).some(m => m.Content === 'echo: third')) await new Promise(resolve => setTimeout(resolve, 5))
  const stranger = await emu.createBot({ displayName: 'Stranger' })
  await t.rejects(room.expectReply(undefined, { from: stranger, timeoutMs: 50 }), /from Stranger \(Bot\)/, 'an echo reply is not from Stranger')
  t.equal((await room.expectReply('third')).Content, 'echo: third', 'a reply that already arrived is found at once')
})

t.test('a timed-out wait lists the messages and deliveries that did arrive', async t => {
  const failing = await startRecorder((req, res) => {
    const body = JSON.parse(req.rawBody) as { Challenge?: string }
    if (body.Challenge !== undefined) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Challenge: body.Challenge }))
    else res.writeHead(500).end()
  })
  t.teardown(() => failing.close())
  const emu = await createEmulator({ retryDelaysMs: [1, 1] })
  t.teardown(() => emu.close())
  const bot = await emu.createBot({ displayName: 'Broken', endpoint: failing.url })
  const room = await emu.createRoom('quiet')
  await t.rejects(room.expectReply(/x/, { timeoutMs: 20 }), /Messages in the room:\n {2}\(none\)\nDeliveries to bots for this room:\n {2}\(none\)/)
  await room.add(bot)
  emu.faults.delivery({ botId: bot.BotId, status: 'reset', times: 3 })
  await room.mention(bot, `help ${'x'.repeat(300)}`)
  await emu.idle()
  emu.state.eventsConfigurations.delete(bot.BotId)
  await room.mention(bot, 'again')
  const error = await room.expectReply(/never/, { timeoutMs: 20 }).catch((e: Error) => e)
  t.match(error, { message: /No bot message arrived in room .* within 20 ms \(waited for a bot message matching \/never\/\)/ })
  t.match((error as Error).message, /\[User\] user@example\.com: "@Broken help x+…"/)
  t.match((error as Error).message, /Invite → .*: Failed \(attempts: 500, 500, 500\)/)
  t.match((error as Error).message, /Mention → .*: Failed \(attempts: ECONNRESET/)
  t.match((error as Error).message, /\[System\] system: "Broken \(Bot\) has no outbound endpoint configured/)
})

t.test('mentioning a disabled bot leaves a notice in the room and sends nothing', async t => {
  const { emu, echo, bot, room } = await withEcho(t)
  await emu.idle()
  emu.state.updateBot(emu.accountId, bot.BotId, { Disabled: true })
  const posted = await room.mention(bot, 'are you there?')
  t.same(posted.deliveries, [])
  t.same(posted.mentioned, [bot.BotId])
  t.match(posted.notices, [{ SenderType: 'System', Content: /is disabled and cannot answer/ }])
  t.same(emu.messages(room.RoomId).map(m => m.SenderType), ['User', 'System'])
  await emu.idle()
  t.same(echo.events.map(e => e.EventType), ['Invite'])
})

t.test('a mention of a bot that is not in the room is plain text', async t => {
  const { emu, echo, room } = await withEcho(t)
  await emu.createBot({ displayName: 'Outsider', endpoint: echo.url })
  const posted = await room.post('@Outsider hello?')
  t.same(posted.mentioned, [])
  t.same(posted.notices, [])
})

t.test('assertNoPendingDeliveries names the deliveries still in flight', async t => {
  const slow = await startRecorder((req, res) => {
    const body = JSON.parse(req.rawBody) as { Challenge?: string }
    if (body.Challenge !== undefined) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Challenge: body.Challenge }))
    else setTimeout(() => res.writeHead(200).end(), 100)
  })
  t.teardown(() => slow.close())
  const emu = await createEmulator()
  t.teardown(() => emu.close())
  const bot = await emu.createBot({ displayName: 'Slow', endpoint: slow.url })
  const room = await emu.createRoom('r')
  await room.add(bot)
  t.throws(() => emu.assertNoPendingDeliveries(), /1 deliveries are still in flight:\n {2}Invite → .*: Pending\nAwait emu\.idle\(\)/)
  await emu.idle()
  t.doesNotThrow(() => emu.assertNoPendingDeliveries())
})

t.test('the manual clock expires ShortLived URLs and stamps events', async t => {
  const clock = createManualClock('2026-03-01T12:00:00.000Z')
  const { emu, echo, bot, room } = await withEcho(t, { clock })
  await emu.idle()
  t.equal(echo.events[0]!.EventTimestamp, '2026-03-01T12:00:00.000Z')
  echo.replyStatuses.length = 0
  clock.advance(5000)
  await room.mention(bot, 'fresh')
  await room.expectReply('fresh')
  const mention = echo.events.at(-1)!
  t.equal(mention.EventTimestamp, '2026-03-01T12:00:05.000Z')
  clock.advance(SHORT_LIVED_TTL_MS)
  const late = await request(mention.InboundHttpsEndpoint.Url, { method: 'POST', body: '{"Content":"too late"}' })
  t.equal(late.statusCode, 404)
  t.match(await late.body.json(), { Code: 'NotFound', Message: /expired/ })
  const persistent = await request(echo.events[0]!.InboundHttpsEndpoint.Url, { method: 'POST', body: '{"Content":"still fine"}' })
  t.equal(persistent.statusCode, 200, 'the Persistent URL does not expire')
  await persistent.body.text()
})
