/**
 * Command-line parsing for `chime-emulator`: the server flags and the
 * subcommands that talk to a running emulator. Parsing never exits the
 * process; it throws a {@link UsageError} whose message is one line for a
 * person, and `main` turns it into exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'

/** Port the emulator listens on when `--port` is not given. */
export const DEFAULT_PORT = 8787
/** Address the emulator binds when `--host` is not given (loopback only). */
export const DEFAULT_HOST = '127.0.0.1'
/** Where subcommands look for a running emulator when `--url` is not given. */
export const DEFAULT_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`
/** The user a `post` is sent as when `--sender` is not given. */
export const DEFAULT_SENDER = 'alice@example.com'
/** Log levels the emulator's logger (pino) understands. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export type LogLevel = typeof LOG_LEVELS[number]

/** A mistake in how the command was typed: printed on one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** `chime-emulator [flags]`: start an emulator. */
export interface ServeCommand {
  command: 'serve'
  port: number
  host: string
  fixture?: string
  stateFile?: string
  lambdaEndpoint?: string
  logLevel: LogLevel
}

/** Subcommands that talk to a running emulator's control API. */
export type ClientCommand =
  | { command: 'post', url: string, json: boolean, roomId: string, text: string, sender: string }
  | { command: 'add-bot' | 'remove-bot', url: string, json: boolean, roomId: string, botId: string }
  | { command: 'transcript', url: string, json: boolean, roomId: string }
  | { command: 'deliveries' | 'rooms', url: string, json: boolean }

/** Everything the command line can ask for. */
export type Command =
  | ServeCommand
  | ClientCommand
  | { command: 'help', topic?: ClientCommand['command'] }
  | { command: 'version' }

/** Subcommand names and the positional arguments each one takes. */
export const SUBCOMMANDS = {
  post: ['roomId', 'text'],
  'add-bot': ['roomId', 'botId'],
  'remove-bot': ['roomId', 'botId'],
  transcript: ['roomId'],
  deliveries: [],
  rooms: []
} as const satisfies Record<ClientCommand['command'], readonly string[]>

function isSubcommand (name: string | undefined): name is ClientCommand['command'] {
  return name !== undefined && Object.hasOwn(SUBCOMMANDS, name)
}

/** Turns parseArgs' own messages (long, multi-line) into one line. */
function parse (args: string[], options: ParseArgsConfig['options'], allowPositionals: boolean): { values: Record<string, string | boolean | undefined>, positionals: string[] } {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals }) as { values: Record<string, string | boolean | undefined>, positionals: string[] }
  } catch (err) {
    const message = (err as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '')
    throw new UsageError(message)
  }
}

function parsePort (value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535 (0 picks a free port), got "${value}"`)
  }
  return Number(value)
}

function parseHttpUrl (flag: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(`${flag} must be a URL such as http://127.0.0.1:3001, got "${value}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag} must start with http:// or https://, got "${value}"`)
  }
  return value.replace(/\/+$/, '')
}

function parseServe (args: string[]): Command {
  const { values, positionals } = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    fixture: { type: 'string' },
    'state-file': { type: 'string' },
    'lambda-endpoint': { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' }
  }, true)
  if (values.help === true) return { command: 'help' }
  if (values.version === true) return { command: 'version' }
  if (positionals.length > 0) {
    throw new UsageError(`unknown command "${positionals[0]}" (commands: ${Object.keys(SUBCOMMANDS).join(', ')})`)
  }
  const logLevel = (values['log-level'] as string | undefined) ?? 'info'
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)
  }
  const host = (values.host as string | undefined) ?? DEFAULT_HOST
  if (host.trim() === '') throw new UsageError('--host must not be empty')
  const command: ServeCommand = { command: 'serve', port: parsePort(values.port as string | undefined), host, logLevel: logLevel as LogLevel }
  for (const [flag, key] of [['fixture', 'fixture'], ['state-file', 'stateFile']] as const) {
    const value = values[flag] as string | undefined
    if (value === undefined) continue
    if (value === '') throw new UsageError(`--${flag} needs a file path`)
    command[key] = value
  }
  if (values['lambda-endpoint'] !== undefined) {
    command.lambdaEndpoint = parseHttpUrl('--lambda-endpoint', values['lambda-endpoint'] as string)
  }
  return command
}

function parseClient (name: ClientCommand['command'], args: string[]): Command {
  const { values, positionals } = parse(args, {
    url: { type: 'string' },
    json: { type: 'boolean' },
    sender: { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  }, true)
  if (values.help === true) return { command: 'help', topic: name }
  const wanted = SUBCOMMANDS[name]
  if (positionals.length !== wanted.length) {
    const usage = [name, ...wanted.map(w => `<${w}>`)].join(' ')
    throw new UsageError(`${name} takes ${wanted.length === 0 ? 'no arguments' : wanted.map(w => `<${w}>`).join(' ')}, got ${positionals.length === 0 ? 'none' : positionals.map(p => `"${p}"`).join(' ')} (usage: chime-emulator ${usage})`)
  }
  if (values.sender !== undefined && name !== 'post') throw new UsageError(`--sender only applies to post, not to ${name}`)
  const url = parseHttpUrl('--url', (values.url as string | undefined) ?? DEFAULT_URL)
  const json = values.json === true
  const [first = '', second = ''] = positionals
  for (const [i, label] of wanted.entries()) {
    if (positionals[i]!.trim() === '') throw new UsageError(`${name}: <${label}> must not be empty`)
  }
  switch (name) {
    case 'post': {
      const sender = (values.sender as string | undefined) ?? DEFAULT_SENDER
      if (!/^[^@\s]+@[^@\s]+$/.test(sender)) throw new UsageError(`--sender must be an e-mail address such as ${DEFAULT_SENDER}, got "${sender}"`)
      return { command: name, url, json, roomId: first, text: second, sender }
    }
    case 'add-bot':
    case 'remove-bot':
      return { command: name, url, json, roomId: first, botId: second }
    case 'transcript':
      return { command: name, url, json, roomId: first }
    case 'deliveries':
    case 'rooms':
      return { command: name, url, json }
  }
}

/** Reads `argv` (without `node` and the script path) into a {@link Command}. */
export function parseCommandLine (argv: string[]): Command {
  const [first, ...rest] = argv
  if (isSubcommand(first)) return parseClient(first, rest)
  return parseServe(argv)
}
