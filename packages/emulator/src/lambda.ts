/**
 * How the emulator reaches a bot that is an AWS Lambda function.
 *
 * Two implementations behind one {@link LambdaInvoker} interface:
 * - in-process handlers (`lambdaHandlers: { [arn]: handler }`): the handler is
 *   called like the Node.js Lambda runtime would, with a context whose
 *   `clientContext` is the parsed client context;
 * - any server speaking Lambda's Invoke API (`--lambda-endpoint`): `sam local
 *   start-lambda`, LocalStack, the Runtime Interface Emulator.
 * {@link createLambdaInvoker} combines them: a handler registered for an ARN
 * wins, every other ARN goes to the endpoint.
 */
import { randomUUID } from 'node:crypto'
import { Agent, request, type Dispatcher } from 'undici'
import { describeNetworkError } from './handshake.js'

/** `RequestResponse` waits for the result, `Event` queues it, `DryRun` only checks permission. */
export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun'

/** What an invocation returned. */
export interface LambdaInvokeResult {
  /** 200 (RequestResponse), 202 (Event) or 204 (DryRun), as Lambda answers. */
  statusCode: number
  /** The function's result, parsed from JSON when it is JSON. */
  payload?: unknown
  /** Set when the function threw (`Unhandled`) or reported an error: Lambda's `X-Amz-Function-Error`. */
  functionError?: string
}

/** Options of one invocation. */
export interface InvokeOptions {
  invocationType: InvocationType
  /** Sent base64-encoded JSON in `X-Amz-Client-Context`; handlers see it parsed as `context.clientContext`. */
  clientContext?: object
}

/** Calls Lambda functions by ARN. */
export interface LambdaInvoker {
  /** Grants Chime permission to invoke the function (Lambda AddPermission). Throws {@link LambdaError}. */
  addPermission (arn: string): Promise<void>
  /** Invokes the function. Throws {@link LambdaError} when the call could not be made or Lambda refused it. */
  invoke (arn: string, payload: unknown, options: InvokeOptions): Promise<LambdaInvokeResult>
  /** Releases connections. */
  close (): Promise<void>
}

/** The context an in-process handler receives, as the Node.js Lambda runtime builds it. */
export interface LambdaContext {
  awsRequestId: string
  functionName: string
  functionVersion: string
  invokedFunctionArn: string
  memoryLimitInMB: string
  logGroupName: string
  logStreamName: string
  /** The invocation's client context, parsed (Chime puts the signature here). */
  clientContext?: Record<string, unknown>
  callbackWaitsForEmptyEventLoop: boolean
  getRemainingTimeInMillis (): number
}

/** An in-process Lambda handler: async `(event, context)`, or callback-style with a third argument. */
export type LambdaHandler = (event: any, context: LambdaContext, callback?: (error?: unknown, result?: unknown) => void) => unknown

/** A Lambda call failed; `message` says why in words. */
export class LambdaError extends Error {
  override readonly name = 'LambdaError'
}

/** Minimal logger (pino-compatible). */
export interface LambdaLogger {
  info (obj: object, msg: string): void
  warn (obj: object, msg: string): void
}

const ARN = /^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]{1,128}))?$/
/** How long a function may run, as the in-process context reports it (Lambda's default timeout). */
const IN_PROCESS_TIMEOUT_MS = 3000

/** The parts of a Lambda function ARN. */
export interface LambdaArn {
  region: string
  accountId: string
  functionName: string
  qualifier?: string
}

/**
 * Parses `arn:aws:lambda:<region>:<12-digit account>:function:<name>[:<qualifier>]`;
 * returns undefined for anything else.
 */
export function parseLambdaArn (arn: string): LambdaArn | undefined {
  const match = ARN.exec(arn)
  if (match === null) return undefined
  const [, region, accountId, functionName, qualifier] = match as unknown as [string, string, string, string, string | undefined]
  return qualifier === undefined ? { region, accountId, functionName } : { region, accountId, functionName, qualifier }
}

function requireArn (arn: string): LambdaArn {
  const parsed = parseLambdaArn(arn)
  if (parsed === undefined) {
    throw new LambdaError(`'${arn}' is not a Lambda function ARN; expected arn:aws:lambda:<region>:<12-digit account id>:function:<name>.`)
  }
  return parsed
}

/** Calls in-process handler functions by ARN, the way the Node.js Lambda runtime calls them. */
export function createInProcessLambdaInvoker (handlers: Record<string, LambdaHandler>, options: { now?: () => number } = {}): LambdaInvoker {
  for (const [arn, handler] of Object.entries(handlers)) {
    requireArn(arn)
    if (typeof handler !== 'function') {
      throw new TypeError(`lambdaHandlers['${arn}'] must be a function (event, context) => result; got ${typeof handler}.`)
    }
  }
  const now = options.now ?? Date.now
  const handlerFor = (arn: string): LambdaHandler => {
    const handler = handlers[arn]
    if (handler === undefined) throw new LambdaError(`No in-process handler is registered for ${arn}.`)
    return handler
  }
  return {
    async addPermission (arn) { handlerFor(arn) },
    async invoke (arn, payload, { invocationType, clientContext }) {
      const handler = handlerFor(arn)
      if (invocationType === 'DryRun') return { statusCode: 204 }
      const { functionName } = requireArn(arn)
      const deadline = now() + IN_PROCESS_TIMEOUT_MS
      const context: LambdaContext = {
        awsRequestId: randomUUID(),
        functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: arn,
        memoryLimitInMB: '128',
        logGroupName: `/aws/lambda/${functionName}`,
        logStreamName: 'chime-emulator',
        callbackWaitsForEmptyEventLoop: true,
        getRemainingTimeInMillis: () => Math.max(0, deadline - now())
      }
      if (clientContext !== undefined) context.clientContext = JSON.parse(JSON.stringify(clientContext)) as Record<string, unknown>
      const event = JSON.parse(JSON.stringify(payload ?? null)) as unknown
      const run = callHandler(handler, event, context)
      if (invocationType === 'Event') {
        run.catch(() => {})
        return { statusCode: 202 }
      }
      try {
        return { statusCode: 200, payload: await run }
      } catch (error) {
        const err = error as { name?: string, message?: string }
        return { statusCode: 200, functionError: 'Unhandled', payload: { errorType: err?.name ?? 'Error', errorMessage: err?.message ?? String(error) } }
      }
    },
    async close () {}
  }
}

async function callHandler (handler: LambdaHandler, event: unknown, context: LambdaContext): Promise<unknown> {
  if (handler.length >= 3) {
    return await new Promise((resolve, reject) => {
      const callback = (error?: unknown, result?: unknown): void => { error === undefined || error === null ? resolve(result) : reject(error) }
      Promise.resolve(handler(event, context, callback)).catch(reject)
    })
  }
  return await handler(event, context)
}

/** Options of {@link createHttpLambdaInvoker}. */
export interface HttpLambdaOptions {
  /** Base URL of a Lambda Invoke API, e.g. `http://127.0.0.1:3001` (`sam local start-lambda`). */
  endpoint: string
  /** Per-request timeout in ms. Default 10000. */
  timeoutMs?: number
  log?: LambdaLogger
}

/**
 * Calls functions through Lambda's HTTP API: AddPermission
 * (`POST /2015-03-31/functions/{name}/policy`) and Invoke
 * (`POST /2015-03-31/functions/{name}/invocations` with `X-Amz-Invocation-Type`
 * and `X-Amz-Client-Context`). Functions are addressed by name. A 404 on
 * AddPermission that is not Lambda's ResourceNotFoundException means the
 * server does not implement AddPermission (`sam local` does not): it is
 * skipped with a log line.
 */
export function createHttpLambdaInvoker (options: HttpLambdaOptions): LambdaInvoker {
  let base: URL
  try {
    base = new URL(options.endpoint)
  } catch {
    throw new TypeError(`lambdaEndpoint must be a URL such as http://127.0.0.1:3001; got '${options.endpoint}'.`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`lambdaEndpoint must be an http:// or https:// URL; got '${options.endpoint}'.`)
  }
  const timeoutMs = options.timeoutMs ?? 10_000
  const agent = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
  const url = (name: string, tail: string): string => new URL(`2015-03-31/functions/${encodeURIComponent(name)}/${tail}`, base.href.endsWith('/') ? base.href : `${base.href}/`).href
  const call = async (target: string, headers: Record<string, string>, body: string): Promise<{ statusCode: number, headers: Dispatcher.ResponseData['headers'], text: string }> => {
    try {
      const response = await request(target, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) })
      return { statusCode: response.statusCode, headers: response.headers, text: await response.body.text() }
    } catch (error) {
      throw new LambdaError(`The Lambda endpoint ${options.endpoint} could not be reached: ${describeNetworkError(error, timeoutMs)}`)
    }
  }
  return {
    async addPermission (arn) {
      const { functionName } = requireArn(arn)
      const response = await call(url(functionName, 'policy'), {}, JSON.stringify({
        StatementId: `chime-emulator-${randomUUID()}`,
        Action: 'lambda:InvokeFunction',
        Principal: 'chime.amazonaws.com'
      }))
      const errorType = lambdaErrorType(response.headers, response.text)
      if (response.statusCode === 201 || response.statusCode === 200) return
      if (response.statusCode === 409) return // the statement exists already
      if (response.statusCode === 404 && errorType !== 'ResourceNotFoundException') {
        options.log?.info({ functionName, endpoint: options.endpoint }, 'the Lambda endpoint does not implement AddPermission (as sam local); skipping it')
        return
      }
      throw new LambdaError(`Lambda AddPermission for ${functionName} failed with HTTP ${response.statusCode}${errorType === undefined ? '' : ` ${errorType}`}: ${excerpt(response.text)}`)
    },
    async invoke (arn, payload, { invocationType, clientContext }) {
      const { functionName } = requireArn(arn)
      const headers: Record<string, string> = { 'x-amz-invocation-type': invocationType }
      if (clientContext !== undefined) headers['x-amz-client-context'] = Buffer.from(JSON.stringify(clientContext)).toString('base64')
      const response = await call(url(functionName, 'invocations'), headers, JSON.stringify(payload ?? {}))
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const errorType = lambdaErrorType(response.headers, response.text)
        throw new LambdaError(`Lambda Invoke (${invocationType}) of ${functionName} failed with HTTP ${response.statusCode}${errorType === undefined ? '' : ` ${errorType}`}: ${excerpt(response.text)}`)
      }
      const result: LambdaInvokeResult = { statusCode: response.statusCode }
      if (response.text !== '') result.payload = parseMaybeJson(response.text)
      const functionError = response.headers['x-amz-function-error']
      if (typeof functionError === 'string') result.functionError = functionError
      return result
    },
    async close () { await agent.close() }
  }
}

/** Options of {@link createLambdaInvoker}. */
export interface LambdaInvokerOptions {
  handlers?: Record<string, LambdaHandler>
  endpoint?: string
  timeoutMs?: number
  log?: LambdaLogger
}

/**
 * The invoker the emulator uses: an in-process handler registered for the
 * ARN wins; otherwise the Lambda endpoint; with neither, calls fail with a
 * {@link LambdaError} that says how to configure one.
 */
export function createLambdaInvoker (options: LambdaInvokerOptions = {}): LambdaInvoker {
  const handlers = options.handlers ?? {}
  const local = createInProcessLambdaInvoker(handlers)
  const remote = options.endpoint === undefined ? undefined : createHttpLambdaInvoker({ endpoint: options.endpoint, timeoutMs: options.timeoutMs, log: options.log })
  const pick = (arn: string): LambdaInvoker => {
    if (Object.hasOwn(handlers, arn)) return local
    if (remote !== undefined) return remote
    requireArn(arn)
    throw new LambdaError(`No Lambda is configured for ${arn}. Start the emulator with --lambda-endpoint <url of a Lambda Invoke API, e.g. sam local start-lambda on http://127.0.0.1:3001>, or pass lambdaHandlers: { '${arn}': handler } to createEmulator.`)
  }
  return {
    addPermission: async (arn) => { await pick(arn).addPermission(arn) },
    invoke: async (arn, payload, invokeOptions) => await pick(arn).invoke(arn, payload, invokeOptions),
    close: async () => { await remote?.close() }
  }
}

function lambdaErrorType (headers: Dispatcher.ResponseData['headers'], text: string): string | undefined {
  const header = headers['x-amzn-errortype']
  if (typeof header === 'string') return header.split(':')[0]
  const body = parseMaybeJson(text) as { Type?: unknown, __type?: unknown } | undefined
  const type = body?.__type ?? body?.Type
  return typeof type === 'string' && type !== 'User' ? type.split('#').pop() : undefined
}

function parseMaybeJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function excerpt (text: string): string {
  if (text === '') return '(empty body)'
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}
