import t from 'tap'
import {
  consoleLogger, resolveBodyLimit, resolveBotOptions, resolveDecorator, resolvePath,
  DEFAULT_BODY_LIMIT, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_HANDLER_BUDGET_MS, type ChimeBotOptions
} from '../src/options.js'
import { unconfiguredReplyChannel } from '../src/core/context.js'
import { MemoryDedupeStore } from '../src/core/store.js'

t.test('defaults are filled in', async t => {
  const resolved = resolveBotOptions({ securityToken: 'tok' })
  t.equal(resolved.ack, 'immediate')
  t.equal(resolved.handlerBudgetMs, DEFAULT_HANDLER_BUDGET_MS)
  t.equal(resolved.timestampToleranceMs, 5 * 60 * 1000)
  t.equal(resolved.dedupeWindowMs, 10 * 60 * 1000)
  t.equal(resolved.closeTimeoutMs, DEFAULT_CLOSE_TIMEOUT_MS)
  t.ok(resolved.dedupeStore instanceof MemoryDedupeStore)
  t.equal(resolved.logger, consoleLogger)
  t.same(resolved.tokens.peek(), ['tok'])
  t.same(resolved.botNames, [])
  await resolved.replyChannel.close(0)
})

t.test('a missing token names the option and the environment variable', async t => {
  for (const options of [{}, { securityToken: '' }, { securityToken: undefined }] as ChimeBotOptions[]) {
    t.throws(() => resolveBotOptions(options), {
      code: 'FST_CHIME_MISSING_SECURITY_TOKEN',
      message: /`securityToken`.*CHIME_BOT_SECURITY_TOKEN/
    })
  }
  t.throws(() => resolveBotOptions({ securityToken: '' }), { message: /Got an empty string \(is CHIME_BOT_SECURITY_TOKEN set\?\)/ })
})

t.test('securityTokens is an alias; lists and functions are accepted', async t => {
  t.same(resolveBotOptions({ securityTokens: ['a', 'b'], replyChannel: unconfiguredReplyChannel }).tokens.peek(), ['a', 'b'])
  t.equal(resolveBotOptions({ securityToken: async () => ['a'], replyChannel: unconfiguredReplyChannel }).tokens.dynamic, true)
})

t.test('each wrong option is named with what was expected and what was got', async t => {
  const base = { securityToken: 'tok', replyChannel: unconfiguredReplyChannel }
  const cases: Array<[object, RegExp]> = [
    [{ securityToken: [] }, /`securityToken` must be a non-empty string, a non-empty array.*; got an array/],
    [{ securityToken: undefined, securityTokens: ['a', ''] }, /`securityTokens` must be/],
    [{ securityToken: 42 }, /`securityToken` must be .*; got number 42/],
    [{ ack: 'later' }, /`ack` must be "immediate" or "after-handler"; got the string "later"/],
    [{ onError: 'log' }, /`onError` must be a function/],
    [{ dedupeStore: {} }, /`dedupeStore` must be an object with a remember\(key, ttlMs\) method/],
    [{ logger: {} }, /`logger` must be a logger/],
    [{ timestampToleranceMs: -1 }, /`timestampToleranceMs` must be a number of milliseconds ≥ 0 \(or Infinity\); got number -1/],
    [{ handlerBudgetMs: Infinity }, /`handlerBudgetMs` must be a number of milliseconds ≥ 0; got number Infinity/],
    [{ closeTimeoutMs: '5s' }, /`closeTimeoutMs` must be .*; got the string "5s"/],
    [{ dedupeWindowMs: NaN }, /`dedupeWindowMs`/],
    [{ tokenCacheMs: null }, /`tokenCacheMs`.*got null/],
    [{ botNames: [''] }, /`botNames` must be an array of the names the bot is mentioned by.*; got an array whose entry 0 is the string ""/],
    [{ replyChannel: { observe () {} } }, /`replyChannel` must be an object with a replyFor\(\) method/],
    [{ replyChannel: { ...unconfiguredReplyChannel, flush: 'soon' } }, /`replyChannel` must be an object whose optional flush is a flush\(timeoutMs\) method/]
  ]
  for (const [override, message] of cases) {
    t.throws(() => resolveBotOptions({ ...base, ...override } as ChimeBotOptions), { code: 'FST_CHIME_INVALID_OPTION', message })
  }
  t.throws(() => resolveBotOptions(null as unknown as ChimeBotOptions), { message: /`options` must be an object; got null/ })
  t.equal(resolveBotOptions({ ...base, timestampToleranceMs: Infinity }).timestampToleranceMs, Infinity)
})

t.test('route options: path, bodyLimit, decorator', async t => {
  t.equal(resolvePath(undefined), '/chime')
  t.equal(resolvePath('/bots/a'), '/bots/a')
  t.throws(() => resolvePath('chime'), { code: 'FST_CHIME_INVALID_OPTION', message: /`path` must be a URL path starting with "\/"/ })
  t.equal(resolveBodyLimit(undefined), DEFAULT_BODY_LIMIT)
  t.equal(resolveBodyLimit(1024), 1024)
  t.throws(() => resolveBodyLimit(1.5), { message: /`bodyLimit` must be a whole number of bytes > 0; got number 1.5/ })
  t.equal(resolveDecorator(undefined), 'chime')
  t.equal(resolveDecorator(false), false)
  t.equal(resolveDecorator('sales'), 'sales')
  t.throws(() => resolveDecorator(''), { message: /`decorator` must be a non-empty string or false/ })
})

t.test('the console logger prints info, warn and error, and drops debug', async t => {
  const printed: unknown[][] = []
  const original = { info: console.info, warn: console.warn, error: console.error }
  console.info = (...args: unknown[]) => { printed.push(['info', ...args]) }
  console.warn = (...args: unknown[]) => { printed.push(['warn', ...args]) }
  console.error = (...args: unknown[]) => { printed.push(['error', ...args]) }
  t.teardown(() => Object.assign(console, original))
  consoleLogger.debug({ a: 1 }, 'hidden')
  consoleLogger.info({ a: 1 }, 'shown')
  consoleLogger.warn({ b: 2 })
  consoleLogger.error({ c: 3 }, 'bad')
  consoleLogger.info({ d: 4 })
  consoleLogger.warn({ e: 5 }, 'careful')
  consoleLogger.error({ f: 6 })
  t.same(printed, [['info', 'shown', { a: 1 }], ['warn', '', { b: 2 }], ['error', 'bad', { c: 3 }], ['info', '', { d: 4 }], ['warn', 'careful', { e: 5 }], ['error', '', { f: 6 }]])
})
