import t from 'tap'
import { readConfig, textAfterMention } from '../src/bot.js'

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

t.test('the mention is stripped from the message, by display name or e-mail', async t => {
  t.equal(textAfterMention('@EchoBot hello'), 'hello')
  t.equal(textAfterMention('  @EchoBot-chimebot@example.com   hello there '), 'hello there')
  t.equal(textAfterMention('@EchoBot'), '')
})
