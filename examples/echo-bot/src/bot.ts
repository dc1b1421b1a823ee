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
import chimeBot from 'fastify-chime-bot'
import { registerEchoBot } from './handlers.js'

export { addEchoCommands, helpText, registerEchoBot, welcomeText } from './handlers.js'

/** Options of {@link buildEchoBot}. */
export interface EchoBotOptions {
  /** The bot's security token, from CreateBot (`Bot.SecurityToken`). Chime signs every event with it. */
  securityToken: string
  /** Fastify's logger option (`true`, `false` or pino options). Default `false`. */
  logger?: FastifyServerOptions['logger']
}

/** Builds a Fastify app serving the echo bot at `POST /chime`. Call `listen()` on it, or `inject()` in tests. */
export async function buildEchoBot ({ securityToken, logger = false }: EchoBotOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger })
  await app.register(chimeBot, { path: '/chime', securityToken })
  // The bot's behaviour (handlers.ts) is the same code the Lambda example runs.
  registerEchoBot(app.chime)
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
