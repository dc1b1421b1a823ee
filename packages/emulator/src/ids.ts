/**
 * Identifiers and secrets the emulator hands out, shaped like Chime's.
 */
import { randomBytes, randomUUID } from 'node:crypto'

/** A fresh id in the UUID form Chime uses for accounts, bots, users and rooms. */
export function newId (): string {
  return randomUUID()
}

/**
 * A bot security token: 40 characters of base64, the length and alphabet of
 * the tokens Chime returns (`wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`).
 */
export function newSecurityToken (): string {
  return randomBytes(30).toString('base64')
}

/** A verification challenge: 32 URL-safe random characters (Chime's are at least 20). */
export function newChallenge (): string {
  return randomBytes(24).toString('base64url')
}
