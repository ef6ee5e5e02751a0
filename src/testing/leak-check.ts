/**
 * What a test may leave behind, counted by verdant itself (gevent's `leakcheck`).
 *
 * @module
 */
import { pendingReports } from '../core/report.js'
import { allTasks, liveTaskCount } from '../core/registry.js'
import { dumpTasks } from '../debug/dump-tasks.js'
import { liveWorkers } from '../executor/worker-handle.js'
import { realClock } from '../platform/clock.js'
import { pendingYields } from '../core/sleep.js'
import { virtualPendingTimers } from './virtual-clock.js'

/** Counts of live verdant resources. @since 0.1.0 */
export interface LeakReport {
  /** Tasks not yet done. */
  readonly tasks: number
  /** Timers on the real clock and on virtual clocks still in use. */
  readonly timers: number
  /** Tasks waiting in `sleep(0)`. */
  readonly yields: number
  /** Unobserved failures not yet reported. */
  readonly reports: number
  /** 1 if the real clock holds its host timer while no timer is pending (it must not). */
  readonly hostTimers: number
  /** Executor worker threads and child processes not yet exited. */
  readonly workers: number
}

/** Counts what is alive right now. @since 0.1.0 */
export function leakReport(): LeakReport {
  return {
    tasks: liveTaskCount(),
    timers: realClock.pendingTimers + virtualPendingTimers(),
    yields: pendingYields(),
    reports: pendingReports(),
    hostTimers: realClock.pendingTimers === 0 && realClock._hostArmed ? 1 : 0,
    workers: liveWorkers(),
  }
}

function clean(r: LeakReport): boolean {
  return (
    r.tasks === 0 &&
    r.timers === 0 &&
    r.yields === 0 &&
    r.reports === 0 &&
    r.hostTimers === 0 &&
    r.workers === 0
  )
}

/**
 * Throws if any task, timer, `sleep(0)` waiter or pending report is left, after giving the loop a
 * few turns to settle what is already finishing.
 * @example
 * afterEach(() => assertNoLeaks())
 * @since 0.1.0
 */
export async function assertNoLeaks(): Promise<void> {
  let report = leakReport()
  for (let i = 0; i < 5 && !clean(report); i++) {
    await new Promise((resolve) => setImmediate(resolve))
    report = leakReport()
  }
  if (clean(report)) return
  const tasks = report.tasks > 0 ? `\n${dumpTasks(allTasks().filter((t) => t.parent === undefined))}` : ''
  throw new Error(
    `verdant leak: ${report.tasks} tasks, ${report.timers} timers, ${report.yields} sleep(0) waiters, ${report.reports} pending reports, ${report.hostTimers} stray host timers, ${report.workers} executor workers${tasks}`,
  )
}

/**
 * The state of a promise once the microtask queue has drained (tokio's `assert_pending!`).
 * @example
 * expect(await settledState(lock.acquire())).toBe('pending')
 * @since 0.1.0
 */
export async function settledState(p: PromiseLike<unknown>): Promise<'pending' | 'fulfilled' | 'rejected'> {
  let state: 'pending' | 'fulfilled' | 'rejected' = 'pending'
  Promise.resolve(p).then(
    () => (state = 'fulfilled'),
    () => (state = 'rejected'),
  )
  await new Promise((resolve) => setImmediate(resolve))
  return state
}
