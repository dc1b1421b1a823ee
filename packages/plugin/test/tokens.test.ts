import t from 'tap'
import { TokenProvider } from '../src/core/tokens.js'
import { recordingLogger } from './chime-fixtures.js'

t.test('static tokens are available synchronously and never reloaded', async t => {
  const single = new TokenProvider('a')
  t.same(single.peek(), ['a'])
  t.equal(single.dynamic, false)
  const list = new TokenProvider(['a', 'b'])
  t.same(await list.get(recordingLogger()), ['a', 'b'])
  t.equal(await list.refreshAfterMiss(recordingLogger()), undefined)
})

t.test('a token function is called once, cached, then called again when the cache is old', async t => {
  let at = 0
  let calls = 0
  const provider = new TokenProvider(async () => [`t${++calls}`], { cacheMs: 100, now: () => at })
  t.equal(provider.dynamic, true)
  t.equal(provider.peek(), undefined, 'nothing loaded yet')
  const log = recordingLogger()
  const [first, second] = await Promise.all([provider.get(log), provider.get(log)])
  t.same(first, ['t1'])
  t.equal(second, first, 'concurrent callers share one load')
  t.same(provider.peek(), ['t1'])
  at = 100
  t.equal(provider.peek(), undefined, 'cache expired')
  t.same(await provider.get(log), ['t2'])
})

t.test('a miss reloads at most once per minRefreshMs', async t => {
  let at = 0
  let calls = 0
  const provider = new TokenProvider(() => [`t${++calls}`], { minRefreshMs: 1000, now: () => at })
  const log = recordingLogger()
  await provider.get(log)
  t.equal(await provider.refreshAfterMiss(log), undefined, 'loaded just now')
  at = 1000
  t.same(await provider.refreshAfterMiss(log), ['t2'])
})

t.test('a failing reload keeps the previous tokens and logs the failure', async t => {
  let at = 0
  let fail = false
  const provider = new TokenProvider(async () => {
    if (fail) throw new Error('secrets manager down')
    return ['good']
  }, { cacheMs: 10, now: () => at })
  const log = recordingLogger()
  t.same(await provider.get(log), ['good'])
  fail = true
  at = 50
  t.same(await provider.get(log), ['good'])
  t.ok(log.find('error', /still accepting the previous ones/))
  t.same(provider.peek(), ['good'], 'the failure is not retried on every request')
})

t.test('a first load that fails or answers nonsense rejects', async t => {
  const log = recordingLogger()
  await t.rejects(new TokenProvider(async () => { throw new Error('down') }).get(log), { message: 'down' })
  await t.rejects(new TokenProvider(async () => [] as string[]).get(log), { message: /non-empty array of non-empty strings/ })
  await t.rejects(new TokenProvider(async () => 'abc' as unknown as string[]).get(log), TypeError)
  await t.rejects(new TokenProvider(async () => [''] as string[]).get(log), TypeError)
})
