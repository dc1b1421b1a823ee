/** CreateBot, GetBot, UpdateBot, RegenerateSecurityToken, ListBots. */
import type { FastifyInstance } from 'fastify'
import { badRequest } from '../aws/errors.js'
import { paginate } from './pagination.js'
import { bodyOf, optionalBoolean, optionalString, requiredString, toBot } from './shapes.js'
import type { ApiContext, ChimeRoute } from './context.js'

/** ListBots' MaxResults bound (ResultMax). */
const MAX_PAGE = 99

export function botRoutes (app: FastifyInstance, { state, name }: ApiContext): void {
  app.post<ChimeRoute>('/accounts/:accountId/bots', async (request, reply) => {
    name(request, 'CreateBot')
    const body = bodyOf(request.body)
    const bot = state.createBot(request.params.accountId, {
      DisplayName: requiredString(body, 'DisplayName'),
      Domain: optionalString(body, 'Domain')
    })
    return await reply.code(201).send({ Bot: toBot(bot) })
  })

  app.get<ChimeRoute>('/accounts/:accountId/bots/:botId', async (request) => {
    name(request, 'GetBot')
    return { Bot: toBot(state.getBot(request.params.accountId, request.params.botId)) }
  })

  // UpdateBot and RegenerateSecurityToken share the path; `?operation=` tells them apart.
  app.post<ChimeRoute>('/accounts/:accountId/bots/:botId', async (request) => {
    const { accountId, botId } = request.params
    const operation = request.query.operation
    if (operation === 'regenerate-security-token') {
      name(request, 'RegenerateSecurityToken')
      return { Bot: toBot(state.regenerateSecurityToken(accountId, botId)) }
    }
    name(request, 'UpdateBot')
    if (operation !== undefined) {
      throw badRequest(`Unknown operation '${String(operation)}'; the only operation on a bot is regenerate-security-token.`)
    }
    const disabled = optionalBoolean(bodyOf(request.body), 'Disabled')
    return { Bot: toBot(state.updateBot(accountId, botId, disabled === undefined ? {} : { Disabled: disabled })) }
  })

  app.get<ChimeRoute>('/accounts/:accountId/bots', async (request) => {
    name(request, 'ListBots')
    const bots = state.listBots(request.params.accountId)
    const page = paginate(bots, request.query, { max: MAX_PAGE, scope: `bots/${request.params.accountId}` })
    return { Bots: page.items.map(toBot), NextToken: page.NextToken }
  })
}
