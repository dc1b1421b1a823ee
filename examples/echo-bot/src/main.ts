/**
 * Runs the echo bot as a service:
 *   CHIME_BOT_SECURITY_TOKEN=… PORT=3000 node dist/main.js
 * Then point the bot's outbound endpoint at it (PutEventsConfiguration with
 * http://127.0.0.1:3000/chime).
 */
import { buildEchoBot, readConfig, type EchoBotConfig } from './bot.js'

let config: EchoBotConfig
try {
  config = readConfig(process.env)
} catch (err) {
  console.error(`echo-bot: ${(err as Error).message}`)
  process.exit(1)
}

const app = await buildEchoBot({ securityToken: config.securityToken, logger: { level: process.env.LOG_LEVEL ?? 'info' } })

// Stop cleanly (finish running handlers and pending replies) on Ctrl+C or `kill`.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void app.close() })
}

await app.listen({ port: config.port, host: config.host })
