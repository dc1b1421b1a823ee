// Shared test fixtures for the receive side: realistic events, an independent
// reference signature (node:crypto straight from the protocol text) and a
// logger that records what it is told.
import { createHmac } from 'node:crypto'
import type { ChimeLogger, InviteEvent, MentionEvent, RemoveEvent } from '../src/core/types.js'
import type { LambdaContextLike } from '../src/adapters/lambda.js'

export const TOKEN = 'test-security-token-1'

/** Chime-Signature computed independently of src/core/signature.ts. */
export function referenceSignature (token: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', Buffer.from(token, 'utf8'))
    .update(Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]))
    .digest('base64')
}

/** Headers of a signed request, lower-case as Node exposes them. */
export function signedHeaders (body: string | Buffer, token = TOKEN, timestamp = new Date().toISOString()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'chime-request-timestamp': timestamp,
    'chime-signature': referenceSignature(token, timestamp, body)
  }
}

const sender = { SenderId: 'alice@example.com', SenderIdType: 'EmailId' }
const discussion = { DiscussionId: 'room-1f2e3d', DiscussionType: 'Room' }

export function invite (overrides: Partial<InviteEvent> = {}): InviteEvent {
  return {
    Sender: sender,
    Discussion: discussion,
    EventType: 'Invite',
    InboundHttpsEndpoint: { EndpointType: 'Persistent', Url: 'https://hooks.chime.aws/incomingwebhooks/abc?token=xyz' },
    EventTimestamp: '2019-04-04T21:27:52.736Z',
    ...overrides
  }
}

export function mention (message = '@EchoBot@example.com Hello Chatbot', overrides: Partial<MentionEvent> = {}): MentionEvent {
  return {
    Sender: sender,
    Discussion: discussion,
    EventType: 'Mention',
    Message: message,
    InboundHttpsEndpoint: { EndpointType: 'ShortLived', Url: 'https://hooks.chime.aws/incomingwebhooks/short?token=abc' },
    EventTimestamp: '2019-04-04T21:30:43.181Z',
    ...overrides
  }
}

export function remove (overrides: Partial<RemoveEvent> = {}): RemoveEvent {
  return { Sender: sender, Discussion: discussion, EventType: 'Remove', EventTimestamp: '2019-04-04T21:40:00.000Z', ...overrides }
}

export interface LogLine { level: 'debug' | 'info' | 'warn' | 'error', obj: unknown, msg: string | undefined }

/** A ChimeLogger that keeps every line. */
export function recordingLogger (): ChimeLogger & { lines: LogLine[], find (level: LogLine['level'], pattern: RegExp): LogLine | undefined } {
  const lines: LogLine[] = []
  const at = (level: LogLine['level']) => (obj: unknown, msg?: string) => { lines.push({ level, obj, msg }) }
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    find: (level, pattern) => lines.find(l => l.level === level && pattern.test(l.msg ?? ''))
  }
}

/** Resolves after pending setImmediate callbacks (the ack-'immediate' dispatch) and their promises ran. */
export async function settle (): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise(resolve => setImmediate(resolve))
}

/** A promise with its resolve function outside. */
export function deferred<T = void> (): { promise: Promise<T>, resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>(r => { resolve = r })
  return { promise, resolve }
}

/** The `awsRequestId` of {@link lambdaContext}. */
export const LAMBDA_REQUEST_ID = '8f5e3b2a-7c1d-4e6f-9a0b-1c2d3e4f5a6b'

/** A context object as the Node.js Lambda runtime builds it, with the invocation's remaining time. */
export function lambdaContext (clientContext?: unknown, remainingMs = 2900): LambdaContextLike {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'chime-bot',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:chime-bot',
    memoryLimitInMB: '128',
    awsRequestId: LAMBDA_REQUEST_ID,
    logGroupName: '/aws/lambda/chime-bot',
    logStreamName: '2026/11/25/[$LATEST]0123456789abcdef',
    identity: undefined,
    clientContext,
    getRemainingTimeInMillis: () => remainingMs
  }
}

/** The client context Chime sends with a direct Lambda invocation: the payload's signature headers, signed independently. */
export function chimeClientContext (payload: unknown, token = TOKEN, timestamp = new Date().toISOString()): Record<string, string> {
  return { 'Chime-Signature': referenceSignature(token, timestamp, JSON.stringify(payload)), 'Chime-Request-Timestamp': timestamp }
}
