/**
 * The emulator's control API (`/_emulator/*`), used here to act as a chat
 * user and to read what happened. The same calls back the
 * `chime-emulator post|transcript|deliveries` commands.
 */

/** A message in a room's transcript. */
export interface TranscriptMessage {
  MessageId: string
  Sender: string
  SenderType: 'User' | 'Bot' | 'Webhook' | 'System'
  Content: string
  CreatedTimestamp: string
}

/** One event the emulator sent to a bot, with every attempt. */
export interface Delivery {
  DeliveryId: string
  BotId: string
  EventType: string
  Target: string
  /** `Pending`, `Delivered`, `Failed`, `Rejected`, `Undeliverable` or `Cancelled`. */
  Outcome: string
  Attempts: Array<{ Timestamp: string, Status?: number | null, Error?: string | null, DurationMs: number }>
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

export class ControlApi {
  constructor (private readonly baseUrl: string) {}

  private async request<T> (method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000)
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`)
    return (text === '' ? {} : JSON.parse(text)) as T
  }

  /** Posts `content` in the room as the user `sender` (an e-mail address). */
  async post (roomId: string, sender: string, content: string): Promise<void> {
    await this.request('POST', `/_emulator/rooms/${encodeURIComponent(roomId)}/messages`, { Sender: sender, Content: content })
  }

  /** The room's messages, oldest first. */
  async transcript (roomId: string): Promise<TranscriptMessage[]> {
    const { Messages } = await this.request<{ Messages: TranscriptMessage[] }>('GET', `/_emulator/rooms/${encodeURIComponent(roomId)}/messages`)
    return Messages
  }

  /** Every delivery so far. */
  async deliveries (): Promise<Delivery[]> {
    const { Deliveries } = await this.request<{ Deliveries: Delivery[] }>('GET', '/_emulator/deliveries')
    return Deliveries
  }

  /** Waits until the room holds `count` bot messages and returns the last one. */
  async waitForBotMessage (roomId: string, count: number, timeoutMs: number): Promise<TranscriptMessage> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const messages = await this.transcript(roomId)
      const fromBot = messages.filter(m => m.SenderType === 'Bot')
      if (fromBot.length >= count) return fromBot[count - 1]!
      if (Date.now() > deadline) {
        const seen = messages.map(m => `${m.SenderType} ${m.Sender}: ${m.Content}`).join(' | ') || 'nothing'
        const deliveries = (await this.deliveries()).map(d => `${d.EventType} ${d.Outcome}${d.Attempts.at(-1)?.Error ? ` (${d.Attempts.at(-1)?.Error})` : ''}`).join(', ') || 'none'
        throw new Error(`no reply from the bot within ${timeoutMs} ms. The room holds: ${seen}. Deliveries: ${deliveries}`)
      }
      await sleep(50)
    }
  }

  /** Waits until `count` deliveries have finished (any outcome but `Pending`) and returns them all. */
  async waitForDeliveries (count: number, timeoutMs: number): Promise<Delivery[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const all = await this.deliveries()
      const done = all.filter(d => d.Outcome !== 'Pending')
      if (done.length >= count) return all
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} finished deliveries within ${timeoutMs} ms, got: ${all.map(d => `${d.EventType} ${d.Outcome}`).join(', ') || 'none'}`)
      }
      await sleep(50)
    }
  }
}
