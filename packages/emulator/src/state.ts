/**
 * The emulator's whole world, in memory: one serialisable model.
 * API routes, delivery, webhooks and the control API all read and write it
 * here; `bus` tells the rest of the emulator what happened.
 *
 * The shapes mirror the AWS service model `chime` 2018-05-01 where they are
 * returned by the API (Account, Bot, Room, RoomMembership, EventsConfiguration).
 */
import { EventEmitter } from 'node:events'
import { badRequest, conflict, notFound, resourceLimitExceeded } from './aws/errors.js'
import { newId, newSecurityToken } from './ids.js'

/** At most this many bots per account (Chime's quota). */
export const MAX_BOTS_PER_ACCOUNT = 10
/** Longest bot display name Chime accepts. */
export const MAX_BOT_DISPLAY_NAME = 55
/** The AWS account that owns accounts created without one. */
export const DEFAULT_AWS_ACCOUNT_ID = '111122223333'
/** The e-mail domain of bots created without `Domain`. */
export const DEFAULT_BOT_DOMAIN = 'example.com'
/**
 * E-mail of each account's administrator user: the person who acts when a
 * room or membership is changed through the AWS API, so the `Sender` of the
 * Invite/Remove events those calls cause.
 */
export const ADMIN_EMAIL = 'admin@example.com'

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

  /** CreateRoom idempotency: `${AccountId}/${ClientRequestToken}` → RoomId (memory only). */
  private readonly roomRequestTokens = new Map<string, string>()

  constructor (readonly clock: Clock = systemClock) {}

  /** Tells listeners (persistence, the event stream) that something changed. */
  private changed (): void {
    this.bus.emit('changed')
  }

  // ---- accounts -----------------------------------------------------------

  /**
   * Creates an Amazon Chime account (type Team, Pro license) and its
   * administrator user ({@link ADMIN_EMAIL}). `AccountId` may be given
   * (fixtures); it is a new UUID otherwise.
   */
  createAccount (input: { Name: string, AccountId?: string, AwsAccountId?: string }): AccountRecord {
    const name = input.Name
    if (typeof name !== 'string' || name.trim() === '' || name.length > 100) {
      throw badRequest(`An account Name must be 1 to 100 characters and not only spaces; got ${describe(name)}.`)
    }
    const accountId = input.AccountId ?? newId()
    if (this.accounts.has(accountId)) throw conflict(`An account with id '${accountId}' already exists.`)
    const account: AccountRecord = {
      AwsAccountId: input.AwsAccountId ?? DEFAULT_AWS_ACCOUNT_ID,
      AccountId: accountId,
      Name: name,
      AccountType: 'Team',
      CreatedTimestamp: this.timestamp(),
      DefaultLicense: 'Pro',
      SupportedLicenses: ['Basic', 'Pro'],
      AccountStatus: 'Active'
    }
    this.accounts.set(accountId, account)
    this.ensureUser(accountId, ADMIN_EMAIL, 'Administrator')
    this.changed()
    return account
  }

  /** The account, or NotFoundException. */
  getAccount (accountId: string): AccountRecord {
    const account = this.accounts.get(accountId)
    if (account === undefined) {
      throw notFound(`Account '${accountId}' was not found. List the accounts with ListAccounts, or create one with CreateAccount.`)
    }
    return account
  }

  /** The administrator user of an account (see {@link ADMIN_EMAIL}). */
  adminUser (accountId: string): UserRecord {
    return this.ensureUser(accountId, ADMIN_EMAIL, 'Administrator')
  }

  /**
   * The identity AWS reports as `CreatedBy`/`InvitedBy` for API calls: the
   * IAM user of the account's AWS account (as in Chime's own examples).
   */
  apiCaller (accountId: string): string {
    return `arn:aws:iam::${this.getAccount(accountId).AwsAccountId}:user/chime-admin`
  }

  // ---- users --------------------------------------------------------------

  /** The account's user with this e-mail, created on demand (users are implicit in the emulator). */
  ensureUser (accountId: string, email: string, displayName?: string): UserRecord {
    this.getAccount(accountId)
    const wanted = email.toLowerCase()
    for (const user of this.users.values()) {
      if (user.AccountId === accountId && user.PrimaryEmail.toLowerCase() === wanted) return user
    }
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      throw badRequest(`'${email}' is not an e-mail address; a user is named by an e-mail such as alice@example.com.`)
    }
    const user: UserRecord = {
      AccountId: accountId,
      UserId: newId(),
      PrimaryEmail: email,
      DisplayName: displayName ?? email.slice(0, email.indexOf('@'))
    }
    this.users.set(user.UserId, user)
    this.changed()
    return user
  }

  // ---- bots ---------------------------------------------------------------

  /**
   * Creates a bot. Like Chime: `DisplayName` 1–55 characters, shown as
   * `<DisplayName> (Bot)`; e-mail `<DisplayName>-chimebot@<Domain>`; at most
   * 10 bots per account; `UserId` equals `BotId`. `BotId`/`SecurityToken`
   * may be given (fixtures).
   */
  createBot (accountId: string, input: { DisplayName: string, Domain?: string, BotId?: string, SecurityToken?: string }): BotRecord {
    this.getAccount(accountId)
    const name = input.DisplayName
    if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_BOT_DISPLAY_NAME) {
      throw badRequest(`A bot DisplayName must be 1 to ${MAX_BOT_DISPLAY_NAME} characters and not only spaces; got ${describe(name)}.`)
    }
    const domain = input.Domain ?? DEFAULT_BOT_DOMAIN
    if (typeof domain !== 'string' || !/^[^@\s]+\.[^@\s]+$/.test(domain)) {
      throw badRequest(`A bot Domain must be a domain name such as example.com; got ${describe(domain)}.`)
    }
    const count = this.listBots(accountId).length
    if (count >= MAX_BOTS_PER_ACCOUNT) {
      throw resourceLimitExceeded(`Account '${accountId}' already has ${count} bots, the most Amazon Chime allows. Bots cannot be deleted; reuse one (UpdateBot can re-enable a disabled bot).`)
    }
    const botId = input.BotId ?? newId()
    if (this.bots.has(botId)) throw conflict(`A bot with id '${botId}' already exists.`)
    const now = this.timestamp()
    const base = name.endsWith(' (Bot)') ? name.slice(0, -' (Bot)'.length) : name
    const bot: BotRecord = {
      AccountId: accountId,
      BotId: botId,
      UserId: botId,
      DisplayName: `${base} (Bot)`,
      BotType: 'ChatBot',
      Disabled: false,
      CreatedTimestamp: now,
      UpdatedTimestamp: now,
      BotEmail: `${base.replace(/\s+/g, '')}-chimebot@${domain}`,
      SecurityToken: input.SecurityToken ?? newSecurityToken()
    }
    this.bots.set(botId, bot)
    this.changed()
    return bot
  }

  /** The bot of this account, or NotFoundException. */
  getBot (accountId: string, botId: string): BotRecord {
    this.getAccount(accountId)
    const bot = this.bots.get(botId)
    if (bot === undefined || bot.AccountId !== accountId) {
      throw notFound(`Bot '${botId}' was not found in account '${accountId}'. List the account's bots with ListBots.`)
    }
    return bot
  }

  /** The bot with this id in any account, or undefined. */
  findBot (botId: string): BotRecord | undefined {
    return this.bots.get(botId)
  }

  /** The account's bots, oldest first. */
  listBots (accountId: string): BotRecord[] {
    this.getAccount(accountId)
    return [...this.bots.values()].filter(b => b.AccountId === accountId)
  }

  /** Enables or disables a bot (bots cannot be deleted, only disabled). */
  updateBot (accountId: string, botId: string, input: { Disabled?: boolean }): BotRecord {
    const bot = this.getBot(accountId, botId)
    if (input.Disabled !== undefined && typeof input.Disabled !== 'boolean') {
      throw badRequest(`Disabled must be true or false; got ${describe(input.Disabled)}.`)
    }
    if (input.Disabled !== undefined) bot.Disabled = input.Disabled
    bot.UpdatedTimestamp = this.timestamp()
    this.changed()
    return bot
  }

  /** Gives the bot a new SecurityToken; events are signed with it from now on. */
  regenerateSecurityToken (accountId: string, botId: string): BotRecord {
    const bot = this.getBot(accountId, botId)
    bot.SecurityToken = newSecurityToken()
    bot.UpdatedTimestamp = this.timestamp()
    this.changed()
    return bot
  }

  // ---- events configuration ---------------------------------------------

  /** Saves a bot's events configuration (the handshake has already passed). */
  putEventsConfiguration (accountId: string, botId: string, input: { OutboundEventsHTTPSEndpoint?: string, LambdaFunctionArn?: string }): EventsConfigurationRecord {
    this.getBot(accountId, botId)
    const configuration: EventsConfigurationRecord = { BotId: botId }
    if (input.OutboundEventsHTTPSEndpoint !== undefined) configuration.OutboundEventsHTTPSEndpoint = input.OutboundEventsHTTPSEndpoint
    if (input.LambdaFunctionArn !== undefined) configuration.LambdaFunctionArn = input.LambdaFunctionArn
    this.eventsConfigurations.set(botId, configuration)
    this.changed()
    return configuration
  }

  /** The bot's events configuration, or NotFoundException if it has none. */
  getEventsConfiguration (accountId: string, botId: string): EventsConfigurationRecord {
    this.getBot(accountId, botId)
    const configuration = this.eventsConfigurations.get(botId)
    if (configuration === undefined) {
      throw notFound(`Bot '${botId}' has no events configuration. Set its HTTPS endpoint or Lambda function with PutEventsConfiguration.`)
    }
    return configuration
  }

  /** Removes the bot's events configuration (nothing happens if it has none). */
  deleteEventsConfiguration (accountId: string, botId: string): void {
    this.getBot(accountId, botId)
    if (this.eventsConfigurations.delete(botId)) this.changed()
  }

  // ---- rooms --------------------------------------------------------------

  /**
   * Creates a chat room. A repeated `ClientRequestToken` returns the room the
   * first call created (idempotency, as the SDK retries with the same token).
   */
  createRoom (accountId: string, input: { Name: string, CreatedBy?: string, ClientRequestToken?: string, RoomId?: string }): RoomRecord {
    this.getAccount(accountId)
    if (typeof input.Name !== 'string' || input.Name.trim() === '') {
      throw badRequest(`A room Name must not be empty; got ${describe(input.Name)}.`)
    }
    const tokenKey = input.ClientRequestToken === undefined ? undefined : `${accountId}/${input.ClientRequestToken}`
    if (tokenKey !== undefined) {
      const earlier = this.rooms.get(this.roomRequestTokens.get(tokenKey) ?? '')
      if (earlier !== undefined) return earlier
    }
    const roomId = input.RoomId ?? newId()
    if (this.rooms.has(roomId)) throw conflict(`A room with id '${roomId}' already exists.`)
    const now = this.timestamp()
    const room: RoomRecord = {
      RoomId: roomId,
      Name: input.Name,
      AccountId: accountId,
      CreatedBy: input.CreatedBy ?? this.adminUser(accountId).UserId,
      CreatedTimestamp: now,
      UpdatedTimestamp: now
    }
    this.rooms.set(roomId, room)
    if (tokenKey !== undefined) this.roomRequestTokens.set(tokenKey, roomId)
    this.changed()
    return room
  }

  /** The account's room, or NotFoundException. */
  getRoom (accountId: string, roomId: string): RoomRecord {
    this.getAccount(accountId)
    const room = this.rooms.get(roomId)
    if (room === undefined || room.AccountId !== accountId) {
      throw notFound(`Room '${roomId}' was not found in account '${accountId}'. List the account's rooms with ListRooms.`)
    }
    return room
  }

  /** The account's rooms, oldest first; with `memberId` (id or e-mail) only the rooms it belongs to. */
  listRooms (accountId: string, memberId?: string): RoomRecord[] {
    this.getAccount(accountId)
    const rooms = [...this.rooms.values()].filter(r => r.AccountId === accountId)
    if (memberId === undefined) return rooms
    const member = this.lookupMember(accountId, memberId)
    if (member === undefined) return []
    return rooms.filter(r => this.memberships.has(`${r.RoomId}/${member.id}`))
  }

  /** Renames a room. */
  updateRoom (accountId: string, roomId: string, input: { Name?: string }): RoomRecord {
    const room = this.getRoom(accountId, roomId)
    if (input.Name !== undefined) {
      if (typeof input.Name !== 'string' || input.Name.trim() === '') {
        throw badRequest(`A room Name must not be empty; got ${describe(input.Name)}.`)
      }
      room.Name = input.Name
    }
    room.UpdatedTimestamp = this.timestamp()
    this.changed()
    return room
  }

  /** Deletes a room with its memberships; its incoming webhooks stop working (404). */
  deleteRoom (accountId: string, roomId: string): void {
    this.getRoom(accountId, roomId)
    this.rooms.delete(roomId)
    for (const [key, membership] of this.memberships) {
      if (membership.RoomId === roomId) this.memberships.delete(key)
    }
    for (const webhook of this.webhooks.values()) {
      if (webhook.RoomId === roomId) webhook.Revoked = true
    }
    this.changed()
  }

  // ---- memberships --------------------------------------------------------

  /** Resolves a member id: a bot id, a user id or a user e-mail of the account. */
  private lookupMember (accountId: string, memberId: string): { id: string, bot?: BotRecord, user?: UserRecord } | undefined {
    const bot = this.bots.get(memberId)
    if (bot !== undefined) return bot.AccountId === accountId ? { id: bot.BotId, bot } : undefined
    const user = this.users.get(memberId)
    if (user !== undefined) return user.AccountId === accountId ? { id: user.UserId, user } : undefined
    const wanted = memberId.toLowerCase()
    for (const u of this.users.values()) {
      if (u.AccountId === accountId && u.PrimaryEmail.toLowerCase() === wanted) return { id: u.UserId, user: u }
    }
    return undefined
  }

  /**
   * Adds a member to a room. `memberId` is a bot id, a user id or a user
   * e-mail (the user is created on demand). A bot must be enabled and have an
   * events configuration; adding it emits `bot.invited` (→ an Invite event)
   * with `invitedBy`, the e-mail of the user who added it.
   * `InvitedBy` of the record is `invitedByIdentity` (the API caller's ARN) or
   * else the inviting user's id.
   */
  addRoomMember (accountId: string, roomId: string, memberId: string, options: { Role?: 'Administrator' | 'Member', invitedBy: string, invitedByIdentity?: string }): RoomMembershipRecord {
    const room = this.getRoom(accountId, roomId)
    const role = options.Role ?? 'Member'
    if (role !== 'Administrator' && role !== 'Member') {
      throw badRequest(`Role must be Administrator or Member; got ${describe(role)}.`)
    }
    let member = this.lookupMember(accountId, memberId)
    if (member === undefined && memberId.includes('@')) {
      const user = this.ensureUser(accountId, memberId)
      member = { id: user.UserId, user }
    }
    if (member === undefined) {
      throw notFound(`Member '${memberId}' was not found in account '${accountId}': give a bot id (ListBots), a user id, or a user's e-mail address.`)
    }
    const { bot, user } = member
    if (bot !== undefined) {
      if (bot.Disabled) {
        throw badRequest(`Bot '${bot.BotId}' is disabled and cannot be added to a room. Enable it with UpdateBot (Disabled=false).`)
      }
      if (!this.eventsConfigurations.has(bot.BotId)) {
        throw badRequest(`Bot '${bot.BotId}' has no events configuration, so it cannot be added to a room. Set its HTTPS endpoint or Lambda function with PutEventsConfiguration first.`)
      }
    }
    const key = `${roomId}/${member.id}`
    if (this.memberships.has(key)) throw conflict(`Member '${memberId}' is already in room '${roomId}'.`)
    const inviter = this.ensureUser(accountId, options.invitedBy)
    const membership: RoomMembershipRecord = {
      RoomId: roomId,
      Member: bot !== undefined
        ? { MemberId: bot.BotId, MemberType: 'Bot', Email: bot.BotEmail, FullName: bot.DisplayName, AccountId: accountId }
        : { MemberId: user!.UserId, MemberType: 'User', Email: user!.PrimaryEmail, FullName: user!.DisplayName, AccountId: accountId },
      Role: role,
      InvitedBy: options.invitedByIdentity ?? inviter.UserId,
      UpdatedTimestamp: this.timestamp()
    }
    this.memberships.set(key, membership)
    this.changed()
    if (bot !== undefined) this.bus.emit('bot.invited', { bot, room, invitedBy: inviter.PrimaryEmail })
    return membership
  }

  /** Changes a member's role. */
  updateRoomMember (accountId: string, roomId: string, memberId: string, input: { Role?: 'Administrator' | 'Member' }): RoomMembershipRecord {
    const membership = this.getMembership(accountId, roomId, memberId)
    if (input.Role !== undefined) {
      if (input.Role !== 'Administrator' && input.Role !== 'Member') {
        throw badRequest(`Role must be Administrator or Member; got ${describe(input.Role)}.`)
      }
      membership.Role = input.Role
    }
    membership.UpdatedTimestamp = this.timestamp()
    this.changed()
    return membership
  }

  /** Removes a member from a room; for a bot, emits `bot.removed` (→ a Remove event). */
  removeRoomMember (accountId: string, roomId: string, memberId: string, options: { removedBy: string }): void {
    const membership = this.getMembership(accountId, roomId, memberId)
    const room = this.getRoom(accountId, roomId)
    this.memberships.delete(`${roomId}/${membership.Member.MemberId}`)
    this.changed()
    const bot = this.bots.get(membership.Member.MemberId)
    if (bot !== undefined) this.bus.emit('bot.removed', { bot, room, removedBy: options.removedBy })
  }

  /** The room's memberships, in the order members joined. */
  roomMembers (roomId: string): RoomMembershipRecord[] {
    return [...this.memberships.values()].filter(m => m.RoomId === roomId)
  }

  private getMembership (accountId: string, roomId: string, memberId: string): RoomMembershipRecord {
    this.getRoom(accountId, roomId)
    const member = this.lookupMember(accountId, memberId)
    const membership = member === undefined ? undefined : this.memberships.get(`${roomId}/${member.id}`)
    if (membership === undefined) {
      throw notFound(`Member '${memberId}' is not in room '${roomId}'. List the room's members with ListRoomMemberships.`)
    }
    return membership
  }

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
    this.roomRequestTokens.clear()
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

/** A value as a person reads it in an error message. */
function describe (value: unknown): string {
  if (typeof value === 'string') return value.length > 60 ? `'${value.slice(0, 60)}…' (${value.length} characters)` : `'${value}'`
  return value === undefined ? 'nothing' : JSON.stringify(value)
}
