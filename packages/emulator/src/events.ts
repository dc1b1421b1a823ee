/**
 * The three events Chime sends to a bot (protocol reference §3), built from
 * the emulator's records. Pure functions: no I/O, no clock reads — the caller
 * passes the timestamp, so the same inputs always give the same event.
 */

/** The user who caused the event, as Chime names them: by e-mail. */
export interface EventSender {
  SenderId: string
  SenderIdType: 'EmailId'
}

/** The room the event happened in. */
export interface EventDiscussion {
  DiscussionId: string
  DiscussionType: 'Room'
}

/** The room webhook the bot may reply through. */
export interface EventInboundEndpoint {
  EndpointType: 'Persistent' | 'ShortLived'
  Url: string
}

/** The bot was added to a room. */
export interface InvitePayload {
  Sender: EventSender
  Discussion: EventDiscussion
  EventType: 'Invite'
  InboundHttpsEndpoint: EventInboundEndpoint
  EventTimestamp: string
}

/** A user @mentioned the bot; `Message` is the user's whole message. */
export interface MentionPayload {
  Sender: EventSender
  Discussion: EventDiscussion
  EventType: 'Mention'
  InboundHttpsEndpoint: EventInboundEndpoint
  EventTimestamp: string
  Message: string
}

/** The bot was removed from a room: no webhook, no message. */
export interface RemovePayload {
  Sender: EventSender
  Discussion: EventDiscussion
  EventType: 'Remove'
  EventTimestamp: string
}

/** Any event the emulator delivers to a bot. */
export type ChimeEventPayload = InvitePayload | MentionPayload | RemovePayload

/** The event type names, for filters and logs. */
export type ChimeEventType = ChimeEventPayload['EventType']

/** Inputs shared by every builder. */
export interface EventInput {
  /** E-mail of the user who invited, mentioned or removed the bot. */
  sender: string
  roomId: string
  /** ISO-8601 event time. */
  timestamp: string
}

function base (input: EventInput): { Sender: EventSender, Discussion: EventDiscussion } {
  return {
    Sender: { SenderId: input.sender, SenderIdType: 'EmailId' },
    Discussion: { DiscussionId: input.roomId, DiscussionType: 'Room' }
  }
}

/**
 * The Invite event: sent when a bot joins a room. `webhookUrl` is the room's
 * Persistent incoming webhook for this bot.
 */
export function buildInviteEvent (input: EventInput & { webhookUrl: string }): InvitePayload {
  const { Sender, Discussion } = base(input)
  return {
    Sender,
    Discussion,
    EventType: 'Invite',
    InboundHttpsEndpoint: { EndpointType: 'Persistent', Url: input.webhookUrl },
    EventTimestamp: input.timestamp
  }
}

/**
 * The Mention event: sent when a user @mentions a bot. `message` is the whole
 * message as the user wrote it; `webhookUrl` is a ShortLived webhook that
 * expires 2 minutes after `timestamp`.
 */
export function buildMentionEvent (input: EventInput & { webhookUrl: string, message: string }): MentionPayload {
  const { Sender, Discussion } = base(input)
  return {
    Sender,
    Discussion,
    EventType: 'Mention',
    InboundHttpsEndpoint: { EndpointType: 'ShortLived', Url: input.webhookUrl },
    EventTimestamp: input.timestamp,
    Message: input.message
  }
}

/** The Remove event: sent when a bot leaves a room. */
export function buildRemoveEvent (input: EventInput): RemovePayload {
  const { Sender, Discussion } = base(input)
  return { Sender, Discussion, EventType: 'Remove', EventTimestamp: input.timestamp }
}

/**
 * The exact bytes the emulator sends and signs: compact `JSON.stringify`, keys
 * in the order Chime's documented examples show them.
 */
export function serializeEvent (event: ChimeEventPayload): string {
  return JSON.stringify(event)
}
