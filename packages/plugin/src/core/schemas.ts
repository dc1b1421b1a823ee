/**
 * JSON schemas of the events Chime sends (protocol reference §3).
 *
 * They are the single description of an event's shape: `core/events.ts`
 * compiles them into the validator both adapters use, and they are exported
 * so users can reuse them (documentation, OpenAPI, their own routes).
 * Extra properties are allowed everywhere: Chime may add fields.
 */

/** The subset of JSON Schema these schemas use (and `core/events.ts` understands). */
export interface ChimeJsonSchema {
  type: 'object' | 'string'
  required?: readonly string[]
  properties?: Readonly<Record<string, ChimeJsonSchema>>
  enum?: readonly string[]
  const?: string
  description?: string
}

const sender = {
  type: 'object',
  description: 'Who caused the event.',
  required: ['SenderId', 'SenderIdType'],
  properties: {
    SenderId: { type: 'string' },
    SenderIdType: { type: 'string' }
  }
} as const satisfies ChimeJsonSchema

const discussion = {
  type: 'object',
  description: 'The chat room the event happened in.',
  required: ['DiscussionId', 'DiscussionType'],
  properties: {
    DiscussionId: { type: 'string' },
    DiscussionType: { type: 'string' }
  }
} as const satisfies ChimeJsonSchema

const inboundHttpsEndpoint = {
  type: 'object',
  description: 'The room\'s incoming webhook the bot may reply to.',
  required: ['EndpointType', 'Url'],
  properties: {
    EndpointType: { type: 'string', enum: ['Persistent', 'ShortLived'] },
    Url: { type: 'string' }
  }
} as const satisfies ChimeJsonSchema

/** JSON schema of an `Invite` event (the bot was added to a room). */
export const inviteEventSchema = {
  type: 'object',
  required: ['Sender', 'Discussion', 'EventType', 'InboundHttpsEndpoint', 'EventTimestamp'],
  properties: {
    Sender: sender,
    Discussion: discussion,
    EventType: { type: 'string', const: 'Invite' },
    InboundHttpsEndpoint: inboundHttpsEndpoint,
    EventTimestamp: { type: 'string' }
  }
} as const satisfies ChimeJsonSchema

/** JSON schema of a `Mention` event (a user @mentioned the bot). */
export const mentionEventSchema = {
  type: 'object',
  required: ['Sender', 'Discussion', 'EventType', 'Message', 'InboundHttpsEndpoint', 'EventTimestamp'],
  properties: {
    Sender: sender,
    Discussion: discussion,
    EventType: { type: 'string', const: 'Mention' },
    Message: { type: 'string' },
    InboundHttpsEndpoint: inboundHttpsEndpoint,
    EventTimestamp: { type: 'string' }
  }
} as const satisfies ChimeJsonSchema

/** JSON schema of a `Remove` event (the bot was removed from a room). */
export const removeEventSchema = {
  type: 'object',
  required: ['Sender', 'Discussion', 'EventType', 'EventTimestamp'],
  properties: {
    Sender: sender,
    Discussion: discussion,
    EventType: { type: 'string', const: 'Remove' },
    EventTimestamp: { type: 'string' }
  }
} as const satisfies ChimeJsonSchema

/** The schema of each event type Chime documents, by `EventType`. */
export const chimeEventSchemas = {
  Invite: inviteEventSchema,
  Mention: mentionEventSchema,
  Remove: removeEventSchema
} as const
