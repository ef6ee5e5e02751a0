/**
 * `Barrier`: `n` tasks wait for each other (asyncio / threading `Barrier`).
 *
 * @module
 */
import { BrokenBarrierError, checkCount, TimeoutError } from '../errors.js'
import type { WaitOptions } from '../core/future.js'
import type { Op, Resume } from '../core/op.js'
import { ParkOp, WaitList } from './wait-list.js'

class BarrierWaitOp extends ParkOp<number> {
  #index = 0
  constructor(
    readonly barrier: Barrier,
    opts: WaitOptions | undefined,
  ) {
    super(opts)
  }
  protected tryNow(resume: Resume<number>): boolean {
    const b = this.barrier
    if (b.broken) {
      resume(false, new BrokenBarrierError('the barrier is broken'))
      return true
    }
    this.#index = b._waiters.size
    if (this.#index + 1 < b.parties) return false
    // The last party: release everyone, each with its arrival index.
    const waiters = b._waiters.drain()
    waiters.forEach((w, i) => {
      w.resume(true, i)
    })
    resume(true, this.#index)
    return true
  }
  protected list(): WaitList<number> {
    return this.barrier._waiters
  }
  protected timedOut(resume: Resume<number>, ms: number): void {
    this.barrier.abort()
    resume(false, new TimeoutError(`the barrier did not fill within ${ms} ms`))
  }
}

/**
 * Makes `parties` tasks wait until all of them arrived, then releases them together; it can be
 * used again for the next round.
 *
 * **Cancellation**: a waiter that is killed or whose signal aborts leaves without breaking the
 * barrier; one whose `timeout` passes breaks it (the others get `BrokenBarrierError`, as in
 * threading).
 * **Throws**: `BrokenBarrierError` after `abort()` or `reset()`; `TimeoutError`.
 * @example
 * const barrier = new Barrier(3)
 * const index = await barrier.wait() // 0, 1 or 2: the arrival order
 * @since 0.1.0
 */
export class Barrier {
  /** @internal */
  readonly _waiters = new WaitList<number>(this)
  /** @internal What a task parked in its list waits for. */
  _waitLabel(): string {
    return `barrier (${String(this._waiters.size)} of ${String(this.parties)} waiting)`
  }
  #broken = false
  /** How many tasks must arrive. */
  readonly parties: number

  constructor(parties: number) {
    this.parties = checkCount('parties', parties, 1)
  }

  /** True after `abort()` (or a timed-out wait) until `reset()`. */
  get broken(): boolean {
    return this.#broken
  }

  /** Tasks waiting right now. */
  get waiting(): number {
    return this._waiters.size
  }

  /** Waits for the others; gives this task's arrival index (0 to parties - 1). */
  wait(opts?: WaitOptions): Op<number> {
    return new BarrierWaitOp(this, opts)
  }

  /** Breaks the barrier: every waiter, and every later `wait`, gets `BrokenBarrierError`. */
  abort(): void {
    this.#broken = true
    for (const w of this._waiters.drain()) w.resume(false, new BrokenBarrierError('the barrier was aborted'))
  }

  /** Fails the current waiters with `BrokenBarrierError` and makes the barrier usable again. */
  reset(): void {
    for (const w of this._waiters.drain()) w.resume(false, new BrokenBarrierError('the barrier was reset'))
    this.#broken = false
  }
}
