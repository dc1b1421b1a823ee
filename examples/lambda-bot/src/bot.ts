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
import { createChimeBot, createLambdaHandler, SECURITY_TOKEN_ENV, type ChimeLambdaHandler } from 'fastify-chime-bot'
// The echo bot's behaviour, the very code the Fastify example serves: only the adapter differs.
import { registerEchoBot } from '@examples/echo-bot/handlers'

export { addEchoCommands, helpText, welcomeText } from '@examples/echo-bot/handlers'

/** Builds the Lambda handler of the echo bot. `handler.bot` is the bot, e.g. to close it in tests. */
export function createEchoHandler (securityToken: string): ChimeLambdaHandler {
  const bot = createChimeBot({ securityToken })
  registerEchoBot(bot)
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
