/**
 * What turns things happening in a room into events for bots:
 *
 * - `bot.invited` (CreateRoomMembership of a bot) → a Persistent webhook for
 *   the room and bot, and an Invite event with it;
 * - `bot.removed` (DeleteRoomMembership) → the bot's webhooks in that room are
 *   revoked (their URLs answer 404), and a Remove event;
 * - a user's message → into the transcript, then for each bot of the room it
 *   @mentions: a Mention event with a fresh ShortLived webhook — or, when the
 *   bot is disabled or has no endpoint, a System notice in the room instead
 *   (Chime tells the user; the bot hears nothing).
 *
 * Messages the bots post through webhooks never trigger Mentions: in Chime,
 * bots do not talk to bots.
 */
import type { BotRecord, EmulatorState, MessageRecord } from './state.js'
import type { DeliveryEngine, DeliveryRecord } from './delivery.js'
import { buildInviteEvent, buildMentionEvent, buildRemoveEvent } from './events.js'
import { issueWebhook, revokeWebhooks, webhookUrl } from './webhooks.js'
import { appendMessage, mentionedBots } from './messages.js'
import { badRequest, notFound } from './aws/errors.js'

/** The result of a user's message. */
export interface PostedMessage {
  message: MessageRecord
  /** The Mention deliveries it started (one per mentioned, reachable bot). */
  deliveries: Array<Promise<DeliveryRecord>>
  /** Ids of the bots it @mentioned (reachable or not). */
  mentioned: string[]
  /** System notices it caused (mentioned bots that are disabled or have no endpoint). */
  notices: MessageRecord[]
}

/** Options of {@link EventDispatcher}. */
export interface DispatcherOptions {
  state: EmulatorState
  delivery: DeliveryEngine
  /** The emulator's base URL, e.g. `http://127.0.0.1:4020`: webhook URLs start with it. */
  baseUrl: () => string
}

/** Connects the state's bus to delivery, and posts users' messages. */
export class EventDispatcher {
  private readonly onInvited: (e: { bot: BotRecord, room: { RoomId: string }, invitedBy: string }) => void
  private readonly onRemoved: (e: { bot: BotRecord, room: { RoomId: string }, removedBy: string }) => void

  constructor (private readonly opts: DispatcherOptions) {
    const { state, delivery } = opts
    this.onInvited = ({ bot, room, invitedBy }) => {
      const webhook = issueWebhook(state, { roomId: room.RoomId, botId: bot.BotId, type: 'Persistent' })
      void delivery.deliver(bot, buildInviteEvent({
        sender: invitedBy,
        roomId: room.RoomId,
        timestamp: state.timestamp(),
        webhookUrl: webhookUrl(opts.baseUrl(), webhook)
      }))
    }
    this.onRemoved = ({ bot, room, removedBy }) => {
      revokeWebhooks(state, room.RoomId, bot.BotId)
      void delivery.deliver(bot, buildRemoveEvent({ sender: removedBy, roomId: room.RoomId, timestamp: state.timestamp() }))
    }
    state.bus.on('bot.invited', this.onInvited)
    state.bus.on('bot.removed', this.onRemoved)
  }

  /** Stops listening to the bus. */
  detach (): void {
    this.opts.state.bus.off('bot.invited', this.onInvited)
    this.opts.state.bus.off('bot.removed', this.onRemoved)
  }

  /**
   * Posts a user's message to a room (the user is created, and joins the
   * room, as needed) and sends a Mention to every bot of the room it
   * @mentions.
   */
  postUserMessage (roomId: string, sender: string, content: string): PostedMessage {
    const { state, delivery } = this.opts
    const room = state.rooms.get(roomId)
    if (room === undefined) throw notFound(`Room '${roomId}' does not exist. Create it first (CreateRoom, or emu.createRoom()).`)
    if (typeof content !== 'string' || content === '') throw badRequest(`A message needs a non-empty string Content, such as "@EchoBot hello"; got ${JSON.stringify(content)}.`)
    const user = state.ensureUser(room.AccountId, sender)
    if (!state.memberships.has(`${roomId}/${user.UserId}`)) {
      state.addRoomMember(room.AccountId, roomId, user.UserId, { invitedBy: user.PrimaryEmail })
    }
    const message = appendMessage(state, { RoomId: roomId, Sender: user.PrimaryEmail, SenderType: 'User', Content: content })
    const deliveries: Array<Promise<DeliveryRecord>> = []
    const notices: MessageRecord[] = []
    const bots = mentionedBots(state, roomId, content)
    for (const bot of bots) {
      const unreachable = bot.Disabled
        ? `${bot.DisplayName} is disabled and cannot answer. An administrator can enable it again (UpdateBot Disabled=false).`
        : state.eventsConfigurations.has(bot.BotId)
          ? undefined
          : `${bot.DisplayName} has no outbound endpoint configured, so it cannot receive your message.`
      if (unreachable !== undefined) {
        notices.push(appendMessage(state, { RoomId: roomId, Sender: 'system', SenderType: 'System', Content: unreachable }))
        continue
      }
      const webhook = issueWebhook(state, { roomId, botId: bot.BotId, type: 'ShortLived' })
      deliveries.push(delivery.deliver(bot, buildMentionEvent({
        sender: user.PrimaryEmail,
        roomId,
        timestamp: webhook.CreatedTimestamp,
        webhookUrl: webhookUrl(this.opts.baseUrl(), webhook),
        message: content
      })))
    }
    return { message, deliveries, notices, mentioned: bots.map(b => b.BotId) }
  }
}
