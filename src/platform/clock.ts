/**
 * The clock every verdant timer goes through.
 *
 * Time is injected, never read from globals, so tests can swap in a virtual clock
 * (`verdant/testing`) and get the same interleaving on every run. The real clock keeps all its
 * timers in one deadline heap behind a single host `setTimeout`, armed for the earliest deadline:
 * a guard timer that never fires then costs a heap push and an O(1) cancel instead of a host timer
 * create and clear.
 *
 * Layer: `platform/`, under the kernel. A clock knows nothing of tasks (a sleep or a `Timeout` is
 * only a callback or an `onTimer()` target to it), and tasks, `testing/`'s virtual clock and every
 * layer that sets a timer read it, so it imports only `errors.ts` and the timer heap.
 *
 * @module
 */
import { checkMs, typeError } from '../errors.js'
import { DeadlineHeap, type HeapTimer, type TimerCallback, TimerEntry } from './deadline-heap.js'

/**
 * A scheduled callback that can be cancelled.
 * @since 0.1.0
 */
export interface Timer {
  /** Prevents the callback from running; no-op once it ran or was cancelled. */
  cancel(): void
  /** True until the callback ran or the timer was cancelled. */
  readonly live: boolean
}

/**
 * A source of time and timers. verdant reads time and sets every timer through the current clock.
 * @since 0.1.0
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences are meaningful). */
  now(): number
  /** Runs `callback` once after `ms` milliseconds; `Infinity` never fires and holds no timer. */
  setTimer(ms: number, callback: () => void): Timer
  /** How many timers are scheduled and not yet run or cancelled. */
  readonly pendingTimers: number
}

/** What a timer of `Infinity` ms returns: it never fires and holds nothing. @internal */
export const NEVER: Timer = Object.freeze({ cancel: () => undefined, live: true })

/** Host timers cannot be longer than this (about 24.8 days); longer waits are re-armed. */
const MAX_HOST_DELAY = 2 ** 31 - 1

/**
 * The wall clock: `performance.now()` and one host timer over a deadline heap.
 * @since 0.1.0
 */
export class RealClock implements Clock {
  #heap = new DeadlineHeap(() => {
    this.#disarm()
  })
  #host: NodeJS.Timeout | undefined
  #armedAt = Infinity

  now(): number {
    return performance.now()
  }

  setTimer(ms: number, callback: () => void): Timer {
    return entryOn(this, ms, checkTimer(ms, callback))
  }

  /** @internal Schedules an entry never added before, `ms` finite; see `InternalClock`. */
  _addTimer(ms: number, entry: HeapTimer): void {
    // Deadlines are whole ms, rounded up: the host timer has ms resolution and never fires early.
    const at = Math.ceil(performance.now() + ms)
    entry.at = at
    this.#heap.add(entry)
    if (at < this.#armedAt) this.#arm(at)
  }

  get pendingTimers(): number {
    return this.#heap.liveCount
  }

  /** @internal True while the host timer is set; it must be exactly when a timer is pending. */
  get _hostArmed(): boolean {
    return this.#host !== undefined
  }

  #arm(at: number): void {
    if (this.#host !== undefined) clearTimeout(this.#host)
    this.#armedAt = at
    const delay = Math.min(MAX_HOST_DELAY, Math.max(0, Math.ceil(at - performance.now())))
    this.#host = setTimeout(this.#fire, delay)
  }

  #disarm(): void {
    if (this.#host !== undefined) clearTimeout(this.#host)
    this.#host = undefined
    this.#armedAt = Infinity
  }

  #fire = (): void => {
    this.#host = undefined
    this.#armedAt = Infinity
    const now = performance.now()
    const heap = this.#heap
    // A callback may add or cancel timers; each due entry is popped before it runs.
    for (let entry = heap.popDue(now); entry !== undefined; entry = heap.popDue(now)) {
      entry.onTimer()
    }
    const next = heap.peek()
    if (next !== undefined && next.at < this.#armedAt) this.#arm(next.at)
  }
}

/** The process-wide real clock. @since 0.1.0 */
export const realClock: RealClock = new RealClock()

let current: Clock = realClock

/**
 * The clock verdant uses right now: the real clock, or a virtual one inside `withVirtualTime`.
 * @since 0.1.0
 */
export function getClock(): Clock {
  return current
}

/**
 * A verdant clock: every timer it runs is a heap entry, and it takes objects that are their own
 * entry (a sleep), so a timer costs no closure and sometimes no second object. @internal
 */
export interface InternalClock extends Clock {
  /** Schedules `entry` (never added before; see `HeapTimer`) to run after `ms`, which is finite. */
  _addTimer(ms: number, entry: HeapTimer): void
}

/** `clock` if it is one of verdant's own, else undefined (an application's `Clock`). @internal */
export function internalClock(clock: Clock): InternalClock | undefined {
  return '_addTimer' in clock ? (clock as InternalClock) : undefined
}

/**
 * Validates the arguments of a public `setTimer` and returns the callback: a NaN deadline would
 * corrupt the clock's heap, and a callback that is not a function would fail when it fires.
 * @internal
 */
export function checkTimer(ms: unknown, callback: unknown): () => void {
  checkMs('ms', ms)
  if (typeof callback !== 'function') throw typeError('callback', 'a function', callback)
  return callback as () => void
}

/** A timer entry for `callback` on a verdant clock: `setTimer`, also for `{onTimer()}` targets. @internal */
export function entryOn(clock: InternalClock, ms: number, callback: TimerCallback): Timer {
  if (ms === Infinity) return NEVER
  const entry = new TimerEntry(0, callback)
  clock._addTimer(ms, entry)
  return entry
}

/**
 * Sets a timer on `clock` that calls `target.onTimer()`; verdant's clocks do it without a closure.
 * @internal
 */
export function setTimerOn(clock: Clock, ms: number, target: { onTimer(): void }): Timer {
  const internal = internalClock(clock)
  if (internal !== undefined) return entryOn(internal, ms, target)
  return clock.setTimer(ms, () => {
    target.onTimer()
  })
}

/** Swaps the current clock and returns the previous one. @internal */
export function swapClock(clock: Clock): Clock {
  const previous = current
  current = clock
  return previous
}
