/**
 * The `ctx` handed to handlers, and the reply channel used when none is
 * configured.
 */
import { FST_CHIME_REPLIES_NOT_CONFIGURED } from '../errors.js'
import type {
  ChimeContext, ChimeEvent, ChimeLogger, ReplyChannel, ReplyFunction, ReplyReceipt, UnknownChimeEvent
} from './types.js'

/**
 * The context of one event. `reply` is built on first use, so events whose
 * handlers never reply cost no reply function.
 */
export class ChimeEventContext<E extends ChimeEvent | UnknownChimeEvent = ChimeEvent | UnknownChimeEvent> implements ChimeContext<E> {
  readonly event: E
  readonly requestId: string
  readonly log: ChimeLogger
  readonly #channel: ReplyChannel
  #reply: ReplyFunction | undefined

  constructor (event: E, requestId: string, log: ChimeLogger, channel: ReplyChannel) {
    this.event = event
    this.requestId = requestId
    this.log = log
    this.#channel = channel
  }

  get roomId (): string | undefined {
    const discussion = (this.event as { Discussion?: { DiscussionId?: unknown } }).Discussion
    const id = typeof discussion === 'object' && discussion !== null ? discussion.DiscussionId : undefined
    return typeof id === 'string' ? id : undefined
  }

  get reply (): ReplyFunction {
    this.#reply ??= this.#channel.replyFor(this.event, this.log)
    return this.#reply
  }
}

function notConfigured (): Promise<ReplyReceipt> {
  return Promise.reject(new FST_CHIME_REPLIES_NOT_CONFIGURED())
}

const rejectingReply: ReplyFunction = Object.assign(
  (_content: string) => notConfigured(),
  { markdown: (_content: string) => notConfigured() }
)

/**
 * The reply channel of a bot built without one: every reply and `say`
 * rejects with `FST_CHIME_REPLIES_NOT_CONFIGURED`, so a missing configuration
 * is never a silent drop.
 */
export const unconfiguredReplyChannel: ReplyChannel = Object.freeze({
  observe (_event: ChimeEvent): void {},
  replyFor (_event: ChimeEvent | UnknownChimeEvent, _log: ChimeLogger): ReplyFunction { return rejectingReply },
  say (_roomId: string, _content: string): Promise<ReplyReceipt> { return notConfigured() },
  async close (_timeoutMs: number): Promise<void> {}
})
