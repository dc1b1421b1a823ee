import t, { type Test } from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { formatDeliveries, formatRooms, formatTranscript, runClientCommand } from '../src/cli/client.js'
import { main } from '../src/cli.js'

/** A stand-in HTTP server answering every request with `handler`, on a free port. */
async function fakeServer (t: Test, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function capture () {
  let text = ''
  return { write: (s: string) => { text += s }, get text () { return text } }
}

t.test('a stopped emulator is reported with how to start one, exit code 1', async t => {
  // Open a port and close it again: nothing listens there any more.
  const closed = createServer()
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
  const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
  await new Promise<void>(resolve => closed.close(() => resolve()))

  const stdout = capture()
  const stderr = capture()
  t.equal(await main(['deliveries', '--url', deadUrl], { stdout, stderr }), 1)
  t.equal(stderr.text, `chime-emulator: no emulator answered at ${deadUrl} — start one with \`chime-emulator\` (or pass --url)\n`)
  t.equal(stdout.text, '')
})

t.test('a server that is not an emulator is named as such', async t => {
  const url = await fakeServer(t, (_req, res) => { res.setHeader('content-type', 'text/html'); res.end('<html>hello</html>') })
  const stderr = capture()
  t.equal(await main(['transcript', 'room-1', '--url', url], { stdout: capture(), stderr }), 1)
  t.match(stderr.text, /answered GET \/_emulator\/rooms\/room-1\/messages with 200 and a body that is not JSON: is it a chime-emulator\?/)
})

t.test('a refusal carries the emulator\'s own message', async t => {
  const answers: Array<[number, string]> = [
    [404, JSON.stringify({ Code: 'NotFound', Message: 'The room room-9 does not exist.' })],
    [400, JSON.stringify({ message: 'body/Sender must be a string' })],
    [500, '']
  ]
  const url = await fakeServer(t, (_req, res) => {
    const [status, body] = answers.shift()!
    res.statusCode = status
    res.end(body)
  })
  const stderr = capture()
  t.equal(await main(['post', 'room-9', 'hi', '--url', url], { stdout: capture(), stderr }), 1)
  t.match(stderr.text, 'the emulator refused POST /_emulator/rooms/room-9/messages (404): The room room-9 does not exist.')
  t.equal(await main(['post', 'room-9', 'hi', '--url', url], { stdout: capture(), stderr }), 1)
  t.match(stderr.text, '(400): body/Sender must be a string')
  t.equal(await main(['add-bot', 'room-9', 'bot-1', '--url', url], { stdout: capture(), stderr }), 1)
  t.match(stderr.text, 'the emulator refused POST /_emulator/rooms/room-9/bots/bot-1 (500): \n')
})

t.test('--json prints the control API answer as it came', async t => {
  const seen: string[] = []
  const url = await fakeServer(t, (req, res) => {
    seen.push(`${req.method} ${req.url}`)
    res.setHeader('content-type', 'application/json')
    res.end(req.method === 'DELETE' ? '' : JSON.stringify({ Deliveries: [] }))
  })
  const stdout = capture()
  await runClientCommand({ command: 'deliveries', url, json: true }, stdout)
  t.same(JSON.parse(stdout.text), { Deliveries: [] })
  const removed = capture()
  await runClientCommand({ command: 'remove-bot', url, json: true, roomId: 'r 1', botId: 'b/1' }, removed)
  t.same(JSON.parse(removed.text), {})
  t.same(seen, ['GET /_emulator/deliveries', 'DELETE /_emulator/rooms/r%201/bots/b%2F1'])
})

t.test('a transcript prints one line per message with time, sender and kind', async t => {
  t.equal(formatTranscript('room-1', []), 'Room room-1 has no messages yet.\n')
  t.equal(formatTranscript('room-1', [
    { MessageId: 'm1', Sender: 'alice@example.com', SenderType: 'User', Content: '@EchoBot hi', CreatedTimestamp: '2026-01-02T03:04:05.678Z' },
    { MessageId: 'm2', Sender: 'EchoBot-chimebot@example.com', SenderType: 'Bot', Content: 'hi\nthere', CreatedTimestamp: '2026-01-02T03:04:06.000Z' },
    { MessageId: 'm3', Sender: 'EchoBot-chimebot@example.com', SenderType: 'Bot', Content: '/md\n**bold**', CreatedTimestamp: '2026-01-02T03:04:07.000Z' }
  ]), '03:04:05.678  alice@example.com (User): @EchoBot hi\n' +
    '03:04:06.000  EchoBot-chimebot@example.com (Bot): hi\n              there\n' +
    '03:04:07.000  EchoBot-chimebot@example.com (Bot): [markdown] **bold**\n')
})

t.test('deliveries print the outcome and every attempt', async t => {
  t.equal(formatDeliveries([]), 'No events have been delivered to bots yet.\n')
  t.equal(formatDeliveries([
    {
      DeliveryId: 'd1',
      BotId: 'bot-1',
      EventType: 'Mention',
      Target: 'http://127.0.0.1:3000/chime',
      Outcome: 'Failed',
      Attempts: [
        { Timestamp: '2026-01-02T03:04:05.000Z', Status: 503, Error: null, DurationMs: 3.4 },
        { Timestamp: '2026-01-02T03:04:05.200Z', Error: 'connection refused', DurationMs: 1 },
        { Timestamp: '2026-01-02T03:04:05.600Z', DurationMs: 2000 }
      ]
    },
    { DeliveryId: 'd2', BotId: 'bot-1', EventType: 'Invite', Target: 'x', Outcome: 'Delivered', Attempts: [{ Timestamp: '2026-01-02T03:04:07.000Z', Status: 200, DurationMs: 5 }] }
  ]), [
    'Mention → bot bot-1  Failed  (3 attempts) http://127.0.0.1:3000/chime',
    '    #1 03:04:05.000  HTTP 503  3 ms',
    '    #2 03:04:05.200  error: connection refused  1 ms',
    '    #3 03:04:05.600  HTTP -  2000 ms',
    'Invite → bot bot-1  Delivered  (1 attempt) x',
    '    #1 03:04:07.000  HTTP 200  5 ms',
    ''
  ].join('\n'))
})

t.test('rooms print their id, account and members', async t => {
  t.match(formatRooms([]), /^No rooms yet: create one with CreateRoom/)
  t.equal(formatRooms([
    {
      RoomId: 'r1',
      Name: 'dev',
      AccountId: 'a1',
      Members: [
        { MemberId: 'b1', MemberType: 'Bot', Email: 'EchoBot-chimebot@example.com' },
        { MemberId: 'u1', MemberType: 'User', FullName: 'Alice' },
        { MemberId: 'w1', MemberType: 'Webhook' }
      ]
    },
    { RoomId: 'r2', Name: 'empty', AccountId: 'a1', Members: [] }
  ]), [
    'dev  r1  (account a1)',
    '    Bot   b1  EchoBot-chimebot@example.com',
    '    User  u1  Alice',
    '    Webhook  w1',
    'empty  r2  (account a1)',
    '    (no members)',
    ''
  ].join('\n'))
})
