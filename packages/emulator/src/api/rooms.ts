/** CreateRoom, GetRoom, ListRooms, UpdateRoom, DeleteRoom. */
import type { FastifyInstance } from 'fastify'
import { badRequest } from '../aws/errors.js'
import { paginate } from './pagination.js'
import { bodyOf, optionalString, requiredString } from './shapes.js'
import type { ApiContext, ChimeRoute } from './context.js'

const MAX_PAGE = 99

export function roomRoutes (app: FastifyInstance, { state, name }: ApiContext): void {
  app.post<ChimeRoute>('/accounts/:accountId/rooms', async (request, reply) => {
    name(request, 'CreateRoom')
    const { accountId } = request.params
    const body = bodyOf(request.body)
    const token = optionalString(body, 'ClientRequestToken')
    if (token !== undefined && !/^[-_a-zA-Z0-9]{2,64}$/.test(token)) {
      throw badRequest('ClientRequestToken must be 2 to 64 letters, digits, hyphens or underscores.')
    }
    const input: Parameters<typeof state.createRoom>[1] = { Name: requiredString(body, 'Name'), CreatedBy: state.apiCaller(accountId) }
    if (token !== undefined) input.ClientRequestToken = token
    return await reply.code(201).send({ Room: state.createRoom(accountId, input) })
  })

  app.get<ChimeRoute>('/accounts/:accountId/rooms/:roomId', async (request) => {
    name(request, 'GetRoom')
    return { Room: state.getRoom(request.params.accountId, request.params.roomId) }
  })

  app.get<ChimeRoute>('/accounts/:accountId/rooms', async (request) => {
    name(request, 'ListRooms')
    const { accountId } = request.params
    const rooms = state.listRooms(accountId, request.query['member-id'])
    const scope = `rooms/${accountId}/${request.query['member-id'] ?? ''}`
    const page = paginate(rooms, request.query, { max: MAX_PAGE, scope })
    return { Rooms: page.items, NextToken: page.NextToken }
  })

  app.post<ChimeRoute>('/accounts/:accountId/rooms/:roomId', async (request) => {
    name(request, 'UpdateRoom')
    const name_ = optionalString(bodyOf(request.body), 'Name')
    return { Room: state.updateRoom(request.params.accountId, request.params.roomId, name_ === undefined ? {} : { Name: name_ }) }
  })

  app.delete<ChimeRoute>('/accounts/:accountId/rooms/:roomId', async (request, reply) => {
    name(request, 'DeleteRoom')
    state.deleteRoom(request.params.accountId, request.params.roomId)
    return await reply.code(204).send()
  })
}
