/** CreateAccount, GetAccount, ListAccounts. */
import type { FastifyInstance } from 'fastify'
import { paginate } from './pagination.js'
import { bodyOf, requiredString } from './shapes.js'
import type { ApiContext, ChimeRoute } from './context.js'

/** ListAccounts' MaxResults bound (ProfileServiceMaxResults). */
const MAX_ACCOUNTS_PAGE = 200

export function accountRoutes (app: FastifyInstance, { state, name }: ApiContext): void {
  app.post<ChimeRoute>('/accounts', async (request, reply) => {
    name(request, 'CreateAccount')
    const account = state.createAccount({ Name: requiredString(bodyOf(request.body), 'Name') })
    return await reply.code(201).send({ Account: account })
  })

  app.get<ChimeRoute>('/accounts/:accountId', async (request) => {
    name(request, 'GetAccount')
    return { Account: state.getAccount(request.params.accountId) }
  })

  app.get<ChimeRoute>('/accounts', async (request) => {
    name(request, 'ListAccounts')
    const { name: accountName, 'user-email': email } = request.query
    const wanted = email?.toLowerCase()
    const accounts = [...state.accounts.values()]
      .filter(a => accountName === undefined || a.Name === accountName)
      .filter(a => wanted === undefined || [...state.users.values()].some(u => u.AccountId === a.AccountId && u.PrimaryEmail.toLowerCase() === wanted))
    const page = paginate(accounts, request.query, { max: MAX_ACCOUNTS_PAGE, scope: 'accounts' })
    return { Accounts: page.items, NextToken: page.NextToken }
  })
}
