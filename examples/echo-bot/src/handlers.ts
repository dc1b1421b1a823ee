/**
 * What the echo bot does, independent of where it runs: the same function
 * sets up the bot in a Fastify service (`bot.ts`, via `app.chime`) and in an
 * AWS Lambda function (`examples/lambda-bot`, via `createChimeBot`).
 *
 *   - Invite:  the bot was added to a room   → it says hello and lists its commands
 *   - Mention: a user wrote "@EchoBot hello"  → it answers "hello";
 *              "@EchoBot help" → its commands
 *   - Remove:  the bot was taken out of a room (it can no longer post there)
 */
import type { ChimeBotHandle } from 'fastify-chime-bot'

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

/** Sets up the echo bot on a bot handle: its commands and its Invite and Remove handlers. */
export function registerEchoBot (bot: ChimeBotHandle): void {
  addEchoCommands(bot)

  // Added to a room: introduce ourselves. ctx.reply posts to the room's webhook;
  // .markdown() sends it as Chime markdown (the "/md" prefix).
  bot.on('Invite', async (_event, ctx) => {
    await ctx.reply.markdown(welcomeText(bot))
  })

  // Removed from a room: nothing to answer (the room's webhook is gone); just note it.
  bot.on('Remove', async (event, ctx) => {
    ctx.log.info({ roomId: event.Discussion.DiscussionId }, 'removed from a room')
  })
}
