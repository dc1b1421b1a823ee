/**
 * Every error the plugin creates, in one catalogue. Each has a stable `code`
 * (what to match on), a `statusCode` where it maps to an HTTP answer, and a
 * message written for someone who has never seen Chime. The README's
 * "Errors" table lists the same codes.
 */
import createError from '@fastify/error'

// ── options (thrown at registration) ────────────────────────────────────────

/** No security token was given: nothing could be verified. Thrown at registration. */
export const FST_CHIME_MISSING_SECURITY_TOKEN = createError<'FST_CHIME_MISSING_SECURITY_TOKEN', 500, [string]>(
  'FST_CHIME_MISSING_SECURITY_TOKEN',
  'fastify-chime-bot needs the bot\'s security token to check that requests really come from Chime: ' +
  'pass the option `securityToken` (usually process.env.CHIME_BOT_SECURITY_TOKEN, the SecurityToken returned by ' +
  'CreateBot or RegenerateSecurityToken). Got %s.',
  500
)

/** An option has the wrong type or value. Thrown at registration. */
export const FST_CHIME_INVALID_OPTION = createError<'FST_CHIME_INVALID_OPTION', 500, [string, string, string]>(
  'FST_CHIME_INVALID_OPTION',
  'fastify-chime-bot option `%s` must be %s; got %s.',
  500
)

/** The decorator name is already used on this Fastify instance (two bots with the same `decorator`). */
export const FST_CHIME_DECORATOR_TAKEN = createError<'FST_CHIME_DECORATOR_TAKEN', 500, [string]>(
  'FST_CHIME_DECORATOR_TAKEN',
  'fastify-chime-bot cannot decorate the Fastify instance with `%s`: that name is already taken. ' +
  'When one service runs several bots, give each registration its own `decorator` option (or `decorator: false`).',
  500
)

/** `on(name, handler)` was called with an unknown event name or a handler that is not a function. */
export const FST_CHIME_INVALID_HANDLER = createError<'FST_CHIME_INVALID_HANDLER', 500, [string, string]>(
  'FST_CHIME_INVALID_HANDLER',
  'chime.on(%s, handler): %s.',
  500
)

// ── receiving events (core/bot, adapters) ───────────────────────────────────

/** The event request carried no `Chime-Signature` header. */
export const FST_CHIME_MISSING_SIGNATURE = createError<'FST_CHIME_MISSING_SIGNATURE', 401, []>(
  'FST_CHIME_MISSING_SIGNATURE',
  'The request has no Chime-Signature header, so it cannot be shown to come from Chime. ' +
  'Chime signs every event; only the endpoint-verification challenge may come unsigned.',
  401
)

/** `Chime-Request-Timestamp` is missing or is not a date. */
export const FST_CHIME_INVALID_TIMESTAMP = createError<'FST_CHIME_INVALID_TIMESTAMP', 401, [string]>(
  'FST_CHIME_INVALID_TIMESTAMP',
  'The Chime-Request-Timestamp header is %s; Chime sends an ISO-8601 time (e.g. 2019-04-04T21:30:43.181Z) with every event.',
  401
)

/** `Chime-Request-Timestamp` is further from the server clock than the tolerance (a replay, or a skewed clock). */
export const FST_CHIME_STALE_TIMESTAMP = createError<'FST_CHIME_STALE_TIMESTAMP', 401, [string, number]>(
  'FST_CHIME_STALE_TIMESTAMP',
  'The Chime-Request-Timestamp %s is more than %d ms away from this server\'s clock: the request may be a replay, ' +
  'or this server\'s clock is wrong (option `timestampToleranceMs`).',
  401
)

/** `Chime-Signature` matches none of the accepted security tokens. */
export const FST_CHIME_INVALID_SIGNATURE = createError<'FST_CHIME_INVALID_SIGNATURE', 401, []>(
  'FST_CHIME_INVALID_SIGNATURE',
  'The Chime-Signature header does not match the body under any accepted security token. Either the request ' +
  'does not come from Chime, or the bot\'s token was regenerated: accept both the old and the new token during a rotation.',
  401
)

/** The signed body is not valid JSON. */
export const FST_CHIME_MALFORMED_JSON = createError<'FST_CHIME_MALFORMED_JSON', 400, [string]>(
  'FST_CHIME_MALFORMED_JSON',
  'The request body is not valid JSON (%s); Chime events are JSON objects.',
  400
)

/** The signed JSON does not have the shape of its `EventType`. */
export const FST_CHIME_INVALID_EVENT = createError<'FST_CHIME_INVALID_EVENT', 400, [string]>(
  'FST_CHIME_INVALID_EVENT',
  'The event does not have the shape Chime documents: %s.',
  400
)

/** The body is larger than the `bodyLimit` option. */
export const FST_CHIME_BODY_TOO_LARGE = createError<'FST_CHIME_BODY_TOO_LARGE', 413, [number]>(
  'FST_CHIME_BODY_TOO_LARGE',
  'The request body is larger than %d bytes (option `bodyLimit`); Chime events are a few hundred bytes.',
  413
)

/** The request is not `application/json`. */
export const FST_CHIME_UNSUPPORTED_MEDIA_TYPE = createError<'FST_CHIME_UNSUPPORTED_MEDIA_TYPE', 415, [string]>(
  'FST_CHIME_UNSUPPORTED_MEDIA_TYPE',
  'The request\'s content type is %s; Chime sends its events as application/json.',
  415
)

/** An async `securityToken` function failed and no earlier tokens are cached: the request cannot be checked now. */
export const FST_CHIME_TOKENS_UNAVAILABLE = createError<'FST_CHIME_TOKENS_UNAVAILABLE', 503, []>(
  'FST_CHIME_TOKENS_UNAVAILABLE',
  'The security tokens could not be loaded (the `securityToken` function failed), so the request cannot be checked. ' +
  'Answering 503 lets Chime retry it.',
  503
)

/** `ctx.reply` / `say` was called but no reply channel is configured. */
export const FST_CHIME_REPLIES_NOT_CONFIGURED = createError<'FST_CHIME_REPLIES_NOT_CONFIGURED', 500, []>(
  'FST_CHIME_REPLIES_NOT_CONFIGURED',
  'Replies are not configured for this bot: no reply channel was given, so the message was not sent.',
  500
)

/** With `ack: 'after-handler'`, the handlers outran `handlerBudgetMs`; Chime was answered anyway (logged, never sent). */
export const FST_CHIME_HANDLER_BUDGET_EXCEEDED = createError<'FST_CHIME_HANDLER_BUDGET_EXCEEDED', 500, [string, number]>(
  'FST_CHIME_HANDLER_BUDGET_EXCEEDED',
  'The %s handlers were still running after %d ms (option `handlerBudgetMs`); Chime was answered 200 anyway ' +
  'and the handlers keep running in the background.',
  500
)

/** `close()` stopped waiting for running handlers (logged, never sent). */
export const FST_CHIME_CLOSE_TIMEOUT = createError<'FST_CHIME_CLOSE_TIMEOUT', 500, [number, number]>(
  'FST_CHIME_CLOSE_TIMEOUT',
  '%d event handler(s) were still running after %d ms (option `closeTimeoutMs`); closing without them.',
  500
)

// ── replying (core/reply) ───────────────────────────────────────────────────
// Every reply error also carries `roomId`, `webhookId` (never the token), `status` (the HTTP status
// Chime answered, if any), `attempts` and `messagesSent` (see ChimeReplyError in core/reply/failure.ts).
// The first argument `%s` of most messages names the target, e.g. "room R (webhook W)".

/** Chime answered 403: the webhook URL's token is not valid. Not retried. */
export const FST_CHIME_WEBHOOK_FORBIDDEN = createError<'FST_CHIME_WEBHOOK_FORBIDDEN', 502, [string]>(
  'FST_CHIME_WEBHOOK_FORBIDDEN',
  'Chime refused the message to %s with 403 Forbidden: the token in the webhook URL is not valid. ' +
  'Use the URL exactly as Chime sent it (InboundHttpsEndpoint.Url of the event, including its ?token= query); ' +
  'an edited or truncated URL, or one from another room, is refused. Not retried.',
  502
)

/** Chime answered 404: the webhook was regenerated or deleted, or a ShortLived URL expired. Not retried. */
export const FST_CHIME_WEBHOOK_GONE = createError<'FST_CHIME_WEBHOOK_GONE', 502, [string]>(
  'FST_CHIME_WEBHOOK_GONE',
  'Chime answered 404 Not Found for the message to %s: this webhook no longer exists. It was regenerated or deleted ' +
  '(for example the bot was removed from the room; a new Invite event brings a new URL), or it was the ShortLived URL ' +
  'of a Mention event, which stops working 2 minutes after the event. Not retried.',
  502
)

/** A ShortLived (Mention) URL is past its 2 minutes and the room's Persistent webhook is not known. No request was made. */
export const FST_CHIME_WEBHOOK_EXPIRED = createError<'FST_CHIME_WEBHOOK_EXPIRED', 410, [string, number]>(
  'FST_CHIME_WEBHOOK_EXPIRED',
  'The message to %s was not sent: it would use the ShortLived webhook URL of a Mention event, which Chime accepts ' +
  'only for 2 minutes after the event (it expired %d s ago), and no Persistent webhook is known for the room. ' +
  'Reply sooner, or keep the bot running from the room\'s Invite event on (its Persistent webhook is then used instead).',
  410
)

/** The message is over Chime's 4 KB limit and splitting is off, or Chime answered 413. */
export const FST_CHIME_MESSAGE_TOO_LARGE = createError<'FST_CHIME_MESSAGE_TOO_LARGE', 413, [string, string]>(
  'FST_CHIME_MESSAGE_TOO_LARGE',
  'The message to %s is too large for Chime (%s). Chime accepts at most 4096 bytes of JSON per message: ' +
  'shorten it, or leave splitting on (the default) so a long reply is sent as several messages.',
  413
)

/** Chime answered 400 to a message with @All / @Present: not allowed in rooms with more than 50 members. */
export const FST_CHIME_MENTION_NOT_ALLOWED = createError<'FST_CHIME_MENTION_NOT_ALLOWED', 400, [string]>(
  'FST_CHIME_MENTION_NOT_ALLOWED',
  'Chime refused the message to %s with 400 Bad Request: it mentions @All or @Present, which Chime allows only ' +
  'in rooms with at most 50 members. Mention people by name instead. Not retried.',
  400
)

/** Chime answered another status that retrying cannot fix (e.g. 400, 401, 405). */
export const FST_CHIME_WEBHOOK_REJECTED = createError<'FST_CHIME_WEBHOOK_REJECTED', 502, [string, number]>(
  'FST_CHIME_WEBHOOK_REJECTED',
  'Chime refused the message to %s with HTTP %d. Retrying would not help, so it was not retried; ' +
  'check that the URL is a Chime incoming-webhook URL and the message is plain text or markdown.',
  502
)

/** 429 / 5xx / connection errors persisted past `maxAttempts` or `maxRetryTimeMs`. */
export const FST_CHIME_REPLY_RETRIES_EXHAUSTED = createError<'FST_CHIME_REPLY_RETRIES_EXHAUSTED', 503, [string, number, string]>(
  'FST_CHIME_REPLY_RETRIES_EXHAUSTED',
  'The message to %s was not delivered after %d attempt(s): %s. Chime was rate-limiting, unavailable or unreachable; ' +
  'raise the options `maxAttempts` / `maxRetryTimeMs`, or send fewer messages (Chime accepts one per second per webhook).',
  503
)

/** The reply client was closed before this message could be delivered. */
export const FST_CHIME_REPLY_UNDELIVERED = createError<'FST_CHIME_REPLY_UNDELIVERED', 503, [string, string]>(
  'FST_CHIME_REPLY_UNDELIVERED',
  'The message to %s was not delivered: %s.',
  503
)

/** `ctx.reply` was called for an event that carries no webhook (Remove, or an event type this version does not know). */
export const FST_CHIME_NO_WEBHOOK = createError<'FST_CHIME_NO_WEBHOOK', 500, [string]>(
  'FST_CHIME_NO_WEBHOOK',
  'A %s event carries no webhook URL, so there is nowhere to send a reply. Only Invite and Mention events ' +
  'can be replied to; after a Remove event the bot can no longer post in that room.',
  500
)

/** `say(roomId, …)` for a room whose Persistent webhook is not known. */
export const FST_CHIME_UNKNOWN_ROOM = createError<'FST_CHIME_UNKNOWN_ROOM', 404, [string]>(
  'FST_CHIME_UNKNOWN_ROOM',
  'No webhook is known for room %s, so the message was not sent. The bot learns a room\'s Persistent webhook from the ' +
  'room\'s Invite event and forgets it on Remove; for rooms joined before this process started, pass the stored URL ' +
  'with the reply option `rooms` (or `remember(roomId, url)`).',
  404
)

/** The content of a reply is not a non-empty string. */
export const FST_CHIME_INVALID_REPLY = createError<'FST_CHIME_INVALID_REPLY', 500, [string]>(
  'FST_CHIME_INVALID_REPLY',
  'A reply must be a non-empty string; got %s.',
  500
)

/** The webhook URL is not an http(s) URL. The message never includes the URL's token. */
export const FST_CHIME_INVALID_WEBHOOK_URL = createError<'FST_CHIME_INVALID_WEBHOOK_URL', 500, [string]>(
  'FST_CHIME_INVALID_WEBHOOK_URL',
  'The webhook URL %s; use InboundHttpsEndpoint.Url from a Chime event (an https URL with a ?token= query).',
  500
)

/** An option of the reply client / reply channel has the wrong type or value. Thrown when it is created. */
export const FST_CHIME_INVALID_REPLY_OPTION = createError<'FST_CHIME_INVALID_REPLY_OPTION', 500, [string, string, string]>(
  'FST_CHIME_INVALID_REPLY_OPTION',
  'Reply option `%s` must be %s; got %s.',
  500
)

/** `command(name, …)` was given a bad name, no handler, or a name already registered (core/commands). */
export const FST_CHIME_INVALID_COMMAND = createError<'FST_CHIME_INVALID_COMMAND', 500, [string]>(
  'FST_CHIME_INVALID_COMMAND',
  'command(): %s.',
  500
)


// ── lambda adapter ──────────────────────────────────────────────────────────

/** The Lambda invocation payload is neither a Chime event nor an API Gateway / function URL proxy event. */
export const FST_CHIME_LAMBDA_UNRECOGNISED_PAYLOAD = createError<'FST_CHIME_LAMBDA_UNRECOGNISED_PAYLOAD', 400, [string]>(
  'FST_CHIME_LAMBDA_UNRECOGNISED_PAYLOAD',
  'The Lambda payload is %s; expected a Chime event (direct invocation) or an API Gateway / function URL proxy event.',
  400
)

/** The invocation's client context could not be decoded (direct invocation). */
export const FST_CHIME_LAMBDA_BAD_CLIENT_CONTEXT = createError<'FST_CHIME_LAMBDA_BAD_CLIENT_CONTEXT', 401, []>(
  'FST_CHIME_LAMBDA_BAD_CLIENT_CONTEXT',
  'The invocation\'s client context is not JSON (nor base64-encoded JSON), so the Chime-Signature it should carry cannot be read.',
  401
)

/** A proxy request used another method than POST. */
export const FST_CHIME_METHOD_NOT_ALLOWED = createError<'FST_CHIME_METHOD_NOT_ALLOWED', 405, [string]>(
  'FST_CHIME_METHOD_NOT_ALLOWED',
  'The request method is %s; Chime POSTs its events.',
  405
)

export { createError }
