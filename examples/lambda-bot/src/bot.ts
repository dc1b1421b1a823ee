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
import {
  createChimeBot, createCommandRouter, createLambdaHandler, SECURITY_TOKEN_ENV,
  type ChimeLambdaHandler, type CommandRouter
} from 'fastify-chime-bot'

/** The bot's commands: `@EchoBot echo <text>`, and the built-in `help`. */
export function echoCommands (): CommandRouter {
  return createCommandRouter().command('echo', {
    description: 'Repeats the text after it. Anything that is not a command is repeated too.',
    handler: async (command, _event, ctx) => { await ctx.reply(command.text === '' ? 'Nothing to repeat.' : command.text) }
  })
}

/** What the bot says when it is added to a room (markdown). */
export function welcomeText (commands: CommandRouter): string {
  return `Hi, I am EchoBot (on AWS Lambda): mention me and I repeat what you wrote.\n${commands.helpText('@EchoBot')}`
}

/** Builds the Lambda handler of the echo bot. `handler.bot` is the bot, e.g. to close it in tests. */
export function createEchoHandler (securityToken: string): ChimeLambdaHandler {
  const bot = createChimeBot({ securityToken })
  const commands = echoCommands()

  bot.on('Invite', async (_event, ctx) => {
    await ctx.reply.markdown(welcomeText(commands))
  })

  // "help", an empty mention or a known command goes to the command router;
  // any other text is repeated without the leading "@EchoBot".
  bot.on('Mention', async (event, ctx) => {
    const command = commands.parse(event.Message)
    if (command.name === '' || commands.list().some(c => c.name === command.name)) await commands.handle(event, ctx)
    else await ctx.reply(event.Message.replace(/^\s*@\S+\s*/, '').trim())
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
