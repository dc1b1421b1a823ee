/**
 * The whole Amazon Chime bot loop on one machine, step by step:
 *
 *   emulator (Chime)  ◄── @aws-sdk/client-chime: CreateBot, PutEventsConfiguration, CreateRoom, …
 *        │  signed events (Invite, Mention, Remove)
 *        ▼
 *   echo bot (examples/echo-bot, a child process)
 *        │  replies through the room's incoming webhook
 *        ▼
 *   emulator: the room's transcript
 *
 * Run: `npx -y pnpm@10 demo` (add `--keep-running` to keep playing afterwards).
 * Exits 0 when every step worked, 1 with the reason otherwise.
 */
import {
  ChimeClient,
  CreateBotCommand,
  CreateRoomCommand,
  CreateRoomMembershipCommand,
  DeleteRoomMembershipCommand,
  ListAccountsCommand,
  PutEventsConfigurationCommand
} from '@aws-sdk/client-chime'
import { createEmulator } from 'chime-emulator'
import { freePort, startEchoBot, type BotProcess } from './bot-process.js'
import { bold, dim, fail, info, maskToken, ok, step } from './output.js'
import { ControlApi, type Delivery } from './control-api.js'

/** The whole demo must finish within this time, or it fails (it never hangs). */
const DEMO_TIMEOUT_MS = 45_000
/** How long to wait for one bot reply or delivery. */
const WAIT_MS = 10_000
/** The port `--keep-running` prefers, so the CLI subcommands work without `--url`. */
const PREFERRED_PORT = 8787

const keepRunning = process.argv.slice(2).includes('--keep-running')
const unknown = process.argv.slice(2).filter(a => a !== '--keep-running' && a !== '--')
if (unknown.length > 0) {
  console.error(`demo: unknown argument ${unknown.join(' ')} (the only option is --keep-running)`)
  process.exit(2)
}

// The SDK warns that its 2027 releases will need Node 22; this demo runs on Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

let emulator: Awaited<ReturnType<typeof createEmulator>> | undefined
let bot: BotProcess | undefined

/** Stops the bot and the emulator; safe to call twice. */
async function cleanUp (): Promise<void> {
  const b = bot
  const e = emulator
  bot = undefined
  emulator = undefined
  await b?.stop()
  await e?.close()
}

// Whatever happens, never leave the bot process behind.
process.once('exit', () => { bot?.child.kill('SIGKILL') })
let playing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (playing) return // --keep-running: the playground stops cleanly itself
    fail(`interrupted by ${signal}`)
    process.exit(1)
  })
}

async function startEmulator () {
  if (keepRunning) {
    try {
      return await createEmulator({ port: PREFERRED_PORT, host: '127.0.0.1', logger: false })
    } catch {
      info(dim(`port ${PREFERRED_PORT} is busy; using a free port instead`))
    }
  }
  return await createEmulator({ port: 0, host: '127.0.0.1', logger: false })
}

async function run (): Promise<void> {
  const started = Date.now()
  console.log(bold('Amazon Chime bot demo: the emulator, the echo bot, and the AWS SDK, on this machine only'))
  console.log()

  step('Start the Chime emulator (chime-emulator, in this process)')
  emulator = await startEmulator()
  const control = new ControlApi(emulator.url)
  ok(`listening on ${emulator.url}`)

  const chime = new ChimeClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    // The emulator accepts any signed request: these keys are placeholders, not secrets.
    credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' },
    maxAttempts: 1
  })

  const { Accounts = [] } = await chime.send(new ListAccountsCommand({}))
  const accountId = Accounts[0]?.AccountId
  if (accountId === undefined) throw new Error('the emulator has no account (ListAccounts returned none)')
  info(`account ${accountId} (the emulator's default account; ListAccounts)`)

  step('CreateBot: register a bot called EchoBot in the account')
  const { Bot: created } = await chime.send(new CreateBotCommand({ AccountId: accountId, DisplayName: 'EchoBot', Domain: 'example.com' }))
  if (created?.BotId === undefined || created.SecurityToken === undefined) throw new Error('CreateBot returned no BotId or SecurityToken')
  ok(`BotId ${created.BotId}`)
  info(`BotEmail ${created.BotEmail}`)
  info(`SecurityToken ${maskToken(created.SecurityToken)} (masked: Chime signs every event with it, the bot checks the signature)`)

  step('Start the echo bot with that token (node examples/echo-bot/dist/main.js)')
  bot = await startEchoBot(created.SecurityToken, await freePort(), line => info(dim(`echo-bot │ ${line}`)))
  ok(`the bot serves ${bot.url}`)

  step(`PutEventsConfiguration: tell Chime to send the bot's events to ${bot.url}`)
  info('Before saving, Chime checks the endpoint: it POSTs {"Challenge":"<random>","EventType":"HTTPSEndpointVerification"}')
  info('and the endpoint must answer 200 {"Challenge":"<the same>"} within 2 s.')
  const { EventsConfiguration } = await chime.send(new PutEventsConfigurationCommand({
    AccountId: accountId,
    BotId: created.BotId,
    OutboundEventsHTTPSEndpoint: bot.url
  }))
  ok(`handshake passed: the bot echoed the challenge, configuration saved (${EventsConfiguration?.OutboundEventsHTTPSEndpoint})`)

  step('CreateRoom: a chat room called demo-room')
  const { Room } = await chime.send(new CreateRoomCommand({ AccountId: accountId, Name: 'demo-room' }))
  const roomId = Room?.RoomId
  if (roomId === undefined) throw new Error('CreateRoom returned no RoomId')
  ok(`RoomId ${roomId}`)

  step('CreateRoomMembership: add the bot to the room → Chime sends it an Invite event')
  await chime.send(new CreateRoomMembershipCommand({ AccountId: accountId, RoomId: roomId, MemberId: created.BotId }))
  const welcome = await control.waitForBotMessage(roomId, 1, WAIT_MS)
  ok(`the bot answered in the room: ${firstLine(welcome.Content)}`)

  const mention = '@EchoBot hello from the demo'
  step(`alice@example.com writes "${mention}" (control API) → Chime sends a Mention event`)
  await control.post(roomId, 'alice@example.com', mention)
  const echo = await control.waitForBotMessage(roomId, 2, WAIT_MS)
  if (!echo.Content.includes('hello from the demo')) throw new Error(`the bot answered "${echo.Content}" instead of echoing "hello from the demo"`)
  ok(`the bot replied: ${echo.Content}`)

  step('DeleteRoomMembership: remove the bot → Chime sends a Remove event')
  await chime.send(new DeleteRoomMembershipCommand({ AccountId: accountId, RoomId: roomId, MemberId: created.BotId }))
  const deliveries = await control.waitForDeliveries(3, WAIT_MS)
  ok('Remove delivered (the bot can no longer post in the room)')

  console.log()
  console.log(bold(`Transcript of demo-room (${roomId})`))
  for (const m of await control.transcript(roomId)) {
    console.log(`  ${m.CreatedTimestamp.slice(11, 23)}  ${m.Sender} (${m.SenderType}): ${shown(m.Content).replace(/\n/g, '\n' + ' '.repeat(16))}`)
  }

  console.log()
  console.log(bold('Deliveries (events the emulator sent to the bot, signed with its token)'))
  printDeliveries(deliveries)
  const failed = deliveries.filter(d => !isDelivered(d))
  if (failed.length > 0) throw new Error(`${failed.length} deliveries did not succeed: ${failed.map(d => `${d.EventType} ${d.Outcome}`).join(', ')}`)

  console.log()
  console.log(bold(`Demo passed in ${((Date.now() - started) / 1000).toFixed(1)} s.`))
  chime.destroy()

  if (keepRunning) {
    clearTimeout(timeout)
    await playground(emulator.url, accountId, roomId, created.BotId)
  }
}

/** A message as a person would see it: Chime's "/md" markdown switch is not shown. */
function shown (content: string): string {
  return content.startsWith('/md\n') ? content.slice(4) : content
}

function firstLine (text: string): string {
  const [line = ''] = shown(text).split('\n')
  return line === shown(text) ? line : `${line} …`
}

function isDelivered (d: Delivery): boolean {
  return d.Outcome === 'Delivered'
}

function printDeliveries (deliveries: Delivery[]): void {
  let attempts = 0
  const latencies: number[] = []
  for (const d of deliveries) {
    attempts += d.Attempts.length
    const last = d.Attempts.at(-1)
    if (last !== undefined) latencies.push(last.DurationMs)
    console.log(`  ${d.EventType.padEnd(8)} ${d.Outcome.padEnd(10)} ${d.Attempts.length} attempt(s), ${last === undefined ? '-' : `HTTP ${last.Status ?? '-'} in ${Math.round(last.DurationMs)} ms`}`)
  }
  const max = latencies.length === 0 ? 0 : Math.max(...latencies)
  const mean = latencies.length === 0 ? 0 : latencies.reduce((a, b) => a + b, 0) / latencies.length
  console.log(`  ${deliveries.length} deliveries, ${attempts} attempts, latency mean ${mean.toFixed(1)} ms, max ${max.toFixed(1)} ms`)
}

/** `--keep-running`: leave everything up and explain how to play. */
async function playground (url: string, accountId: string, roomId: string, botId: string): Promise<void> {
  const flag = url === `http://127.0.0.1:${PREFERRED_PORT}` ? '' : ` --url ${url}`
  const cli = 'npx -y pnpm@10 exec chime-emulator'
  console.log()
  console.log(bold('Everything keeps running. In another terminal, from the repository root:'))
  console.log(`  ${cli} add-bot ${roomId} ${botId}${flag}`)
  console.log(`  ${cli} post ${roomId} "@EchoBot hi there"${flag}`)
  console.log(`  ${cli} transcript ${roomId}${flag}`)
  console.log(`  ${cli} deliveries${flag}`)
  console.log(`  ${cli} rooms${flag}`)
  console.log(`  aws chime list-bots --account-id ${accountId} --endpoint-url ${url}   (any access key; region us-east-1)`)
  console.log('Press Ctrl+C to stop.')
  playing = true
  await new Promise<void>(resolve => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  console.log('\nStopping…')
}

const timeout = setTimeout(() => {
  fail(`the demo did not finish within ${DEMO_TIMEOUT_MS / 1000} s`)
  bot?.child.kill('SIGKILL')
  process.exit(1)
}, DEMO_TIMEOUT_MS)
timeout.unref()

try {
  await run()
  clearTimeout(timeout)
  await cleanUp()
  if (keepRunning) console.log('Stopped.')
  process.exitCode = 0
} catch (err) {
  const e = err as Error & { name?: string }
  fail(`${e.name !== undefined && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`)
  if (bot !== undefined && bot.output.length > 0) {
    console.error(dim('The echo bot printed:'))
    for (const line of bot.output.slice(-20)) console.error(dim(`  ${line}`))
  }
  await cleanUp().catch(() => {})
  process.exitCode = 1
}
// Idle keep-alive sockets would hold the process for a few seconds more: leave now.
process.exit()
