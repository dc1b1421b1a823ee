/**
 * Runs the echo bot (examples/echo-bot) as a child process, the way a person
 * would run their own bot: `node dist/main.js` with its token in the
 * environment. Its log lines are shown indented, one short line each.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { fileURLToPath } from 'node:url'

/** The echo bot's entry point, built by `tsc -b examples/echo-bot`. */
export const ECHO_BOT_MAIN = fileURLToPath(new URL('../../echo-bot/dist/main.js', import.meta.url))

/** A free TCP port on 127.0.0.1 (the OS picks one; we release it for the bot). */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function canConnect (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

/** The running bot process and what it printed. */
export interface BotProcess {
  child: ChildProcess
  url: string
  /** Every line it printed, for the error report if something fails. */
  output: string[]
  stop (): Promise<void>
}

/** Formats one pino JSON log line of the bot for people; skips per-request noise. */
function describeLogLine (line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: string, req?: unknown, res?: unknown, level?: number }
    if (entry.req !== undefined || entry.res !== undefined || entry.msg === undefined) return undefined
    return entry.msg
  } catch {
    return line
  }
}

/**
 * Starts the echo bot on `port` with `token`, waits until it accepts
 * connections (at most `timeoutMs`), and returns it.
 */
export async function startEchoBot (token: string, port: number, show: (line: string) => void, timeoutMs = 10_000): Promise<BotProcess> {
  const output: string[] = []
  const child = spawn(process.execPath, [ECHO_BOT_MAIN], {
    env: { ...process.env, CHIME_BOT_SECURITY_TOKEN: token, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(l => l.trim() !== '')) {
      output.push(line)
      const text = describeLogLine(line)
      if (text !== undefined) show(text)
    }
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(timer)
  }

  const deadline = Date.now() + timeoutMs
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) {
      throw new Error(`the echo bot exited with code ${child.exitCode} before listening:\n${output.join('\n')}`)
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the echo bot did not listen on port ${port} within ${timeoutMs} ms:\n${output.join('\n')}`)
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return { child, url: `http://127.0.0.1:${port}/chime`, output, stop }
}
