/**
 * Room transcripts: appending messages, and finding which bots a user's
 * message @mentions.
 *
 * Mention rule (as Chime's clients resolve it): `@<DisplayName>`,
 * `@<bot e-mail>` or `@<alias>`, case-insensitive, ending at a word boundary — so `@EchoBot`
 * mentions EchoBot, `@echobot,` too, but `@EchoBotty` does not. Only bots that
 * are members of the room are considered: mentioning a bot that is not in the
 * room is plain text (no event, no notice), as in Chime, where the client only
 * offers room members for @-completion.
 */
import { randomUUID } from 'node:crypto'
import type { BotRecord, EmulatorState, MessageRecord, SenderType } from './state.js'

/** What {@link appendMessage} needs. */
export interface NewMessage {
  RoomId: string
  Sender: string
  SenderType: SenderType
  Content: string
}

/** Adds a message to a room's transcript, tells the bus, and returns it. */
export function appendMessage (state: EmulatorState, input: NewMessage): MessageRecord {
  const message: MessageRecord = {
    MessageId: randomUUID(),
    RoomId: input.RoomId,
    Sender: input.Sender,
    SenderType: input.SenderType,
    Content: input.Content,
    CreatedTimestamp: state.timestamp()
  }
  state.messages.push(message)
  state.bus.emit('message.posted', { message })
  state.bus.emit('changed')
  return message
}

/** A room's transcript, oldest first. */
export function roomMessages (state: EmulatorState, roomId: string): MessageRecord[] {
  return state.messages.filter(m => m.RoomId === roomId)
}

/** The bots that are members of a room, in the order they joined. */
export function roomBots (state: EmulatorState, roomId: string): BotRecord[] {
  const bots: BotRecord[] = []
  for (const m of state.memberships.values()) {
    if (m.RoomId !== roomId || m.Member.MemberType !== 'Bot') continue
    const bot = state.bots.get(m.Member.MemberId)
    if (bot !== undefined) bots.push(bot)
  }
  return bots
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** `true` when `content` @mentions `name` (case-insensitive, word-bounded). */
export function mentions (content: string, name: string): boolean {
  if (name === '') return false
  return new RegExp(`(^|[^\\w@.])@${escapeRegExp(name)}(?![\\w-]|\\.\\w)`, 'i').test(content)
}

/**
 * The names a user can @mention a bot by: its e-mail, its alias (the e-mail's
 * local part), its display name, and its display name without the ` (Bot)`
 * suffix Chime shows after bot names.
 */
export function botMentionNames (bot: BotRecord): string[] {
  const alias = bot.BotEmail.slice(0, bot.BotEmail.indexOf('@'))
  const shortName = bot.DisplayName.replace(/ \(Bot\)$/, '')
  return [...new Set([bot.BotEmail, alias, bot.DisplayName, shortName])]
}

/** `true` when `content` @mentions this bot by any of {@link botMentionNames}. */
export function mentionsBot (content: string, bot: BotRecord): boolean {
  return botMentionNames(bot).some(name => mentions(content, name))
}

/** The room's bots that `content` @mentions, each once. */
export function mentionedBots (state: EmulatorState, roomId: string, content: string): BotRecord[] {
  return roomBots(state, roomId).filter(bot => mentionsBot(content, bot))
}

/** `true` when `content` uses `@All` or `@Present` (room-wide callouts). */
export function usesRoomCallout (content: string): boolean {
  return mentions(content, 'All') || mentions(content, 'Present')
}
