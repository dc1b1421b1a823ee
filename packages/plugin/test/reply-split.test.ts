import t from 'tap'
import { MARKDOWN_PREFIX, MAX_PAYLOAD_BYTES, MessageTooLarge, payloadBytes, prepareMessage } from '../src/core/reply/split.js'

// Independent measure: the bytes Chime receives for one part.
const bytesOf = (content: string): number => Buffer.byteLength(JSON.stringify({ Content: content }), 'utf8')
const strip = (part: string): string => part.startsWith(MARKDOWN_PREFIX) ? part.slice(MARKDOWN_PREFIX.length) : part
const hasLoneSurrogate = (s: string): boolean => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)

t.test('payloadBytes counts the JSON body Chime receives, in UTF-8 bytes', async t => {
  t.equal(payloadBytes(''), 14)
  t.equal(payloadBytes('é"\n'), bytesOf('é"\n'))
  t.equal(payloadBytes('😀'), 14 + 4)
  t.equal(MAX_PAYLOAD_BYTES, 4096)
})

t.test('a message within 4 KB is sent as one part, unchanged', async t => {
  const exact = 'a'.repeat(4096 - 14)
  t.equal(bytesOf(exact), 4096)
  t.same(prepareMessage(exact), { parts: [exact], markdown: false, bytes: 4096 })
  t.same(prepareMessage('hello').parts, ['hello'])
})

t.test('one byte over 4 KB is split in two', async t => {
  const over = 'a'.repeat(4096 - 13)
  const { parts, bytes } = prepareMessage(over)
  t.equal(bytes, 4097)
  t.equal(parts.length, 2)
  t.equal(parts.join(''), over)
})

t.test('long text is split at line boundaries, every part within 4 KB, nothing lost', async t => {
  const lines = Array.from({ length: 300 }, (_, i) => `line ${i}: ${'x'.repeat(i % 40)} done`)
  const text = lines.join('\n')
  const { parts } = prepareMessage(text)
  t.ok(parts.length > 1)
  t.equal(parts.join(''), text)
  for (const part of parts) t.ok(bytesOf(part) <= 4096, `part of ${bytesOf(part)} bytes`)
  for (const part of parts.slice(0, -1)) t.ok(part.endsWith('\n'), 'each part but the last ends a line')
})

t.test('a single long line is split at word boundaries', async t => {
  const text = Array.from({ length: 2000 }, (_, i) => `word${i}`).join(' ')
  const { parts } = prepareMessage(text)
  t.ok(parts.length > 1)
  t.equal(parts.join(''), text)
  for (const part of parts) t.ok(bytesOf(part) <= 4096)
  for (const part of parts.slice(0, -1)) t.ok(part.endsWith(' '), 'each part but the last ends after a space')
})

t.test('text without whitespace is hard-split between characters, never inside one', async t => {
  const text = 'é😀中a'.repeat(1500)
  const { parts } = prepareMessage(text)
  t.ok(parts.length > 1)
  t.equal(parts.join(''), text)
  for (const part of parts) {
    t.ok(bytesOf(part) <= 4096)
    t.notOk(hasLoneSurrogate(part), 'no surrogate pair is cut')
    t.equal(Buffer.from(part, 'utf8').toString('utf8'), part)
  }
})

t.test('JSON escaping is counted: quotes and control characters take more room', async t => {
  const text = '"\t\u0001'.repeat(2000)
  const { parts } = prepareMessage(text)
  t.equal(parts.join(''), text)
  for (const part of parts) t.ok(bytesOf(part) <= 4096)
  t.ok(parts.length >= Math.ceil(bytesOf(text) / 4096))
})

t.test('every part of a markdown message keeps the /md prefix and stays within 4 KB', async t => {
  const table = ['| id | name |', '|---|---|', ...Array.from({ length: 400 }, (_, i) => `| ${i} | item ${i} |`)].join('\n')
  const { parts, markdown } = prepareMessage(table, { markdown: true })
  t.equal(markdown, true)
  t.ok(parts.length > 1)
  for (const part of parts) {
    t.ok(part.startsWith('/md\n'))
    t.ok(bytesOf(part) <= 4096)
  }
  t.equal(parts.map(strip).join(''), table)
})

t.test('markdown is split at blank lines first, so a table that fits stays whole', async t => {
  const intro = 'Stock report\n\n' + 'Some words about it. '.repeat(100) + '\n\n'
  const table = ['| id | name |', '|---|---|', ...Array.from({ length: 120 }, (_, i) => `| ${i} | item ${i} |`)].join('\n')
  const text = intro + table + '\n\nThat is all.'
  t.ok(bytesOf(intro + table) > 4096, 'intro and table do not fit in one message')
  const { parts } = prepareMessage(text, { markdown: true })
  t.equal(parts.map(strip).join(''), text)
  t.ok(parts.some(part => strip(part).startsWith('| id | name |') && strip(part).includes('| 119 | item 119 |')), 'one part holds the whole table')
  const plain = prepareMessage(text).parts
  t.notOk(plain.some(part => part.startsWith('| id | name |')), 'plain text is split at the last line break instead')
})

t.test('markdown is used only when asked, or when the text already starts with /md', async t => {
  t.same(prepareMessage('# Title').parts, ['# Title'])
  t.same(prepareMessage('# Title', { markdown: true }).parts, ['/md\n# Title'])
  t.same(prepareMessage('/md\n# Title', { markdown: true }).parts, ['/md\n# Title'], 'the prefix is not doubled')
  const long = '/md\n' + 'para\n'.repeat(1500)
  const { parts, markdown } = prepareMessage(long)
  t.equal(markdown, true)
  for (const part of parts) t.ok(part.startsWith('/md\n'))
  t.equal('/md\n' + parts.map(strip).join(''), long)
})

t.test('with splitting off, a message over 4 KB throws before anything is sent', async t => {
  const text = 'z'.repeat(5000)
  let thrown: unknown
  try {
    prepareMessage(text, { split: false })
  } catch (error) {
    thrown = error
  }
  t.type(thrown, MessageTooLarge)
  t.equal((thrown as MessageTooLarge).bytes, bytesOf(text))
  t.same(prepareMessage('small', { split: false }).parts, ['small'])
})

t.test('a tiny limit still makes progress one character at a time', async t => {
  t.same(prepareMessage('ééé', { maxBytes: 15 }).parts, ['é', 'é', 'é'])
})
