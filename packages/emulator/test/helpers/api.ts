/**
 * Test helpers for the AWS API: a Fastify app with `awsApi` on a real
 * socket, an SDK client pointed at it, and a tiny bot endpoint that answers
 * (or fails) the verification challenge.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ChimeClient } from '@aws-sdk/client-chime'
import { awsApi, type AwsApiOptions } from '../../src/api/index.js'
import { EmulatorState } from '../../src/state.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

/** A SigV4-shaped Authorization header for `fastify.inject` calls. */
export const AUTH = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20260101/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`

export interface ApiHarness {
  app: FastifyInstance
  state: EmulatorState
  url: string
  client: ChimeClient
}

/** Starts `awsApi` on 127.0.0.1:0 with a fresh state. */
export async function startApi (t: Teardown, options: Partial<AwsApiOptions> = {}, listen = true): Promise<ApiHarness> {
  const state = options.state ?? new EmulatorState()
  const app = Fastify()
  await app.register(awsApi, { ...options, state })
  t.teardown(() => app.close())
  const url = listen ? await app.listen({ port: 0, host: '127.0.0.1' }) : 'http://127.0.0.1:1'
  const client = new ChimeClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 })
  t.teardown(() => client.destroy())
  return { app, state, url, client }
}

export type EndpointHandler = (body: any, req: IncomingMessage, res: ServerResponse) => void

/** A bot endpoint that echoes the challenge correctly. */
export const echoChallenge: EndpointHandler = (body, _req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Challenge: body.Challenge }))
}

/** A node:http endpoint on 127.0.0.1; records the parsed bodies it received. */
export async function startEndpoint (t: Teardown, handler: EndpointHandler = echoChallenge): Promise<{ url: string, received: any[], setHandler: (h: EndpointHandler) => void }> {
  const received: any[] = []
  let current = handler
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const body = text === '' ? undefined : JSON.parse(text)
      received.push({ body, headers: req.headers })
      current(body, req, res)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/chime`, received, setHandler: (h) => { current = h } }
}
