import t from 'tap'
import { createChimeBot } from 'fastify-chime-bot'
import { addEchoCommands, helpText, readConfig } from '../src/bot.js'

t.test('the token is required and the error names the variable', async t => {
  t.throws(() => readConfig({}), /CHIME_BOT_SECURITY_TOKEN is not set/)
  t.throws(() => readConfig({ CHIME_BOT_SECURITY_TOKEN: '' }), /CHIME_BOT_SECURITY_TOKEN is not set/)
})

t.test('PORT and HOST default to 3000 and 127.0.0.1', async t => {
  t.same(readConfig({ CHIME_BOT_SECURITY_TOKEN: 'tok' }), { securityToken: 'tok', port: 3000, host: '127.0.0.1' })
  t.same(readConfig({ CHIME_BOT_SECURITY_TOKEN: 'tok', PORT: '', HOST: '' }), { securityToken: 'tok', port: 3000, host: '127.0.0.1' })
  t.same(readConfig({ CHIME_BOT_SECURITY_TOKEN: 'tok', PORT: '8080', HOST: '0.0.0.0' }), { securityToken: 'tok', port: 8080, host: '0.0.0.0' })
})

t.test('a PORT that is not a port number is refused by name', async t => {
  t.throws(() => readConfig({ CHIME_BOT_SECURITY_TOKEN: 'tok', PORT: 'http' }), /PORT must be a port number from 0 to 65535, got "http"/)
  t.throws(() => readConfig({ CHIME_BOT_SECURITY_TOKEN: 'tok', PORT: '70000' }), /PORT must be/)
})

t.test('the help text lists the commands once they are registered', async t => {
  const bot = createChimeBot({ securityToken: 'tok' })
  t.teardown(() => bot.close())
  t.equal(helpText(bot), '', 'nothing to list yet')
  addEchoCommands(bot)
  t.match(helpText(bot), /^\*\*Commands\*\* Write `@EchoBot <command>`\.\n- `echo` — Repeats the text after it\./)
})
