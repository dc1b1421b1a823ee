/**
 * Keeps the emulator's state in a JSON file so a restart loses no accounts,
 * bots, tokens, rooms, memberships or configurations: loaded at start when
 * the file exists, rewritten atomically (temporary file in the same
 * directory, then rename) shortly after each change and on close.
 */
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { EmulatorState, StateSnapshot } from './state.js'

/** How long after a change the file is written (changes in between are written together). */
export const STATE_FILE_DEBOUNCE_MS = 50

/** The state file cannot be read or is not a state file. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError'
  readonly code = 'FST_CHIME_EMULATOR_BAD_STATE_FILE'
}

/** A state file attached to an emulator state. */
export interface StateFile {
  readonly path: string
  /** Whether the file existed and was loaded. */
  readonly loaded: boolean
  /** Writes the state now (and cancels a pending write). */
  flush (): void
  /** Writes pending changes and stops listening to the state. */
  close (): void
}

const KEYS: Array<keyof StateSnapshot> = ['accounts', 'bots', 'eventsConfigurations', 'users', 'rooms', 'memberships', 'webhooks', 'messages']

/**
 * Loads `path` into `state` if it exists (throws {@link StateFileError}
 * naming the file if it is corrupt), then writes `state` to `path` after
 * every `changed` event (debounced) and on `flush()`/`close()`.
 */
export function attachStateFile (state: EmulatorState, path: string, options: { debounceMs?: number } = {}): StateFile {
  const debounceMs = options.debounceMs ?? STATE_FILE_DEBOUNCE_MS
  const loaded = existsSync(path)
  if (loaded) state.restore(readStateFile(path))
  let timer: NodeJS.Timeout | undefined
  const write = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    mkdirSync(dirname(path), { recursive: true })
    const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
    try {
      writeFileSync(temporary, `${JSON.stringify(state.snapshot(), null, 2)}\n`, { mode: 0o600 })
      renameSync(temporary, path)
    } catch (error) {
      rmSync(temporary, { force: true })
      throw new StateFileError(`Cannot write the state file ${path}: ${(error as Error).message}`)
    }
  }
  const onChanged = (): void => {
    if (timer !== undefined) return
    timer = setTimeout(() => {
      try {
        write()
      } catch (error) {
        process.emitWarning(error as Error)
      }
    }, debounceMs)
    timer.unref()
  }
  state.bus.on('changed', onChanged)
  return {
    path,
    loaded,
    flush: write,
    close () {
      state.bus.off('changed', onChanged)
      if (timer !== undefined) write()
    }
  }
}

/** Reads and checks a state file; throws {@link StateFileError} naming the file and the problem. */
export function readStateFile (path: string): StateSnapshot {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new StateFileError(`The state file ${path} cannot be read as JSON (${(error as Error).message}). Fix it, or delete it to start with an empty emulator.`)
  }
  const snapshot = parsed as Partial<StateSnapshot> | null
  if (typeof snapshot !== 'object' || snapshot === null || snapshot.version !== 1) {
    throw new StateFileError(`The state file ${path} is not a chime-emulator state file of version 1. Delete it to start with an empty emulator.`)
  }
  const missing = KEYS.filter(key => !Array.isArray(snapshot[key]))
  if (missing.length > 0) {
    throw new StateFileError(`The state file ${path} is damaged: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not a list. Delete it to start with an empty emulator.`)
  }
  return snapshot as StateSnapshot
}
