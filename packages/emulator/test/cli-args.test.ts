import t from 'tap'
import { DEFAULT_URL, parseCommandLine, UsageError } from '../src/cli/args.js'
import { helpText, version } from '../src/cli/help.js'
import { readFileSync } from 'node:fs'

const usageError = (argv: string[]) => {
  try {
    parseCommandLine(argv)
  } catch (err) {
    if (err instanceof UsageError) return err.message
    throw err
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be refused`)
}

t.test('no flags starts an emulator on 127.0.0.1:8787 at log level info', async t => {
  t.same(parseCommandLine([]), { command: 'serve', port: 8787, host: '127.0.0.1', logLevel: 'info' })
})

t.test('every server flag is read', async t => {
  t.same(parseCommandLine([
    '--port', '0', '--host', 'localhost', '--fixture', 'f.json', '--state-file', 's.json',
    '--lambda-endpoint', 'http://127.0.0.1:3001/', '--log-level', 'warn'
  ]), {
    command: 'serve',
    port: 0,
    host: 'localhost',
    logLevel: 'warn',
    fixture: 'f.json',
    stateFile: 's.json',
    lambdaEndpoint: 'http://127.0.0.1:3001'
  })
  t.equal((parseCommandLine(['--port=65535']) as { port: number }).port, 65535)
})

t.test('help and version win over other flags', async t => {
  t.same(parseCommandLine(['--port', '1', '--help']), { command: 'help' })
  t.same(parseCommandLine(['-h']), { command: 'help' })
  t.same(parseCommandLine(['--version']), { command: 'version' })
  t.same(parseCommandLine(['-v']), { command: 'version' })
  t.same(parseCommandLine(['post', '--help']), { command: 'help', topic: 'post' })
})

t.test('bad server flags are refused with a sentence naming the problem', async t => {
  t.match(usageError(['--bogus']), /Unknown option '--bogus'/)
  t.notMatch(usageError(['--bogus']), /\n/, 'one line')
  t.match(usageError(['--port', '70000']), /--port must be a whole number from 0 to 65535.*"70000"/)
  t.match(usageError(['--port', 'abc']), /--port .*"abc"/)
  t.match(usageError(['--port', '-1']), /--port/)
  t.match(usageError(['--port']), /--port/)
  t.match(usageError(['--log-level', 'loud']), /--log-level must be one of fatal, error.*"loud"/)
  t.match(usageError(['--host', ' ']), /--host must not be empty/)
  t.match(usageError(['--fixture', '']), /--fixture needs a file path/)
  t.match(usageError(['--state-file=']), /--state-file needs a file path/)
  t.match(usageError(['--lambda-endpoint', 'nope']), /--lambda-endpoint must be a URL/)
  t.match(usageError(['--lambda-endpoint', 'ftp://x']), /--lambda-endpoint must start with http/)
  t.match(usageError(['launch']), /unknown command "launch" \(commands: post, add-bot, remove-bot, transcript, deliveries, rooms\)/)
})

t.test('subcommands take their positional arguments and a --url', async t => {
  t.same(parseCommandLine(['post', 'room-1', '@EchoBot hi']), {
    command: 'post', url: DEFAULT_URL, json: false, roomId: 'room-1', text: '@EchoBot hi', sender: 'alice@example.com'
  })
  t.same(parseCommandLine(['post', 'room-1', 'hi', '--sender', 'bob@example.com', '--url', 'http://127.0.0.1:9000', '--json']), {
    command: 'post', url: 'http://127.0.0.1:9000', json: true, roomId: 'room-1', text: 'hi', sender: 'bob@example.com'
  })
  t.same(parseCommandLine(['add-bot', 'r', 'b']), { command: 'add-bot', url: DEFAULT_URL, json: false, roomId: 'r', botId: 'b' })
  t.same(parseCommandLine(['remove-bot', 'r', 'b']), { command: 'remove-bot', url: DEFAULT_URL, json: false, roomId: 'r', botId: 'b' })
  t.same(parseCommandLine(['transcript', 'r']), { command: 'transcript', url: DEFAULT_URL, json: false, roomId: 'r' })
  t.same(parseCommandLine(['deliveries', '--json']), { command: 'deliveries', url: DEFAULT_URL, json: true })
  t.same(parseCommandLine(['rooms']), { command: 'rooms', url: DEFAULT_URL, json: false })
})

t.test('subcommands refuse missing, extra or empty arguments and misplaced flags', async t => {
  t.match(usageError(['post', 'room-1']), /post takes <roomId> <text>, got "room-1" \(usage: chime-emulator post <roomId> <text>\)/)
  t.match(usageError(['deliveries', 'x']), /deliveries takes no arguments, got "x"/)
  t.match(usageError(['transcript']), /transcript takes <roomId>, got none/)
  t.match(usageError(['add-bot', 'r', ' ']), /add-bot: <botId> must not be empty/)
  t.match(usageError(['transcript', 'r', '--sender', 'a@b.c']), /--sender only applies to post/)
  t.match(usageError(['post', 'r', 'hi', '--sender', 'alice']), /--sender must be an e-mail address/)
  t.match(usageError(['deliveries', '--url', 'localhost']), /--url must be a URL/)
  t.match(usageError(['deliveries', '--port', '1']), /Unknown option '--port'/)
})

t.test('the help explains the flags and commands; each command has its own help', async t => {
  const text = helpText()
  for (const word of ['--port', '--host', '--fixture', '--state-file', '--lambda-endpoint', '--log-level', '--help', '--version', 'post <roomId>', 'add-bot', 'remove-bot', 'transcript', 'deliveries']) {
    t.match(text, word)
  }
  t.match(helpText('post'), /^Usage: chime-emulator post <roomId>/)
  t.match(helpText('deliveries'), /each\nattempt|each attempt/)
})

t.test('the version is the one in package.json', async t => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  t.equal(version(), pkg.version)
  t.match(version(), /^\d+\.\d+\.\d+/)
})
