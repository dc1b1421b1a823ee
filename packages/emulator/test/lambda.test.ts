import t from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createHttpLambdaInvoker, createInProcessLambdaInvoker, createLambdaInvoker, LambdaError, parseLambdaArn,
  type LambdaContext, type LambdaInvoker
} from '../src/lambda.js'
import { AUTH, startApi } from './helpers/api.js'

const ARN = 'arn:aws:lambda:us-east-1:111122223333:function:echo-bot'

interface Seen { method: string, url: string, headers: IncomingMessage['headers'], body: string }
type Answer = (seen: Seen, res: ServerResponse) => void

async function fakeLambda (t: { teardown: (fn: () => unknown) => void }, answer: Answer): Promise<{ url: string, seen: Seen[], answer: (a: Answer) => void }> {
  const seen: Seen[] = []
  let current = answer
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', c => { body += String(c) })
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body }
      seen.push(s)
      current(s, res)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, answer: (a) => { current = a } }
}

const status = (code: number, body = '', headers: Record<string, string> = {}): Answer => (_s, res) => { res.writeHead(code, headers).end(body) }

t.test('parseLambdaArn accepts function ARNs and nothing else', async t => {
  t.same(parseLambdaArn(ARN), { region: 'us-east-1', accountId: '111122223333', functionName: 'echo-bot' })
  t.same(parseLambdaArn(`${ARN}:live`), { region: 'us-east-1', accountId: '111122223333', functionName: 'echo-bot', qualifier: 'live' })
  t.equal(parseLambdaArn('arn:aws:lambda:us-east-1:1111:function:x'), undefined, 'the account must have 12 digits')
  t.equal(parseLambdaArn('echo-bot'), undefined)
  t.equal(parseLambdaArn('arn:aws:s3:::bucket'), undefined)
})

t.test('an in-process handler is called like the Node.js Lambda runtime calls it', async t => {
  let context: LambdaContext | undefined
  let event: unknown
  const invoker = createInProcessLambdaInvoker({
    [ARN]: async (e, c) => { event = e; context = c; return { ok: true } }
  }, { now: () => 1000 })
  await invoker.addPermission(ARN)
  t.same(await invoker.invoke(ARN, {}, { invocationType: 'DryRun' }), { statusCode: 204 })
  t.equal(context, undefined, 'a DryRun does not run the handler')
  const result = await invoker.invoke(ARN, { EventType: 'Invite' }, { invocationType: 'RequestResponse', clientContext: { 'Chime-Signature': 'sig', 'Chime-Request-Timestamp': 'ts' } })
  t.same(result, { statusCode: 200, payload: { ok: true } })
  t.same(event, { EventType: 'Invite' })
  t.same(context!.clientContext, { 'Chime-Signature': 'sig', 'Chime-Request-Timestamp': 'ts' }, 'clientContext arrives parsed')
  t.match(context, { functionName: 'echo-bot', invokedFunctionArn: ARN, functionVersion: '$LATEST', awsRequestId: /^[0-9a-f-]{36}$/ })
  t.equal(context!.getRemainingTimeInMillis(), 3000)
  await invoker.invoke(ARN, undefined, { invocationType: 'RequestResponse' })
  t.equal(event, null, 'no payload reads as null')
  t.equal(context!.clientContext, undefined, 'no client context, no clientContext')
  await invoker.close()
})

t.test('in-process handler errors come back as a function error, like Lambda\'s Unhandled', async t => {
  const invoker = createInProcessLambdaInvoker({
    [ARN]: async () => { throw new TypeError('bad event') },
    'arn:aws:lambda:us-east-1:111122223333:function:raw': async () => { throw 'plain' } // eslint-disable-line no-throw-literal
  })
  t.same(await invoker.invoke(ARN, {}, { invocationType: 'RequestResponse' }), { statusCode: 200, functionError: 'Unhandled', payload: { errorType: 'TypeError', errorMessage: 'bad event' } })
  t.same(await invoker.invoke('arn:aws:lambda:us-east-1:111122223333:function:raw', {}, { invocationType: 'RequestResponse' }),
    { statusCode: 200, functionError: 'Unhandled', payload: { errorType: 'Error', errorMessage: 'plain' } })
  t.same(await invoker.invoke(ARN, {}, { invocationType: 'Event' }), { statusCode: 202 }, 'an Event invocation does not wait, and its failure is not thrown')
  await t.rejects(invoker.invoke('arn:aws:lambda:us-east-1:111122223333:function:other', {}, { invocationType: 'Event' }), LambdaError)
  await t.rejects(invoker.addPermission('arn:aws:lambda:us-east-1:111122223333:function:other'), { message: /No in-process handler/ })
})

t.test('callback-style handlers and Event invocations run too', async t => {
  let ran!: () => void
  const done = new Promise<void>(resolve => { ran = resolve })
  const invoker = createInProcessLambdaInvoker({
    [ARN]: (_e, _c, callback) => { callback!(null, 'called back') },
    'arn:aws:lambda:us-east-1:111122223333:function:fails': (_e, _c, callback) => { callback!(new Error('nope')) },
    'arn:aws:lambda:us-east-1:111122223333:function:async': async (_e, _c, _callback) => { throw new Error('rejected') },
    'arn:aws:lambda:us-east-1:111122223333:function:event': async () => { ran() }
  })
  t.same(await invoker.invoke(ARN, {}, { invocationType: 'RequestResponse' }), { statusCode: 200, payload: 'called back' })
  t.match(await invoker.invoke('arn:aws:lambda:us-east-1:111122223333:function:fails', {}, { invocationType: 'RequestResponse' }), { functionError: 'Unhandled', payload: { errorMessage: 'nope' } })
  t.match(await invoker.invoke('arn:aws:lambda:us-east-1:111122223333:function:async', {}, { invocationType: 'RequestResponse' }), { payload: { errorMessage: 'rejected' } })
  t.same(await invoker.invoke('arn:aws:lambda:us-east-1:111122223333:function:event', {}, { invocationType: 'Event' }), { statusCode: 202 })
  await done
  t.pass('the Event handler ran in the background')
})

t.test('handler maps are validated eagerly', async t => {
  t.throws(() => createInProcessLambdaInvoker({ 'echo-bot': async () => {} }), { name: 'LambdaError', message: /'echo-bot' is not a Lambda function ARN/ })
  t.throws(() => createInProcessLambdaInvoker({ [ARN]: 'nope' as never }), { name: 'TypeError', message: /must be a function .* got string/ })
})

t.test('the HTTP invoker speaks Lambda\'s AddPermission and Invoke APIs', async t => {
  const lambda = await fakeLambda(t, (s, res) => {
    if (s.url.endsWith('/policy')) res.writeHead(201, { 'content-type': 'application/json' }).end('{"Statement":"{}"}')
    else if (s.headers['x-amz-invocation-type'] === 'DryRun') res.writeHead(204).end()
    else res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }).end('{"errorMessage":"boom"}')
  })
  const invoker = createHttpLambdaInvoker({ endpoint: `${lambda.url}/` })
  t.teardown(() => invoker.close())
  await invoker.addPermission(ARN)
  t.equal(lambda.seen[0]!.url, '/2015-03-31/functions/echo-bot/policy')
  t.match(JSON.parse(lambda.seen[0]!.body), { Action: 'lambda:InvokeFunction', Principal: 'chime.amazonaws.com', StatementId: /^chime-emulator-/ })
  t.same(await invoker.invoke(ARN, {}, { invocationType: 'DryRun' }), { statusCode: 204 })
  const result = await invoker.invoke(ARN, { EventType: 'Mention' }, { invocationType: 'RequestResponse', clientContext: { 'Chime-Signature': 's' } })
  t.same(result, { statusCode: 200, payload: { errorMessage: 'boom' }, functionError: 'Unhandled' })
  const call = lambda.seen[2]!
  t.equal(call.url, '/2015-03-31/functions/echo-bot/invocations')
  t.equal(call.headers['x-amz-invocation-type'], 'RequestResponse')
  t.same(JSON.parse(Buffer.from(String(call.headers['x-amz-client-context']), 'base64').toString()), { 'Chime-Signature': 's' }, 'the client context travels base64-encoded')
  t.same(JSON.parse(call.body), { EventType: 'Mention' })

  lambda.answer(status(200, 'plain text'))
  t.same(await invoker.invoke(ARN, undefined, { invocationType: 'RequestResponse' }), { statusCode: 200, payload: 'plain text' })
  t.equal(lambda.seen[3]!.body, '{}', 'no payload is sent as {}')
})

t.test('the HTTP invoker explains refusals and skips an AddPermission the server does not implement', async t => {
  const logged: string[] = []
  const lambda = await fakeLambda(t, status(404, '<html>not found</html>'))
  const invoker = createHttpLambdaInvoker({ endpoint: lambda.url, log: { info: (_o, m) => logged.push(m), warn: (_o, m) => logged.push(m) } })
  t.teardown(() => invoker.close())
  await invoker.addPermission(ARN)
  t.match(logged, [/does not implement AddPermission/], 'a plain 404 (sam local) is skipped with a log line')

  lambda.answer(status(409, '{"Type":"User","Message":"exists"}'))
  await t.resolves(invoker.addPermission(ARN), 'a statement that already exists is fine')

  lambda.answer(status(404, '{"Type":"User","Message":"Function not found"}', { 'x-amzn-ErrorType': 'ResourceNotFoundException:http://internal' }))
  await t.rejects(invoker.addPermission(ARN), { name: 'LambdaError', message: /AddPermission for echo-bot failed with HTTP 404 ResourceNotFoundException: .*Function not found/ })

  lambda.answer(status(403, '{"__type":"com.amazon.coral#AccessDeniedException","message":"no"}'))
  await t.rejects(invoker.addPermission(ARN), { message: /HTTP 403 AccessDeniedException/ })

  lambda.answer(status(500, ''))
  await t.rejects(invoker.addPermission(ARN), { message: /AddPermission for echo-bot failed with HTTP 500: \(empty body\)/ })
  await t.rejects(invoker.invoke(ARN, {}, { invocationType: 'DryRun' }), { message: /Invoke \(DryRun\) of echo-bot failed with HTTP 500: \(empty body\)/ })

  lambda.answer(status(404, '{"Type":"User"}', { 'x-amzn-ErrorType': 'ResourceNotFoundException' }))
  await t.rejects(invoker.invoke(ARN, {}, { invocationType: 'DryRun' }), { message: /HTTP 404 ResourceNotFoundException/ })

  const silent = createHttpLambdaInvoker({ endpoint: `${lambda.url}/lambda` })
  lambda.answer(status(404))
  await t.resolves(silent.addPermission(ARN), 'without a logger the skip is silent')
  t.equal(lambda.seen.at(-1)!.url, '/lambda/2015-03-31/functions/echo-bot/policy', 'a path in the endpoint URL is kept')
  await silent.close()

  lambda.answer(status(502, 'y'.repeat(300)))
  await t.rejects(invoker.invoke(ARN, {}, { invocationType: 'Event' }), { message: /HTTP 502: y{200}…/ })

  const unreachable = createHttpLambdaInvoker({ endpoint: 'http://127.0.0.1:9', timeoutMs: 500 })
  await t.rejects(unreachable.invoke(ARN, {}, { invocationType: 'DryRun' }), { name: 'LambdaError', message: /could not be reached: the connection was refused/ })
  await t.rejects(unreachable.addPermission('not-an-arn'), { message: /not a Lambda function ARN/ })
  await unreachable.close()
})

t.test('lambda endpoints are validated eagerly', async t => {
  t.throws(() => createHttpLambdaInvoker({ endpoint: 'localhost:3001' }), { name: 'TypeError', message: /http:\/\/ or https:\/\/ URL; got 'localhost:3001'/ })
  t.throws(() => createHttpLambdaInvoker({ endpoint: '::' }), { name: 'TypeError', message: /must be a URL such as/ })
})

t.test('createLambdaInvoker prefers a registered handler, then the endpoint, and explains when neither exists', async t => {
  const lambda = await fakeLambda(t, status(204))
  const handled: string[] = []
  const other = 'arn:aws:lambda:us-east-1:111122223333:function:remote'
  const both = createLambdaInvoker({ handlers: { [ARN]: async () => { handled.push('local') } }, endpoint: lambda.url })
  await both.addPermission(ARN)
  await both.invoke(ARN, {}, { invocationType: 'RequestResponse' })
  t.same(handled, ['local'])
  t.equal(lambda.seen.length, 0, 'the handler map wins for its ARNs')
  await both.invoke(other, {}, { invocationType: 'DryRun' })
  t.equal(lambda.seen[0]!.url, '/2015-03-31/functions/remote/invocations', 'other ARNs go to the endpoint')
  await both.close()

  const none = createLambdaInvoker()
  await t.rejects(none.addPermission(ARN), { name: 'LambdaError', message: /No Lambda is configured for .*--lambda-endpoint.*lambdaHandlers/ })
  await t.rejects(none.invoke('bad', {}, { invocationType: 'DryRun' }), { message: /not a Lambda function ARN/ })
  await none.close()
})

t.test('PutEventsConfiguration with a Lambda ARN turns every Lambda failure into a BadRequestException', async t => {
  const lambdaServer = await fakeLambda(t, status(204))
  const lambda = createLambdaInvoker({ endpoint: lambdaServer.url })
  t.teardown(() => lambda.close())
  const { app, state } = await startApi(t, { lambda }, false)
  const account = state.createAccount({ Name: 'Acme' })
  const bot = state.createBot(account.AccountId, { DisplayName: 'L' })
  const put = async (body: object): Promise<{ statusCode: number, headers: Record<string, unknown>, json: () => any }> =>
    await app.inject({ method: 'PUT', url: `/accounts/${account.AccountId}/bots/${bot.BotId}/events-configuration`, headers: { authorization: AUTH }, payload: body })

  lambdaServer.answer((s, res) => { res.writeHead(s.url.endsWith('/policy') ? 201 : 204).end() })
  t.equal((await put({ LambdaFunctionArn: ARN })).statusCode, 201)

  lambdaServer.answer((s, res) => { res.writeHead(s.url.endsWith('/policy') ? 201 : 403).end('{"Message":"denied"}') })
  const failed = await put({ LambdaFunctionArn: `${ARN}-2` })
  t.equal(failed.statusCode, 400)
  t.match(failed.json(), { Code: 'BadRequest', Message: /could not verify the Lambda function .*echo-bot-2: .*DryRun.*HTTP 403.*The previous events configuration is unchanged/ })
  t.same(state.eventsConfigurations.get(bot.BotId), { BotId: bot.BotId, LambdaFunctionArn: ARN }, 'the old configuration stays')

  t.match((await put({ LambdaFunctionArn: 'arn:aws:lambda:us-east-1:1:function:x' })).json(), { Code: 'BadRequest', Message: /is not a Lambda function ARN/ })
  t.match((await put({ LambdaFunctionArn: ARN, OutboundEventsHTTPSEndpoint: 'https://bot.example.com' })).json(), { Message: /not both/ })
  t.match((await put({ LambdaFunctionArn: '', OutboundEventsHTTPSEndpoint: '' })).json(), { Message: /Give OutboundEventsHTTPSEndpoint .* or LambdaFunctionArn/ })
})

t.test('an unexpected invoker failure is a ServiceFailureException, and no Lambda at all is explained', async t => {
  const broken: LambdaInvoker = { addPermission: async () => { throw new Error('bug') }, invoke: async () => ({ statusCode: 204 }), close: async () => {} }
  const { app, state } = await startApi(t, { lambda: broken }, false)
  const account = state.createAccount({ Name: 'Acme' })
  const bot = state.createBot(account.AccountId, { DisplayName: 'L' })
  const res = await app.inject({ method: 'PUT', url: `/accounts/${account.AccountId}/bots/${bot.BotId}/events-configuration`, headers: { authorization: AUTH }, payload: { LambdaFunctionArn: ARN } })
  t.equal(res.statusCode, 500)
  t.equal(res.headers['x-amzn-errortype'], 'ServiceFailureException')

  const plain = await startApi(t, {}, false)
  const a2 = plain.state.createAccount({ Name: 'Acme' })
  const b2 = plain.state.createBot(a2.AccountId, { DisplayName: 'L' })
  const none = await plain.app.inject({ method: 'PUT', url: `/accounts/${a2.AccountId}/bots/${b2.BotId}/events-configuration`, headers: { authorization: AUTH }, payload: { LambdaFunctionArn: ARN } })
  t.equal(none.statusCode, 400)
  t.match(none.json().Message, /--lambda-endpoint/)
})
