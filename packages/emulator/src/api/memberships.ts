/**
 * CreateRoomMembership, ListRoomMemberships, UpdateRoomMembership,
 * DeleteRoomMembership. The acting person is the account's administrator
 * user: adding or removing a bot sends it an Invite/Remove event from that
 * user's e-mail.
 */
import type { FastifyInstance } from 'fastify'
import { badRequest } from '../aws/errors.js'
import { ADMIN_EMAIL } from '../state.js'
import { paginate } from './pagination.js'
import { bodyOf, optionalString, requiredString } from './shapes.js'
import type { ApiContext, ChimeRoute } from './context.js'

const MAX_PAGE = 99

function role (value: string | undefined): 'Administrator' | 'Member' | undefined {
  if (value === undefined || value === 'Administrator' || value === 'Member') return value
  throw badRequest(`Role must be Administrator or Member; got '${value}'.`)
}

export function membershipRoutes (app: FastifyInstance, { state, name }: ApiContext): void {
  app.post<ChimeRoute>('/accounts/:accountId/rooms/:roomId/memberships', async (request, reply) => {
    name(request, 'CreateRoomMembership')
    const { accountId, roomId } = request.params
    const body = bodyOf(request.body)
    const memberId = requiredString(body, 'MemberId')
    const wanted = role(optionalString(body, 'Role'))
    const options: Parameters<typeof state.addRoomMember>[3] = { invitedBy: ADMIN_EMAIL, invitedByIdentity: state.apiCaller(accountId) }
    if (wanted !== undefined) options.Role = wanted
    const membership = state.addRoomMember(accountId, roomId, memberId, options)
    return await reply.code(201).send({ RoomMembership: membership })
  })

  app.get<ChimeRoute>('/accounts/:accountId/rooms/:roomId/memberships', async (request) => {
    name(request, 'ListRoomMemberships')
    const { accountId, roomId } = request.params
    state.getRoom(accountId, roomId)
    const page = paginate(state.roomMembers(roomId), request.query, { max: MAX_PAGE, scope: `memberships/${roomId}` })
    return { RoomMemberships: page.items, NextToken: page.NextToken }
  })

  app.post<ChimeRoute>('/accounts/:accountId/rooms/:roomId/memberships/:memberId', async (request) => {
    name(request, 'UpdateRoomMembership')
    const { accountId, roomId, memberId } = request.params
    const wanted = role(optionalString(bodyOf(request.body), 'Role'))
    return { RoomMembership: state.updateRoomMember(accountId, roomId, memberId, wanted === undefined ? {} : { Role: wanted }) }
  })

  app.delete<ChimeRoute>('/accounts/:accountId/rooms/:roomId/memberships/:memberId', async (request, reply) => {
    name(request, 'DeleteRoomMembership')
    const { accountId, roomId, memberId } = request.params
    state.removeRoomMember(accountId, roomId, memberId, { removedBy: ADMIN_EMAIL })
    return await reply.code(204).send()
  })
}
