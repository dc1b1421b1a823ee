/**
 * Errors exactly as the Chime API sends them: an HTTP status, the header
 * `x-amzn-ErrorType: <Name>` and the body `{"Code":"<Code>","Message":"…"}`.
 * AWS SDKs and the AWS CLI read the header to name the error, so an SDK user
 * sees e.g. `NotFoundException` as `error.name`.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

/** The error names of the service model `chime` 2018-05-01 that the emulator uses. */
export type ChimeErrorName =
  | 'BadRequestException'
  | 'UnauthorizedClientException'
  | 'ForbiddenException'
  | 'NotFoundException'
  | 'ConflictException'
  | 'ThrottledClientException'
  | 'ResourceLimitExceededException'
  | 'ServiceFailureException'
  | 'ServiceUnavailableException'

const CATALOGUE: Record<ChimeErrorName, { code: string, statusCode: number }> = {
  BadRequestException: { code: 'BadRequest', statusCode: 400 },
  UnauthorizedClientException: { code: 'Unauthorized', statusCode: 401 },
  ForbiddenException: { code: 'Forbidden', statusCode: 403 },
  NotFoundException: { code: 'NotFound', statusCode: 404 },
  ConflictException: { code: 'Conflict', statusCode: 409 },
  ThrottledClientException: { code: 'Throttled', statusCode: 429 },
  ResourceLimitExceededException: { code: 'ResourceLimitExceeded', statusCode: 400 },
  ServiceFailureException: { code: 'ServiceFailure', statusCode: 500 },
  ServiceUnavailableException: { code: 'ServiceUnavailable', statusCode: 503 }
}

/**
 * An error the Chime API answers with. `name` is the AWS error name
 * (`NotFoundException`), `code` the body's `Code` (`NotFound`).
 */
export class ChimeServiceError extends Error {
  override readonly name: ChimeErrorName
  readonly code: string
  readonly statusCode: number

  constructor (name: ChimeErrorName, message: string) {
    super(message)
    this.name = name
    this.code = CATALOGUE[name].code
    this.statusCode = CATALOGUE[name].statusCode
  }
}

/** 400 BadRequestException: the input breaks one of the service's rules. */
export const badRequest = (message: string): ChimeServiceError => new ChimeServiceError('BadRequestException', message)
/** 401 UnauthorizedClientException: the request is not signed the way AWS requires. */
export const unauthorized = (message: string): ChimeServiceError => new ChimeServiceError('UnauthorizedClientException', message)
/** 403 ForbiddenException: the caller may not do this. */
export const forbidden = (message: string): ChimeServiceError => new ChimeServiceError('ForbiddenException', message)
/** 404 NotFoundException: an account, bot, room or member does not exist. */
export const notFound = (message: string): ChimeServiceError => new ChimeServiceError('NotFoundException', message)
/** 409 ConflictException: the thing already exists. */
export const conflict = (message: string): ChimeServiceError => new ChimeServiceError('ConflictException', message)
/** 400 ResourceLimitExceededException: a quota (e.g. 10 bots per account) is reached. */
export const resourceLimitExceeded = (message: string): ChimeServiceError => new ChimeServiceError('ResourceLimitExceededException', message)
/** 500 ServiceFailureException: the emulator itself failed. */
export const serviceFailure = (message: string): ChimeServiceError => new ChimeServiceError('ServiceFailureException', message)

/** Writes `error` the way Chime does: status, `x-amzn-ErrorType`, `{Code, Message}`. */
export function sendChimeError (reply: FastifyReply, error: ChimeServiceError): FastifyReply {
  return reply
    .code(error.statusCode)
    .header('x-amzn-ErrorType', error.name)
    .header('content-type', 'application/json')
    .send({ Code: error.code, Message: error.message })
}

/**
 * Turns any error thrown in the AWS API scope into a Chime error response:
 * Chime errors as they are, Fastify's own 4xx errors (unreadable JSON, body
 * too large) as BadRequestException, anything else as ServiceFailureException
 * (logged, since it is a bug in the emulator).
 */
export function chimeErrorHandler (error: FastifyError | ChimeServiceError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ChimeServiceError) return sendChimeError(reply, error)
  const status = error.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    return sendChimeError(reply, badRequest(`The request could not be read: ${error.message}`))
  }
  request.log.error({ err: error }, 'the Chime API emulator failed while handling this request')
  return sendChimeError(reply, serviceFailure(`The emulator failed while handling this request: ${error.message}`))
}
