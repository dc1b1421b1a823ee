import t, { type Test } from 'tap'
import { createLambdaHandler, isLambdaProxyEvent, readClientContext, type LambdaProxyResult } from '../src/adapters/lambda.js'
import { createChimeBot } from '../src/core/bot.js'
import { unconfiguredReplyChannel } from '../src/core/context.js'
import { signChimeRequest } from '../src/core/signature.js'
import {
  chimeClientContext, invite, LAMBDA_REQUEST_ID, lambdaContext, mention, recordingLogger, referenceSignature, remove, TOKEN
} from './chime-fixtures.js'

function setup (t: Test) {
  const log = recordingLogger()
  const bot = createChimeBot({ securityToken: TOKEN, logger: log, replyChannel: unconfiguredReplyChannel })
  t.teardown(() => bot.close())
  const seen: string[] = []
  bot.on('*', async (event, ctx) => {
    await new Promise(resolve => setTimeout(resolve, 5))
    seen.push(`${event.EventType} ${ctx.requestId}`)
  })
  return { bot, log, seen, handler: createLambdaHandler(bot) }
}

t.test('direct invocation: the runtime-parsed client context is read and handlers finish before the answer', async t => {
  const { handler, seen } = setup(t)
  const event = mention('@Bot from Lambda')
  const result = await handler(event, lambdaContext(chimeClientContext(event)))
  t.same(result, { ok: true })
  t.same(seen, [`Mention ${LAMBDA_REQUEST_ID}`], 'Lambda freezes after returning: the handler already ran')
})

t.test('direct invocation: headers under `custom`, a raw base64 string, or a JSON string', async t => {
  const { handler, seen } = setup(t)
  const a = invite()
  t.same(await handler(a, lambdaContext({ client: {}, custom: chimeClientContext(a), env: {} })), { ok: true })
  const b = remove()
  const base64 = Buffer.from(JSON.stringify(chimeClientContext(b))).toString('base64')
  t.same(await handler(b, lambdaContext(base64)), { ok: true })
  const c = mention('@Bot json string')
  t.same(await handler(c, lambdaContext(JSON.stringify(chimeClientContext(c)))), { ok: true })
  t.equal(seen.length, 3)
})

t.test('direct invocation: a bad or missing signature throws a typed error', async t => {
  const { handler, seen } = setup(t)
  const event = mention()
  await t.rejects(handler(event, lambdaContext(chimeClientContext(event, 'wrong-token'))), { code: 'FST_CHIME_INVALID_SIGNATURE', statusCode: 401 })
  await t.rejects(handler(event, lambdaContext()), { code: 'FST_CHIME_MISSING_SIGNATURE' })
  await t.rejects(handler(event, lambdaContext({ 'Chime-Signature': 'x' })), { code: 'FST_CHIME_INVALID_TIMESTAMP' })
  await t.rejects(handler(event, lambdaContext('%%% not base64 json')), { code: 'FST_CHIME_LAMBDA_BAD_CLIENT_CONTEXT', message: /client context is not JSON/ })
  await t.rejects(handler(event), { code: 'FST_CHIME_MISSING_SIGNATURE' }, 'no context at all')
  t.same(seen, [])
})

t.test('direct invocation: a signed payload of the wrong shape throws FST_CHIME_INVALID_EVENT', async t => {
  const { handler } = setup(t)
  const event = { ...mention(), Message: 5 }
  await t.rejects(handler(event, lambdaContext(chimeClientContext(event))), { code: 'FST_CHIME_INVALID_EVENT', message: /`Message` must be a string/ })
})

t.test('direct invocation: non-ASCII text verifies whether the sender escaped it or not', async t => {
  const { handler, seen } = setup(t)
  const event = mention('@Bot héllo wörld ✓')
  t.same(await handler(event, lambdaContext(chimeClientContext(event))), { ok: true }, 'sender wrote UTF-8 as is')
  const other = mention('@Bot ça va ✓')
  const timestamp = new Date().toISOString()
  const escapedBody = JSON.stringify(other).replace(/[\u007f-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  t.match(escapedBody, /\\u00e7a va \\u2713/)
  const context = lambdaContext({ 'Chime-Signature': referenceSignature(TOKEN, timestamp, escapedBody), 'Chime-Request-Timestamp': timestamp })
  t.same(await handler(other, context), { ok: true }, 'sender escaped non-ASCII as \\uXXXX')
  const forged = mention('@Bot ça va ✗')
  await t.rejects(handler(forged, lambdaContext(chimeClientContext(other))), { code: 'FST_CHIME_INVALID_SIGNATURE' })
  t.equal(seen.length, 2)
})

t.test('direct invocation: a repeated event is acknowledged as a duplicate', async t => {
  const { handler, seen } = setup(t)
  const event = invite()
  await handler(event, lambdaContext(chimeClientContext(event)))
  t.same(await handler(event, lambdaContext(chimeClientContext(event, TOKEN, new Date(Date.now() + 500).toISOString()))), { ok: true, duplicate: true })
  t.equal(seen.length, 1)
})

t.test('direct invocation: a challenge payload is answered harmlessly', async t => {
  const { handler, seen, log } = setup(t)
  t.same(await handler({ Challenge: 'abc', EventType: 'HTTPSEndpointVerification' }, lambdaContext()), { Challenge: 'abc' })
  t.same(seen, [])
  t.ok(log.find('info', /challenge sent to Lambda/))
})

t.test('a payload that is neither an event nor a proxy event throws a typed error', async t => {
  const { handler } = setup(t)
  await t.rejects(handler('hello', lambdaContext()), { code: 'FST_CHIME_LAMBDA_UNRECOGNISED_PAYLOAD', message: /payload is the string "hello"/ })
  await t.rejects(handler(null, lambdaContext()), { code: 'FST_CHIME_LAMBDA_UNRECOGNISED_PAYLOAD', message: /payload is null/ })
})

function apiGatewayV1 (body: string, headers: Record<string, string>, extra: object = {}) {
  return {
    resource: '/chime',
    path: '/chime',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    requestContext: { requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', stage: 'prod', httpMethod: 'POST' },
    body,
    isBase64Encoded: false,
    ...extra
  }
}

function httpApiV2 (body: string, headers: Record<string, string>, extra: object = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/chime',
    rawQueryString: '',
    headers,
    requestContext: { accountId: '111122223333', http: { method: 'POST', path: '/chime', sourceIp: '203.0.113.7' }, requestId: 'JKJaXmPLvHcESHA=' },
    body,
    isBase64Encoded: false,
    ...extra
  }
}

function chimeHeaders (body: string, token = TOKEN): Record<string, string> {
  const timestamp = new Date().toISOString()
  // API Gateway keeps the sender's header case; function URLs lower-case them.
  return { 'Content-Type': 'application/json', 'Chime-Request-Timestamp': timestamp, 'Chime-Signature': referenceSignature(token, timestamp, body) }
}

t.test('proxy events (REST v1, HTTP v2, function URL with base64 body) verify the exact raw body', async t => {
  const { handler, seen } = setup(t)
  // Spacing and escapes that JSON.stringify would not reproduce: only byte-exact verification passes.
  const body = '{ "Sender": {"SenderId":"a@example.com","SenderIdType":"EmailId"}, "Discussion":{"DiscussionId":"r","DiscussionType":"Room"}, "EventType":"Remove", "EventTimestamp":"2019-04-04T21:40:00.000Z", "Note":"caf\\u00e9" }'
  const v1 = await handler(apiGatewayV1(body, chimeHeaders(body)), lambdaContext()) as LambdaProxyResult
  t.same(v1, { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"ok":true}', isBase64Encoded: false })
  const body2 = JSON.stringify(mention('@Bot v2'))
  const lower = Object.fromEntries(Object.entries(chimeHeaders(body2)).map(([k, v]) => [k.toLowerCase(), v]))
  t.equal((await handler(httpApiV2(body2, lower), lambdaContext()) as LambdaProxyResult).statusCode, 200)
  const body3 = JSON.stringify(invite())
  const url = httpApiV2(Buffer.from(body3).toString('base64'), chimeHeaders(body3), { isBase64Encoded: true })
  t.equal((await handler(url, lambdaContext()) as LambdaProxyResult).statusCode, 200)
  t.same(seen.map(s => s.split(' ')[0]), ['Remove', 'Mention', 'Invite'])
})

t.test('proxy events: the challenge gets a JSON proxy response', async t => {
  const { handler } = setup(t)
  const body = '{"Challenge":"xyz","EventType":"HTTPSEndpointVerification"}'
  const result = await handler(apiGatewayV1(body, { 'content-type': 'application/json' }), lambdaContext()) as LambdaProxyResult
  t.same(result, { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"Challenge":"xyz"}', isBase64Encoded: false })
})

t.test('proxy events: bad input gets 401/400/405/413/415 proxy responses with codes', async t => {
  const log = recordingLogger()
  const bot = createChimeBot({ securityToken: TOKEN, logger: log, replyChannel: unconfiguredReplyChannel })
  t.teardown(() => bot.close())
  const handler = createLambdaHandler(bot, { bodyLimit: 1024 })
  const body = JSON.stringify(mention())
  const cases: Array<[string, unknown, number, string]> = [
    ['bad signature', apiGatewayV1(body, chimeHeaders(body, 'nope')), 401, 'FST_CHIME_INVALID_SIGNATURE'],
    ['no signature', httpApiV2(body, { 'content-type': 'application/json' }), 401, 'FST_CHIME_MISSING_SIGNATURE'],
    ['malformed JSON', apiGatewayV1('{"a":', chimeHeaders('{"a":')), 400, 'FST_CHIME_MALFORMED_JSON'],
    ['wrong shape', apiGatewayV1('{"EventType":"Invite"}', chimeHeaders('{"EventType":"Invite"}')), 400, 'FST_CHIME_INVALID_EVENT'],
    ['text/plain', apiGatewayV1(body, { ...chimeHeaders(body), 'Content-Type': 'text/plain' }), 415, 'FST_CHIME_UNSUPPORTED_MEDIA_TYPE'],
    ['no content type', apiGatewayV1(body, { 'Chime-Signature': 'x' }), 415, 'FST_CHIME_UNSUPPORTED_MEDIA_TYPE'],
    ['empty content type', httpApiV2(body, { 'content-type': '' }), 415, 'FST_CHIME_UNSUPPORTED_MEDIA_TYPE'],
    ['too large', apiGatewayV1(JSON.stringify(mention('x'.repeat(2000))), { 'content-type': 'application/json; charset=utf-8' }), 413, 'FST_CHIME_BODY_TOO_LARGE'],
    ['GET', apiGatewayV1('', {}, { httpMethod: 'GET' }), 405, 'FST_CHIME_METHOD_NOT_ALLOWED'],
    ['GET v2', httpApiV2('', {}, { requestContext: { http: { method: 'get' } } }), 405, 'FST_CHIME_METHOD_NOT_ALLOWED'],
    ['no body, no headers', { headers: null, body: null, requestContext: {} }, 401, 'FST_CHIME_MISSING_SIGNATURE']
  ]
  for (const [name, event, status, code] of cases) {
    const result = await handler(event, lambdaContext()) as LambdaProxyResult
    t.equal(result.statusCode, status, name)
    t.equal(JSON.parse(result.body).code, code, name)
    t.equal(result.headers['content-type'], 'application/json; charset=utf-8')
  }
  t.ok(log.find('warn', /content type is "text\/plain"/))
})

t.test('createLambdaHandler builds its own bot from options; handler.bot takes the handlers', async t => {
  const handler = createLambdaHandler({ securityToken: TOKEN, logger: recordingLogger(), replyChannel: unconfiguredReplyChannel, bodyLimit: 100 })
  t.teardown(() => handler.bot.close())
  const got: string[] = []
  handler.bot.on('Mention', (event) => { got.push(event.Message) })
  const event = mention('@Bot hi')
  const signed = signChimeRequest(TOKEN, JSON.stringify(event))
  t.same(await handler(event, { awsRequestId: 'r1', clientContext: { custom: { ...signed } } }), { ok: true })
  t.same(got, ['@Bot hi'])
  const big = JSON.stringify(mention('y'.repeat(200)))
  t.equal((await handler(apiGatewayV1(big, chimeHeaders(big)), lambdaContext()) as LambdaProxyResult).statusCode, 413, 'bodyLimit from the options')
  t.throws(() => createLambdaHandler({ securityToken: TOKEN, bodyLimit: -1 }), { code: 'FST_CHIME_INVALID_OPTION' })
  t.throws(() => createLambdaHandler({}), { code: 'FST_CHIME_MISSING_SECURITY_TOKEN' })
})

t.test('without an awsRequestId a request id is made up', async t => {
  const { handler, seen } = setup(t)
  const event = remove()
  await handler(event, { clientContext: chimeClientContext(event) })
  t.match(seen[0], /^Remove [0-9a-f-]{36}$/)
})

t.test('readClientContext and isLambdaProxyEvent on their own', async t => {
  t.same(readClientContext(undefined), {})
  t.same(readClientContext('   '), {})
  t.same(readClientContext({ 'CHIME-SIGNATURE': 's', 'chime-request-timestamp': 't', other: 1 }), { 'chime-signature': 's', 'chime-request-timestamp': 't' })
  t.same(readClientContext({ 'Chime-Signature': 'top', custom: { 'Chime-Signature': 'nested', 'Chime-Request-Timestamp': 'ts' } }), { 'chime-signature': 'top', 'chime-request-timestamp': 'ts' })
  t.same(readClientContext('[1,2]'), {}, 'JSON that is not an object carries no headers')
  t.equal(isLambdaProxyEvent({ body: '{}', headers: {} }), true)
  t.equal(isLambdaProxyEvent({ body: '{}', httpMethod: 'POST' }), true)
  t.equal(isLambdaProxyEvent({ EventType: 'Mention', body: 'x', headers: {} }), false, 'a Chime event is never a proxy event')
  t.equal(isLambdaProxyEvent({ body: 'x' }), false)
  t.equal(isLambdaProxyEvent([]), false)
})
