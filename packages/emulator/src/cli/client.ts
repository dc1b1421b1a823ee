/**
 * The subcommands for a running emulator (`post`, `add-bot`, `remove-bot`,
 * `transcript`, `deliveries`, `rooms`): each is one call to the control API under
 * `/_emulator`, printed for a person (or raw with `--json`).
 */
import type { ClientCommand } from './args.js'

/** Where the CLI writes. */
export interface Output {
  write (text: string): unknown
}

/** The emulator could not be reached or refused the request: printed on one line, exit code 1. */
export class ClientError extends Error {
  override name = 'ClientError'
}

interface TranscriptMessage {
  MessageId: string
  Sender: string
  SenderType: string
  Content: string
  CreatedTimestamp: string
}

interface DeliveryAttempt {
  Timestamp: string
  Status?: number | null
  Error?: string | null
  DurationMs: number
}

interface DeliveryRecord {
  DeliveryId: string
  BotId: string
  EventType: string
  Target: string
  Outcome: string
  Attempts: DeliveryAttempt[]
}

async function call (base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response
  try {
    res = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000)
    })
  } catch {
    throw new ClientError(`no emulator answered at ${base} — start one with \`chime-emulator\` (or pass --url)`)
  }
  const text = await res.text()
  let parsed: unknown
  try {
    parsed = text === '' ? {} : JSON.parse(text)
  } catch {
    throw new ClientError(`${base} answered ${method} ${path} with ${res.status} and a body that is not JSON: is it a chime-emulator?`)
  }
  if (!res.ok) {
    const message = (parsed as { Message?: string, message?: string }).Message ?? (parsed as { message?: string }).message ?? text
    throw new ClientError(`the emulator refused ${method} ${path} (${res.status}): ${message}`)
  }
  return parsed
}

/** Continuation lines of a multi-line message, indented under its first line; Chime's `/md` markdown switch shown as a tag. */
function indent (text: string, by = 4): string {
  const shown = text.startsWith('/md\n') ? `[markdown] ${text.slice(4)}` : text
  return shown.replace(/\n/g, '\n' + ' '.repeat(by))
}

function time (iso: string): string {
  return iso.slice(11, 23)
}

/** One line per message: time, who, what. */
export function formatTranscript (roomId: string, messages: TranscriptMessage[]): string {
  if (messages.length === 0) return `Room ${roomId} has no messages yet.\n`
  const lines = messages.map(m => `${time(m.CreatedTimestamp)}  ${m.Sender} (${m.SenderType}): ${indent(m.Content, 14)}`)
  return lines.join('\n') + '\n'
}

interface RoomView {
  RoomId: string
  Name: string
  AccountId: string
  Members: Array<{ MemberId: string, MemberType: string, Email?: string, FullName?: string }>
}

/** One block per room: name and id, then one line per member. */
export function formatRooms (rooms: RoomView[]): string {
  if (rooms.length === 0) return 'No rooms yet: create one with CreateRoom (aws chime create-room --account-id <id> --name dev --endpoint-url <emulator>).\n'
  const lines: string[] = []
  for (const room of rooms) {
    lines.push(`${room.Name}  ${room.RoomId}  (account ${room.AccountId})`)
    if (room.Members.length === 0) lines.push('    (no members)')
    for (const m of room.Members) lines.push(`    ${m.MemberType.padEnd(4)}  ${m.MemberId}  ${m.Email ?? m.FullName ?? ''}`.trimEnd())
  }
  return lines.join('\n') + '\n'
}

/** One block per delivery: event, bot, target, outcome, then each attempt. */
export function formatDeliveries (deliveries: DeliveryRecord[]): string {
  if (deliveries.length === 0) return 'No events have been delivered to bots yet.\n'
  const lines: string[] = []
  for (const d of deliveries) {
    lines.push(`${d.EventType} → bot ${d.BotId}  ${d.Outcome}  (${d.Attempts.length} attempt${d.Attempts.length === 1 ? '' : 's'}) ${d.Target}`)
    for (const [i, a] of d.Attempts.entries()) {
      const result = a.Error != null && a.Error !== '' ? `error: ${a.Error}` : `HTTP ${a.Status ?? '-'}`
      lines.push(`    #${i + 1} ${time(a.Timestamp)}  ${result}  ${Math.round(a.DurationMs)} ms`)
    }
  }
  return lines.join('\n') + '\n'
}

/** How long `post` waits for the mentioned bots' replies before pointing to `transcript`. */
export const REPLY_WAIT_MS = 5000

interface PostAnswer {
  Message: TranscriptMessage
  Notices: TranscriptMessage[]
  MentionedBots: string[]
}

/** After a post that mentioned bots: waits (bounded) for their replies and returns them. */
async function waitForReplies (base: string, roomId: string, after: TranscriptMessage, bots: number, waitMs: number): Promise<TranscriptMessage[]> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const { Messages } = await call(base, 'GET', `/_emulator/rooms/${encodeURIComponent(roomId)}/messages`) as { Messages: TranscriptMessage[] }
    const replies = Messages.slice(Messages.findIndex(m => m.MessageId === after.MessageId) + 1).filter(m => m.SenderType === 'Bot')
    if (replies.length >= bots || Date.now() >= deadline) return replies
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

function describePost (command: Extract<ClientCommand, { command: 'post' }>, answer: PostAnswer, replies: TranscriptMessage[]): string {
  const lines = [`Posted in room ${command.roomId} as ${command.sender}: ${command.text}`]
  for (const notice of answer.Notices) lines.push(`Notice from the room: ${notice.Content}`)
  if (answer.MentionedBots.length === 0) {
    lines.push('No bot of the room was mentioned, so no bot received an event (mention one with @DisplayName).')
  } else {
    lines.push(`Mentioned bot${answer.MentionedBots.length === 1 ? '' : 's'} ${answer.MentionedBots.join(', ')}: a Mention event was sent.`)
    for (const reply of replies) lines.push(`Reply from ${reply.Sender}: ${indent(reply.Content)}`)
    if (replies.length < answer.MentionedBots.length) {
      lines.push(`Replies that arrive later appear in: chime-emulator transcript ${command.roomId}`)
    }
  }
  return lines.join('\n') + '\n'
}

/** Runs one subcommand against the emulator at `command.url`. */
export async function runClientCommand (command: ClientCommand, out: Output, replyWaitMs = REPLY_WAIT_MS): Promise<void> {
  const room = (id: string) => `/_emulator/rooms/${encodeURIComponent(id)}`
  let result: unknown
  let text: string
  switch (command.command) {
    case 'post': {
      const answer = await call(command.url, 'POST', `${room(command.roomId)}/messages`, { Sender: command.sender, Content: command.text }) as PostAnswer
      result = answer
      if (command.json) break
      const replies = answer.MentionedBots.length === 0 ? [] : await waitForReplies(command.url, command.roomId, answer.Message, answer.MentionedBots.length, replyWaitMs)
      text = describePost(command, answer, replies)
      break
    }
    case 'add-bot':
      result = await call(command.url, 'POST', `${room(command.roomId)}/bots/${encodeURIComponent(command.botId)}`)
      text = `Added bot ${command.botId} to room ${command.roomId}: it was sent an Invite event (see: chime-emulator deliveries).\n`
      break
    case 'remove-bot':
      result = await call(command.url, 'DELETE', `${room(command.roomId)}/bots/${encodeURIComponent(command.botId)}`)
      text = `Removed bot ${command.botId} from room ${command.roomId}: it was sent a Remove event.\n`
      break
    case 'transcript': {
      result = await call(command.url, 'GET', `${room(command.roomId)}/messages`)
      text = formatTranscript(command.roomId, (result as { Messages: TranscriptMessage[] }).Messages)
      break
    }
    case 'rooms':
      result = await call(command.url, 'GET', '/_emulator/rooms')
      text = formatRooms((result as { Rooms: RoomView[] }).Rooms)
      break
    case 'deliveries':
      result = await call(command.url, 'GET', '/_emulator/deliveries')
      text = formatDeliveries((result as { Deliveries: DeliveryRecord[] }).Deliveries)
      break
  }
  out.write(command.json ? JSON.stringify(result, null, 2) + '\n' : text!)
}
