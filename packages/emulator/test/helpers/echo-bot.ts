/**
 * A tiny Chime bot on node:http, written the way the protocol reference
 * describes (no plugin): answers the verification challenge, checks the
 * signature with `verifyChimeSignature`, acks, and echoes Mentions through
 * the event's webhook URL.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { verifyChimeSignature } from 'fastify-chime-bot'

export interface EchoBot {
  url: string
  /** Every verified event, parsed. */
  events: Array<Record<string, any>>
  /** Status codes of the bot's replies to the webhook. */
  replyStatuses: number[]
  /** Changes the token the bot verifies with (after a regeneration). */
  setToken: (token: string) => void
  close: () => Promise<void>
}

export async function startEchoBot (token = ''): Promise<EchoBot> {
  let securityToken = token
  const events: Array<Record<string, any>> = []
  const replyStatuses: number[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8')
      const body = JSON.parse(rawBody) as Record<string, any>
      if (body.EventType === 'HTTPSEndpointVerification') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Challenge: body.Challenge }))
        return
      }
      const ok = verifyChimeSignature({
        securityToken,
        timestamp: req.headers['chime-request-timestamp'] as string | undefined,
        signature: req.headers['chime-signature'] as string | undefined,
        rawBody
      })
      if (!ok) {
        res.writeHead(401).end()
        return
      }
      events.push(body)
      res.writeHead(200).end()
      if (body.EventType === 'Mention') {
        const text = String(body.Message).replace(/^@\S+\s*/, '')
        void request(body.InboundHttpsEndpoint.Url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Content: `echo: ${text}` }) })
          .then(async r => { replyStatuses.push(r.statusCode); await r.body.text() })
      }
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/chime`,
    events,
    replyStatuses,
    setToken: t => { securityToken = t },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
