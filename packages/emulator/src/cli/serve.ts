/**
 * `chime-emulator [flags]`: starts an emulator, prints how to use it, and
 * runs until Ctrl+C (SIGINT), SIGTERM or the caller's abort signal; then
 * closes it (the state file, if any, is flushed) and resolves to 0.
 */
import { prettyFactory } from 'pino-pretty'
import { createEmulator, type CreateEmulatorOptions } from '../harness.js'
import { loadFixture } from '../fixture.js'
import { EmulatorState } from '../state.js'
import { UsageError, type ServeCommand } from './args.js'
import { formatBanner, type BannerAccount } from './banner.js'
import type { Output } from './client.js'

/** What `serve` needs besides the parsed flags. */
export interface ServeIo {
  stdout: Output
  stderr: Output
  signal?: AbortSignal | undefined
  onListening?: ((url: string) => void) | undefined
}

/**
 * Loads the fixture into a scratch state first, so a missing, unreadable or
 * malformed file is a one-line usage error (exit 2) naming the problem.
 */
function checkFixture (path: string): void {
  try {
    loadFixture(path, new EmulatorState())
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!)
  }
}

/** Waits for SIGINT, SIGTERM or `signal`, whichever comes first; resolves to what stopped it. */
function stopRequested (signal: AbortSignal | undefined): Promise<string> {
  return new Promise(resolve => {
    const done = (why: string) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      signal?.removeEventListener('abort', onAbort)
      resolve(why)
    }
    const onInt = () => done('SIGINT')
    const onTerm = () => done('SIGTERM')
    const onAbort = () => done('abort')
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onTerm)
    if (signal?.aborted === true) done('abort')
    else signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Starts the emulator described by `command` and runs it until asked to stop. */
export async function serve (command: ServeCommand, io: ServeIo): Promise<number> {
  if (command.fixture !== undefined) checkFixture(command.fixture)
  const options: CreateEmulatorOptions = { port: command.port, host: command.host }
  if (command.logLevel !== 'silent') {
    // One readable line per API call, handshake, delivery attempt and webhook message (tokens are never logged).
    const prettify = prettyFactory({ colorize: (io.stdout as { isTTY?: boolean }).isTTY === true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' })
    options.logger = { stream: { write: (line: string) => io.stdout.write(prettify(line)) } }
    options.logLevel = command.logLevel
  }
  if (command.fixture !== undefined) options.fixture = command.fixture
  if (command.stateFile !== undefined) options.stateFile = command.stateFile
  if (command.lambdaEndpoint !== undefined) options.lambdaEndpoint = command.lambdaEndpoint
  let emulator: Awaited<ReturnType<typeof createEmulator>>
  try {
    emulator = await createEmulator(options)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const why = e.code === 'EADDRINUSE'
      ? `port ${command.port} on ${command.host} is already in use (another emulator?); pick another with --port`
      : `could not start: ${e.message}`
    io.stderr.write(`chime-emulator: ${why}\n`)
    return 1
  }
  const stopped = stopRequested(io.signal)
  const { state } = emulator
  const accounts: BannerAccount[] = [...state.accounts.values()].map(a => ({
    AccountId: a.AccountId,
    Name: a.Name,
    Bots: [...state.bots.values()].filter(b => b.AccountId === a.AccountId)
  }))
  const banner: Parameters<typeof formatBanner>[0] = { url: emulator.url, accounts }
  if (command.stateFile !== undefined) banner.stateFile = command.stateFile
  if (command.lambdaEndpoint !== undefined) banner.lambdaEndpoint = command.lambdaEndpoint
  io.stdout.write(formatBanner(banner))
  io.onListening?.(emulator.url)
  const why = await stopped
  io.stdout.write(`\nStopping the emulator (${why})…\n`)
  await emulator.close()
  io.stdout.write(command.stateFile === undefined ? 'Stopped.\n' : `Stopped; state saved to ${command.stateFile}.\n`)
  return 0
}
