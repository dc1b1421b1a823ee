/**
 * How the demo prints: numbered steps, indented details, and colour only
 * when the output is a terminal (CI logs stay plain).
 */
const colour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined

const paint = (code: string) => (text: string) => colour ? `\u001b[${code}m${text}\u001b[0m` : text

export const bold = paint('1')
export const dim = paint('2')
const green = paint('32')
const red = paint('31')
const cyan = paint('36')

let stepNumber = 0

/** Starts a numbered step. */
export function step (title: string): void {
  stepNumber += 1
  console.log(cyan(`${String(stepNumber).padStart(2)}. ${title}`))
}

/** A detail of the current step. */
export function info (text: string): void {
  console.log(`    ${text}`)
}

/** The current step's result. */
export function ok (text: string): void {
  console.log(`    ${green('✓')} ${text}`)
}

/** Why the demo failed (stderr). */
export function fail (text: string): void {
  console.error(`\n${red('✗ demo failed:')} ${text}`)
}

/** Shows enough of a secret to recognise it, never the secret: `Ab3x…(44 chars)`. */
export function maskToken (token: string): string {
  return `${token.slice(0, 4)}…(${token.length} chars)`
}
