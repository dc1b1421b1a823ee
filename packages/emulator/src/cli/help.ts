/**
 * `--help` texts and `--version`, written for someone who has never used
 * Amazon Chime.
 */
import { readFileSync } from 'node:fs'
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SENDER, DEFAULT_URL, LOG_LEVELS, type ClientCommand } from './args.js'

/** The emulator's version, from its package.json. */
export function version (): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

const MAIN_HELP = `chime-emulator: a local Amazon Chime chat-bot service, for running and testing bots end to end.

It serves Chime's bot admin API (use the AWS CLI or SDK with --endpoint-url), checks your bot's
endpoint with Chime's challenge handshake, delivers signed Invite/Mention/Remove events to it, and
accepts its replies on incoming webhooks with Chime's limits.

Usage:
  chime-emulator [options]                 start an emulator (Ctrl+C stops it)
  chime-emulator <command> [arguments]     talk to a running emulator

Options:
  --port <n>               port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <address>         address to bind (default ${DEFAULT_HOST}, this machine only)
  --fixture <file>         JSON file that pre-creates accounts and bots with fixed ids and tokens:
                           {"Accounts":[{"AccountId":"…","Name":"…","Bots":[{"BotId":"…",
                            "DisplayName":"…","Domain":"…","SecurityToken":"…"}]}]}
  --state-file <file>      keep bots, tokens, rooms and configurations in this file across restarts
  --lambda-endpoint <url>  a server speaking Lambda's Invoke API (sam local start-lambda, LocalStack)
                           for bots configured with a Lambda function ARN
  --log-level <level>      ${LOG_LEVELS.join(', ')} (default info)
  -h, --help               show this help (also: chime-emulator <command> --help)
  -v, --version            print the version

Commands (for a running emulator; --url picks it, default ${DEFAULT_URL}; --json prints raw JSON):
  post <roomId> "<text>" [--sender <email>]   post a message as a user (default ${DEFAULT_SENDER});
                                              "@BotName …" mentions a bot in the room
  add-bot <roomId> <botId>                    add a bot to a room (the bot receives an Invite)
  remove-bot <roomId> <botId>                 remove a bot from a room (the bot receives a Remove)
  transcript <roomId>                         show the room's messages, bot replies included
  deliveries                                  show every event sent to bots, with each attempt
  rooms                                       list the rooms, their ids and members

Examples:
  chime-emulator --port 8787
  chime-emulator post 7c4b… "@EchoBot hello"
  chime-emulator transcript 7c4b…
`

const COMMAND_HELP: Record<ClientCommand['command'], string> = {
  post: `Usage: chime-emulator post <roomId> "<text>" [--sender <email>] [--url <emulator>] [--json]

Posts <text> in the room as a user (created on first use; default ${DEFAULT_SENDER}).
If the text @mentions a bot that is a member of the room ("@EchoBot hello" or the bot's e-mail),
the bot receives a Mention event; see its reply with: chime-emulator transcript <roomId>
`,
  'add-bot': `Usage: chime-emulator add-bot <roomId> <botId> [--url <emulator>] [--json]

Adds the bot to the room. The bot must have an events configuration (PutEventsConfiguration);
it receives an Invite event carrying the room's webhook URL for its replies.
`,
  'remove-bot': `Usage: chime-emulator remove-bot <roomId> <botId> [--url <emulator>] [--json]

Removes the bot from the room. The bot receives a Remove event and its webhook for the room stops working.
`,
  transcript: `Usage: chime-emulator transcript <roomId> [--url <emulator>] [--json]

Prints the room's messages in order: users, bots (their webhook replies) and system notices.
`,
  rooms: `Usage: chime-emulator rooms [--url <emulator>] [--json]

Lists every room with its id and its members (users and bots), to find the <roomId> other commands take.
`,
  deliveries: `Usage: chime-emulator deliveries [--url <emulator>] [--json]

Prints every event the emulator sent to a bot (Invite, Mention, Remove), its outcome, and each
attempt with its HTTP status, error and duration (Chime retries twice on errors and 5xx).
`
}

/** The help text for the whole CLI, or for one command. */
export function helpText (topic?: ClientCommand['command']): string {
  return topic === undefined ? MAIN_HELP : COMMAND_HELP[topic]
}
