/**
 * fastify-chime-bot: Amazon Chime chat bots on Fastify (and AWS Lambda).
 *
 * The default export is the Fastify plugin; the rest is the framework-free
 * core (signatures, events, the bot) and the Lambda adapter.
 */
import { fastifyChimeBot } from './adapters/fastify.js'

export default fastifyChimeBot
export { fastifyChimeBot, chimeBotPlugin } from './adapters/fastify.js'
export type { ChimeBotPluginOptions } from './adapters/fastify.js'
export {
  createLambdaHandler, isLambdaProxyEvent, readClientContext, DEFAULT_REPLY_FLUSH_TIMEOUT_MS, REPLY_FLUSH_MARGIN_MS
} from './adapters/lambda.js'
export type {
  ChimeLambdaHandler, LambdaContextLike, LambdaDirectResult, LambdaHandlerOptions, LambdaProxyEvent, LambdaProxyResult
} from './adapters/lambda.js'

export {
  signChimeRequest,
  verifyChimeSignature,
  checkChimeSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DEFAULT_TIMESTAMP_TOLERANCE_MS
} from './core/signature.js'
export type {
  ChimeSignatureHeaders,
  RawBody,
  VerifyChimeSignatureInput,
  ChimeSignatureCheck
} from './core/signature.js'

export { ChimeBot, createChimeBot, errorResponse } from './core/bot.js'
export type { ChimeBotHandle, ChimeHttpRequest, ChimeHttpResponse, ChimeOutcome, HandleOptions } from './core/bot.js'
export { ChimeEventContext, unconfiguredReplyChannel } from './core/context.js'
export { CHALLENGE_EVENT_TYPE, isChallenge, readChallenge, challengeResponseBody } from './core/challenge.js'
export { parseChimeEvent, validateChimeEvent, KNOWN_EVENT_TYPES } from './core/events.js'
export type { ParsedChimeEvent } from './core/events.js'
export { chimeEventSchemas, inviteEventSchema, mentionEventSchema, removeEventSchema } from './core/schemas.js'
export type { ChimeJsonSchema } from './core/schemas.js'
export { dedupeKey, DEFAULT_DEDUPE_WINDOW_MS } from './core/dedupe.js'
export { MemoryDedupeStore, DEFAULT_DEDUPE_MAX_ENTRIES } from './core/store.js'
export type { DedupeStore, MemoryDedupeStoreOptions } from './core/store.js'
export type { SecurityTokenSource } from './core/tokens.js'
export {
  DEFAULT_ACK, DEFAULT_HANDLER_BUDGET_MS, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_PATH, DEFAULT_BODY_LIMIT,
  DEFAULT_DECORATOR, SECURITY_TOKEN_ENV
} from './options.js'
export type { ChimeBotOptions, AckPolicy, ChimeErrorHook } from './options.js'
export { ChimeWebhookClient } from './core/reply/webhook-client.js'
export type { WebhookSendOptions, ReplyCloseReport } from './core/reply/webhook-client.js'
export { ChimeReplyChannel, createReplyChannel, SHORT_LIVED_TTL_MS } from './core/reply/channel.js'
export type { ReplyChannelOptions } from './core/reply/channel.js'
export {
  DEFAULT_MIN_INTERVAL_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_RETRY_TIME_MS, DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_MAX_MS, DEFAULT_REQUEST_TIMEOUT_MS
} from './core/reply/options.js'
export type { ChimeWebhookClientOptions } from './core/reply/options.js'
export { MAX_PAYLOAD_BYTES, MARKDOWN_PREFIX, payloadBytes, prepareMessage } from './core/reply/split.js'
export type { PreparedMessage } from './core/reply/split.js'
export type { ChimeReplyError, ReplyErrorDetails, ReplyErrorInfo, OnReplyError } from './core/reply/failure.js'
export { ANY_COMMAND, CommandRouter, createCommandRouter, parseCommand, splitArguments } from './core/commands.js'
export type {
  ParsedCommand, ParseCommandOptions, CommandHandler, CommandDefinition, CommandInfo, CommandRouterOptions
} from './core/commands.js'
export type {
  ChimeSender, ChimeDiscussion, InboundHttpsEndpoint, InviteEvent, MentionEvent, RemoveEvent, ChimeEvent,
  UnknownChimeEvent, ChimeEventMap, ChimeEventName, ChallengeRequest, ChimeLogger, ReplyReceipt, ReplyOptions,
  ReplyFunction, ChimeContext, ChimeHandler, ReplyChannel
} from './core/types.js'
export * as errors from './errors.js'
