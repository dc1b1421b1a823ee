/**
 * The Lambda entry point: set the function's handler to `handler.handler`
 * (this file built to handler.js) and its environment variable
 * CHIME_BOT_SECURITY_TOKEN to the bot's security token. The token is read
 * once, when the function starts.
 */
import { createEchoHandler, readToken } from './bot.js'

export const handler = createEchoHandler(readToken(process.env))
