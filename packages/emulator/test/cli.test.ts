import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import Fastify from 'fastify'
import chimeBot from 'fastify-chime-bot'
import {
  ChimeClient, CreateRoomCommand, PutEventsConfigurationCommand, UpdateBotCommand
} from '@aws-sdk/client-chime'
import { main } from '../src/cli.js'
import { runClientCommand } from '../src/cli/client.js'
import { formatBanner } from '../src/cli/banner.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

function capture (isTTY = false) {
  let text = ''
  return { isTTY, write: (s: string) => { text += s; return true }, get text () { return text } }
}

/** Runs `main(argv)` as a server until `stop` is called; resolves once it listens. */
async function startCli (t: Test, argv: string[], stdout = capture()) {
  const controller = new AbortController()
  const stderr = capture()
  let onListening!: (url: string) => void
  const listening = new Promise<string>(resolve => { onListening = resolve })
  const exit = main(argv, { stdout, stderr, signal: controller.signal, onListening })
  const url = await Promise.race([listening, exit.then(code => { throw new Error(`exited ${code}: ${stderr.text}`) })])
  let stopped = false
  const stop = async () => {
    if (!stopped) controller.abort()
    stopped = true
    return await exit
  }
  t.teardown(stop)
  return { url, stdout, stderr, stop, exit }
}

const TOKEN = 'cli-test-token'

function writeFixture (dir: string): string {
  const file = join(dir, 'fixture.json')
  writeFileSync(file, JSON.stringify({
    Accounts: [{
      AccountId: 'acct-1',
      Name: 'CLI tests',
      Bots: [
        { BotId: 'echo', DisplayName: 'EchoBot', Domain: 'example.com', SecurityToken: TOKEN },
        { BotId: 'mute', DisplayName: 'MuteBot', Domain: 'example.com', SecurityToken: TOKEN }
      ]
    }]
  }))
  return file
}

/** A bot on a real socket that echoes mentions, except "quiet" ones. */
async function startBot (t: Test): Promise<string> {
  const app = Fastify()
  await app.register(chimeBot, { securityToken: TOKEN })
  app.chime.on('Invite', async (_event, ctx) => { await ctx.reply('hello room') })
  app.chime.on('Mention', async (event, ctx) => {
    if (!event.Message.includes('quiet')) await ctx.reply(`echo: ${event.Message}\nsecond line`)
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/chime`
}

t.test('--help, --version and command help print and exit 0', async t => {
  const stdout = capture()
  t.equal(await main(['--help'], { stdout, stderr: capture() }), 0)
  t.match(stdout.text, /^chime-emulator: a local Amazon Chime/)
  const version = capture()
  t.equal(await main(['--version'], { stdout: version, stderr: capture() }), 0)
  t.equal(version.text, JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version + '\n')
  const post = capture()
  t.equal(await main(['post', '-h'], { stdout: post, stderr: capture() }), 0)
  t.match(post.text, /^Usage: chime-emulator post/)
})

t.test('without options, main writes to the process\'s stdout and stderr', async t => {
  const out = t.capture(process.stdout, 'write', () => true)
  t.equal(await main(['--version']), 0)
  const err = t.capture(process.stderr, 'write', () => true)
  t.equal(await main(['--bogus']), 2)
  t.match(String(out()[0]?.args[0]), /^\d+\.\d+\.\d+\n$/)
  t.match(String(err()[0]?.args[0]), /^chime-emulator: Unknown option '--bogus'/)
})

t.test('a wrong command line prints one line pointing to --help and exits 2', async t => {
  for (const argv of [['--bogus'], ['--port', '99999'], ['post', 'room-only']]) {
    const stderr = capture()
    const stdout = capture()
    t.equal(await main(argv, { stdout, stderr }), 2, argv.join(' '))
    t.match(stderr.text, /^chime-emulator: .+ \(see chime-emulator --help\)\n$/)
    t.equal(stderr.text.split('\n').length, 2, 'one line')
    t.equal(stdout.text, '')
  }
})

t.test('a missing, unparsable or malformed fixture is a usage error naming it (exit 2)', async t => {
  const dir = t.testdir({ 'bad.json': '{ nope', 'wrong.json': JSON.stringify({ Accounts: [{ Name: '' }] }) })
  const cases: Array<[string, RegExp]> = [
    [join(dir, 'missing.json'), /Cannot read the fixture file .*missing\.json/],
    [join(dir, 'bad.json'), /bad\.json is not valid JSON/],
    [join(dir, 'wrong.json'), /Accounts\[0\]\.Name must be/]
  ]
  for (const [file, message] of cases) {
    const stderr = capture()
    t.equal(await main(['--port', '0', '--fixture', file], { stdout: capture(), stderr }), 2)
    t.match(stderr.text, message)
    t.equal(stderr.text.split('\n').length, 2, 'one line')
  }
})

t.test('the emulator starts on a free port, prints how to use it, and the subcommands drive it', async t => {
  const dir = t.testdir()
  const stateFile = join(dir, 'state.json')
  const server = await startCli(t, [
    '--port', '0', '--fixture', writeFixture(dir), '--state-file', stateFile,
    '--lambda-endpoint', 'http://127.0.0.1:9/', '--log-level', 'silent'
  ])
  const { url } = server
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.not(url, 'http://127.0.0.1:0')
  const banner = server.stdout.text
  t.match(banner, `Amazon Chime emulator listening on ${url}`)
  t.match(banner, 'acct-1  CLI tests')
  t.match(banner, 'bot echo  EchoBot (Bot) <EchoBot-chimebot@example.com>')
  t.match(banner, `aws chime create-bot --account-id acct-1 --display-name EchoBot --domain example.com --endpoint-url ${url}`)
  t.match(banner, 'aws chime put-events-configuration --account-id acct-1 --bot-id echo')
  t.match(banner, 'cli_follow_urlparam = false')
  t.match(banner, `${url}/_emulator/`)
  t.match(banner, `(add --url ${url} to each command)`)
  t.match(banner, `State is saved to ${stateFile}`)
  t.match(banner, 'invoked through http://127.0.0.1:9')
  t.notMatch(banner, /Web UI/, 'no UI is served, so no UI URL is printed')
  t.notMatch(banner, TOKEN, 'the security token is never printed')

  // Set the bot up the way a user would: the AWS SDK against the emulator.
  const endpoint = await startBot(t)
  const chime = new ChimeClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } })
  t.teardown(() => chime.destroy())
  await chime.send(new PutEventsConfigurationCommand({ AccountId: 'acct-1', BotId: 'echo', OutboundEventsHTTPSEndpoint: endpoint }))
  await chime.send(new PutEventsConfigurationCommand({ AccountId: 'acct-1', BotId: 'mute', OutboundEventsHTTPSEndpoint: endpoint }))
  const { Room } = await chime.send(new CreateRoomCommand({ AccountId: 'acct-1', Name: 'dev' }))
  const roomId = Room!.RoomId!

  const run = async (...argv: string[]) => {
    const stdout = capture()
    const stderr = capture()
    const code = await main([...argv, '--url', url], { stdout, stderr })
    t.equal(stderr.text, '', `${argv[0]} wrote no error`)
    t.equal(code, 0, `${argv[0]} exits 0`)
    return stdout.text
  }

  t.equal(await run('add-bot', roomId, 'echo'), `Added bot echo to room ${roomId}: it was sent an Invite event (see: chime-emulator deliveries).\n`)
  // Wait for the bot's answer to the Invite, so it is not taken for the answer to the next post.
  const deadline = Date.now() + 5000
  while (!(await run('transcript', roomId)).includes('hello room') && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))

  const posted = await run('post', roomId, '@EchoBot hi there', '--sender', 'bob@example.com')
  t.equal(posted, [
    `Posted in room ${roomId} as bob@example.com: @EchoBot hi there`,
    'Mentioned bot echo: a Mention event was sent.',
    'Reply from EchoBot-chimebot@example.com: echo: @EchoBot hi there',
    '    second line',
    ''
  ].join('\n'))

  t.match(await run('post', roomId, 'nobody mentioned here'), /No bot of the room was mentioned, so no bot received an event/)

  const quiet = capture()
  await runClientCommand({ command: 'post', url, json: false, roomId, text: '@EchoBot quiet please', sender: 'alice@example.com' }, quiet, 100)
  t.match(quiet.text, `Replies that arrive later appear in: chime-emulator transcript ${roomId}`)

  const json = JSON.parse(await run('post', roomId, '@EchoBot as json', '--json'))
  t.same(json.MentionedBots, ['echo'])
  t.equal(json.Message.Content, '@EchoBot as json')

  // A bot that is disabled after joining: mentioning it gives the room a notice instead of an event.
  t.match(await run('add-bot', roomId, 'mute'), /Added bot mute/)
  t.match(await run('post', roomId, '@EchoBot @MuteBot both of you'), /Mentioned bots (echo, mute|mute, echo): a Mention event was sent/)
  await chime.send(new UpdateBotCommand({ AccountId: 'acct-1', BotId: 'mute', Disabled: true }))
  t.match(await run('post', roomId, '@MuteBot are you there?'), /Notice from the room: .+/)

  const rooms = await run('rooms')
  t.match(rooms, `dev  ${roomId}  (account acct-1)`)
  t.match(rooms, /Bot {3}echo {2}EchoBot-chimebot@example\.com/)
  t.match(rooms, /User {2}\S+ {2}bob@example\.com/)

  const transcript = await run('transcript', roomId)
  t.match(transcript, /\d\d:\d\d:\d\d\.\d{3} {2}EchoBot-chimebot@example\.com \(Bot\): hello room/)
  t.match(transcript, /bob@example\.com \(User\): @EchoBot hi there/)

  t.match(await run('remove-bot', roomId, 'echo'), `Removed bot echo from room ${roomId}: it was sent a Remove event.`)
  const deliveries = await run('deliveries')
  t.match(deliveries, /Invite → bot echo {2}Delivered {2}\(1 attempt\)/)
  t.match(deliveries, /Remove → bot echo/)
  t.match(deliveries, /#1 \d\d:\d\d:\d\d\.\d{3} {2}HTTP 200/)

  t.equal(await server.stop(), 0)
  t.match(server.stdout.text, `Stopping the emulator (abort)…\nStopped; state saved to ${stateFile}.\n`)
  t.ok(existsSync(stateFile), 'the state file was written')
  t.match(readFileSync(stateFile, 'utf8'), '"echo"')
})

t.test('SIGINT and SIGTERM stop a running emulator cleanly', async t => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const server = await startCli(t, ['--port', '0', '--log-level', 'silent'])
    process.emit(signal)
    t.equal(await server.exit, 0, `${signal} → exit 0`)
    t.match(server.stdout.text, `Stopping the emulator (${signal})…\nStopped.\n`)
  }
})

t.test('an already aborted signal stops right after start', async t => {
  const controller = new AbortController()
  controller.abort()
  const stdout = capture()
  t.equal(await main(['--port', '0', '--log-level', 'silent'], { stdout, stderr: capture(), signal: controller.signal }), 0)
  t.match(stdout.text, /listening on[\s\S]*Stopped\.\n$/)
})

t.test('logs are one readable line per event, at the chosen level', async t => {
  const stdout = capture(true)
  const server = await startCli(t, ['--port', '0', '--log-level', 'info'], stdout)
  await fetch(`${server.url}/_emulator/deliveries`)
  await server.stop()
  t.match(stdout.text, /Amazon Chime emulator listening on/)
  t.notMatch(stdout.text, /"level":/, 'not JSON')
})

t.test('a port in use or an address that cannot be bound exits 1 with the reason', async t => {
  const first = await startCli(t, ['--port', '0', '--log-level', 'silent'])
  const port = new URL(first.url).port
  const busy = capture()
  t.equal(await main(['--port', port, '--log-level', 'silent'], { stdout: capture(), stderr: busy }), 1)
  t.equal(busy.text, `chime-emulator: port ${port} on 127.0.0.1 is already in use (another emulator?); pick another with --port\n`)
  const bad = capture()
  t.equal(await main(['--port', '0', '--host', '192.0.2.1', '--log-level', 'silent'], { stdout: capture(), stderr: bad }), 1)
  t.match(bad.text, /^chime-emulator: could not start: .+\n$/)
})

t.test('an unexpected failure is not swallowed', async t => {
  // A server answering 200 {} to everything is no emulator: the transcript has no Messages.
  const app = Fastify()
  app.get('/*', async () => ({}))
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  await t.rejects(main(['transcript', 'r', '--url', url], { stdout: capture(), stderr: capture() }), TypeError)
})

t.test('the banner adapts to what exists', async t => {
  const none = formatBanner({ url: 'http://127.0.0.1:8787', accounts: [] })
  t.match(none, '--account-id <account-id>')
  t.match(none, '--bot-id <BotId from create-bot>')
  t.notMatch(none, '--url', 'the default URL needs no --url')
  const many = formatBanner({
    url: 'http://127.0.0.1:8787',
    accounts: [{ AccountId: 'a1', Name: 'One', Bots: [] }, { AccountId: 'a2', Name: 'Two', Bots: [] }],
    uiUrl: 'http://127.0.0.1:8787/ui'
  })
  t.match(many, 'Accounts:\n  a1  One\n  a2  Two\n')
  t.match(many, 'Web UI: http://127.0.0.1:8787/ui')
})

t.test('the installed command runs, and SIGTERM stops it with exit code 0', async t => {
  const bin = fileURLToPath(new URL('../bin/chime-emulator.js', import.meta.url))
  // The bin runs the built dist/; its coverage would be mapped onto src/ and could
  // disagree with it when dist is stale, so the child records none (src/ is covered in-process).
  const env: NodeJS.ProcessEnv = { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0' }
  delete env.NODE_V8_COVERAGE
  const bad = spawn(process.execPath, [bin, '--bogus'], { stdio: ['ignore', 'pipe', 'pipe'], env })
  let badErr = ''
  bad.stderr.on('data', (c: Buffer) => { badErr += c.toString() })
  t.equal(await new Promise(resolve => bad.on('exit', resolve)), 2)
  t.match(badErr, /Unknown option '--bogus'/)

  const child = spawn(process.execPath, [bin, '--port', '0', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'], env })
  const exited = new Promise<number | null>(resolve => child.on('exit', resolve))
  t.teardown(() => { child.kill('SIGKILL') })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('Press Ctrl+C to stop.')) resolve()
    })
    child.on('exit', code => reject(new Error(`exited early with ${code}: ${out}`)))
  })
  const url = /listening on (http:\/\/\S+)/.exec(out)![1]!
  t.equal((await (await fetch(`${url}/_emulator`)).json() as { Url: string }).Url, url)
  child.kill('SIGTERM')
  t.equal(await exited, 0)
  t.match(out, /Stopping the emulator \(SIGTERM\)…\nStopped\.\n$/)
})
