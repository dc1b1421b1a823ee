import t from 'tap'
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApi, startEndpoint } from './helpers/api.js'
import { loadFixture } from '../src/fixture.js'
import { createLambdaInvoker } from '../src/lambda.js'
import { EmulatorState } from '../src/state.js'

// The seed's identifiers, verbatim.
const ACCOUNT = '12a3456b-7c89-012d-3456-78901e23fg45'
const BOT = 'botId'
const ARN = 'arn:aws:lambda:us-east-1:111122223333:function:function-name'

// The AWS CLI is a Python program that takes seconds to start on a busy machine.
t.setTimeout(120_000)

const hasCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0

interface CliResult { code: number, stdout: string, stderr: string }

function awsCli (endpointUrl: string, configFile: string, args: string[]): Promise<CliResult> {
  return new Promise(resolve => {
    execFile('aws', [...args, '--endpoint-url', endpointUrl, '--output', 'json'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_CONFIG_FILE: configFile,
        AWS_SHARED_CREDENTIALS_FILE: join(configFile, '..', 'no-credentials'),
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        AWS_DEFAULT_REGION: 'us-east-1'
      }
    }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number((error as { code?: number }).code ?? 1), stdout, stderr })
    })
  })
}

t.test('the seed\'s put-events-configuration commands work verbatim with the AWS CLI against a fixture', { skip: hasCli ? false : 'the AWS CLI (aws) is not on PATH' }, async t => {
  const dir = mkdtempSync(join(tmpdir(), 'chime-cli-'))
  const config = join(dir, 'config')
  // Without this line the AWS CLI v1 would fetch https:// parameter values as URLs.
  writeFileSync(config, '[default]\ncli_follow_urlparam = false\n')
  const state = new EmulatorState()
  loadFixture({ Accounts: [{ AccountId: ACCOUNT, Name: 'Seed account', Bots: [{ BotId: BOT, DisplayName: 'EchoBot', Domain: 'example.com', SecurityToken: 'seed-token' }] }] }, state)
  const lambda = createLambdaInvoker({ handlers: { [ARN]: async () => ({}) } })
  const { url } = await startApi(t, { state, lambda })
  const endpoint = await startEndpoint(t)

  // One batch in parallel: each AWS CLI start costs a second or two.
  const [viaLambda, badArn, unknownBot, listed, viaHttps] = await Promise.all([
    awsCli(url, config, ['chime', 'put-events-configuration', '--account-id', ACCOUNT, '--bot-id', BOT, '--lambda-function-arn', ARN]),
    awsCli(url, config, ['chime', 'put-events-configuration', '--account-id', ACCOUNT, '--bot-id', BOT, '--lambda-function-arn', 'function-name']),
    awsCli(url, config, ['chime', 'get-bot', '--account-id', ACCOUNT, '--bot-id', 'no-such-bot']),
    awsCli(url, config, ['chime', 'list-bots', '--account-id', ACCOUNT, '--max-results', '1']),
    awsCli(url, config, ['chime', 'put-events-configuration', '--account-id', ACCOUNT, '--bot-id', BOT, '--outbound-events-https-endpoint', endpoint.url])
  ])
  t.equal(viaLambda.code, 0, viaLambda.stderr)
  t.same(JSON.parse(viaLambda.stdout), { EventsConfiguration: { BotId: BOT, LambdaFunctionArn: ARN } })
  t.not(badArn.code, 0)
  t.match(badArn.stderr, /BadRequestException.*not a Lambda function ARN/)
  t.not(unknownBot.code, 0)
  t.match(unknownBot.stderr, /\(NotFoundException\) when calling the GetBot operation: Bot 'no-such-bot' was not found/)
  t.match(JSON.parse(listed.stdout), { Bots: [{ BotId: BOT, BotEmail: 'EchoBot-chimebot@example.com', SecurityToken: 'seed-token' }] })

  t.equal(viaHttps.code, 0, viaHttps.stderr)
  t.same(JSON.parse(viaHttps.stdout), { EventsConfiguration: { BotId: BOT, OutboundEventsHTTPSEndpoint: endpoint.url } })
  t.equal(endpoint.received[0].body.EventType, 'HTTPSEndpointVerification', 'the endpoint was challenged')
  t.ok(state.eventsConfigurations.has(BOT), 'the bot now has an events configuration')
})
