import t from 'tap'
import { createHash } from 'node:crypto'
import { MemoryDedupeStore } from '../src/core/store.js'
import { dedupeKey } from '../src/core/dedupe.js'

function clock (start = 1_000_000): { now: () => number, advance: (ms: number) => void } {
  let at = start
  return { now: () => at, advance: (ms) => { at += ms } }
}

t.test('a key is new once, then a duplicate until its window ends', async t => {
  const c = clock()
  const store = new MemoryDedupeStore({ now: c.now })
  t.equal(store.remember('a', 1000), true)
  t.equal(store.remember('a', 1000), false)
  c.advance(999)
  t.equal(store.remember('a', 1000), false)
  c.advance(1)
  t.equal(store.remember('a', 1000), true, 'expired: new again')
  t.equal(store.remember('a', 1000), false)
  t.equal(store.size, 1)
})

t.test('expired keys are dropped as time passes', async t => {
  const c = clock()
  const store = new MemoryDedupeStore({ now: c.now })
  store.remember('a', 100)
  store.remember('b', 100)
  c.advance(50)
  store.remember('c', 100)
  c.advance(60)
  store.remember('d', 100)
  t.equal(store.size, 2, 'a and b expired')
})

t.test('the store is bounded: the oldest keys go first', async t => {
  const c = clock()
  const store = new MemoryDedupeStore({ now: c.now, maxEntries: 3 })
  for (const key of ['a', 'b', 'c', 'd']) t.equal(store.remember(key, 60_000), true)
  t.equal(store.size, 3)
  t.equal(store.remember('a', 60_000), true, 'a was evicted')
  t.equal(store.remember('d', 60_000), false, 'd is still held')
})

t.test('a key stored again after expiry survives the eviction of its old slot', async t => {
  const c = clock()
  const store = new MemoryDedupeStore({ now: c.now, maxEntries: 3 })
  store.remember('a', 10)
  c.advance(5)
  store.remember('b', 100)
  c.advance(10) // a expired (its slot is dropped here), b not
  t.equal(store.remember('a', 100), true)
  store.remember('c', 100)
  store.remember('d', 100) // ring full: the oldest slot (b) goes
  t.equal(store.remember('a', 100), false, 'a is still remembered')
  t.equal(store.remember('b', 100), true, 'b was evicted')
})

t.test('a key stored again while its expired slot is still queued keeps its new window', async t => {
  const c = clock()
  const store = new MemoryDedupeStore({ now: c.now, maxEntries: 3 })
  store.remember('x', 1000)
  store.remember('y', 10) // queued behind x, which lives longer
  c.advance(20)
  t.equal(store.remember('y', 1000), true, 'y expired: new again')
  t.equal(store.remember('y', 1000), false, 'and a duplicate for its new window')
  t.equal(store.size, 2)
  c.advance(990) // x and y's old slot expire; y's new slot does not
  t.equal(store.remember('z', 1000), true)
  t.equal(store.remember('y', 1000), false, 'dropping its old slot did not forget y')
  t.equal(store.remember('x', 1000), true, 'x was dropped')
  t.equal(store.size, 3)
})

t.test('close forgets everything and maxEntries is validated', async t => {
  const store = new MemoryDedupeStore()
  store.remember('a', 1000)
  store.close()
  t.equal(store.size, 0)
  t.equal(store.remember('a', 1000), true)
  t.throws(() => new MemoryDedupeStore({ maxEntries: 0 }), { code: 'FST_CHIME_INVALID_OPTION', message: /`maxEntries` must be a whole number ≥ 1; got number 0/ })
})

t.test('the dedupe key is the SHA-256 of the raw bytes, whatever their type', async t => {
  const body = '{"EventType":"Mention","Message":"héllo"}'
  const expected = createHash('sha256').update(Buffer.from(body, 'utf8')).digest('base64')
  t.equal(dedupeKey(body), expected)
  t.equal(dedupeKey(Buffer.from(body)), expected)
  t.not(dedupeKey(body + ' '), expected)
})
