import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDefaultAccount, DEFAULT_ACCOUNT_NAME, loadFixture, type Fixture } from '../src/fixture.js'
import { ADMIN_EMAIL, EmulatorState } from '../src/state.js'

const SEED: Fixture = {
  Accounts: [{
    AccountId: '12a3456b-7c89-012d-3456-78901e23fg45',
    Name: 'Seed',
    Bots: [
      { BotId: 'botId', DisplayName: 'EchoBot', Domain: 'example.com', SecurityToken: 'the-token' },
      { DisplayName: 'Sleepy', Disabled: true }
    ]
  }, { Name: 'Second', AwsAccountId: '444455556666' }]
}

t.test('a fixture creates accounts and bots with the given ids and tokens', async t => {
  const state = new EmulatorState()
  const accounts = loadFixture(SEED, state)
  t.same(accounts.map(a => a.Name), ['Seed', 'Second'])
  t.equal(accounts[1]!.AwsAccountId, '444455556666')
  const bot = state.getBot('12a3456b-7c89-012d-3456-78901e23fg45', 'botId')
  t.match(bot, { DisplayName: 'EchoBot (Bot)', BotEmail: 'EchoBot-chimebot@example.com', SecurityToken: 'the-token', Disabled: false })
  const sleepy = state.listBots('12a3456b-7c89-012d-3456-78901e23fg45')[1]!
  t.match(sleepy, { Disabled: true, BotEmail: 'Sleepy-chimebot@example.com' })
  t.match(sleepy.BotId, /^[0-9a-f-]{36}$/, 'a bot without BotId gets a UUID')
  t.equal(state.adminUser(accounts[0]!.AccountId).PrimaryEmail, ADMIN_EMAIL)
})

t.test('a fixture file is read from disk', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'chime-fixture-'))
  const file = join(dir, 'fixture.json')
  writeFileSync(file, JSON.stringify(SEED))
  const state = new EmulatorState()
  loadFixture(file, state)
  t.equal(state.findBot('botId')!.SecurityToken, 'the-token')

  writeFileSync(file, '{ nope')
  t.throws(() => loadFixture(file, new EmulatorState()), { name: 'FixtureError', code: 'FST_CHIME_EMULATOR_INVALID_FIXTURE', message: new RegExp(`fixture file ${file} is not valid JSON`) })
  t.throws(() => loadFixture(join(dir, 'missing.json'), new EmulatorState()), { message: /Cannot read the fixture file .*missing\.json/ })
})

t.test('an invalid fixture is refused with the key and index at fault, before anything is created', async t => {
  const cases: Array<[unknown, RegExp]> = [
    [null, /the top level must be an object/],
    [[], /the top level must be an object/],
    [{}, /"Accounts" must be a list of accounts; got nothing/],
    [{ Accounts: [5] }, /Accounts\[0\] must be an object/],
    [{ Accounts: [{ Name: '' }] }, /Accounts\[0\]\.Name must be a name of 1 to 100 characters; got ""/],
    [{ Accounts: [{ Name: 'a', AccountId: 7 }] }, /Accounts\[0\]\.AccountId must be a non-empty id/],
    [{ Accounts: [{ Name: 'a', AccountId: 'a/b' }] }, /Accounts\[0\]\.AccountId must be a non-empty id without "\/"/],
    [{ Accounts: [{ Name: 'a', AwsAccountId: '12' }] }, /AwsAccountId must be a 12-digit AWS account id/],
    [{ Accounts: [{ Name: 'a', AccountId: 'x' }, { Name: 'b', AccountId: 'x' }] }, /Accounts\[1\]\.AccountId must be unique; got "x"/],
    [{ Accounts: [{ Name: 'a', Bots: {} }] }, /Accounts\[0\]\.Bots must be a list of bots/],
    [{ Accounts: [{ Name: 'a', Bots: Array.from({ length: 11 }, (_, i) => ({ DisplayName: `b${i}` })) }] }, /at most 10 bots .*got "11 bots"/],
    [{ Accounts: [{ Name: 'a', Bots: [null] }] }, /Accounts\[0\]\.Bots\[0\] must be an object/],
    [{ Accounts: [{ Name: 'a', Bots: [{ DisplayName: 'x'.repeat(56) }] }] }, /Bots\[0\]\.DisplayName must be a name of 1 to 55 characters/],
    [{ Accounts: [{ Name: 'a', Bots: [{ DisplayName: 'a', BotId: 'b' }, { DisplayName: 'c', BotId: 'b' }] }] }, /Bots\[1\]\.BotId must be unique/],
    [{ Accounts: [{ Name: 'a', Bots: [{ DisplayName: 'a', Domain: 'nodot' }] }] }, /Domain must be a domain name/],
    [{ Accounts: [{ Name: 'a', Bots: [{ DisplayName: 'a', SecurityToken: '' }] }] }, /SecurityToken must be a non-empty string/],
    [{ Accounts: [{ Name: 'a', Bots: [{ DisplayName: 'a', Disabled: 'yes' }] }] }, /Disabled must be true or false/]
  ]
  for (const [fixture, message] of cases) {
    const state = new EmulatorState()
    t.throws(() => loadFixture(fixture as Fixture, state), { name: 'FixtureError', message }, JSON.stringify(fixture).slice(0, 80))
    t.equal(state.accounts.size, 0, 'nothing was created')
  }
  const state = new EmulatorState()
  loadFixture(SEED, state)
  t.throws(() => loadFixture(SEED, state), { message: /Accounts\[0\]\.AccountId must be unique/ }, 'ids already in the state are refused')
  t.throws(() => loadFixture({ Accounts: [{ Name: 'z', Bots: [{ BotId: 'botId', DisplayName: 'z' }] }] }, state), { message: /BotId must be unique/ })
})

t.test('without a fixture the emulator has one default account', async t => {
  const state = new EmulatorState()
  const account = createDefaultAccount(state)
  t.equal(account.Name, DEFAULT_ACCOUNT_NAME)
  t.match(account.AccountId, /^[0-9a-f-]{36}$/)
  t.same([...state.accounts.keys()], [account.AccountId])
})
