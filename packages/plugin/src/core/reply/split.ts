/**
 * Chime's message size limit (protocol reference §6): the JSON payload
 * `{"Content":"…"}` of one message may be at most 4096 bytes of UTF-8.
 * Longer replies are split into several messages, at line boundaries first
 * (for markdown, blank lines before other line breaks), then at word boundaries, then anywhere between two characters (never
 * inside a UTF-8 sequence or a surrogate pair). Concatenating the parts
 * (without their markdown prefixes) gives back the original text.
 */

/** The largest payload Chime accepts for one message, in bytes: 4 KB. */
export const MAX_PAYLOAD_BYTES = 4096

/** Chime renders a message as markdown when its Content starts with this. */
export const MARKDOWN_PREFIX = '/md\n'

/** The size in bytes of the JSON body `{"Content": content}` Chime receives. */
export function payloadBytes (content: string): number {
  return Buffer.byteLength(JSON.stringify({ Content: content }), 'utf8')
}

/** A reply split into messages ready to send, each within the limit. */
export interface PreparedMessage {
  /** The Content of each message, markdown prefix included. */
  parts: string[]
  /** Whether the message is sent as markdown (each part starts with `/md\n`). */
  markdown: boolean
  /** The JSON size of the whole message as one payload, in bytes. */
  bytes: number
}

/** The message is too large and splitting was not allowed. */
export class MessageTooLarge extends Error {
  constructor (readonly bytes: number) {
    super(`${bytes} bytes`)
  }
}

// The JSON-escaped UTF-8 size of one code point (or lone surrogate) inside a string.
function cost (char: string): number {
  return Buffer.byteLength(JSON.stringify(char), 'utf8') - 2
}

const WORD_BREAK = /\s/u

/**
 * Turns one reply into the Contents of the messages to send.
 *
 * Markdown is never guessed: it is used when `markdown` is `true`, or when
 * the text already starts with Chime's own `/md` + newline switch (Chime
 * would render it as markdown anyway, so every split part keeps the prefix).
 *
 * @param content - the reply text
 * @param options.markdown - send as markdown
 * @param options.split - split when too large (default true); `false` throws {@link MessageTooLarge}
 * @param options.maxBytes - the payload limit (default {@link MAX_PAYLOAD_BYTES})
 */
export function prepareMessage (
  content: string,
  options: { markdown?: boolean, split?: boolean, maxBytes?: number } = {}
): PreparedMessage {
  const maxBytes = options.maxBytes ?? MAX_PAYLOAD_BYTES
  const markdown = options.markdown === true || content.startsWith(MARKDOWN_PREFIX)
  const text = content.startsWith(MARKDOWN_PREFIX) ? content.slice(MARKDOWN_PREFIX.length) : content
  const prefix = markdown ? MARKDOWN_PREFIX : ''
  const bytes = payloadBytes(prefix + text)
  if (bytes <= maxBytes) return { parts: [prefix + text], markdown, bytes }
  if (options.split === false) throw new MessageTooLarge(bytes)

  // Room left for text in every part, once `{"Content":"<prefix>"}` is counted.
  const budget = maxBytes - payloadBytes(prefix)
  const chars = Array.from(text)
  const parts: string[] = []
  let start = 0
  while (start < chars.length) {
    let used = 0
    let end = start
    let paragraphEnd = -1
    let lineEnd = -1
    let wordEnd = -1
    for (; end < chars.length; end++) {
      const char = chars[end] as string
      const size = cost(char)
      if (used + size > budget) break
      used += size
      if (char === '\n') {
        if (end > start && chars[end - 1] === '\n') paragraphEnd = end + 1
        lineEnd = end + 1
      } else if (WORD_BREAK.test(char)) wordEnd = end + 1
    }
    if (end < chars.length) {
      // Markdown: a blank line ends a block (table, list, code), so splitting there keeps blocks whole.
      if (markdown && paragraphEnd > start) end = paragraphEnd
      else if (lineEnd > start) end = lineEnd
      else if (wordEnd > start) end = wordEnd
      // Always make progress, even if one character alone exceeds a tiny `maxBytes`.
      else if (end === start) end = start + 1
    }
    parts.push(prefix + chars.slice(start, end).join(''))
    start = end
  }
  return { parts, markdown, bytes }
}
