#!/usr/bin/env node
// Throughput of the fastify-chime-bot route against a bare Fastify JSON route.
//
//   node bench/plugin.mjs            (after `npx tsc -b packages/plugin`)
//
// The server runs in a child process (so the load generator's work never
// shows in its CPU figures) with three routes:
//   POST /bare   Fastify's own JSON parsing, returns a small JSON object;
//   POST /min    the minimum work any correct receiver must do, hand-written:
//                raw body, HMAC-SHA256 of timestamp|body compared with the
//                header, SHA-256 of the body (the duplicate key), JSON.parse,
//                a fixed JSON answer — no validation, no dedupe store, no
//                dispatch, no error handling;
//   POST /chime  the plugin, no-op Mention handler.
// autocannon drives each route in turn with 50 connections, alternating,
// several rounds. Every request carries a distinct ~1 KB Mention
// body (a counter in the text) signed beforehand with a fresh timestamp, so
// the plugin does its full work (signature, parse, validation, dedupe insert,
// dispatch) on every request; both routes receive exactly the same bytes.
// Environment: BENCH_SECONDS (per round, default 5), BENCH_ROUNDS (default 3),
// BENCH_CONNECTIONS (default 50), BENCH_CPU_PROF=<dir> (write a V8 CPU profile of the server there).
import { fork } from 'node:child_process'
import crypto from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const pluginDist = new URL('../packages/plugin/dist/index.js', import.meta.url)
const TOKEN = 'bench-security-token'
const WARMUP_SECONDS = 2

if (process.argv[2] === '--server') {
  await server()
} else {
  await main()
}

async function server () {
  const fastifyPath = require.resolve('fastify', { paths: [fileURLToPath(new URL('../packages/plugin/', import.meta.url))] })
  const { default: Fastify } = await import(fastifyPath)
  const { default: chimeBot } = await import(pluginDist)
  const app = Fastify({ logger: false })
  app.post('/bare', async (request) => ({ ok: true, type: request.body.EventType }))
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })
    scope.post('/min', (request, reply) => {
      const mac = crypto.createHmac('sha256', TOKEN)
      mac.update(request.headers['chime-request-timestamp']).update('|').update(request.body)
      if (mac.digest('base64') !== request.headers['chime-signature']) throw new Error('bad signature')
      const key = crypto.hash('sha256', request.body, 'base64')
      const event = JSON.parse(request.body.toString())
      reply.code(200).header('content-type', 'application/json; charset=utf-8')
      reply.send(key.length > 0 && event.EventType === 'Mention' ? '{"ok":true}' : '{"ok":false}')
    })
  })
  await app.register(chimeBot, { path: '/chime', securityToken: TOKEN })
  let handled = 0
  app.chime.on('Mention', () => { handled++ })
  await app.listen({ port: 0, host: '127.0.0.1' })
  let mark = process.cpuUsage()
  process.on('message', (msg) => {
    if (msg === 'mark') {
      mark = process.cpuUsage()
      process.send({ handled })
    } else if (msg === 'cpu') {
      const used = process.cpuUsage(mark)
      process.send({ cpuMicros: used.user + used.system, handled })
    } else if (msg === 'stop') {
      app.close().then(() => process.exit(0))
    }
  })
  process.send({ port: app.server.address().port })
}

function ask (child, msg) {
  return new Promise(resolve => { child.once('message', resolve); child.send(msg) })
}

function mentionBodies (count) {
  const { signChimeRequest } = globalThis.chimePlugin
  const padding = 'lorem ipsum dolor sit amet '.repeat(26)
  const stamp = new Date().toISOString()
  const bodies = new Array(count)
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify({
      Sender: { SenderId: 'someone@example.com', SenderIdType: 'EmailId' },
      Discussion: { DiscussionId: 'f3a1c0de-0000-4000-8000-000000000001', DiscussionType: 'Room' },
      EventType: 'Mention',
      Message: `@BenchBot@example.com request ${i} ${padding}`,
      InboundHttpsEndpoint: { EndpointType: 'ShortLived', Url: 'https://hooks.chime.aws/incomingwebhooks/abc?token=xyz' },
      EventTimestamp: stamp
    })
    const signed = signChimeRequest(TOKEN, body, stamp)
    bodies[i] = {
      body,
      headers: {
        'content-type': 'application/json',
        'chime-request-timestamp': signed['Chime-Request-Timestamp'],
        'chime-signature': signed['Chime-Signature']
      }
    }
  }
  return bodies
}

async function main () {
  const autocannon = require('autocannon')
  globalThis.chimePlugin = await import(pluginDist)
  const seconds = Number(process.env.BENCH_SECONDS ?? 5)
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)

  // Enough distinct bodies for every plugin request of the run (a generous upper
  // bound on its rate). The bare route reuses them: it does not care.
  const maxRps = Number(process.env.BENCH_MAX_RPS ?? 40000)
  const pool = mentionBodies(maxRps * (seconds * rounds + 2 * WARMUP_SECONDS))
  console.log(`pre-signed ${pool.length} distinct ${Buffer.byteLength(pool[0].body)}-byte Mention bodies`)
  const cursor = { '/bare': 0, '/min': 0, '/chime': 0 }

  const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv })
  const { port } = await new Promise(resolve => child.once('message', resolve))

  async function measure (path, duration) {
    await ask(child, 'mark')
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections,
      duration,
      requests: [{
        method: 'POST',
        path,
        setupRequest (req) {
          const item = pool[cursor[path]++ % pool.length]
          return { ...req, body: item.body, headers: item.headers }
        }
      }]
    })
    const { cpuMicros, handled } = await ask(child, 'cpu')
    const total = result.requests.total
    if (path === '/chime' && cursor[path] > pool.length) {
      console.error('  the pool of distinct bodies ran out: raise BENCH_MAX_RPS (later plugin requests were duplicates)')
    }
    if (result.non2xx > 0 || result.errors > 0) {
      console.error(`  ${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
    }
    return { rps: total / duration, cpuPerRequest: cpuMicros / total, handled }
  }

  // Warm both routes up (JIT), then alternate.
  await measure('/bare', WARMUP_SECONDS)
  await measure('/min', WARMUP_SECONDS)
  await measure('/chime', WARMUP_SECONDS)
  const bare = []
  const minimum = []
  const plugin = []
  for (let r = 0; r < rounds; r++) {
    const b = await measure('/bare', seconds)
    const m = await measure('/min', seconds)
    const p = await measure('/chime', seconds)
    bare.push(b)
    minimum.push(m)
    plugin.push(p)
    console.log(`round ${r + 1}: bare ${b.rps.toFixed(0)} rps (${b.cpuPerRequest.toFixed(1)} µs CPU/req), ` +
      `minimum ${m.rps.toFixed(0)} rps (${m.cpuPerRequest.toFixed(1)} µs), ` +
      `plugin ${p.rps.toFixed(0)} rps (${p.cpuPerRequest.toFixed(1)} µs)`)
  }
  const { handled } = await ask(child, 'cpu')
  child.send('stop')

  const mean = (list, key) => list.reduce((s, x) => s + x[key], 0) / list.length
  const bareRps = mean(bare, 'rps')
  const minRps = mean(minimum, 'rps')
  const pluginRps = mean(plugin, 'rps')
  const bareCpu = mean(bare, 'cpuPerRequest')
  const minCpu = mean(minimum, 'cpuPerRequest')
  const pluginCpu = mean(plugin, 'cpuPerRequest')
  console.log('')
  console.log(`bare Fastify JSON route      : ${bareRps.toFixed(0)} req/s, ${bareCpu.toFixed(1)} µs server CPU per request`)
  console.log(`minimum work (hand-written)  : ${minRps.toFixed(0)} req/s, ${minCpu.toFixed(1)} µs server CPU per request`)
  console.log(`fastify-chime-bot route      : ${pluginRps.toFixed(0)} req/s, ${pluginCpu.toFixed(1)} µs server CPU per request`)
  console.log(`throughput ratio vs bare     : ${(pluginRps / bareRps).toFixed(3)} (goal ≥ 0.90; the minimum work alone reaches ${(minRps / bareRps).toFixed(3)})`)
  console.log(`throughput ratio vs minimum  : ${(pluginRps / minRps).toFixed(3)}`)
  console.log(`CPU per request, plugin/bare : ${(pluginCpu / bareCpu).toFixed(3)} (minimum/bare ${(minCpu / bareCpu).toFixed(3)}, plugin/minimum ${(pluginCpu / minCpu).toFixed(3)})`)
  console.log(`Mention handlers run         : ${handled} (every plugin request is a distinct, verified event)`)
}
