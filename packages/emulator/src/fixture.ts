/**
 * Fixtures pre-create accounts and bots with chosen ids and tokens, so a
 * tutorial's commands (`--account-id 12a3456b-7c89-012d-3456-78901e23fg45
 * --bot-id botId`) and a bot's configured SecurityToken work as written.
 *
 *     {"Accounts":[{"AccountId":"…","Name":"…",
 *       "Bots":[{"BotId":"…","DisplayName":"…","Domain":"…","SecurityToken":"…"}]}]}
 *
 * Ids may be any non-empty strings (Chime's documentation uses
 * non-UUID placeholders); every key except `Name`/`DisplayName` is optional.
 */
import { readFileSync } from 'node:fs'
import { DEFAULT_AWS_ACCOUNT_ID, type AccountRecord, type EmulatorState } from './state.js'

/** A bot in a fixture. */
export interface FixtureBot {
  BotId?: string
  DisplayName: string
  Domain?: string
  SecurityToken?: string
  /** Create the bot disabled. */
  Disabled?: boolean
}

/** An account in a fixture. */
export interface FixtureAccount {
  AccountId?: string
  Name: string
  AwsAccountId?: string
  Bots?: FixtureBot[]
}

/** The fixture file's content. */
export interface Fixture {
  Accounts: FixtureAccount[]
}

/** A fixture file or object that is not what {@link loadFixture} expects. */
export class FixtureError extends Error {
  override readonly name = 'FixtureError'
  readonly code = 'FST_CHIME_EMULATOR_INVALID_FIXTURE'
}

/** Name of the account created when no fixture is given. */
export const DEFAULT_ACCOUNT_NAME = 'Default Chime account'

/**
 * Creates the accounts and bots of a fixture (a file path or an object) in
 * `state`, and returns the accounts. Throws {@link FixtureError} naming the
 * file, the key and the index of anything wrong, before creating anything.
 */
export function loadFixture (source: string | Fixture, state: EmulatorState): AccountRecord[] {
  const where = typeof source === 'string' ? `fixture file ${source}` : 'fixture'
  let raw: unknown = source
  if (typeof source === 'string') {
    let text: string
    try {
      text = readFileSync(source, 'utf8')
    } catch (error) {
      throw new FixtureError(`Cannot read the ${where}: ${(error as Error).message}`)
    }
    try {
      raw = JSON.parse(text)
    } catch (error) {
      throw new FixtureError(`The ${where} is not valid JSON: ${(error as Error).message}`)
    }
  }
  const fixture = validateFixture(raw, where, state)
  return fixture.Accounts.map(account => {
    const input: Parameters<EmulatorState['createAccount']>[0] = { Name: account.Name }
    if (account.AccountId !== undefined) input.AccountId = account.AccountId
    if (account.AwsAccountId !== undefined) input.AwsAccountId = account.AwsAccountId
    const created = state.createAccount(input)
    for (const bot of account.Bots ?? []) {
      const botInput: Parameters<EmulatorState['createBot']>[1] = { DisplayName: bot.DisplayName }
      if (bot.BotId !== undefined) botInput.BotId = bot.BotId
      if (bot.Domain !== undefined) botInput.Domain = bot.Domain
      if (bot.SecurityToken !== undefined) botInput.SecurityToken = bot.SecurityToken
      const record = state.createBot(created.AccountId, botInput)
      if (bot.Disabled === true) state.updateBot(created.AccountId, record.BotId, { Disabled: true })
    }
    return created
  })
}

/** Creates the one account an emulator without fixture starts with, and returns it. */
export function createDefaultAccount (state: EmulatorState): AccountRecord {
  return state.createAccount({ Name: DEFAULT_ACCOUNT_NAME, AwsAccountId: DEFAULT_AWS_ACCOUNT_ID })
}

function validateFixture (raw: unknown, where: string, state: EmulatorState): Fixture {
  const fail = (path: string, expected: string, got: unknown): never => {
    throw new FixtureError(`In the ${where}, ${path} must be ${expected}; got ${got === undefined ? 'nothing' : JSON.stringify(got)}.`)
  }
  if (!isObject(raw)) fail('the top level', 'an object {"Accounts":[…]}', raw)
  const accounts = (raw as Record<string, unknown>).Accounts
  if (!Array.isArray(accounts)) fail('"Accounts"', 'a list of accounts', accounts)
  const accountIds = new Set<string>()
  const botIds = new Set<string>()
  ;(accounts as unknown[]).forEach((account, i) => {
    const at = `Accounts[${i}]`
    if (!isObject(account)) fail(at, 'an object {"Name":…, "AccountId":…, "Bots":[…]}', account)
    const a = account as Record<string, unknown>
    if (typeof a.Name !== 'string' || a.Name.trim() === '' || a.Name.length > 100) fail(`${at}.Name`, 'a name of 1 to 100 characters', a.Name)
    optionalId(a.AccountId, `${at}.AccountId`, fail)
    if (a.AwsAccountId !== undefined && (typeof a.AwsAccountId !== 'string' || !/^\d{12}$/.test(a.AwsAccountId))) fail(`${at}.AwsAccountId`, 'a 12-digit AWS account id', a.AwsAccountId)
    if (typeof a.AccountId === 'string') {
      if (accountIds.has(a.AccountId) || state.accounts.has(a.AccountId)) fail(`${at}.AccountId`, 'unique', a.AccountId)
      accountIds.add(a.AccountId)
    }
    if (a.Bots === undefined) return
    if (!Array.isArray(a.Bots)) fail(`${at}.Bots`, 'a list of bots', a.Bots)
    if ((a.Bots as unknown[]).length > 10) fail(`${at}.Bots`, 'at most 10 bots (Amazon Chime\'s limit per account)', `${(a.Bots as unknown[]).length} bots`)
    ;(a.Bots as unknown[]).forEach((bot, j) => {
      const bat = `${at}.Bots[${j}]`
      if (!isObject(bot)) fail(bat, 'an object {"BotId":…, "DisplayName":…, "Domain":…, "SecurityToken":…}', bot)
      const b = bot as Record<string, unknown>
      if (typeof b.DisplayName !== 'string' || b.DisplayName.trim() === '' || b.DisplayName.length > 55) fail(`${bat}.DisplayName`, 'a name of 1 to 55 characters', b.DisplayName)
      optionalId(b.BotId, `${bat}.BotId`, fail)
      if (typeof b.BotId === 'string') {
        if (botIds.has(b.BotId) || state.bots.has(b.BotId)) fail(`${bat}.BotId`, 'unique', b.BotId)
        botIds.add(b.BotId)
      }
      if (b.Domain !== undefined && (typeof b.Domain !== 'string' || !/^[^@\s]+\.[^@\s]+$/.test(b.Domain))) fail(`${bat}.Domain`, 'a domain name such as example.com', b.Domain)
      if (b.SecurityToken !== undefined && (typeof b.SecurityToken !== 'string' || b.SecurityToken === '')) fail(`${bat}.SecurityToken`, 'a non-empty string', b.SecurityToken)
      if (b.Disabled !== undefined && typeof b.Disabled !== 'boolean') fail(`${bat}.Disabled`, 'true or false', b.Disabled)
    })
  })
  return raw as Fixture
}

function optionalId (value: unknown, path: string, fail: (path: string, expected: string, got: unknown) => never): void {
  if (value !== undefined && (typeof value !== 'string' || value.trim() === '' || value.includes('/'))) fail(path, 'a non-empty id without "/"', value)
}

function isObject (value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
