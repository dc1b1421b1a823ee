import t from 'tap'
import { backoffDelay, isRetryableStatus, parseRetryAfter, sleep } from '../src/core/reply/retry.js'

t.test('429, 408 and 5xx are retried; other statuses are not', async t => {
  for (const status of [429, 408, 500, 502, 503, 504]) t.ok(isRetryableStatus(status), String(status))
  for (const status of [400, 401, 403, 404, 413, 422]) t.notOk(isRetryableStatus(status), String(status))
})

t.test('Retry-After is read as seconds or as an HTTP date', async t => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  t.equal(parseRetryAfter('2', now), 2000)
  t.equal(parseRetryAfter(' 0.5 ', now), 500)
  t.equal(parseRetryAfter(['3', '9'], now), 3000)
  t.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000)
  t.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0, 'a date in the past means now')
  t.equal(parseRetryAfter('soon', now), undefined)
  t.equal(parseRetryAfter('', now), undefined)
  t.equal(parseRetryAfter(undefined, now), undefined)
})

t.test('backoff doubles its ceiling per retry, is capped, and is fully jittered', async t => {
  const top = (): number => 0.999999
  t.equal(backoffDelay(1, 100, 1000, top), 99)
  t.equal(backoffDelay(2, 100, 1000, top), 199)
  t.equal(backoffDelay(3, 100, 1000, top), 399)
  t.equal(backoffDelay(10, 100, 1000, top), 999)
  t.equal(backoffDelay(3, 100, 1000, () => 0), 0)
  for (let i = 0; i < 50; i++) {
    const delay = backoffDelay(2, 100, 1000)
    t.ok(delay >= 0 && delay < 200)
  }
})

t.test('sleep resolves after the wait, or rejects as soon as it is aborted', async t => {
  const controller = new AbortController()
  await sleep(5, controller.signal)
  const pending = sleep(10_000, controller.signal)
  controller.abort(new Error('stop'))
  await t.rejects(pending, { message: 'stop' })
  await t.rejects(sleep(1, controller.signal), { message: 'stop' }, 'an aborted signal rejects at once')
})
