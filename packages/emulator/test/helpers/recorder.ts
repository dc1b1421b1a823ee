/**
 * A scriptable stand-in for a bot's HTTPS endpoint (node:http, real socket):
 * records every request with its exact raw body and answers as told.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  headers: IncomingHttpHeaders
  rawBody: string
  receivedAt: number
}

export type Responder = (req: RecordedRequest, res: ServerResponse, index: number) => void

export interface Recorder {
  url: string
  requests: RecordedRequest[]
  /** Changes how the next requests are answered. */
  respond: (responder: Responder) => void
  /** Resolves once `count` requests have arrived. */
  waitFor: (count: number) => Promise<RecordedRequest[]>
  close: () => Promise<void>
}

export const answer = (status: number, body = ''): Responder => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body)
}

export async function startRecorder (responder: Responder = answer(200, '{}')): Promise<Recorder> {
  const requests: RecordedRequest[] = []
  const waiters: Array<{ count: number, resolve: (r: RecordedRequest[]) => void }> = []
  let current = responder
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const recorded = { headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), receivedAt: performance.now() }
      requests.push(recorded)
      current(recorded, res, requests.length - 1)
      for (const w of [...waiters]) {
        if (requests.length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(requests.slice())
        }
      }
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/chime`,
    requests,
    respond: r => { current = r },
    waitFor: async count => requests.length >= count
      ? requests.slice()
      : await new Promise(resolve => waiters.push({ count, resolve })),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
