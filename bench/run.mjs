#!/usr/bin/env node
// `npx -y pnpm@10 bench`: runs every benchmark in this folder, one after the
// other. Benchmarks import the BUILT packages, so build first
// (`npx tsc -b packages/plugin packages/emulator`). Never run from the tests.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const benches = ['plugin.mjs']
let failed = false
for (const name of benches) {
  console.log(`== bench/${name}`)
  const run = spawnSync(process.execPath, [fileURLToPath(new URL(name, import.meta.url))], { stdio: 'inherit' })
  if (run.status !== 0) failed = true
}
process.exitCode = failed ? 1 : 0
