/**
 * Commands: Chime bots are driven by messages like
 * `@EchoBot check-inventory product:"blue shirt"`.
 *
 * `parseCommand` strips the leading mention and splits the rest into a
 * command name and arguments. `CommandRouter` maps names to handlers, answers
 * `help` with the registered commands, and answers an unknown command with
 * that help too. It knows no web framework: the Fastify plugin and the Lambda
 * adapter both use it as one more Mention handler, so handlers registered with
 * `on('Mention')` still see every Mention.
 */
import { FST_CHIME_INVALID_COMMAND } from '../errors.js'
import type { ChimeContext, MentionEvent } from './types.js'

/** A command as parsed from a Mention's message. */
export interface ParsedCommand {
  /** The first word after the mention, lower-cased (`''` when the message is only the mention). */
  name: string
  /** The words after the name; quotes ("…", '…', “…”) group words and are removed. */
  args: string[]
  /** Everything after the name, as typed (trimmed). */
  text: string
  /** The leading mention that was stripped, e.g. `@EchoBot`; `undefined` when the message did not start with one. */
  mention: string | undefined
}

/** Options of {@link parseCommand}. */
export interface ParseCommandOptions {
  /**
   * The names the bot is mentioned by (its display name and/or e-mail, with or without `@`).
   * Needed only for display names that contain spaces: without them, the mention is the
   * first word starting with `@`.
   */
  botNames?: readonly string[]
}

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

function mentionLength (message: string, botNames: readonly string[]): number {
  const lower = message.toLowerCase()
  const names = botNames
    .map(name => '@' + name.replace(/^@/, '').toLowerCase())
    .sort((a, b) => b.length - a.length)
  for (const name of names) {
    const next = message[name.length]
    if (lower.startsWith(name) && (next === undefined || /[\s:,]/u.test(next))) return name.length
  }
  const end = message.search(/\s/u)
  return end === -1 ? message.length : end
}

/**
 * Parses a Mention's message into a command.
 *
 * The leading mention is the longest of `botNames` the message starts with
 * (case-insensitive), else the first word when it starts with `@`; a `:` or
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
  return { name, args: splitArguments(text), text, mention }
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

  /** @param options - see {@link CommandRouterOptions} */
  constructor (options: CommandRouterOptions = {}) {
    this.#options = options
  }

  /** How many commands were registered (the built-in `help` not counted). */
  get size (): number {
    return this.#commands.size
  }

  /**
   * Registers a command. Names are matched case-insensitively and may not contain spaces;
   * registering `help` replaces the built-in one.
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
    if (this.#commands.has(key)) {
      throw new FST_CHIME_INVALID_COMMAND(`a command named '${key}' is already registered`)
    }
    this.#commands.set(key, { name: key, description: definition.description, handler: definition.handler })
    return this
  }

  /** The registered commands, sorted by name, with the built-in `help` unless it was replaced. */
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
   * or only `only`'s when given and known.
   */
  helpText (mention?: string, only?: string): string {
    const commands = this.list().filter(command => only === undefined || command.name === only)
    const shown = commands.length > 0 ? commands : this.list()
    const how = mention === undefined ? '' : ` Write \`${mention} <command>\`.`
    const lines = shown.map(({ name, description }) => `- \`${name}\`${description === undefined ? '' : ` — ${description}`}`)
    return [`**Commands**${how}`, ...lines].join('\n')
  }

  /**
   * Handles one Mention: runs its command, answers `help`, or answers an unknown
   * command with the help. Does nothing (resolves `false`) while no command is
   * registered, so a bot that only uses `on('Mention')` is not affected.
   *
   * @returns whether the router acted on the Mention
   */
  async handle (event: MentionEvent, ctx: ChimeContext<MentionEvent>): Promise<boolean> {
    if (this.#commands.size === 0) return false
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
