/**
 * `chime-emulator`: start an emulator, or talk to a running one.
 * `main(argv)` never exits the process; it resolves to the exit code
 * (0 ok, 1 runtime failure, 2 the command line was wrong), so it can be
 * tested in-process. `bin/chime-emulator.js` sets `process.exitCode` from it.
 */
import { parseCommandLine, UsageError } from './cli/args.js'
import { ClientError, runClientCommand, type Output } from './cli/client.js'
import { helpText, version } from './cli/help.js'
import { serve } from './cli/serve.js'

/** Where `main` writes and what stops a started emulator (tests pass their own). */
export interface CliOptions {
  stdout?: Output
  stderr?: Output
  /** Aborting it stops a started emulator, like Ctrl+C. SIGINT and SIGTERM always do. */
  signal?: AbortSignal
  /** Called with the emulator's base URL once it listens. */
  onListening?: (url: string) => void
}

/** Runs the command line `argv` (without `node` and the script) and resolves to the exit code. */
export async function main (argv: string[], options: CliOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout
  const stderr = options.stderr ?? process.stderr
  try {
    const command = parseCommandLine(argv)
    switch (command.command) {
      case 'help':
        stdout.write(helpText(command.topic))
        return 0
      case 'version':
        stdout.write(version() + '\n')
        return 0
      case 'serve':
        return await serve(command, { stdout, stderr, signal: options.signal, onListening: options.onListening })
      default:
        await runClientCommand(command, stdout)
        return 0
    }
  } catch (err) {
    if (err instanceof UsageError) {
      stderr.write(`chime-emulator: ${err.message} (see chime-emulator --help)\n`)
      return 2
    }
    if (err instanceof ClientError) {
      stderr.write(`chime-emulator: ${err.message}\n`)
      return 1
    }
    throw err
  }
}
