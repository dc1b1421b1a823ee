// A tiny Chime incoming-webhook stand-in on a real socket (127.0.0.1, random port)
// for the reply tests: it records every request with its arrival time and
// answers from a per-webhook script (status, Retry-After, delay, hang, reset).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ChimeReplyError } from '../src/core/reply/failure.js'

export interface ScriptedAnswer {
  status?: number
  headers?: Record<string, string>
  /** Answer after this many ms. */
  delayMs?: number
  /** Never answer (until the server closes). */
  hang?: boolean
  /** Destroy the socket instead of answering. */
  reset?: boolean
}

export interface RecordedRequest {
  at: number
  webhookId: string
  token: string | null
  contentType: string | undefined
  raw: string
  bytes: number
  content: string
}

export interface WebhookServer {
  origin: string
  requests: RecordedRequest[]
  /** The webhook URL for an id, as Chime would hand it out. */
  url: (webhookId: string, token?: string) => string
  /** Answers for the next requests to this webhook, in order; afterwards 200. */
  script: (webhookId: string, ...answers: ScriptedAnswer[]) => void
  /** Requests received for one webhook. */
  to: (webhookId: string) => RecordedRequest[]
  /** Resolves once `count` requests have been received in total. */
  waitFor: (count: number) => Promise<void>
  close: () => Promise<void>
}

export async function startWebhookServer (): Promise<WebhookServer> {
  const requests: RecordedRequest[] = []
  const scripts = new Map<string, ScriptedAnswer[]>()
  const waiters: Array<{ count: number, resolve: () => void }> = []
  const hanging = new Set<ServerResponse>()

  function answer (req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const webhookId = url.pathname.split('/').pop() ?? ''
    let content = ''
    try {
      content = (JSON.parse(raw) as { Content: string }).Content
    } catch {}
    requests.push({
      at: Date.now(),
      webhookId,
      token: url.searchParams.get('token'),
      contentType: req.headers['content-type'],
      raw,
      bytes: Buffer.byteLength(raw),
      content
    })
    for (const waiter of waiters.filter(w => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.resolve()
    }
    const next = scripts.get(webhookId)?.shift() ?? {}
    if (next.reset === true) {
      req.socket.destroy()
      return
    }
    if (next.hang === true) {
      hanging.add(res)
      return
    }
    const send = (): void => {
      res.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers })
      res.end((next.status ?? 200) < 300 ? '{}' : '{"Code":"Error","Message":"scripted"}')
    }
    if (next.delayMs !== undefined) setTimeout(send, next.delayMs)
    else send()
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`

  return {
    origin,
    requests,
    url: (webhookId, token = 'secret-token') => `${origin}/incomingwebhooks/${webhookId}?token=${token}`,
    script: (webhookId, ...answers) => {
      scripts.set(webhookId, [...(scripts.get(webhookId) ?? []), ...answers])
    },
    to: webhookId => requests.filter(r => r.webhookId === webhookId),
    waitFor: count => requests.length >= count
      ? Promise.resolve()
      : new Promise(resolve => { waiters.push({ count, resolve }) }),
    close: async () => {
      for (const res of hanging) res.socket?.destroy()
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

/** The gaps in ms between consecutive requests. */
export function gaps (requests: RecordedRequest[]): number[] {
  return requests.slice(1).map((r, i) => r.at - (requests[i] as RecordedRequest).at)
}

/** The error a promise rejects with (a reply that must fail); throws if it resolves instead. */
export async function rejection (promise: Promise<unknown>): Promise<ChimeReplyError> {
  try {
    await promise
  } catch (error) {
    return error as ChimeReplyError
  }
  throw new Error('expected the promise to reject')
}
