import t from 'tap'
import { WebhookQueue, webhookKey } from '../src/core/reply/queue.js'

t.test('the queue key is the webhook without its token', async t => {
  t.equal(webhookKey(new URL('https://hooks.example/incomingwebhooks/abc?token=secret')), 'https://hooks.example/incomingwebhooks/abc')
})

t.test('jobs run one at a time in order, and a failing job does not stop the queue', async t => {
  const queue = new WebhookQueue('k', 0)
  const log: string[] = []
  const job = (name: string, ms: number, fail = false) => async () => {
    log.push(`start ${name}`)
    await new Promise(resolve => setTimeout(resolve, ms))
    log.push(`end ${name}`)
    if (fail) throw new Error(name)
  }
  const a = queue.run(job('a', 20))
  const b = queue.run(job('b', 1, true))
  const c = queue.run(job('c', 1))
  t.equal(queue.pending, 3)
  await a
  await t.rejects(b, { message: 'b' })
  await c
  await queue.drained()
  t.same(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  t.equal(queue.pending, 0)
})

t.test('ready waits out the interval since the last answer', async t => {
  const queue = new WebhookQueue('k', 80)
  const signal = new AbortController().signal
  const order: string[] = []
  const immediate = new Promise<void>(resolve => setImmediate(() => { order.push('next turn'); resolve() }))
  await queue.ready(signal).then(() => order.push('ready'))
  await immediate
  t.same(order, ['ready', 'next turn'], 'no timer before the first request')
  queue.answered()
  t.notOk(queue.restedAt(Date.now()), 'not rested right after an answer')
  const start = Date.now()
  await queue.ready(signal)
  t.ok(Date.now() - start >= 70, 'waited for the interval')
  t.ok(queue.restedAt(Date.now() + 80))
})
