/** What every group of AWS API routes needs. */
import type { FastifyRequest } from 'fastify'
import type { EndpointVerifier } from '../handshake.js'
import type { LambdaInvoker } from '../lambda.js'
import type { EmulatorState } from '../state.js'

export interface ApiContext {
  state: EmulatorState
  verifier: EndpointVerifier
  lambda: LambdaInvoker
  /** Records the AWS operation name of a request for the log line. */
  name (request: FastifyRequest, operation: string): void
}

/** Path parameters of the Chime API routes. */
export interface ChimeParams {
  accountId: string
  botId: string
  roomId: string
  memberId: string
}

/** Query parameters of the Chime API routes. */
export interface ChimeQuery {
  'max-results'?: string
  'next-token'?: string
  'member-id'?: string
  'name'?: string
  'user-email'?: string
  'operation'?: string
}

/** The route generics every Chime route uses. */
export interface ChimeRoute {
  Params: ChimeParams
  Querystring: ChimeQuery
  Body: unknown
}
