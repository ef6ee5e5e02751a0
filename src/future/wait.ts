/**
 * `wait(futures, {returnWhen})`: wait for some or all, never throwing for their outcomes.
 *
 * @module
 */
import { checkWait, describe } from '../errors.js'
import type { Future } from '../core/future.js'
import { futureList } from '../core/join.js'
import { type Cancel, Op, type Resume } from '../core/op.js'
import { LabelledUndo } from '../core/wait-label.js'
import { getClock, type Timer } from '../platform/clock.js'

/** When `wait` returns. @since 0.1.0 */
export type ReturnWhen = 'FIRST_COMPLETED' | 'FIRST_EXCEPTION' | 'ALL_COMPLETED'

/** Options of `wait`. @since 0.1.0 */
export interface WaitForOptions {
  /** Return what is done after this many ms; never throws on timeout. */
  readonly timeout?: number | undefined
  /** `ALL_COMPLETED` (default), `FIRST_COMPLETED`, or `FIRST_EXCEPTION` (a failure, else all). */
  readonly returnWhen?: ReturnWhen | undefined
  /** Abandon the wait when this signal aborts. */
  readonly signal?: AbortSignal | undefined
}

/** The outcome of `wait`. @since 0.1.0 */
export interface WaitResult<F> {
  readonly done: Set<F>
  readonly pending: Set<F>
}

class WaitOp<F extends Future<unknown>> extends Op<WaitResult<F>> {
  constructor(
    readonly futures: F[],
    readonly ms: number | undefined,
    readonly when: ReturnWhen,
    signal: AbortSignal | undefined,
  ) {
    super()
    this._signal = signal
  }

  _start(resume: Resume<WaitResult<F>>): Cancel | undefined {
    const futures = this.futures
    for (const f of futures) f._observed = true
    if (this.#satisfied()) {
      resume(true, this.#split())
      return undefined
    }
    // 0: waiting; 1: satisfied, resuming in a microtask; 2: resumed or undone.
    let phase = 0
    let timer: Timer | undefined
    const detach = (): void => {
      timer?.cancel()
      timer = undefined
      for (const f of futures) f._unlisten(onDone)
    }
    // The sets are taken a microtask after the wait is satisfied, so futures settled by the same
    // synchronous code (a loop of setResult, one callback settling another) count as done, as
    // they do for asyncio, whose waiter wakes up on a later loop step.
    const settle = (): void => {
      if (phase !== 1) return
      phase = 2
      detach()
      resume(true, this.#split())
    }
    const satisfied = (): void => {
      if (phase !== 0) return
      phase = 1
      timer?.cancel()
      timer = undefined
      queueMicrotask(settle)
    }
    let left = 0
    const onDone = (f: never): void => {
      left--
      if (left === 0 || this.when === 'FIRST_COMPLETED') satisfied()
      else if (this.when === 'FIRST_EXCEPTION' && (f as F)._state === 'failed') satisfied()
    }
    for (const f of futures) {
      if (f.done) continue
      left++
      f._listen(onDone)
    }
    const ms = this.ms
    if (ms !== undefined && ms !== Infinity) timer = getClock().setTimer(ms, satisfied)
    return new LabelledUndo(
      () => {
        phase = 2
        detach()
      },
      () =>
        `wait: ${String(futures.filter((f) => !f.done).length)} of ${String(futures.length)} futures pending`,
    )
  }

  /** Whether `returnWhen` is met by what is done now. */
  #satisfied(): boolean {
    let all = true
    for (const f of this.futures) {
      if (!f.done) all = false
      else if (this.when === 'FIRST_COMPLETED') return true
      // A cancelled future is done but raised nothing (asyncio and concurrent.futures agree).
      else if (this.when === 'FIRST_EXCEPTION' && f._state === 'failed') return true
    }
    return all
  }

  /** Every future that is done now, and the rest, each in the order given. */
  #split(): WaitResult<F> {
    const done = new Set<F>()
    const pending = new Set<F>()
    for (const f of this.futures) (f.done ? done : pending).add(f)
    return { done, pending }
  }
}

/**
 * Waits for futures and returns `{done, pending}` (asyncio / concurrent.futures `wait`).
 *
 * **Details**: `done` holds every future that is done when it returns (a cancelled one counts as
 * done), including those already done at the call and those settled by the same synchronous code
 * as the one that ended the wait; `pending` holds the rest. Both keep the order given. Never
 * rejects for a future's failure or on timeout, and never cancels anything.
 * **Throws**: `TypeError` unless `futures` is an iterable of futures or tasks; `RangeError` for an
 * empty set or a bad `returnWhen`.
 * @example
 * const { done, pending } = await wait(tasks, { returnWhen: 'FIRST_COMPLETED' })
 * @since 0.1.0
 */
export function wait<F extends Future<unknown>>(
  futures: Iterable<F>,
  opts?: WaitForOptions,
): Op<WaitResult<F>> {
  const list = [...new Set(futureList<F>('futures', futures))]
  if (list.length === 0) throw new RangeError('wait() needs at least one future: `futures` is empty')
  const ms = checkWait(opts)
  const when = opts?.returnWhen ?? 'ALL_COMPLETED'
  if (when !== 'ALL_COMPLETED' && when !== 'FIRST_COMPLETED' && when !== 'FIRST_EXCEPTION') {
    throw new RangeError(
      `Expected \`returnWhen\` to be ALL_COMPLETED, FIRST_COMPLETED or FIRST_EXCEPTION, got \`${describe(when)}\``,
    )
  }
  return new WaitOp(list, ms, when, opts?.signal)
}
