/**
 * The Fastify adapter: decorates the instance with the bot (`app.chime`) and
 * mounts `POST path` in an inner, encapsulated scope whose only body parser
 * keeps the raw bytes of `application/json` bodies. The user's own routes
 * keep Fastify's normal JSON parsing.
 */
import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { ChimeBot, errorResponse, type ChimeBotHandle, type ChimeHttpResponse } from '../core/bot.js'
import { FST_CHIME_BODY_TOO_LARGE, FST_CHIME_DECORATOR_TAKEN, FST_CHIME_UNSUPPORTED_MEDIA_TYPE } from '../errors.js'
import {
  invalidOption, resolveBodyLimit, resolveDecorator, resolvePath, type ChimeBotOptions
} from '../options.js'

/** Options of the Fastify plugin: the bot's options plus where and how to mount the route. */
export interface ChimeBotPluginOptions extends ChimeBotOptions {
  /** The route's URL path (default `/chime`). fastify-plugin ignores `prefix`, so this is the full path. */
  path?: string
  /** Largest accepted body in bytes (default 64 KB); larger → 413. */
  bodyLimit?: number
  /**
   * The name the bot is decorated under (default `'chime'` → `app.chime`).
   * Give each bot its own name when one service runs several, or `false` to
   * not decorate (then keep the handle you passed as `bot`).
   */
  decorator?: string | false
  /**
   * A bot made with `createChimeBot(options)`: mount it instead of building
   * one from these options (its handle stays in your hands, no decorator
   * needed). The Fastify instance closes it on `app.close()`.
   */
  bot?: ChimeBot
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The Chime bot registered by fastify-chime-bot (another name when the `decorator` option is set). */
    chime: ChimeBotHandle
  }
}

const EMPTY_BODY = Buffer.alloc(0)

interface RouteOptions {
  bot: ChimeBot
  path: string
  bodyLimit: number
}

function send (reply: FastifyReply, answer: ChimeHttpResponse): FastifyReply {
  reply.code(answer.statusCode)
  for (const name in answer.headers) reply.header(name, answer.headers[name])
  return reply.send(answer.body)
}

function keepRawBody (_request: FastifyRequest, body: Buffer, done: (err: null, body: Buffer) => void): void {
  done(null, body)
}

/** The inner scope: raw-body parser, Chime-shaped errors for 413/415, and the route. */
async function chimeRoute (scope: FastifyInstance, { bot, path, bodyLimit }: RouteOptions): Promise<void> {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, keepRawBody)

  scope.setErrorHandler((error: FastifyError, request, reply) => {
    let typed: Error & { code: string, statusCode?: number }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      typed = new FST_CHIME_BODY_TOO_LARGE(bodyLimit)
    } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = request.headers['content-type']
      typed = new FST_CHIME_UNSUPPORTED_MEDIA_TYPE(type === undefined || type === '' ? 'missing' : JSON.stringify(type))
    } else {
      typed = error
    }
    request.log.warn({ code: typed.code }, `Rejected a request to the Chime endpoint: ${typed.message}`)
    return send(reply, errorResponse(typed))
  })

  // Not an async function: most answers are ready synchronously, and skipping
  // the promise hops is measurable on this path (see bench/plugin.mjs).
  scope.post(path, { bodyLimit }, (request, reply) => {
    const answer = bot.receive({
      headers: request.headers,
      rawBody: (request.body as Buffer | undefined) ?? EMPTY_BODY,
      requestId: request.id,
      log: request.log
    })
    if (answer instanceof Promise) return answer.then(ready => send(reply, ready))
    send(reply, answer)
    return undefined
  })
}

/**
 * The plugin itself, not wrapped in fastify-plugin (for tests or custom
 * wrapping). Most users want the default export.
 */
export async function chimeBotPlugin (app: FastifyInstance, options: ChimeBotPluginOptions): Promise<void> {
  const path = resolvePath(options.path)
  const bodyLimit = resolveBodyLimit(options.bodyLimit)
  const decorator = resolveDecorator(options.decorator)
  let bot: ChimeBot
  if (options.bot !== undefined) {
    if (!(options.bot instanceof ChimeBot)) invalidOption('bot', 'a bot made with createChimeBot()', options.bot)
    if (options.securityToken !== undefined || options.securityTokens !== undefined) {
      invalidOption('securityToken', 'left out when `bot` is given (the bot already has its tokens)', options.securityToken ?? options.securityTokens)
    }
    bot = options.bot
  } else {
    bot = new ChimeBot({ ...options, logger: options.logger ?? app.log })
  }
  if (decorator !== false) {
    if (app.hasDecorator(decorator)) throw new FST_CHIME_DECORATOR_TAKEN(decorator)
    app.decorate(decorator, bot)
  }
  app.addHook('onClose', async () => { await bot.close() })
  await app.register(chimeRoute, { bot, path, bodyLimit })
}

/**
 * fastify-chime-bot: mounts an Amazon Chime bot's outbound endpoint.
 *
 * @example
 * await app.register(chimeBot, { path: '/chime', securityToken: process.env.CHIME_BOT_SECURITY_TOKEN! })
 * app.chime.on('Mention', async (event, ctx) => { await ctx.reply(`You said: ${event.Message}`) })
 */
export const fastifyChimeBot: FastifyPluginAsync<ChimeBotPluginOptions> = fp(
  // fastify-plugin marks the function it wraps; wrapping a copy keeps `chimeBotPlugin` truly bare.
  async function fastifyChimeBot (app: FastifyInstance, options: ChimeBotPluginOptions) { await chimeBotPlugin(app, options) },
  {
    fastify: '5.x',
    name: 'fastify-chime-bot'
  }
)
