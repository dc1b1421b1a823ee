import t from 'tap'
import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { attachStateFile, readStateFile } from '../src/persistence.js'
import { EmulatorState } from '../src/state.js'

const dir = (): string => mkdtempSync(join(tmpdir(), 'chime-state-'))

t.test('a restart keeps accounts, bots, tokens, rooms, memberships and configurations', async t => {
  const file = join(dir(), 'nested', 'state.json')
  const first = new EmulatorState()
  const attached = attachStateFile(first, file, { debounceMs: 5 })
  t.equal(attached.loaded, false, 'no file yet')
  const account = first.createAccount({ Name: 'Acme' })
  const bot = first.createBot(account.AccountId, { DisplayName: 'EchoBot' })
  first.putEventsConfiguration(account.AccountId, bot.BotId, { OutboundEventsHTTPSEndpoint: 'http://127.0.0.1:3000/chime' })
  const token = first.regenerateSecurityToken(account.AccountId, bot.BotId).SecurityToken
  const room = first.createRoom(account.AccountId, { Name: 'team' })
  first.addRoomMember(account.AccountId, room.RoomId, bot.BotId, { invitedBy: 'alice@example.com' })
  first.webhooks.set('w1', { WebhookId: 'w1', Token: 'hook-token', RoomId: room.RoomId, BotId: bot.BotId, EndpointType: 'Persistent', CreatedTimestamp: first.timestamp() })
  first.messages.push({ MessageId: 'm1', RoomId: room.RoomId, Sender: 'alice@example.com', SenderType: 'User', Content: 'hi', CreatedTimestamp: first.timestamp() })
  first.bus.emit('changed')
  attached.close()

  const second = new EmulatorState()
  const reattached = attachStateFile(second, file)
  t.equal(reattached.loaded, true)
  t.same(second.snapshot(), first.snapshot(), 'everything came back')
  t.equal(second.findBot(bot.BotId)!.SecurityToken, token, 'the regenerated token survived')
  t.equal(second.roomMembers(room.RoomId).length, 1)
  t.equal(second.webhooks.get('w1')!.Token, 'hook-token', 'webhooks and their tokens survived')
  t.equal(second.messages[0]!.Content, 'hi', 'the transcript survived')
  reattached.close()
})

t.test('changes are written after a short debounce, atomically, without leftovers', async t => {
  const base = dir()
  const file = join(base, 'state.json')
  const state = new EmulatorState()
  const attached = attachStateFile(state, file, { debounceMs: 5 })
  t.teardown(() => attached.close())
  state.createAccount({ Name: 'One' })
  state.createAccount({ Name: 'Two' })
  await new Promise(resolve => setTimeout(resolve, 60))
  t.same(readStateFile(file).accounts.map(a => a.Name), ['One', 'Two'], 'both changes in one write')
  t.same(readdirSync(base), ['state.json'], 'no temporary file is left behind')
  state.createAccount({ Name: 'Three' })
  attached.flush()
  t.equal(readStateFile(file).accounts.length, 3, 'flush writes at once')
})

t.test('a corrupt state file is refused with its name', async t => {
  const base = dir()
  const file = join(base, 'state.json')
  writeFileSync(file, '{ nope')
  t.throws(() => attachStateFile(new EmulatorState(), file), { name: 'StateFileError', code: 'FST_CHIME_EMULATOR_BAD_STATE_FILE', message: new RegExp(`state file ${file} cannot be read as JSON.*delete it`) })
  writeFileSync(file, '{"version":2}')
  t.throws(() => readStateFile(file), { message: /not a chime-emulator state file of version 1/ })
  writeFileSync(file, 'null')
  t.throws(() => readStateFile(file), { message: /not a chime-emulator state file/ })
  writeFileSync(file, JSON.stringify({ ...new EmulatorState().snapshot(), bots: {} }))
  t.throws(() => readStateFile(file), { message: /damaged: bots is not a list/ })
  writeFileSync(file, JSON.stringify({ version: 1 }))
  t.throws(() => readStateFile(file), { message: /damaged: accounts, bots, .* are not a list/ })
})

t.test('a state file that cannot be written is reported, not crashed on', async t => {
  const base = dir()
  const state = new EmulatorState()
  const file = attachStateFile(state, join(base, 'x.json'), { debounceMs: 1 })
  mkdirSync(join(base, 'x.json')) // a directory where the file should be: the rename fails
  t.throws(() => file.flush(), { name: 'StateFileError', message: /Cannot write the state file .*x\.json/ })
  t.same(readdirSync(base), ['x.json'], 'the temporary file is removed')
  const keepAlive = setTimeout(() => {}, 5000)
  const warned = once(process, 'warning')
  state.createAccount({ Name: 'late' })
  const [warning] = await warned
  clearTimeout(keepAlive)
  t.match(warning, { name: 'StateFileError' }, 'a failed background write becomes a process warning')
  file.close()
})
