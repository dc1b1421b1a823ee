import { DEFAULT_URL } from './args.js'

/**
 * What `chime-emulator` prints once it listens: where it is, which account
 * to use, and commands ready to paste, for a person who has never used Chime.
 */

/** A bot to list in the banner (from the fixture or the state file). */
export interface BannerBot {
  BotId: string
  DisplayName: string
  BotEmail: string
}

/** An account to list in the banner. */
export interface BannerAccount {
  AccountId: string
  Name: string
  Bots: BannerBot[]
}

/** What the banner shows. */
export interface BannerInput {
  /** Base URL of the emulator, e.g. `http://127.0.0.1:8787`. */
  url: string
  accounts: BannerAccount[]
  stateFile?: string
  lambdaEndpoint?: string
  /** The web UI, only when one is served. */
  uiUrl?: string
}

/** The start banner, as lines of text ending with a newline. */
export function formatBanner ({ url, accounts, stateFile, lambdaEndpoint, uiUrl }: BannerInput): string {
  const account = accounts[0]
  const accountId = account?.AccountId ?? '<account-id>'
  const bot = account?.Bots[0]
  const lines: string[] = [
    '',
    `Amazon Chime emulator listening on ${url}`,
    ''
  ]
  if (accounts.length === 0) {
    lines.push('No account exists yet: create one with  aws chime create-account --name Dev --endpoint-url ' + url)
  } else {
    lines.push(accounts.length === 1 ? 'Account:' : 'Accounts:')
    for (const a of accounts) {
      lines.push(`  ${a.AccountId}  ${a.Name}`)
      for (const b of a.Bots) lines.push(`    bot ${b.BotId}  ${b.DisplayName} <${b.BotEmail}>`)
    }
  }
  lines.push(
    '',
    'Use the AWS CLI or SDK with this endpoint (any access key works; region us-east-1), for example:',
    '',
    `  aws chime create-bot --account-id ${accountId} --display-name EchoBot --domain example.com --endpoint-url ${url}`,
    `  aws chime put-events-configuration --account-id ${accountId} --bot-id ${bot?.BotId ?? '<BotId from create-bot>'} \\`,
    `      --outbound-events-https-endpoint http://127.0.0.1:3000/chime --endpoint-url ${url}`,
    '',
    `  aws chime create-room --account-id ${accountId} --name dev --endpoint-url ${url}`,
    '',
    '  (put-events-configuration first sends your bot a challenge it must echo back; start the bot before.)',
    '  AWS CLI v1 fetches parameter values that start with http:// or https:// instead of sending them:',
    '  add  cli_follow_urlparam = false  under [default] in ~/.aws/config (AWS CLI v2 does not need this).',
    '',
    `Control API (post as a user, transcripts, deliveries): ${url}/_emulator/`,
    '  chime-emulator post <roomId> "@EchoBot hello"      chime-emulator transcript <roomId>',
    '  chime-emulator add-bot <roomId> <botId>            chime-emulator deliveries',
    '  chime-emulator rooms                               chime-emulator --help'
  )
  if (url !== DEFAULT_URL) lines.push(`  (add --url ${url} to each command)`)
  if (uiUrl !== undefined) lines.push('', `Web UI: ${uiUrl}`)
  if (stateFile !== undefined) lines.push('', `State is saved to ${stateFile} and reloaded at start.`)
  if (lambdaEndpoint !== undefined) lines.push('', `Bots with a Lambda function ARN are invoked through ${lambdaEndpoint}.`)
  lines.push('', 'Press Ctrl+C to stop.', '')
  return lines.join('\n') + '\n'
}
