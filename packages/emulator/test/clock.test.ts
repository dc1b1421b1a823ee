import t from 'tap'
import { createManualClock, systemClock } from '../src/clock.js'

t.test('a manual clock stays put until advanced or set', async t => {
  const clock = createManualClock('2026-01-01T00:00:00.000Z')
  const start = Date.parse('2026-01-01T00:00:00.000Z')
  t.equal(clock.now(), start)
  t.equal(clock.advance(120_000), start + 120_000)
  t.equal(clock.now(), start + 120_000)
  t.equal(clock.set(new Date(5)), 5)
  t.equal(clock.set(7), 7)
  t.equal(createManualClock(new Date(10)).now(), 10)
  const now = Date.now()
  t.ok(createManualClock().now() >= now, 'it starts at the current time by default')
})

t.test('bad times are refused with a sentence', async t => {
  t.throws(() => createManualClock('not a date'), /createManualClock\(start\) must be a time .* got "not a date"/)
  const clock = createManualClock(0)
  t.throws(() => clock.advance(-1), /non-negative number of milliseconds; got -1/)
  t.throws(() => clock.advance('5' as never), /non-negative/)
  t.throws(() => clock.set(Number.NaN), /clock.set\(time\)/)
})

t.test('the system clock reads real time', async t => {
  const before = Date.now()
  const read = systemClock.now()
  t.ok(read >= before && read <= Date.now())
})
