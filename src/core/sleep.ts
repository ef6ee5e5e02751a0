/**
 * `sleep(ms)` and `yieldNow()`: the explicit switch points (gevent `sleep`, asyncio `sleep`).
 *
 * `sleep(0)` must let I/O callbacks run, not only other microtasks, so it waits for a
 * `setImmediate` turn. All the tasks that yield in one turn share one `setImmediate`: they are
 * queued and resumed in order when it fires, which costs one host callback per turn, not per task.
 *
 * Layer: `core/`, not `time/`: a sleep is an `Op`, and the kernel knows it by name (a sleeping
 * generator task waits without a resume closure, and `ctx.sleep()` is built on it).
 *
 * @module
 */
import { checkMs, checkOptions, checkSignal } from '../errors.js'
import { type Cancel, deliver, Op, type Resume, type Resumer } from '../core/op.js'
import { getClock, internalClock, setTimerOn } from '../platform/clock.js'
import { type DeadlineHeap, type HeapTimer, unschedule } from '../platform/deadline-heap.js'
import { LabelledUndo, sleepLabel } from './wait-label.js'

/** Options of `sleep`. @since 0.1.0 */
export interface SleepOptions {
  /** Abandon the sleep when this signal aborts; it rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined
}

class Yielder {
  constructor(public resume: Resume<void> | Resumer | undefined) {}
  cancel(): void {
    if (this.resume === undefined) return
    this.resume = undefined
    liveYielders--
  }
  _waitsOn(): string {
    return 'sleep(0): its next turn'
  }
}

let yielders: Yielder[] = []
let yieldScheduled = false
let liveYielders = 0

function flushYielders(): void {
  yieldScheduled = false
  const batch = yielders
  yielders = []
  for (const y of batch) {
    const resume = y.resume
    if (resume === undefined) continue
    y.resume = undefined
    liveYielders--
    deliver(resume, true, undefined)
  }
}

/**
 * A sleep is its own timer: the first time it starts it goes into the clock's heap itself, so a
 * sleeping task holds one object for its wait instead of an op and a timer entry.
 */
export class SleepOp extends Op<void> implements HeapTimer {
  readonly #ms: number
  #resume: Resume<void> | Resumer | undefined = undefined
  live = false
  at = 0
  seq = -1
  heap: DeadlineHeap | undefined = undefined
  constructor(ms: number, signal: AbortSignal | undefined) {
    super()
    this.#ms = ms
    this._signal = signal
  }

  /** @internal Due: as its own heap entry, or as the target of an ordinary timer. */
  onTimer(): void {
    const resume = this.#resume
    this.#resume = undefined
    if (resume !== undefined) deliver(resume, true, undefined)
  }

  /** @internal What a task parked on it waits on. */
  _waitsOn(): string {
    return sleepLabel(this.at, getClock().now())
  }

  /** @internal Undoes the wait while it is its own heap entry. */
  cancel(): void {
    if (unschedule(this)) this.#resume = undefined
  }

  /** A generator task's driver passes the task itself (see `Resumer`); anything else a function. */
  _start(resume: Resume<void> | Resumer): Cancel | undefined {
    const ms = this.#ms
    if (ms === 0) {
      const y = new Yielder(resume)
      yielders.push(y)
      liveYielders++
      if (!yieldScheduled) {
        yieldScheduled = true
        setImmediate(flushYielders)
      }
      return y
    }
    this.#resume = resume
    const clock = getClock()
    const internal = internalClock(clock)
    // An op started again (yielded a second time) may still sit dead in the heap: it then waits
    // on an ordinary timer, as it does on an application's own clock.
    if (internal !== undefined && ms !== Infinity && this.seq === -1) {
      internal._addTimer(ms, this)
      return this
    }
    const timer = setTimerOn(clock, ms, this)
    // Not the common case (a sleep forever, an application's clock): an undo that says so.
    return new LabelledUndo(
      () => {
        timer.cancel()
      },
      ms === Infinity ? 'sleep, forever' : `sleep(${String(ms)}) on the program's clock`,
    )
  }
}

/**
 * Waits `ms` milliseconds on the current clock; `sleep(0)` lets other tasks and pending I/O run.
 *
 * **Details**: await it anywhere, or `yield* sleep(ms)` in a generator task, or `ctx.sleep(ms)` in
 * an async task so a kill interrupts it. `Infinity` sleeps until cancelled, holding no timer.
 * **Cancellation**: abandoning it cancels its timer; nothing remains.
 * **Throws**: `RangeError` if `ms` is negative or not a number; `TypeError` for a `signal` that is
 * not an `AbortSignal`.
 * @example
 * await sleep(100)
 * @since 0.1.0
 */
export function sleep(ms = 0, opts?: SleepOptions): Op<void> {
  return new SleepOp(checkMs('ms', ms), sleepSignal(opts))
}

/** The checked `signal` of a sleep's options. */
function sleepSignal(opts: SleepOptions | undefined): AbortSignal | undefined {
  return opts === undefined ? undefined : checkSignal(checkOptions(opts).signal)
}

/**
 * Lets every other ready task and pending I/O callback run, then continues (`sleep(0)`).
 * @example
 * for (const item of items) { work(item); await yieldNow() }
 * @since 0.1.0
 */
export function yieldNow(opts?: SleepOptions): Op<void> {
  return new SleepOp(0, sleepSignal(opts))
}

/** Tasks waiting in `sleep(0)`; part of the leak check. @internal */
export function pendingYields(): number {
  return liveYielders
}

/**
 * Runs `callback` on the next `setImmediate` turn, in the same batch as `sleep(0)` waiters, and
 * counts it as a pending yield meanwhile, so a virtual clock does not jump while it waits. @internal
 */
export function queueYield(callback: () => void): void {
  yielders.push(
    new Yielder(() => {
      callback()
    }),
  )
  liveYielders++
  if (!yieldScheduled) {
    yieldScheduled = true
    setImmediate(flushYielders)
  }
}
