import t from 'tap'
import { createServer as createHttpsServer } from 'node:https'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { createEndpointVerifier, describeNetworkError, parseEndpointUrl } from '../src/handshake.js'
import { AUTH, startApi, startEndpoint, type EndpointHandler } from './helpers/api.js'

const reply = (status: number, body: string, contentType = 'application/json'): EndpointHandler => (_b, _req, res) => {
  res.writeHead(status, { 'content-type': contentType }).end(body)
}

t.test('each kind of failed handshake gives a BadRequestException that says what went wrong, and the old configuration stays', async t => {
  const { app, state } = await startApi(t, { handshake: { timeoutMs: 300 } }, false)
  const account = state.createAccount({ Name: 'Acme' })
  const bot = state.createBot(account.AccountId, { DisplayName: 'EchoBot' })
  const good = await startEndpoint(t)
  const path = `/accounts/${account.AccountId}/bots/${bot.BotId}/events-configuration`
  const put = async (endpoint: string): Promise<{ statusCode: number, headers: Record<string, unknown>, json: () => any }> =>
    await app.inject({ method: 'PUT', url: path, headers: { authorization: AUTH, 'content-type': 'application/json' }, payload: { OutboundEventsHTTPSEndpoint: endpoint } })

  t.equal((await put(good.url)).statusCode, 201)
  const before = { ...state.eventsConfigurations.get(bot.BotId) }

  const bad = await startEndpoint(t)
  const cases: Array<[string, EndpointHandler | string, RegExp]> = [
    ['a non-200 status', reply(500, 'Internal Server Error: database down'), /answered HTTP 500 with the body: Internal Server Error: database down/],
    ['an empty non-200 answer', reply(404, ''), /answered HTTP 404 with an empty body/],
    ['a long body', reply(403, 'x'.repeat(500)), /answered HTTP 403 with the body: x{200}…/],
    ['a non-JSON content type', reply(200, 'hello', 'text/plain'), /Content-Type 'text\/plain' instead of application\/json \(body: hello\)/],
    ['no content type', (_b, _r, res) => { res.removeHeader('content-type'); res.writeHead(200).end('') }, /Content-Type '\(none\)' .*\(body: \(empty\)\)/],
    ['a body that is not JSON', reply(200, '{oops'), /not valid JSON: \{oops/],
    ['an empty JSON answer', reply(200, ''), /not valid JSON: \(empty body\)/],
    ['JSON without Challenge', reply(200, '{"ok":true}'), /no "Challenge" property/],
    ['JSON that is not an object', reply(200, '"text"'), /no "Challenge" property/],
    ['a wrong challenge', reply(200, '{"Challenge":"00000000000000000000"}'), /echoed the challenge "00000000000000000000" but was sent "[A-Za-z0-9_-]{32}"/],
    ['a timeout', () => { /* never answers */ }, /did not answer within 300 ms \(timeout\)/],
    ['a refused connection', 'refused', /connection was refused/],
    ['a URL that is not http', 'ftp://127.0.0.1/bot', /must start with https:\/\//],
    ['a string that is not a URL', 'not a url', /is not a URL/]
  ]
  for (const [what, handler, message] of cases) {
    let target = bad.url
    if (handler === 'refused') target = 'http://127.0.0.1:9/' // nothing listens on the discard port
    else if (typeof handler === 'string') target = handler
    else bad.setHandler(handler)
    const res = await put(target)
    t.equal(res.statusCode, 400, `${what}: 400`)
    t.equal(res.headers['x-amzn-errortype'], 'BadRequestException', `${what}: error type header`)
    t.equal(res.json().Code, 'BadRequest')
    t.match(res.json().Message, message, `${what}: the message explains it`)
    t.same(state.eventsConfigurations.get(bot.BotId), before, `${what}: the previous configuration is kept`)
  }
})

const dir = mkdtempSync(join(tmpdir(), 'chime-tls-'))
const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

t.test('an https endpoint with a self-signed certificate is refused unless trustSelfSigned is set', { skip: hasOpenssl ? false : 'openssl is not available to make a test certificate' }, async t => {
  const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    let text = ''
    req.on('data', c => { text += String(c) })
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Challenge: JSON.parse(text).Challenge })) })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/chime`

  const strict = createEndpointVerifier()
  t.teardown(() => strict.close())
  await t.rejects(strict.verify(url), { name: 'BadRequestException', message: /TLS certificate was not accepted .*trustSelfSigned/ })

  const trusting = createEndpointVerifier({ trustSelfSigned: true })
  t.teardown(() => trusting.close())
  await t.resolves(trusting.verify(url))
})

t.test('describeNetworkError names each network failure in words', async t => {
  t.match(describeNetworkError({ code: 'ENOTFOUND' }, 2000), /host name could not be resolved/)
  t.match(describeNetworkError({ cause: { code: 'ECONNRESET' } }, 2000), /closed before an answer/)
  t.match(describeNetworkError({ code: 'UND_ERR_HEADERS_TIMEOUT' }, 2000), /within 2000 ms/)
  t.match(describeNetworkError({ message: 'weird' }, 2000), /request failed \(weird\)/)
  t.match(describeNetworkError('boom', 2000), /request failed \(boom\)/)
})

t.test('handshake options and URLs are validated', async t => {
  t.throws(() => createEndpointVerifier({ timeoutMs: 0 }), /positive whole number of milliseconds; got 0/)
  t.equal(parseEndpointUrl('http://127.0.0.1:3000/chime').port, '3000', 'http:// is allowed for local endpoints')
  t.throws(() => parseEndpointUrl('mailto:a@b.c'), { name: 'BadRequestException', statusCode: 400 })
})
