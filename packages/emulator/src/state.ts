/**
 * The emulator's whole world, in memory: one serialisable model.
 * API routes, delivery, webhooks and the control API all read and write it
 * here; `bus` tells the rest of the emulator what happened.
 *
 * The shapes mirror the AWS service model `chime` 2018-05-01 where they are
 * returned by the API (Account, Bot, Room, RoomMembership, EventsConfiguration).
 */
import { EventEmitter } from 'node:events'

export interface AccountRecord {
  AwsAccountId: string
  AccountId: string
  Name: string
  AccountType: 'Team' | 'EnterpriseDirectory' | 'EnterpriseLWA' | 'EnterpriseOIDC'
  CreatedTimestamp: string
  DefaultLicense: 'Basic' | 'Plus' | 'Pro' | 'ProTrial'
  SupportedLicenses: string[]
  AccountStatus: 'Active' | 'Suspended'
}

export interface BotRecord {
  AccountId: string
  BotId: string
  UserId: string
  DisplayName: string
  BotType: 'ChatBot'
  Disabled: boolean
  CreatedTimestamp: string
  UpdatedTimestamp: string
  BotEmail: string
  SecurityToken: string
}

export interface EventsConfigurationRecord {
  BotId: string
  OutboundEventsHTTPSEndpoint?: string
  LambdaFunctionArn?: string
}

export interface UserRecord {
  AccountId: string
  UserId: string
  /** The user's e-mail address: what Chime puts in `Sender.SenderId`. */
  PrimaryEmail: string
  DisplayName: string
}

export interface RoomRecord {
  RoomId: string
  Name: string
  AccountId: string
  CreatedBy: string
  CreatedTimestamp: string
  UpdatedTimestamp: string
}

export type MemberType = 'User' | 'Bot' | 'Webhook'

export interface RoomMembershipRecord {
  RoomId: string
  Member: {
    MemberId: string
    MemberType: MemberType
    Email?: string
    FullName?: string
    AccountId: string
  }
  Role: 'Administrator' | 'Member'
  InvitedBy: string
  UpdatedTimestamp: string
}

/**
 * An incoming webhook of a room: where a bot posts its replies.
 * `Persistent` ones are made when a bot is invited and deleted when it is
 * removed; `ShortLived` ones are made per Mention and expire 2 minutes after.
 */
export interface WebhookRecord {
  WebhookId: string
  Token: string
  RoomId: string
  BotId: string
  EndpointType: 'Persistent' | 'ShortLived'
  CreatedTimestamp: string
  /** ISO-8601; set for ShortLived webhooks. */
  ExpiresTimestamp?: string
  /** Set when the webhook was deleted or regenerated: the URL answers 404 from then on. */
  Revoked?: boolean
}

export type SenderType = 'User' | 'Bot' | 'Webhook' | 'System'

export interface MessageRecord {
  MessageId: string
  RoomId: string
  /** A user's e-mail, a bot's BotEmail, or `system`. */
  Sender: string
  SenderType: SenderType
  Content: string
  CreatedTimestamp: string
}

/** Everything that is saved to the state file and restored at start. */
export interface StateSnapshot {
  version: 1
  accounts: AccountRecord[]
  bots: BotRecord[]
  eventsConfigurations: EventsConfigurationRecord[]
  users: UserRecord[]
  rooms: RoomRecord[]
  memberships: RoomMembershipRecord[]
  webhooks: WebhookRecord[]
  messages: MessageRecord[]
}

/** What happened, for delivery, the SSE stream, persistence and tests. */
export interface StateEvents {
  'bot.invited': [{ bot: BotRecord, room: RoomRecord, invitedBy: string }]
  'bot.removed': [{ bot: BotRecord, room: RoomRecord, removedBy: string }]
  'message.posted': [{ message: MessageRecord }]
  'changed': []
}

/** Clock used everywhere the emulator reads time, so tests can move it. */
export interface Clock {
  now (): number
}

export const systemClock: Clock = { now: () => Date.now() }

/**
 * The in-memory model. Records are stored in insertion order (Maps), which
 * is also the order List* operations return.
 */
export class EmulatorState {
  readonly bus = new EventEmitter<StateEvents>()
  readonly accounts = new Map<string, AccountRecord>()
  readonly bots = new Map<string, BotRecord>()
  readonly eventsConfigurations = new Map<string, EventsConfigurationRecord>()
  readonly users = new Map<string, UserRecord>()
  readonly rooms = new Map<string, RoomRecord>()
  /** Keyed by `${RoomId}/${MemberId}`. */
  readonly memberships = new Map<string, RoomMembershipRecord>()
  readonly webhooks = new Map<string, WebhookRecord>()
  readonly messages: MessageRecord[] = []

  constructor (readonly clock: Clock = systemClock) {}

  /** ISO-8601 "now" from the injected clock. */
  timestamp (): string {
    return new Date(this.clock.now()).toISOString()
  }

  snapshot (): StateSnapshot {
    return {
      version: 1,
      accounts: [...this.accounts.values()],
      bots: [...this.bots.values()],
      eventsConfigurations: [...this.eventsConfigurations.values()],
      users: [...this.users.values()],
      rooms: [...this.rooms.values()],
      memberships: [...this.memberships.values()],
      webhooks: [...this.webhooks.values()],
      messages: [...this.messages]
    }
  }

  restore (snapshot: StateSnapshot): void {
    this.clear()
    for (const a of snapshot.accounts) this.accounts.set(a.AccountId, a)
    for (const b of snapshot.bots) this.bots.set(b.BotId, b)
    for (const c of snapshot.eventsConfigurations) this.eventsConfigurations.set(c.BotId, c)
    for (const u of snapshot.users) this.users.set(u.UserId, u)
    for (const r of snapshot.rooms) this.rooms.set(r.RoomId, r)
    for (const m of snapshot.memberships) this.memberships.set(`${m.RoomId}/${m.Member.MemberId}`, m)
    for (const w of snapshot.webhooks) this.webhooks.set(w.WebhookId, w)
    this.messages.push(...snapshot.messages)
  }

  clear (): void {
    this.accounts.clear()
    this.bots.clear()
    this.eventsConfigurations.clear()
    this.users.clear()
    this.rooms.clear()
    this.memberships.clear()
    this.webhooks.clear()
    this.messages.length = 0
  }
}
