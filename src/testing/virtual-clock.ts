/**
 * A virtual clock for tests (trio `MockClock(autojump_threshold=0)`, tokio `start_paused`).
 *
 * Time stands still until the test advances it, or, with autojump (the default), until every task
 * is blocked: then the clock jumps straight to the next timer. "Every task is blocked" is read as
 * "the microtask queue is empty, no task waits in `sleep(0)`, and two `setImmediate` turns passed
 * with nothing new", which also gives ready I/O callbacks a turn. A test that sleeps an hour runs
 * in milliseconds, and the same test gives the same interleaving on every run.
 *
 * @module
 */
import { DeadlineHeap, type HeapTimer } from '../platform/deadline-heap.js'
import { checkMs, checkOptions, typeError } from '../errors.js'
import { checkTimer, type Clock, entryOn, swapClock, type Timer } from '../platform/clock.js'
import { pendingYields } from '../core/sleep.js'

/** Options of `VirtualClock` and `withVirtualTime`. @since 0.1.0 */
export interface VirtualClockOptions {
  /** Jump to the next timer whenever every task is blocked (default true). */
  readonly autojump?: boolean | undefined
  /** The starting time in ms (default 0). */
  readonly start?: number | undefined
}

const live = new Set<VirtualClock>()

/**
 * A clock whose time moves only when told to (or, with autojump, when every task is blocked).
 * @example
 * await withVirtualTime(async (clock) => {
 *   await sleep(3_600_000)
 *   expect(clock.now()).toBe(3_600_000)
 * })
 * @since 0.1.0
 */
export class VirtualClock implements Clock {
  #now: number
  readonly #heap = new DeadlineHeap()
  readonly #autojump: boolean
  #armed = false
  #immediate: NodeJS.Immediate | undefined
  #disposed = false
  #idleWaiters: (() => void)[] = []

  constructor(opts?: VirtualClockOptions) {
    const start: unknown = checkOptions(opts)?.start ?? 0
    if (typeof start !== 'number') throw typeError('start', 'a number', start)
    if (!Number.isFinite(start))
      throw new RangeError(`Expected \`start\` to be finite, got \`${String(start)}\``)
    const autojump: unknown = opts?.autojump ?? true
    if (typeof autojump !== 'boolean') throw typeError('autojump', 'a boolean', autojump)
    this.#now = start
    this.#autojump = autojump
    live.add(this)
  }

  now(): number {
    return this.#now
  }

  setTimer(ms: number, callback: () => void): Timer {
    return entryOn(this, ms, checkTimer(ms, callback))
  }

  /** @internal Schedules an entry never added before, `ms` finite; see `InternalClock`. */
  _addTimer(ms: number, entry: HeapTimer): void {
    entry.at = this.#now + ms
    this.#heap.add(entry)
    this.#arm()
  }

  get pendingTimers(): number {
    return this.#heap.liveCount
  }

  /** Moves time forward by `ms`, running every timer due on the way, in order. */
  advance(ms: number): void {
    if (checkMs('ms', ms) === Infinity) throw new RangeError('Expected `ms` to be finite, got `Infinity`')
    const target = this.#now + ms
    for (let e = this.#heap.popDue(target); e !== undefined; e = this.#heap.popDue(target)) {
      this.#now = Math.max(this.#now, e.at)
      e.onTimer()
    }
    this.#now = target
  }

  /** Jumps to the next timer and runs everything due then; false if none is scheduled. */
  runNext(): boolean {
    const next = this.#heap.peek()
    if (next === undefined) return false
    this.advance(Math.max(0, next.at - this.#now))
    return true
  }

  /** Resolves once every task is blocked, before the clock would jump (trio `wait_all_tasks_blocked`). */
  waitIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve)
      this.#arm(true)
    })
  }

  /** Stops autojumping. Timers still scheduled stay (and count as leaks). */
  dispose(): void {
    this.#disposed = true
    live.delete(this)
    if (this.#immediate !== undefined) clearImmediate(this.#immediate)
    this.#immediate = undefined
    this.#armed = false
  }

  #arm(force = false): void {
    if (this.#armed || this.#disposed || (!this.#autojump && !force)) return
    this.#armed = true
    this.#immediate = setImmediate(() => {
      this.#immediate = setImmediate(this.#tick)
    })
  }

  #tick = (): void => {
    this.#armed = false
    this.#immediate = undefined
    if (this.#disposed) return
    if (pendingYields() > 0) {
      this.#arm(true)
      return
    }
    const idle = this.#idleWaiters
    if (idle.length > 0) {
      this.#idleWaiters = []
      for (const resolve of idle) resolve()
      this.#arm()
      return
    }
    if (this.#autojump && this.runNext()) this.#arm()
  }
}

/**
 * Runs `fn` with a fresh `VirtualClock` as verdant's clock, then restores the previous clock.
 * @example
 * await withVirtualTime(async (clock) => { await sleep(1000); console.log(clock.now()) }) // 1000
 * @since 0.1.0
 */
export function withVirtualTime<T>(
  fn: (clock: VirtualClock) => T | PromiseLike<T>,
  opts?: VirtualClockOptions,
): Promise<T> {
  // Checked before the clock is swapped: a mistake throws at the call, leaving time as it was.
  if (typeof fn !== 'function') throw typeError('fn', 'a function', fn)
  return runVirtual(fn, new VirtualClock(opts))
}

async function runVirtual<T>(
  fn: (clock: VirtualClock) => T | PromiseLike<T>,
  clock: VirtualClock,
): Promise<T> {
  const previous = swapClock(clock)
  try {
    return await fn(clock)
  } finally {
    swapClock(previous)
    clock.dispose()
  }
}

/** Timers pending on every virtual clock still in use. @internal */
export function virtualPendingTimers(): number {
  let n = 0
  for (const c of live) n += c.pendingTimers
  return n
}

/**
 * The same class as `VirtualClock`, under the name tokio and Effect users look for.
 * @since 0.1.0
 */
export const TestClock = VirtualClock
/** @since 0.1.0 */
export type TestClock = VirtualClock
