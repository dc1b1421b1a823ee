import t from 'tap'
import { CommandRouter, createCommandRouter, parseCommand, resolveBotNames, splitArguments, type ParsedCommand } from '../src/core/commands.js'
import type { ChimeContext, MentionEvent, ReplyFunction, ReplyOptions } from '../src/core/types.js'

t.test('the leading mention is stripped and the rest split into name, args and text', async t => {
  t.same(parseCommand('@EchoBot check-inventory product:x  size:M'), {
    name: 'check-inventory', args: ['product:x', 'size:M'], text: 'product:x  size:M', input: 'check-inventory product:x  size:M', mention: '@EchoBot'
  })
  t.same(parseCommand('@botDisplayName@example.com Hello Chatbot'), {
    name: 'hello', args: ['Chatbot'], text: 'Chatbot', input: 'Hello Chatbot', mention: '@botDisplayName@example.com'
  }, 'the mention form of the protocol reference; input keeps the case as typed')
  t.same(parseCommand('  @EchoBot:   HELP  '), { name: 'help', args: [], text: '', input: 'HELP', mention: '@EchoBot' }, 'a colon after the mention is skipped, names are lower-cased')
  t.same(parseCommand('@EchoBot, ping'), { name: 'ping', args: [], text: '', input: 'ping', mention: '@EchoBot' })
  t.same(parseCommand('@EchoBot'), { name: '', args: [], text: '', input: '', mention: '@EchoBot' })
  t.same(parseCommand('ping now'), { name: 'ping', args: ['now'], text: 'now', input: 'ping now', mention: undefined }, 'no leading mention: parsed whole')
})

t.test('the " (Bot)" suffix Chime shows after bot names is part of the mention', async t => {
  t.same(parseCommand('@EchoBot (Bot) Hello there'), {
    name: 'hello', args: ['there'], text: 'there', input: 'Hello there', mention: '@EchoBot (Bot)'
  })
  t.equal(parseCommand('@EchoBot (bot): help').name, 'help', 'any case, with a colon after it')
  t.same(parseCommand('@EchoBot (Bot)'), { name: '', args: [], text: '', input: '', mention: '@EchoBot (Bot)' })
  t.equal(parseCommand('@EchoBot (Bots) go').name, '(bots)', 'only the exact suffix counts')
  const botNames = ['Echo Bot']
  t.same(parseCommand('@Echo Bot (Bot) status now', { botNames }), {
    name: 'status', args: ['now'], text: 'now', input: 'status now', mention: '@Echo Bot (Bot)'
  }, 'a known name followed by the suffix')
  t.equal(parseCommand('@Echo Bot (Bot)', { botNames }).name, '')
})

t.test('known bot names handle display names with spaces and the e-mail form', async t => {
  const botNames = ['Echo Bot', '@echo-bot-chimebot@example.com']
  t.same(parseCommand('@Echo Bot status', { botNames }), { name: 'status', args: [], text: '', input: 'status', mention: '@Echo Bot' })
  t.same(parseCommand('@echo bot: status', { botNames }).name, 'status', 'case-insensitive, colon skipped')
  t.same(parseCommand('@echo-bot-chimebot@example.com status', { botNames }).mention, '@echo-bot-chimebot@example.com')
  t.same(parseCommand('@Echo Bot', { botNames }), { name: '', args: [], text: '', input: '', mention: '@Echo Bot' })
  t.same(parseCommand('@Echo Botany status', { botNames }), { name: 'botany', args: ['status'], text: 'status', input: 'Botany status', mention: '@Echo' },
    'a longer word is not the bot name: falls back to the first word')
  t.same(parseCommand('@Echo status', { botNames }).name, 'status', 'without a match, the first @word is the mention')
})

t.test('arguments honour straight and typographic quotes', async t => {
  t.same(splitArguments('product:"blue shirt" size:M'), ['product:blue shirt', 'size:M'])
  t.same(splitArguments('\'a b\' “c d” ‘e’ ""'), ['a b', 'c d', 'e', ''])
  t.same(splitArguments('"unclosed quote'), ['unclosed quote'])
  t.same(splitArguments('  spaced   out  '), ['spaced', 'out'])
  t.same(splitArguments(''), [])
})

interface Sent { content: string, options: ReplyOptions | undefined }

function fakeContext (message: string): { event: MentionEvent, ctx: ChimeContext<MentionEvent>, sent: Sent[] } {
  const event: MentionEvent = {
    Sender: { SenderId: 'user@example.com', SenderIdType: 'EmailId' },
    Discussion: { DiscussionId: 'room-1', DiscussionType: 'Room' },
    EventType: 'Mention',
    Message: message,
    InboundHttpsEndpoint: { EndpointType: 'ShortLived', Url: 'https://hooks.example/incomingwebhooks/x?token=t' },
    EventTimestamp: new Date().toISOString()
  }
  const sent: Sent[] = []
  const reply = Object.assign(
    async (content: string, options?: ReplyOptions) => {
      sent.push({ content, options })
      return { messages: 1, attempts: 1 }
    },
    { markdown: async (content: string) => reply(content, { markdown: true }) }
  ) as ReplyFunction
  const log = { debug () {}, info () {}, warn () {}, error () {} }
  return { event, ctx: { event, roomId: 'room-1', requestId: 'req-1', log, reply }, sent }
}

t.test('a registered command runs with the parsed command, the event and the context', async t => {
  const router = createCommandRouter()
  const calls: Array<[ParsedCommand, MentionEvent]> = []
  router.command('check-inventory', {
    description: 'Looks a product up.',
    handler: async (command, event, ctx) => {
      calls.push([command, event])
      await ctx.reply(`checking ${command.args.join(',')}`)
    }
  })
  const { event, ctx, sent } = fakeContext('@EchoBot Check-Inventory product:x')
  t.equal(await router.handle(event, ctx), true)
  t.same(calls[0]?.[0], { name: 'check-inventory', args: ['product:x'], text: 'product:x', input: 'Check-Inventory product:x', mention: '@EchoBot' })
  t.equal(calls[0]?.[1], event)
  t.same(sent, [{ content: 'checking product:x', options: undefined }])
})

t.test('help lists every command with its description, as explicit markdown', async t => {
  const router = new CommandRouter()
    .command('ping', { description: 'Answers pong.', handler: () => {} })
    .command('deploy', () => {})
  t.equal(router.size, 2)
  t.same(router.list(), [
    { name: 'deploy', description: undefined },
    { name: 'help', description: 'Lists the commands this bot understands (`help <command>` describes one).' },
    { name: 'ping', description: 'Answers pong.' }
  ])
  const { event, ctx, sent } = fakeContext('@EchoBot help')
  t.equal(await router.handle(event, ctx), true)
  t.equal(sent.length, 1)
  t.same(sent[0]?.options, { markdown: true })
  t.equal(sent[0]?.content, [
    '**Commands** Write `@EchoBot <command>`.',
    '- `deploy`',
    '- `help` — Lists the commands this bot understands (`help <command>` describes one).',
    '- `ping` — Answers pong.'
  ].join('\n'))
})

t.test('help <command> describes one command; an unknown one falls back to the list', async t => {
  const router = new CommandRouter().command('ping', { description: 'Answers pong.', handler: () => {} })
  const one = fakeContext('@EchoBot help PING')
  await router.handle(one.event, one.ctx)
  t.equal(one.sent[0]?.content, '**Commands** Write `@EchoBot <command>`.\n- `ping` — Answers pong.')
  const unknown = fakeContext('@EchoBot help nope')
  await router.handle(unknown.event, unknown.ctx)
  t.match(unknown.sent[0]?.content, /`help`[\s\S]*`ping`/)
})

t.test('an unknown command, or only the mention, is answered with help', async t => {
  const router = new CommandRouter().command('ping', () => {})
  const unknown = fakeContext('@EchoBot dance now')
  t.equal(await router.handle(unknown.event, unknown.ctx), true)
  t.match(unknown.sent[0]?.content, /^Unknown command `dance`\.\n\*\*Commands\*\*/)
  const bare = fakeContext('@EchoBot')
  await router.handle(bare.event, bare.ctx)
  t.match(bare.sent[0]?.content, /^\*\*Commands\*\*/)
  const noMention = fakeContext('dance')
  await router.handle(noMention.event, noMention.ctx)
  t.match(noMention.sent[0]?.content, /^Unknown command `dance`\.\n\*\*Commands\*\*\n/, 'without a mention the "Write …" hint is left out')
})

t.test('the \'*\' fallback answers text that is not a command; help and a bare mention still get the help', async t => {
  const inputs: string[] = []
  const router = new CommandRouter()
    .command('ping', { description: 'Answers pong.', handler: (_c, _e, ctx) => ctx.reply('pong') })
    .command('*', { description: 'Repeated as written.', handler: async (command, _e, ctx) => { inputs.push(command.name); await ctx.reply(command.input) } })
  t.equal(router.size, 1, 'the fallback is not counted as a command')
  t.same(router.list().map(c => c.name), ['help', 'ping'], 'nor listed as one')

  const other = fakeContext('@EchoBot Hello  World')
  t.equal(await router.handle(other.event, other.ctx), true)
  t.same(other.sent, [{ content: 'Hello  World', options: undefined }], 'the whole text after the mention, as typed')
  t.same(inputs, ['hello'])

  const ping = fakeContext('@EchoBot ping')
  await router.handle(ping.event, ping.ctx)
  t.same(ping.sent.map(s => s.content), ['pong'], 'a registered command wins over the fallback')

  const help = fakeContext('@EchoBot help')
  await router.handle(help.event, help.ctx)
  t.equal(help.sent[0]?.content, '**Commands** Write `@EchoBot <command>`.\n- `help` — Lists the commands this bot understands (`help <command>` describes one).\n- `ping` — Answers pong.\n- anything else — Repeated as written.')
  t.same(help.sent[0]?.options, { markdown: true })

  const one = fakeContext('@EchoBot help ping')
  await router.handle(one.event, one.ctx)
  t.equal(one.sent[0]?.content, '**Commands** Write `@EchoBot <command>`.\n- `ping` — Answers pong.', 'help <command> shows that command only')

  const bare = fakeContext('@EchoBot')
  await router.handle(bare.event, bare.ctx)
  t.equal(bare.sent[0]?.content, help.sent[0]?.content, 'a mention without text gets the help, not the fallback')
  t.same(inputs, ['hello'], 'the fallback ran once')
})

t.test('a fallback alone makes the router act; without a description help has no "anything else" line', async t => {
  const router = new CommandRouter().command('*', (command, _e, ctx) => ctx.reply(`you said ${command.input}`))
  t.equal(router.size, 0)
  const other = fakeContext('@EchoBot something')
  t.equal(await router.handle(other.event, other.ctx), true)
  t.same(other.sent.map(s => s.content), ['you said something'])
  t.equal(router.helpText(), '**Commands**\n- `help` — Lists the commands this bot understands (`help <command>` describes one).')
  t.throws(() => router.command('*', () => {}), { code: 'FST_CHIME_INVALID_COMMAND', message: /a fallback \('\*'\) is already registered/ })
  t.throws(() => new CommandRouter().command('*', { description: 3 } as never), { code: 'FST_CHIME_INVALID_COMMAND', message: /'\*' needs a handler function/ })
})

t.test('a router without commands leaves Mentions alone', async t => {
  const router = new CommandRouter()
  const { event, ctx, sent } = fakeContext('@EchoBot help')
  t.equal(await router.handle(event, ctx), false)
  t.same(sent, [])
})

t.test('registering help replaces the built-in one', async t => {
  const router = new CommandRouter().command('help', { description: 'Custom.', handler: (_c, _e, ctx) => ctx.reply('my help') })
  const { event, ctx, sent } = fakeContext('@EchoBot help')
  await router.handle(event, ctx)
  t.same(sent, [{ content: 'my help', options: undefined }])
  t.same(router.list(), [{ name: 'help', description: 'Custom.' }])
})

t.test('router.handler works as a Mention handler and uses the router\'s bot names', async t => {
  const router = new CommandRouter({ botNames: ['Echo Bot'] })
  const seen: string[] = []
  router.command('status', command => { seen.push(command.text) })
  const { event, ctx } = fakeContext('@Echo Bot status all')
  t.equal(await router.handler(event, ctx), true)
  t.same(seen, ['all'])
  t.equal(router.parse('@Echo Bot status').name, 'status')
})

t.test('botNames is checked: an array of non-empty names', async t => {
  t.same(resolveBotNames(undefined), [])
  const names = resolveBotNames(['Echo Bot', '@echo-bot-chimebot@example.com'])
  t.same(names, ['Echo Bot', '@echo-bot-chimebot@example.com'])
  t.ok(Object.isFrozen(names))
  const bad: Array<[unknown, RegExp]> = [
    ['Echo Bot', /`botNames` must be an array of the names the bot is mentioned by, e\.g\. \["Echo Bot".*; got the string "Echo Bot"/],
    [['Echo Bot', ''], /got an array whose entry 1 is the string ""/],
    [['@ '], /got an array whose entry 0 is the string "@ "/],
    [[7], /got an array whose entry 0 is number 7/]
  ]
  for (const [value, message] of bad) {
    t.throws(() => resolveBotNames(value), { code: 'FST_CHIME_INVALID_OPTION', message })
    t.throws(() => new CommandRouter({ botNames: value as string[] }), { code: 'FST_CHIME_INVALID_OPTION', message })
  }
})

t.test('a handler error reaches the caller', async t => {
  const router = new CommandRouter().command('boom', () => { throw new Error('kaboom') })
  const { event, ctx } = fakeContext('@EchoBot boom')
  await t.rejects(router.handle(event, ctx), { message: 'kaboom' })
})

t.test('bad registrations are typed errors', async t => {
  const router = new CommandRouter().command('ping', () => {})
  const bad: Array<[unknown, unknown, RegExp]> = [
    ['two words', () => {}, /one word without spaces.*got "two words"/],
    ['', () => {}, /got ""/],
    [undefined, () => {}, /got undefined/],
    ['x', undefined, /'x' needs a handler function/],
    ['x', { description: 'no handler' }, /'x' needs a handler function/],
    ['x', { description: 7, handler: () => {} }, /description of 'x' must be a string/],
    ['PING', () => {}, /'ping' is already registered/]
  ]
  for (const [name, handler, message] of bad) {
    t.throws(() => router.command(name as string, handler as () => void), { code: 'FST_CHIME_INVALID_COMMAND', message })
  }
})
