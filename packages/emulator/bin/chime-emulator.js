#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli.ts and is compiled to dist/cli.js.
let main
try {
  ({ main } = await import('../dist/cli.js'))
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !/Cannot find module .*dist[\\/]cli\.js'/.test(String(err.message))) throw err
  // Inside the repository, after `pnpm install` but before any build.
  console.error('chime-emulator: not built yet; run `npx -y pnpm@10 build` at the repository root first')
  process.exit(1)
}

process.exitCode = await main(process.argv.slice(2))
