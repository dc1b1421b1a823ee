/**
 * The echo bot as an AWS Lambda function.
 *
 * When a bot's events configuration names a Lambda function ARN
 * (PutEventsConfiguration --lambda-function-arn), Chime invokes the function
 * with the event as its payload and the signature in the invocation's client
 * context. `createLambdaHandler` from fastify-chime-bot checks that signature
 * with the bot's security token and runs the same handlers a Fastify bot
 * would; `ctx.reply` posts to the room's webhook before the function returns.
 */
import { createChimeBot, createLambdaHandler, SECURITY_TOKEN_ENV, type ChimeBotHandle, type ChimeLambdaHandler } from 'fastify-chime-bot'

/**
 * Registers the bot's commands: `@EchoBot echo <text>`, the built-in `help`
 * (also the answer to a mention without text), and the `'*'` fallback that
 * repeats any other text after the mention as it was written.
 */
export function addEchoCommands (bot: ChimeBotHandle): void {
  bot.command('echo', {
    description: 'Repeats the text after it.',
    handler: async (command, _event, ctx) => { await ctx.reply(command.text === '' ? 'Nothing to repeat.' : command.text) }
  })
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
  return `Hi, I am EchoBot (on AWS Lambda): mention me and I repeat what you wrote.\n${helpText(bot)}`
}

/** Builds the Lambda handler of the echo bot. `handler.bot` is the bot, e.g. to close it in tests. */
export function createEchoHandler (securityToken: string): ChimeLambdaHandler {
  const bot = createChimeBot({ securityToken })
  addEchoCommands(bot)

  bot.on('Invite', async (_event, ctx) => {
    await ctx.reply.markdown(welcomeText(bot))
  })

  bot.on('Remove', async (event, ctx) => {
    ctx.log.info({ roomId: event.Discussion.DiscussionId }, 'removed from a room')
  })

  return createLambdaHandler(bot)
}

/**
 * The security token from the function's environment.
 *
 * @throws Error naming `CHIME_BOT_SECURITY_TOKEN` when it is not set
 */
export function readToken (env: Record<string, string | undefined>): string {
  const token = env[SECURITY_TOKEN_ENV] ?? ''
  if (token === '') throw new Error(`${SECURITY_TOKEN_ENV} is not set: add the bot's security token (from CreateBot) to the function's environment variables`)
  return token
}
