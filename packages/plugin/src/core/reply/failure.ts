/**
 * What every reply error carries besides its message, and the hook that is
 * told about each failure. Tokens never appear here: a webhook is named by
 * its id (the last segment of the URL's path), never by its full URL.
 */
import type { FastifyError } from '@fastify/error'

/** Details attached to every reply error (see the "replying" section of errors.ts for the codes). */
export interface ReplyErrorDetails {
  /** The chat room, when known. */
  roomId: string | undefined
  /** The webhook id (from the URL's path; the token is never included), when known. */
  webhookId: string | undefined
  /** The HTTP status Chime answered last, when there was an answer. */
  status: number | undefined
  /** HTTP requests made for this message, retries included. */
  attempts: number
  /** How many parts of a split message were accepted before the failure. */
  messagesSent: number
}

/** A typed reply error: a `FastifyError` with a stable `code` plus {@link ReplyErrorDetails}. */
export type ChimeReplyError = FastifyError & ReplyErrorDetails

/** The second argument of `onReplyError`. */
export interface ReplyErrorInfo extends ReplyErrorDetails {
  /** The error's stable code, e.g. `FST_CHIME_WEBHOOK_GONE`. */
  code: string
}

/** Called once for every reply that failed, in addition to the caller's promise rejecting. */
export type OnReplyError = (error: ChimeReplyError, info: ReplyErrorInfo) => void

/** The id of a webhook: the last non-empty segment of its URL path. */
export function webhookIdOf (url: URL): string {
  const segments = url.pathname.split('/').filter(s => s !== '')
  return segments[segments.length - 1] ?? url.host
}

/** Names a reply target for an error message: "room R (webhook W)" or "webhook W". */
export function describeTarget (roomId: string | undefined, webhookId: string): string {
  return roomId === undefined ? `webhook ${webhookId}` : `room ${roomId} (webhook ${webhookId})`
}

/** Attaches the details to a freshly created error and returns it. */
export function withDetails<E extends FastifyError> (error: E, details: Partial<ReplyErrorDetails>): E & ReplyErrorDetails {
  return Object.assign(error, {
    roomId: details.roomId,
    webhookId: details.webhookId,
    status: details.status,
    attempts: details.attempts ?? 0,
    messagesSent: details.messagesSent ?? 0
  })
}

/** The `onReplyError` info for an error: its code and details. */
export function infoOf (error: ChimeReplyError): ReplyErrorInfo {
  return {
    code: error.code,
    roomId: error.roomId,
    webhookId: error.webhookId,
    status: error.status,
    attempts: error.attempts,
    messagesSent: error.messagesSent
  }
}
