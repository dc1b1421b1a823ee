import t from 'tap'
import { FaultRegistry } from '../src/faults.js'

t.test('webhook faults are used up in order and matched by webhook and room', async t => {
  const faults = new FaultRegistry()
  const a = faults.webhook({ status: 503, times: 2, roomId: 'r1' })
  faults.webhook({ status: 429, webhookId: 'w2' })
  t.equal(a.remaining, 2)
  t.match(a.FaultId, /^webhook-fault-\d+$/)
  t.equal(faults.takeWebhookFault({ webhookId: 'w1', roomId: 'r2' }), undefined, 'no fault for another room')
  t.equal(faults.takeWebhookFault({ webhookId: 'w1', roomId: 'r1' })?.status, 503)
  t.equal(faults.takeWebhookFault({ webhookId: 'w2' })?.status, 429)
  t.equal(faults.list().Webhooks.length, 1)
  t.equal(faults.list().Webhooks[0]!.remaining, 1)
  t.equal(faults.takeWebhookFault({ webhookId: 'w1', roomId: 'r1' })?.remaining, 0)
  t.same(faults.list().Webhooks, [])
})

t.test('Infinity keeps a fault until cleared', async t => {
  const faults = new FaultRegistry()
  faults.delivery({ status: 'timeout', times: Infinity })
  for (let i = 0; i < 5; i++) t.equal(faults.takeDeliveryFault('any')?.status, 'timeout')
  faults.clear()
  t.equal(faults.takeDeliveryFault('any'), undefined)
})

t.test('delivery faults match a bot or every bot', async t => {
  const faults = new FaultRegistry()
  faults.delivery({ status: 500, botId: 'b1' })
  faults.delivery({ status: 'reset' })
  t.equal(faults.takeDeliveryFault('b2')?.status, 'reset')
  t.equal(faults.takeDeliveryFault('b2'), undefined)
  t.equal(faults.takeDeliveryFault('b1')?.status, 500)
  t.same(faults.list(), { Webhooks: [], Deliveries: [] })
})

t.test('bad fault specs are refused with a sentence', async t => {
  const faults = new FaultRegistry()
  t.throws(() => faults.webhook(null as never), /expects an object/)
  t.throws(() => faults.webhook({}), /needs a "status".*or a "delayMs"/)
  t.throws(() => faults.webhook({ status: 99 }), /between 200 and 599; got 99/)
  t.throws(() => faults.webhook({ status: 503, times: 0 }), /"times" must be a positive whole number/)
  t.throws(() => faults.webhook({ status: 503, retryAfter: -1 }), /"retryAfter" must be a non-negative number/)
  t.throws(() => faults.webhook({ delayMs: Number.NaN }), /"delayMs"/)
  t.throws(() => faults.webhook({ status: 503, roomId: '' }), /"roomId" must be a non-empty string/)
  t.throws(() => faults.webhook({ status: 503, webhookId: 5 as never }), /"webhookId"/)
  t.throws(() => faults.delivery(undefined as never), /expects an object/)
  t.throws(() => faults.delivery({ status: 'explode' as never }), /HTTP status code, 'timeout' or 'reset'; got "explode"/)
  t.throws(() => faults.delivery({ status: 700 }), /between 200 and 599/)
  t.throws(() => faults.delivery({ status: 500, botId: '' }), /"botId"/)
  t.same(faults.list(), { Webhooks: [], Deliveries: [] }, 'nothing was armed')
})

t.test('probeSignature needs a probe (a running emulator)', async t => {
  await t.rejects(new FaultRegistry().probeSignature('b'), /needs a running emulator/)
  const faults = new FaultRegistry(async botId => ({ BotId: botId, Rejected: true, Verdict: 'fine' }))
  t.same(await faults.probeSignature('b'), { BotId: 'b', Rejected: true, Verdict: 'fine' })
})
