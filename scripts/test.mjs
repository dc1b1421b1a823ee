#!/usr/bin/env node
// The project's one test command (`npx -y pnpm@10 test`, also what .ci/run calls):
// build every package, type-check sources and tests, then run tap in each
// workspace package that has tests, and print one total line:
//   N passed, N failed
// The counts come from tap's own summary (`# { total, pass, fail }`), never typed in.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = (dir, name) => join(dir, 'node_modules', '.bin', name)

function run (cmd, args, cwd, onLine) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } })
    let buffered = ''
    const feed = (chunk, stream) => {
      stream.write(chunk)
      if (!onLine) return
      buffered += chunk.toString('utf8')
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      lines.forEach(onLine)
    }
    child.stdout.on('data', c => feed(c, process.stdout))
    child.stderr.on('data', c => feed(c, process.stderr))
    child.on('close', code => {
      if (onLine && buffered) onLine(buffered)
      resolve(code ?? 1)
    })
  })
}

function workspaces () {
  const dirs = []
  for (const group of ['packages', 'examples']) {
    const base = join(root, group)
    if (!existsSync(base)) continue
    for (const name of readdirSync(base).sort()) {
      const dir = join(base, name)
      const pkgFile = join(dir, 'package.json')
      if (!existsSync(pkgFile)) continue
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'))
      dirs.push({ dir, pkg })
    }
  }
  return dirs
}

const tsc = bin(root, 'tsc')
const all = workspaces()
let failedSteps = []

console.log('== build')
if (await run(tsc, ['-b', ...all.filter(w => existsSync(join(w.dir, 'tsconfig.json'))).map(w => w.dir)], root) !== 0) failedSteps.push('build')

console.log('== type-check sources and tests')
for (const w of all) {
  const cfg = join(w.dir, 'tsconfig.test.json')
  if (existsSync(cfg) && await run(tsc, ['-p', cfg], root) !== 0) failedSteps.push(`type-check ${relative(root, w.dir)}`)
}

let passed = 0
let failed = 0
for (const w of all) {
  if (!w.pkg.scripts?.test) continue
  const where = relative(root, w.dir)
  console.log(`== tests: ${where}`)
  let summary = null
  const code = await run(bin(w.dir, 'tap'), ['--reporter=tap'], w.dir, line => {
    const m = /^# \{ total: (\d+)(.*)\}$/.exec(line.trim())
    if (m) summary = m
  })
  if (summary) {
    const count = key => Number(new RegExp(`${key}: (\\d+)`).exec(summary[2])?.[1] ?? 0)
    passed += count('pass')
    failed += count('fail')
  } else {
    failed += 1 // tap died before it could summarise: count the package as one failure
  }
  if (code !== 0) failedSteps.push(`tests ${where} (exit ${code}${summary && !/fail:/.test(summary[2]) ? ', coverage below 100% or a test file crashed' : ''})`)
}

if (failedSteps.length) console.log(`\nFailed steps: ${failedSteps.join('; ')}`)
console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failedSteps.length ? 1 : 0
