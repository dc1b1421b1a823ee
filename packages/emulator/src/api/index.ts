/**
 * The Amazon Chime admin API (service model `chime` 2018-05-01, restJson1)
 * as a Fastify plugin: the operations of a bot's life — accounts, bots,
 * events configuration, security token, rooms, memberships — at Chime's
 * paths, methods, status codes and JSON shapes, so the AWS CLI
 * (`--endpoint-url`) and `@aws-sdk/client-chime` (`endpoint`) work unmodified.
 *
 * The plugin is encapsulated: its body parser, SigV4 check and error format
 * apply to its own routes only.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import { authenticate } from '../aws/auth.js'
import { badRequest, chimeErrorHandler, notFound } from '../aws/errors.js'
import { createEndpointVerifier, type HandshakeOptions } from '../handshake.js'
import { createLambdaInvoker, type LambdaInvoker } from '../lambda.js'
import type { EmulatorState } from '../state.js'
import { accountRoutes } from './accounts.js'
import { botRoutes } from './bots.js'
import type { ApiContext, ChimeParams } from './context.js'
import { eventsConfigurationRoutes } from './events-configuration.js'
import { membershipRoutes } from './memberships.js'
import { roomRoutes } from './rooms.js'

/** Options of {@link awsApi}. */
export interface AwsApiOptions {
  /** The emulator's state. */
  state: EmulatorState
  /** The HTTPS endpoint verification: `timeoutMs` (2000) and `trustSelfSigned` (false). */
  handshake?: HandshakeOptions
  /** How Lambda ARNs are checked; without one, a Lambda ARN is refused with a message saying how to configure Lambda. */
  lambda?: LambdaInvoker
  /**
   * Access key ids allowed to call the API. Unset (the default): any
   * well-formed SigV4 request is accepted. Set: other keys get ForbiddenException.
   */
  accessKeys?: readonly string[]
}

/** The Chime admin API routes. Register at the root (no prefix): Chime's paths start at `/accounts`. */
export const awsApi: FastifyPluginAsync<AwsApiOptions> = async (app: FastifyInstance, options: AwsApiOptions) => {
  if (options.state === undefined || options.state === null) {
    throw new TypeError('awsApi needs the emulator state: register it with { state: new EmulatorState() }.')
  }
  if (options.accessKeys !== undefined && (!Array.isArray(options.accessKeys) || options.accessKeys.some(k => typeof k !== 'string' || k === ''))) {
    throw new TypeError(`accessKeys must be a list of access key ids (strings); got ${JSON.stringify(options.accessKeys)}.`)
  }
  const verifier = createEndpointVerifier(options.handshake)
  const operations = new WeakMap<FastifyRequest, string>()
  const context: ApiContext = {
    state: options.state,
    verifier,
    lambda: options.lambda ?? createLambdaInvoker(),
    name: (request, operation) => { operations.set(request, operation) }
  }
  app.addHook('onClose', async () => { await verifier.close() })
  app.setErrorHandler(chimeErrorHandler)

  // JSON bodies of any content type (the CLI and SDKs send application/json;
  // some calls have no body at all, which reads as {}).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') { done(null, undefined); return }
    try {
      done(null, JSON.parse(body as string))
    } catch (error) {
      done(badRequest(`The request body is not valid JSON (${(error as Error).message}).`), undefined)
    }
  })

  app.addHook('onRequest', async (request) => {
    authenticate(request.headers.authorization, options.accessKeys)
  })

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-amzn-RequestId', randomUUID())
  })

  app.addHook('onResponse', async (request, reply) => {
    // Hooks of this scope run for its own (matched) routes only, so routeOptions.url is set.
    const operation = operations.get(request) ?? `${request.method} ${String(request.routeOptions.url)}`
    const params = request.params as Partial<ChimeParams>
    const ids = [
      params.accountId === undefined ? '' : ` account=${params.accountId}`,
      params.botId === undefined ? '' : ` bot=${params.botId}`,
      params.roomId === undefined ? '' : ` room=${params.roomId}`,
      params.memberId === undefined ? '' : ` member=${params.memberId}`
    ].join('')
    const errorName = reply.getHeader('x-amzn-ErrorType')
    const outcome = errorName === undefined ? '' : ` ${String(errorName)}`
    request.log.info({ operation, ...params, statusCode: reply.statusCode }, `${operation}${ids} → ${reply.statusCode}${outcome}`)
  })

  // Anything else under /accounts is not a Chime operation: say so in Chime's error format.
  const name = context.name
  const unknownOperation = async (request: FastifyRequest): Promise<never> => {
    name(request, 'UnknownOperation')
    throw notFound(`The emulator serves no Amazon Chime operation at ${request.method} ${request.url.split('?')[0]}. Bots cannot be deleted (disable them with UpdateBot); the README lists the operations it serves.`)
  }
  app.all('/accounts/*', unknownOperation)
  app.route({ method: ['PUT', 'DELETE', 'PATCH'], url: '/accounts', handler: unknownOperation })

  accountRoutes(app, context)
  botRoutes(app, context)
  eventsConfigurationRoutes(app, context)
  roomRoutes(app, context)
  membershipRoutes(app, context)
}
