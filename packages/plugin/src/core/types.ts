/**
 * Public types of the Chime bot protocol as the plugin exposes them
 * (protocol reference §3). One file so users find every shape in one place.
 */

/** Who caused the event: the user who invited, mentioned or removed the bot. */
export interface ChimeSender {
  /** The user's id; Chime sends the user's e-mail address. */
  SenderId: string
  /** How `SenderId` should be read; Chime sends `EmailId`. */
  SenderIdType: 'EmailId' | (string & {})
}

/** Where the event happened. For chat bots this is a chat room. */
export interface ChimeDiscussion {
  /** The chat room id. */
  DiscussionId: string
  /** Chime sends `Room`. */
  DiscussionType: 'Room' | (string & {})
}

/** The room's incoming webhook the bot may POST replies to. */
export interface InboundHttpsEndpoint {
  /** `Persistent` (Invite: kept until the bot leaves) or `ShortLived` (Mention: expires 2 minutes after the event). */
  EndpointType: 'Persistent' | 'ShortLived'
  /** The webhook URL, including its `?token=` query. */
  Url: string
}

interface ChimeEventBase {
  Sender: ChimeSender
  Discussion: ChimeDiscussion
  /** When Chime created the event, ISO-8601. */
  EventTimestamp: string
}

/** The bot was added to a chat room. */
export interface InviteEvent extends ChimeEventBase {
  EventType: 'Invite'
  InboundHttpsEndpoint: InboundHttpsEndpoint
}

/** A user @mentioned the bot in a chat room. */
export interface MentionEvent extends ChimeEventBase {
  EventType: 'Mention'
  /** The whole message, starting with the mention, e.g. `@EchoBot hello`. */
  Message: string
  InboundHttpsEndpoint: InboundHttpsEndpoint
}

/** The bot was removed from a chat room. Carries no webhook: the bot can no longer post there. */
export interface RemoveEvent extends ChimeEventBase {
  EventType: 'Remove'
}

/** Every event type Chime is documented to send. */
export type ChimeEvent = InviteEvent | MentionEvent | RemoveEvent

/** A correctly signed event whose `EventType` this version does not know (Chime may add types). */
export interface UnknownChimeEvent {
  EventType: string
  [field: string]: unknown
}

/** Event names a handler can be registered for. `*` receives every event, known or not. */
export interface ChimeEventMap {
  Invite: InviteEvent
  Mention: MentionEvent
  Remove: RemoveEvent
  '*': ChimeEvent | UnknownChimeEvent
}

export type ChimeEventName = keyof ChimeEventMap

/** The endpoint-verification POST Chime sends before saving an HTTPS endpoint (seed document). */
export interface ChallengeRequest {
  Challenge: string
  EventType: 'HTTPSEndpointVerification'
}

/** The minimal logger the core needs; Fastify's pino logger and `console` both fit. */
export interface ChimeLogger {
  debug (obj: unknown, msg?: string): void
  info (obj: unknown, msg?: string): void
  warn (obj: unknown, msg?: string): void
  error (obj: unknown, msg?: string): void
}

/** What a successful reply resolves to. */
export interface ReplyReceipt {
  /** How many webhook messages were sent (more than one when a long message was split). */
  messages: number
  /** Total HTTP attempts, retries included. */
  attempts: number
  /**
   * `true` when the event's ShortLived (Mention) URL had expired and the room's
   * Persistent webhook (remembered from its Invite) was used instead.
   */
  fallback?: boolean
}

/** Options of one reply. */
export interface ReplyOptions {
  /** Send as markdown: the content is prefixed with `/md` and a newline (Chime's markdown switch). */
  markdown?: boolean
  /**
   * Split a message over Chime's 4 KB limit into several messages (default `true`, or the
   * client's `split` option). `false` rejects it with `FST_CHIME_MESSAGE_TOO_LARGE` before any request.
   */
  split?: boolean
}

/** `ctx.reply(text)`: posts to the room the event came from. */
export interface ReplyFunction {
  (content: string, options?: ReplyOptions): Promise<ReplyReceipt>
  /** Same as `reply(content, { markdown: true })`. */
  markdown (content: string): Promise<ReplyReceipt>
}

/** The second argument of every handler. */
export interface ChimeContext<E = ChimeEvent | UnknownChimeEvent> {
  event: E
  /** The chat room id (`Discussion.DiscussionId`), when the event has one. */
  roomId: string | undefined
  /** Fastify's request id, or the Lambda request id. */
  requestId: string
  /** A child logger bound to this event. */
  log: ChimeLogger
  /** Replies to the room. Rejects with a typed error for events that carry no webhook (Remove). */
  reply: ReplyFunction
}

/** An event handler. Its promise is awaited for logging and graceful close, never by Chime. */
export type ChimeHandler<N extends ChimeEventName> =
  (event: ChimeEventMap[N], ctx: ChimeContext<ChimeEventMap[N]>) => unknown

/**
 * The seam between receiving events (core/bot) and replying (core/reply).
 * The bot calls `observe` for every verified event before its handlers run,
 * builds `ctx.reply` with `replyFor`, and drains with `close`.
 */
export interface ReplyChannel {
  /** Remembers a room's Persistent webhook on Invite, forgets it on Remove. */
  observe (event: ChimeEvent): void
  /** The `ctx.reply` for one event. */
  replyFor (event: ChimeEvent | UnknownChimeEvent, log: ChimeLogger): ReplyFunction
  /** Proactive message to a room whose Persistent webhook is known. */
  say (roomId: string, content: string, options?: ReplyOptions): Promise<ReplyReceipt>
  /**
   * Optional. Waits (at most `timeoutMs`) until every queued reply was sent or failed, without
   * closing, and resolves with how many messages are still pending. The Lambda adapter calls
   * it before the function returns, because Lambda freezes the process then: a reply a handler
   * did not await would otherwise sit in the queue until the next invocation, or be lost.
   */
  flush? (timeoutMs: number): Promise<number>
  /** Sends what is queued (bounded by `timeoutMs`) and closes connections. */
  close (timeoutMs: number): Promise<void>
}
