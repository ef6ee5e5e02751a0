/**
 * Debug mode (asyncio's PYTHONASYNCIODEBUG): `VERDANT_DEBUG=1` or `run(main, {debug: true})`.
 *
 * - Slow steps: a synchronous step of a task that holds the event loop longer than
 *   `slowStepMs` (default 100) is reported with the task's name and spawn stack. Steps verdant
 *   runs itself (a generator step, the start of an async body) are timed directly. The later
 *   steps of an async body run as promise continuations verdant does not see, so debug mode also
 *   turns on the implicit context and an async hook that times every callback and names the task
 *   it belongs to.
 * - Spawn stacks are kept, so unobserved failures say where their task came from.
 * - `SIGUSR2` prints `dumpTasks()` to stderr.
 *
 * When off, the kernel pays one `undefined` check per step.
 *
 * @module
 */
import { messageKind, recordSlowStep } from './slow-steps.js'
import { createHook, type AsyncHook } from 'node:async_hooks'
import { checkMs, checkOptions, typeError } from '../errors.js'
import { hooks } from '../core/hooks.js'
import { disableImplicitContext, enableImplicitContext, implicitContextEnabled } from '../core/implicit.js'
import type { Task } from '../core/task.js'
import { dumpTasks } from './dump-tasks.js'

/** Options of `enableDebug`. @since 0.1.0 */
export interface DebugOptions {
  /** Report a synchronous step longer than this many ms (default 100). */
  readonly slowStepMs?: number | undefined
  /** Where warnings go (default: stderr). */
  readonly log?: ((line: string) => void) | undefined
}

let hook: AsyncHook | undefined
let ownedImplicit = false
const onUsr2 = (): void => {
  process.stderr.write(dumpTasks())
}

function label(task: Task<unknown>): string {
  const where = task._stack === undefined ? '' : `\n  spawned at:${task._stack}`
  return `${task._label()}${where}`
}

/**
 * Switches debug mode on. See the module comment for what it reports.
 * @example
 * enableDebug({ slowStepMs: 50 })
 * @since 0.1.0
 */
export function enableDebug(opts?: DebugOptions): void {
  // Checked before debug mode already on is switched off.
  checkOptions(opts)
  const slow = checkMs('slowStepMs', opts?.slowStepMs ?? 100)
  const custom: unknown = opts?.log
  if (custom !== undefined && typeof custom !== 'function') throw typeError('log', 'a function', custom)
  disableDebug()
  const log = opts?.log ?? ((line: string) => void process.stderr.write(`${line}\n`))
  // Set when a verdant-timed step already reported inside the current host callback.
  let reported = false
  hooks.debug = {
    spawnStack: () => {
      const stack = new Error().stack ?? ''
      return stack
        .split('\n')
        .slice(1)
        .filter((l) => !l.includes('/verdant/') || l.includes('/test/') || l.includes('/examples/'))
        .slice(0, 6)
        .map((l) => `\n   ${l.trim()}`)
        .join('')
    },
    stepStart: () => performance.now(),
    stepEnd: (task, t0) => {
      const took = performance.now() - t0
      if (took > slow) {
        reported = true
        recordSlowStep({ at: Date.now(), ms: took, task: task.name, actor: undefined, message: undefined })
        log(`verdant: a step of ${label(task)} held the event loop for ${Math.round(took)} ms`)
      }
    },
    actorStepEnd: (path, message, t0) => {
      const took = performance.now() - t0
      if (took <= slow) return
      reported = true
      const actor = path()
      const kind = messageKind(message)
      recordSlowStep({ at: Date.now(), ms: took, task: undefined, actor, message: kind })
      log(`verdant: actor ${actor} held the event loop for ${Math.round(took)} ms handling a ${kind} message`)
    },
  }
  if (!implicitContextEnabled()) {
    enableImplicitContext()
    ownedImplicit = true
  }
  const starts: number[] = []
  hook = createHook({
    before() {
      starts.push(performance.now())
      reported = false
    },
    after() {
      const t0 = starts.pop()
      if (t0 === undefined || reported) return
      const took = performance.now() - t0
      if (took <= slow) return
      const task = hooks.implicit?.current()
      if (task === undefined || task.done) return
      reported = true
      recordSlowStep({ at: Date.now(), ms: took, task: task.name, actor: undefined, message: undefined })
      log(`verdant: a step of ${label(task)} held the event loop for ${Math.round(took)} ms`)
    },
  }).enable()
  if (process.platform !== 'win32') process.on('SIGUSR2', onUsr2)
}

/** Switches debug mode off. @since 0.1.0 */
export function disableDebug(): void {
  if (hooks.debug === undefined) return
  hooks.debug = undefined
  hook?.disable()
  hook = undefined
  if (ownedImplicit) disableImplicitContext()
  ownedImplicit = false
  process.off('SIGUSR2', onUsr2)
}

/** True while debug mode is on. @since 0.1.0 */
export function debugEnabled(): boolean {
  return hooks.debug !== undefined
}

if (process.env.VERDANT_DEBUG === '1') enableDebug()
