/**
 * The echo bot: the smallest useful Amazon Chime chat bot.
 *
 * Chime calls the bot's HTTPS endpoint (here `POST /chime`) with an event when
 * something happens in a chat room:
 *   - Invite:  the bot was added to a room   → it says hello and lists its commands
 *   - Mention: a user wrote "@EchoBot hello"  → it answers "hello";
 *              "@EchoBot help" → its commands
 *   - Remove:  the bot was taken out of a room (it can no longer post there)
 * `fastify-chime-bot` answers Chime's endpoint challenge, checks every event's
 * signature with the bot's security token, and gives each handler a
 * `ctx.reply(text)` that posts to the room.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import chimeBot, { type ChimeBotHandle } from 'fastify-chime-bot'

/** Options of {@link buildEchoBot}. */
export interface EchoBotOptions {
  /** The bot's security token, from CreateBot (`Bot.SecurityToken`). Chime signs every event with it. */
  securityToken: string
  /** Fastify's logger option (`true`, `false` or pino options). Default `false`. */
  logger?: FastifyServerOptions['logger']
}

/**
 * Registers the bot's commands. The plugin's command router strips the
 * leading `@EchoBot` (or `@EchoBot (Bot)`), runs the command named by the
 * next word, answers `help` (and a mention without text) with the list of
 * commands, and hands anything else to the `'*'` fallback.
 */
export function addEchoCommands (bot: ChimeBotHandle): void {
  bot.command('echo', {
    description: 'Repeats the text after it.',
    handler: async (command, _event, ctx) => { await ctx.reply(command.text === '' ? 'Nothing to repeat.' : command.text) }
  })
  // Not a command: repeat the whole text after the mention, as written (`@EchoBot hello` → `hello`).
  bot.command('*', {
    description: 'Repeated as written.',
    handler: async (command, _event, ctx) => { await ctx.reply(command.input) }
  })
}

/** What `help` answers (markdown): the registered commands, from their descriptions (`''` before any is registered). */
export function helpText (bot: ChimeBotHandle): string {
  return bot.commands?.helpText('@EchoBot') ?? ''
}

/** What the bot says when it is added to a room (markdown). */
export function welcomeText (bot: ChimeBotHandle): string {
  return `Hi, I am EchoBot: mention me and I repeat what you wrote.\n${helpText(bot)}`
}

/** Builds a Fastify app serving the echo bot at `POST /chime`. Call `listen()` on it, or `inject()` in tests. */
export async function buildEchoBot ({ securityToken, logger = false }: EchoBotOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger })
  await app.register(chimeBot, { path: '/chime', securityToken })

  // Mentioned: `@EchoBot help`, `@EchoBot echo <text>`, or any other text (repeated).
  addEchoCommands(app.chime)

  // Added to a room: introduce ourselves. ctx.reply posts to the room's webhook;
  // .markdown() sends it as Chime markdown (the "/md" prefix).
  app.chime.on('Invite', async (_event, ctx) => {
    await ctx.reply.markdown(welcomeText(app.chime))
  })

  // Removed from a room: nothing to answer (the room's webhook is gone); just note it.
  app.chime.on('Remove', async (event, ctx) => {
    ctx.log.info({ roomId: event.Discussion.DiscussionId }, 'removed from a room')
  })

  return app
}

/** Settings read from the environment by `main.ts`. */
export interface EchoBotConfig {
  securityToken: string
  port: number
  host: string
}

/**
 * Reads `CHIME_BOT_SECURITY_TOKEN` (required), `PORT` (default 3000) and
 * `HOST` (default 127.0.0.1).
 *
 * @throws Error with a message naming the variable that is missing or wrong
 */
export function readConfig (env: Record<string, string | undefined>): EchoBotConfig {
  const securityToken = env.CHIME_BOT_SECURITY_TOKEN ?? ''
  if (securityToken === '') {
    throw new Error('CHIME_BOT_SECURITY_TOKEN is not set: put the bot\'s security token there (the SecurityToken that CreateBot returned, e.g. `aws chime get-bot … --query Bot.SecurityToken`)')
  }
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number from 0 to 65535, got "${env.PORT}"`)
  }
  const host = env.HOST === undefined || env.HOST === '' ? '127.0.0.1' : env.HOST
  return { securityToken, port, host }
}
