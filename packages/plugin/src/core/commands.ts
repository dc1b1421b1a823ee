/**
 * Commands: Chime bots are driven by messages like
 * `@EchoBot check-inventory product:"blue shirt"`.
 *
 * `parseCommand` strips the leading mention and splits the rest into a
 * command name and arguments. `CommandRouter` maps names to handlers, answers
 * `help` with the registered commands, and answers anything else with the
 * fallback registered as `'*'` or, without one, with that help too. It knows
 * no web framework: the Fastify plugin and the Lambda adapter both use it as
 * one more Mention handler, so handlers registered with `on('Mention')` still
 * see every Mention.
 */
import { FST_CHIME_INVALID_COMMAND, FST_CHIME_INVALID_OPTION } from '../errors.js'
import { describeValue } from './events.js'
import type { ChimeContext, MentionEvent } from './types.js'

/** A command as parsed from a Mention's message. */
export interface ParsedCommand {
  /** The first word after the mention, lower-cased (`''` when the message is only the mention). */
  name: string
  /** The words after the name; quotes ("…", '…', “…”) group words and are removed. */
  args: string[]
  /** Everything after the name, as typed (trimmed). */
  text: string
  /**
   * Everything after the mention, as typed (trimmed): the name as written, then `text`.
   * What a `'*'` fallback usually wants: `@EchoBot Hello there` → `Hello there`.
   */
  input: string
  /** The leading mention that was stripped, e.g. `@EchoBot`; `undefined` when the message did not start with one. */
  mention: string | undefined
}

/** Options of {@link parseCommand}. */
export interface ParseCommandOptions {
  /**
   * The names the bot is mentioned by (its display name and/or e-mail, with or without `@`).
   * Needed only for display names that contain spaces: without them, the mention is the
   * first word starting with `@`. Each name is also recognised followed by ` (Bot)`, the
   * suffix Chime shows after a bot's display name.
   */
  botNames?: readonly string[]
}

/**
 * Validates `botNames` (an array of non-empty names) and returns a frozen copy.
 *
 * @throws FST_CHIME_INVALID_OPTION naming the first entry that is not a name
 */
export function resolveBotNames (value: unknown): readonly string[] {
  if (value === undefined) return []
  const expected = 'an array of the names the bot is mentioned by, e.g. ["Echo Bot", "echo-bot-chimebot@example.com"]'
  if (!Array.isArray(value)) throw new FST_CHIME_INVALID_OPTION('botNames', expected, describeValue(value))
  const bad = value.findIndex(name => typeof name !== 'string' || name.replace(/^@/, '').trim() === '')
  if (bad !== -1) throw new FST_CHIME_INVALID_OPTION('botNames', expected, `an array whose entry ${bad} is ${describeValue(value[bad])}`)
  return Object.freeze([...value as string[]])
}

/** What Chime shows after a bot's display name; a mention may carry it. */
const BOT_SUFFIX = ' (bot)'

const OPENING_QUOTES: Record<string, string> = { '"': '"', '\'': '\'', '“': '”', '‘': '’' }

/** Splits text into words; quotes group words and are removed. An unclosed quote runs to the end. */
export function splitArguments (text: string): string[] {
  const args: string[] = []
  let current = ''
  let inWord = false
  let closing: string | undefined
  for (const char of text) {
    if (closing !== undefined) {
      if (char === closing) closing = undefined
      else current += char
    } else if (OPENING_QUOTES[char] !== undefined) {
      closing = OPENING_QUOTES[char]
      inWord = true
    } else if (/\s/u.test(char)) {
      if (inWord) args.push(current)
      current = ''
      inWord = false
    } else {
      current += char
      inWord = true
    }
  }
  if (inWord) args.push(current)
  return args
}

/** Whether the mention may end right before `index`: at the end, or before a space, `:` or `,`. */
function endsAt (message: string, index: number): boolean {
  const next = message[index]
  return next === undefined || /[\s:,]/u.test(next)
}

function mentionLength (message: string, botNames: readonly string[]): number {
  const lower = message.toLowerCase()
  const names = botNames
    .map(name => '@' + name.replace(/^@/, '').toLowerCase())
    .flatMap(name => [name, name + BOT_SUFFIX])
    .sort((a, b) => b.length - a.length)
  for (const name of names) {
    if (lower.startsWith(name) && endsAt(message, name.length)) return name.length
  }
  const space = message.search(/\s/u)
  const end = space === -1 ? message.length : space
  return lower.startsWith(BOT_SUFFIX, end) && endsAt(message, end + BOT_SUFFIX.length) ? end + BOT_SUFFIX.length : end
}

/**
 * Parses a Mention's message into a command.
 *
 * The leading mention is the longest of `botNames` the message starts with
 * (case-insensitive), else the first word when it starts with `@`; either may
 * be followed by ` (Bot)` (how Chime shows a bot's display name), and a `:` or
 * `,` right after it is skipped (`@EchoBot: help`). A message that does not
 * start with `@` is parsed whole.
 */
export function parseCommand (message: string, options: ParseCommandOptions = {}): ParsedCommand {
  let rest = message.trim()
  let mention: string | undefined
  if (rest.startsWith('@')) {
    const length = mentionLength(rest, options.botNames ?? [])
    mention = rest.slice(0, length).replace(/[:,]$/, '')
    rest = rest.slice(length).replace(/^\s*[:,]?\s*/u, '')
  }
  const end = rest.search(/\s/u)
  const name = (end === -1 ? rest : rest.slice(0, end)).toLowerCase()
  const text = end === -1 ? '' : rest.slice(end).trim()
  return { name, args: splitArguments(text), text, input: rest, mention }
}

/** A command handler: the parsed command, the Mention event and the handler context (`ctx.reply`…). */
export type CommandHandler = (
  command: ParsedCommand,
  event: MentionEvent,
  ctx: ChimeContext<MentionEvent>
) => unknown

/** A command with its description (shown by `help`). */
export interface CommandDefinition {
  /** One line shown by `help`. */
  description?: string
  /** What runs when the command is sent. */
  handler: CommandHandler
}

/** A registered command, as `list()` returns it. */
export interface CommandInfo {
  name: string
  description: string | undefined
}

/** Options of {@link CommandRouter}. */
export interface CommandRouterOptions extends ParseCommandOptions {}

const HELP = 'help'
/** The name under which `command()` registers the fallback: what runs for text that is not a command. */
export const ANY_COMMAND = '*'
const HELP_DESCRIPTION = 'Lists the commands this bot understands (`help <command>` describes one).'

function validName (name: unknown): name is string {
  return typeof name === 'string' && name !== '' && !/\s/u.test(name)
}

/**
 * Routes Mentions to command handlers.
 *
 * @example
 * const router = new CommandRouter()
 * router.command('ping', { description: 'Answers pong.', handler: (cmd, event, ctx) => ctx.reply('pong') })
 * bot.on('Mention', router.handler)
 */
export class CommandRouter {
  readonly #commands = new Map<string, CommandDefinition & { name: string }>()
  readonly #options: CommandRouterOptions
  #fallback: CommandDefinition | undefined

  /**
   * @param options - see {@link CommandRouterOptions}
   * @throws FST_CHIME_INVALID_OPTION when `botNames` is not an array of names
   */
  constructor (options: CommandRouterOptions = {}) {
    this.#options = { ...options, botNames: resolveBotNames(options?.botNames) }
  }

  /** How many commands were registered (the built-in `help` and the `'*'` fallback not counted). */
  get size (): number {
    return this.#commands.size
  }

  /**
   * Registers a command. Names are matched case-insensitively and may not contain spaces;
   * registering `help` replaces the built-in one.
   *
   * The name `'*'` registers the fallback instead: it runs for every Mention whose text is
   * not a command (read `command.input` for the whole text after the mention), where the
   * router otherwise answers "Unknown command" with the help. `help` and a mention without
   * text still get the help. A description given with it is shown by `help` as "anything else".
   *
   * @throws `FST_CHIME_INVALID_COMMAND` for a bad name, a missing handler, or a name already registered
   */
  command (name: string, handlerOrDefinition: CommandHandler | CommandDefinition): this {
    if (!validName(name)) {
      throw new FST_CHIME_INVALID_COMMAND(`the name must be one word without spaces, e.g. 'check-inventory'; got ${JSON.stringify(name) ?? String(name)}`)
    }
    const key = name.toLowerCase()
    const definition = typeof handlerOrDefinition === 'function' ? { handler: handlerOrDefinition } : handlerOrDefinition
    if (typeof definition?.handler !== 'function') {
      throw new FST_CHIME_INVALID_COMMAND(`'${key}' needs a handler function, or an object { description, handler }`)
    }
    if (definition.description !== undefined && typeof definition.description !== 'string') {
      throw new FST_CHIME_INVALID_COMMAND(`the description of '${key}' must be a string`)
    }
    if (key === ANY_COMMAND) {
      if (this.#fallback !== undefined) throw new FST_CHIME_INVALID_COMMAND('a fallback (\'*\') is already registered')
      this.#fallback = { description: definition.description, handler: definition.handler }
      return this
    }
    if (this.#commands.has(key)) {
      throw new FST_CHIME_INVALID_COMMAND(`a command named '${key}' is already registered`)
    }
    this.#commands.set(key, { name: key, description: definition.description, handler: definition.handler })
    return this
  }

  /** The registered commands, sorted by name, with the built-in `help` unless it was replaced (the `'*'` fallback is not listed). */
  list (): CommandInfo[] {
    const list: CommandInfo[] = [...this.#commands.values()].map(({ name, description }) => ({ name, description }))
    if (!this.#commands.has(HELP)) list.push({ name: HELP, description: HELP_DESCRIPTION })
    return list.sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Parses a message with this router's `botNames`. */
  parse (message: string): ParsedCommand {
    return parseCommand(message, this.#options)
  }

  /**
   * The help message (markdown, without the `/md` prefix): every command with its description,
   * then the `'*'` fallback's description as "anything else" when it has one; or only `only`'s
   * when given and known.
   */
  helpText (mention?: string, only?: string): string {
    const commands = this.list().filter(command => only === undefined || command.name === only)
    const all = commands.length === 0 || only === undefined
    const shown = all ? this.list() : commands
    const how = mention === undefined ? '' : ` Write \`${mention} <command>\`.`
    const lines = shown.map(({ name, description }) => `- \`${name}\`${description === undefined ? '' : ` — ${description}`}`)
    const otherwise = this.#fallback?.description
    if (all && otherwise !== undefined) lines.push(`- anything else — ${otherwise}`)
    return [`**Commands**${how}`, ...lines].join('\n')
  }

  /**
   * Handles one Mention: runs its command, answers `help`, runs the `'*'`
   * fallback for other text, or — without a fallback — answers an unknown
   * command with the help. A mention without text gets the help. Does nothing
   * (resolves `false`) while neither a command nor a fallback is registered,
   * so a bot that only uses `on('Mention')` is not affected.
   *
   * @returns whether the router acted on the Mention
   */
  async handle (event: MentionEvent, ctx: ChimeContext<MentionEvent>): Promise<boolean> {
    if (this.#commands.size === 0 && this.#fallback === undefined) return false
    const command = this.parse(event.Message)
    const registered = this.#commands.get(command.name)
    if (registered !== undefined) {
      await registered.handler(command, event, ctx)
      return true
    }
    if (command.name === HELP) {
      const only = command.args[0]?.toLowerCase()
      await ctx.reply.markdown(this.helpText(command.mention, only))
      return true
    }
    if (command.name !== '' && this.#fallback !== undefined) {
      await this.#fallback.handler(command, event, ctx)
      return true
    }
    const intro = command.name === '' ? '' : `Unknown command \`${command.name}\`.\n`
    await ctx.reply.markdown(intro + this.helpText(command.mention))
    return true
  }

  /** `handle` as a Mention handler: `bot.on('Mention', router.handler)`. */
  readonly handler = (event: MentionEvent, ctx: ChimeContext<MentionEvent>): Promise<boolean> => this.handle(event, ctx)
}

/** Creates a {@link CommandRouter}. */
export function createCommandRouter (options?: CommandRouterOptions): CommandRouter {
  return new CommandRouter(options)
}
