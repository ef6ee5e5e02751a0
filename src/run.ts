/**
 * `run(main)`: a program's entry point (asyncio `run`, the talk's
 * `gevent.signal(SIGQUIT, gevent.kill)`).
 *
 * It runs `main` as the root task. When `main` ends, tasks still alive are killed and their
 * clean-up awaited (asyncio cancels what is left). On SIGINT, SIGTERM or SIGQUIT the whole task tree
 * is killed and given `gracePeriodMs` to run its `finally` blocks; a second signal, or the end of
 * the grace period, gives up: the tasks still alive are printed and the process exits. The exit
 * code is 128 + the signal number (130 for SIGINT, 143 for SIGTERM), 1 if `main` failed, else
 * untouched (0).
 *
 * When the event loop runs dry while `main`'s tree still waits, nothing can ever wake it, and Node
 * would exit with `run()` unsettled and no finalizer run. `run()` listens for that (`beforeExit`)
 * and runs the same coordinated shutdown as at `main`'s end, with the reason `idle`: a `main`
 * whose body returned settles with its value once its remaining children (an actor system's task)
 * are stopped; a `main` still waiting is killed so that its `finally` blocks run, and the exit
 * code is 1. Its signal and `beforeExit` listeners and its timer are removed before it settles.
 *
 * Layer: an entry point, above every folder: `run({debug})` switches debug mode on and prints
 * `dumpTasks()` when it gives up on clean-up, so it needs `debug/`, which sits above the kernel it
 * watches.
 *
 * @module
 */
import { constants } from 'node:os'
import { checkIterable, checkMs, checkOptions, describe, typeError } from './errors.js'
import { enableDebug } from './debug/debug-mode.js'
import { dumpTasks } from './debug/dump-tasks.js'
import { getClock, type Timer } from './platform/clock.js'
import { killAll } from './core/join.js'
import { rootTasks } from './core/registry.js'
import { spawn } from './core/spawn.js'
import type { Task, TaskFn, TaskResult } from './core/task.js'
import { BODY_DONE } from './core/task-state.js'
import { registrations } from './platform/observed.js'
import {
  type CoordinatedShutdownReport,
  coordinatedShutdown,
  describeReport,
} from './shutdown/coordinated.js'

/** Options of `run`. @since 0.1.0 */
export interface RunOptions {
  /** Signals that shut the program down (default SIGINT, SIGTERM and, off Windows, SIGQUIT). */
  readonly signals?: readonly NodeJS.Signals[] | undefined
  /** How long clean-up may take after a signal or after `main` ends (default 5000 ms). */
  readonly gracePeriodMs?: number | undefined
  /** Switch debug mode on (as `VERDANT_DEBUG=1` does). */
  readonly debug?: boolean | undefined
  /** The root task's name (default `main`). */
  readonly name?: string | undefined
  /** Exit the process when giving up on clean-up (default true). */
  readonly forceExit?: boolean | undefined
  /**
   * Called with the coordinated shutdown's report when it is done (its phases, what each left
   * unfinished, the jobs cancelled and the dead letters). Anything to report is also printed.
   * @since 0.3.0
   */
  readonly onShutdownReport?: ((report: CoordinatedShutdownReport) => void) | undefined
}

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGQUIT']

/**
 * Runs `main` as the root task of the program and shuts the task tree down cleanly.
 *
 * **Details**: resolves with `main`'s value, rejects with its error, or after a signal with
 * `main`'s own `TaskKilled`, whose `reason` is the signal's name (`'SIGINT'`), whatever
 * cancellation the body itself ended on. If the event loop has nothing left to run while the
 * tree still waits, the tree is shut down: a `main` whose body returned resolves with its value
 * once its children are stopped; a `main` still waiting is killed and `run()` rejects with that
 * `TaskKilled` (reason `'idle: nothing left to wake main'`), the exit code set to 1. The returned
 * promise is already marked handled, so calling `run(main)` without `await` never produces an
 * unhandled rejection: the failure is printed and the exit code set.
 * @example
 * run(async (ctx) => {
 *   const server = await listen(ctx.signal)
 *   await ctx.sleep(Infinity)
 * })
 * @since 0.1.0
 */
export function run<R>(main: TaskFn<R>, opts?: RunOptions): Promise<TaskResult<R>> {
  // Everything is checked before debug mode, the root task or a signal listener exists.
  if (typeof main !== 'function') throw typeError('main', 'a function', main)
  checkOptions(opts)
  const grace = checkMs('gracePeriodMs', opts?.gracePeriodMs ?? 5000)
  const signals = [
    ...checkIterable('signals', opts?.signals ?? DEFAULT_SIGNALS, 'an array of signal names'),
  ] as NodeJS.Signals[]
  signals.forEach((sig: unknown, i) => {
    if (typeof sig !== 'string' || !(sig in constants.signals)) {
      throw typeError(`signals[${String(i)}]`, 'a signal name such as SIGINT', sig)
    }
  })
  const forceExit = opts?.forceExit !== false
  const name: unknown = opts?.name ?? 'main'
  if (typeof name !== 'string') throw typeError('name', 'a string', name)
  const onReport = opts?.onShutdownReport
  if (onReport !== undefined && typeof onReport !== 'function') {
    throw typeError('onShutdownReport', 'a function', onReport)
  }
  if (opts?.debug === true) enableDebug()
  // What the program makes from here on is this run's to shut down.
  const since = registrations()
  const task = spawn(main, { name, detached: true })
  let signalled: NodeJS.Signals | undefined
  /** Whether main was killed because nothing was left to wake it. */
  let idleKill = false
  let graceTimer: Timer | undefined
  let finished = false
  let shutdown: Promise<CoordinatedShutdownReport> | undefined
  const coordinate = (reason: string, tasks: () => Task<unknown>[]): Promise<CoordinatedShutdownReport> =>
    (shutdown ??= coordinatedShutdown(reason, since, grace, tasks).then((report) => {
      const lines = describeReport(report)
      if (lines.length > 0)
        process.stderr.write(lines.map((l) => `verdant: shutdown (${reason}): ${l}\n`).join(''))
      onReport?.(report)
      return report
    }))

  const removeListeners = (): void => {
    for (const sig of signals) process.off(sig, onSignal)
    process.off('beforeExit', onIdle)
    graceTimer?.cancel()
    graceTimer = undefined
  }
  const giveUp = (why: string): void => {
    if (finished) return
    finished = true
    removeListeners()
    process.stderr.write(`verdant: ${why}; still pending:\n${dumpTasks()}`)
    if (forceExit) process.exit(process.exitCode ?? 1)
  }
  function onSignal(sig: NodeJS.Signals): void {
    if (signalled !== undefined) {
      giveUp(`second ${sig} during shutdown`)
      return
    }
    signalled = sig
    process.exitCode = 128 + constants.signals[sig]
    graceTimer = getClock().setTimer(grace, () => {
      giveUp(`clean-up did not finish within ${grace} ms of ${sig}`)
    })
    void coordinate(sig, rootTasks)
  }
  // When the event loop has nothing left to run (no timer, socket or worker), Node exits with
  // promises still pending. If main's tree still waits then (on an event nobody can set, or, once
  // its body returned, on children such as an actor system's task), nothing can wake it and no
  // `finally` or `postStop` would ever run: shut it down as at main's end instead.
  function onIdle(): void {
    // The shutdown's own work can empty the loop again; one shutdown is enough.
    if (shutdown !== undefined || task.done) return
    const bodyEnded = (task._flags & BODY_DONE) !== 0
    if (!bodyEnded) {
      idleKill = true
      process.exitCode = 1
      process.stderr.write(
        `verdant: ${task._label()} was still waiting when the event loop had nothing left to run, so its task tree was shut down\n`,
      )
      // Killed here, not by the shutdown, so that run() rejects with a kill that says why.
      task.cancel('idle: nothing left to wake main')
    }
    graceTimer ??= getClock().setTimer(grace, () => {
      giveUp(`the shutdown after the event loop went idle did not finish within ${grace} ms`)
    })
    // A main whose body returned only waits for its children: stopping them lets it settle with
    // its own value.
    void coordinate('idle', () => [
      ...(bodyEnded ? task.children() : [task]),
      ...rootTasks().filter((t) => t.id > task.id),
    ])
  }
  for (const sig of signals) process.on(sig, onSignal)
  process.on('beforeExit', onIdle)

  const outcome = (async (): Promise<TaskResult<R>> => {
    try {
      await task.join()
      if (shutdown === undefined) {
        // Only what was spawned during this run: a task that called run() must not be killed by it.
        graceTimer ??= getClock().setTimer(grace, () => {
          giveUp(`the shutdown after main ended did not finish within ${grace} ms`)
        })
      }
      const mine = (): Task<unknown>[] =>
        signalled === undefined ? rootTasks().filter((t) => t.id > task.id) : rootTasks()
      // The shutdown a signal or an idle event loop started, if one did: its reason is the one.
      const { reason } = await coordinate('main ended', mine)
      // Tasks that outlived their phase still get the rest of the grace period, then run() gives up.
      const left = mine().filter((t) => t !== task)
      if (left.length > 0) await killAll(left, { reason })
    } finally {
      finished = true
      removeListeners()
    }
    if (task.state === 'cancelled' && (signalled !== undefined || idleKill)) {
      // A signal or the idle event loop killed `main`: say so, with main's own kill. The body may
      // have ended on some other cancellation it was awaiting (a pool's map rejects when its
      // workers die), whose message names tasks the program never spawned.
      const own = task._getCold().kill
      if (own !== undefined) throw own
    }
    if (task.state === 'failed') {
      const err = task.exception
      process.exitCode = 1
      process.stderr.write(
        `verdant: ${task._label()} failed: ${err instanceof Error ? (err.stack ?? describe(err)) : describe(err)}\n`,
      )
    }
    return task.result()
  })()
  outcome.catch(() => undefined)
  return outcome
}
