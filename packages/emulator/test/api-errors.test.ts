import t from 'tap'
import Fastify from 'fastify'
import { awsApi } from '../src/api/index.js'
import {
  ChimeClient, CreateBotCommand, GetBotCommand, CreateAccountCommand, CreateRoomMembershipCommand, CreateRoomCommand,
  PutEventsConfigurationCommand, ListAccountsCommand
} from '@aws-sdk/client-chime'
import { AUTH, credentials, startApi } from './helpers/api.js'
import type { LambdaInvoker } from '../src/lambda.js'
import { ChimeServiceError, conflict, forbidden } from '../src/aws/errors.js'

const ARN = 'arn:aws:lambda:us-east-1:111122223333:function:f'

t.test('the SDK sees each Chime error under its AWS name and status', async t => {
  const broken: LambdaInvoker = { addPermission: async () => { throw new Error('an emulator bug') }, invoke: async () => ({ statusCode: 204 }), close: async () => {} }
  const { client, state } = await startApi(t, { lambda: broken })
  const { Account } = await client.send(new CreateAccountCommand({ Name: 'Acme' }))
  const accountId = Account!.AccountId!

  const expectError = async (promise: Promise<unknown>, name: string, status: number, message: RegExp): Promise<void> => {
    const error = await promise.then(() => undefined, (e: unknown) => e) as { name: string, message: string, $metadata: { httpStatusCode: number }, Code?: string } | undefined
    t.ok(error, `${name} is thrown`)
    t.equal(error!.name, name)
    t.equal(error!.$metadata.httpStatusCode, status, `${name} has status ${status}`)
    t.match(error!.message, message)
  }

  await expectError(client.send(new CreateBotCommand({ AccountId: accountId, DisplayName: 'x'.repeat(56) })), 'BadRequestException', 400, /DisplayName must be 1 to 55 characters/)
  await expectError(client.send(new GetBotCommand({ AccountId: accountId, BotId: 'missing' })), 'NotFoundException', 404, /Bot 'missing' was not found in account .* ListBots/)
  await expectError(client.send(new GetBotCommand({ AccountId: 'nope', BotId: 'missing' })), 'NotFoundException', 404, /Account 'nope' was not found/)
  for (let i = 0; i < 10; i++) state.createBot(accountId, { DisplayName: `Bot ${i}` })
  await expectError(client.send(new CreateBotCommand({ AccountId: accountId, DisplayName: 'Eleventh' })), 'ResourceLimitExceededException', 400, /already has 10 bots/)

  const bot = state.listBots(accountId)[0]!
  state.putEventsConfiguration(accountId, bot.BotId, { OutboundEventsHTTPSEndpoint: 'http://127.0.0.1:9/' })
  const { Room } = await client.send(new CreateRoomCommand({ AccountId: accountId, Name: 'r' }))
  await client.send(new CreateRoomMembershipCommand({ AccountId: accountId, RoomId: Room!.RoomId, MemberId: bot.BotId }))
  await expectError(client.send(new CreateRoomMembershipCommand({ AccountId: accountId, RoomId: Room!.RoomId, MemberId: bot.BotId })), 'ConflictException', 409, /already in room/)
  await expectError(client.send(new PutEventsConfigurationCommand({ AccountId: accountId, BotId: bot.BotId, LambdaFunctionArn: ARN })), 'ServiceFailureException', 500, /emulator failed .*an emulator bug/)
})

t.test('an access-key allow-list refuses other keys with ForbiddenException', async t => {
  const { client, url } = await startApi(t, { accessKeys: [credentials.accessKeyId] })
  t.same((await client.send(new ListAccountsCommand({}))).Accounts, [], 'an allowed key passes')
  const stranger = new ChimeClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' }, maxAttempts: 1 })
  t.teardown(() => stranger.destroy())
  await t.rejects(stranger.send(new ListAccountsCommand({})), { name: 'ForbiddenException', message: /'AKIDSTRANGER' is not allowed/, $metadata: { httpStatusCode: 403 } })
})

t.test('errors carry the x-amzn-ErrorType header and a {Code, Message} body', async t => {
  const { app } = await startApi(t, {}, false)
  const res = await app.inject({ method: 'GET', url: '/accounts/nope', headers: { authorization: AUTH } })
  t.equal(res.statusCode, 404)
  t.equal(res.headers['x-amzn-errortype'], 'NotFoundException')
  t.match(res.headers['content-type'], /^application\/json/)
  t.match(res.headers['x-amzn-requestid'], /^[0-9a-f-]{36}$/, 'every answer has a request id')
  t.same(res.json(), { Code: 'NotFound', Message: "Account 'nope' was not found. List the accounts with ListAccounts, or create one with CreateAccount." })
})

t.test('requests without a well-formed SigV4 signature get UnauthorizedClientException', async t => {
  const { app } = await startApi(t, {}, false)
  const cases: Array<[string | undefined, RegExp]> = [
    [undefined, /no Authorization header/],
    ['', /no Authorization header/],
    ['Bearer abc', /not a well-formed AWS Signature Version 4 header/],
    [AUTH.replace('Signature=' + 'a'.repeat(64), 'Signature=xyz'), /not a well-formed/],
    [AUTH.replace('/chime/', '/lambda/'), /signed for the service 'lambda'.*sign it for 'chime'/]
  ]
  for (const [authorization, message] of cases) {
    const res = await app.inject({ method: 'GET', url: '/accounts', headers: authorization === undefined ? {} : { authorization } })
    t.equal(res.statusCode, 401, `${String(authorization)}: 401`)
    t.equal(res.headers['x-amzn-errortype'], 'UnauthorizedClientException')
    t.equal(res.json().Code, 'Unauthorized')
    t.match(res.json().Message, message)
  }
})

t.test('unreadable bodies are BadRequestException', async t => {
  const { app, state } = await startApi(t, {}, false)
  const account = state.createAccount({ Name: 'Acme' })
  const post = async (payload: string, contentType = 'application/json'): Promise<{ statusCode: number, json: () => any }> =>
    await app.inject({ method: 'POST', url: `/accounts/${account.AccountId}/bots`, headers: { authorization: AUTH, 'content-type': contentType }, payload })
  t.match((await post('{nope')).json(), { Code: 'BadRequest', Message: /not valid JSON/ })
  t.match((await post('[1]')).json(), { Code: 'BadRequest', Message: /must be a JSON object/ })
  t.match((await post('{"DisplayName":5}')).json(), { Message: 'DisplayName must be a string; got 5.' })
  t.match((await post('')).json(), { Message: 'DisplayName is required.' })
  const big = await post(JSON.stringify({ DisplayName: 'x'.repeat(1_100_000) }))
  t.equal(big.statusCode, 400)
  t.match(big.json(), { Code: 'BadRequest', Message: /could not be read/ })
  const other = await post('{"DisplayName":"Plain","Domain":"example.com"}', 'application/x-amz-json-1.1')
  t.equal(other.statusCode, 201, 'any content type is read as JSON')
})

t.test('error factories build the AWS names, codes and statuses', async t => {
  t.match(conflict('c'), { name: 'ConflictException', code: 'Conflict', statusCode: 409, message: 'c' })
  t.match(forbidden('f'), { name: 'ForbiddenException', code: 'Forbidden', statusCode: 403 })
  t.match(new ChimeServiceError('ThrottledClientException', 'slow down'), { code: 'Throttled', statusCode: 429 })
  t.match(new ChimeServiceError('ServiceUnavailableException', 'later'), { code: 'ServiceUnavailable', statusCode: 503 })
})

t.test('awsApi options are validated', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(awsApi, { state: null as never }).ready() }, { message: /awsApi needs the emulator state/ })
  await t.rejects(startApi(t, { accessKeys: [''] }), { message: /accessKeys must be a list of access key ids/ })
  await t.rejects(startApi(t, { accessKeys: 'AKID' as never }), { message: /accessKeys must be a list/ })
})
