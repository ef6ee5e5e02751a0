/**
 * `Semaphore` and `BoundedSemaphore` (gevent / asyncio), with permits that `using` releases.
 *
 * Release hands the permit straight to the first waiter, so a late arrival never overtakes a
 * waiter (FIFO-fair), and `value` only grows when nobody waits.
 *
 * @module
 */
import { checkCount, InvalidStateError, TimeoutError, typeError } from '../errors.js'
import type { WaitOptions } from '../core/future.js'
import type { Op, Resume } from '../core/op.js'
import { ParkOp, WaitList } from './wait-list.js'

/**
 * One acquired permit. `release()` (or leaving a `using` block) gives it back, once: later calls do
 * nothing, so a permit can never be returned twice.
 * @since 0.1.0
 */
export class Permit implements Disposable {
  #owner: { _releasePermit(p: Permit): void } | undefined
  /** @internal */
  constructor(owner: { _releasePermit(p: Permit): void }) {
    this.#owner = owner
  }
  /** True until released. */
  get held(): boolean {
    return this.#owner !== undefined
  }
  /** Gives the permit back; no-op after the first call. */
  release(): void {
    const owner = this.#owner
    if (owner === undefined) return
    this.#owner = undefined
    owner._releasePermit(this)
  }
  [Symbol.dispose](): void {
    this.release()
  }
}

class AcquireOp extends ParkOp<Permit> {
  constructor(
    readonly sem: Semaphore,
    opts: WaitOptions | undefined,
  ) {
    super(opts)
  }
  protected tryNow(resume: Resume<Permit>): boolean {
    const p = this.sem.tryAcquire()
    if (p === undefined) return false
    resume(true, p)
    return true
  }
  protected list(): WaitList<Permit> {
    return this.sem._waiters
  }
  protected timedOut(resume: Resume<Permit>, ms: number): void {
    resume(false, new TimeoutError(`could not acquire the ${this.sem.constructor.name} within ${ms} ms`))
  }
}

/**
 * A pool of `value` permits; `acquire()` waits, first come first served, while none is free.
 *
 * **Cancellation**: if the waiting task is killed, its signal aborts or its timeout passes first,
 * no permit is taken and its place in line is given up; a permit already handed over is the
 * caller's (release it, or let `using` do it).
 * **Throws**: `RangeError` when `value` is not an integer >= 0; `TimeoutError`; the signal's reason.
 * @example
 * const sem = new Semaphore(4)
 * await sem.run(() => fetch(url))
 * {
 *   using _permit = await sem.acquire({ timeout: 1000 })
 *   // at most 4 tasks here
 * }
 * @since 0.1.0
 */
export class Semaphore {
  /** @internal */ _value: number
  /** @internal */ readonly _waiters = new WaitList<Permit>(this)
  /** @internal What a task parked in its list waits for. */
  _waitLabel(): string {
    return `semaphore (${String(this._value)} free): acquire`
  }

  constructor(value = 1) {
    this._value = checkCount('value', value, 0)
  }

  /** Free permits right now. */
  get value(): number {
    return this._value
  }

  /** True when no permit is free. */
  get locked(): boolean {
    return this._value === 0
  }

  /** Waits for a permit. */
  acquire(opts?: WaitOptions): Op<Permit> {
    return new AcquireOp(this, opts)
  }

  /** Takes a permit if one is free and nobody waits before; else `undefined`. */
  tryAcquire(): Permit | undefined {
    if (this._value === 0 || this._waiters.size > 0) return undefined
    this._value--
    return new Permit(this)
  }

  /** Returns a permit (gevent style: no permit object needed). */
  release(): void {
    const w = this._waiters.shift()
    if (w !== undefined) {
      w.resume(true, new Permit(this))
      return
    }
    this._checkRelease()
    this._value++
  }

  /** Runs `fn` holding a permit, and releases it however `fn` ends. */
  run<R>(fn: () => R | PromiseLike<R>, opts?: WaitOptions): Promise<Awaited<R>> {
    // Checked at the call: inside the async part they would only reject, after taking a permit.
    if (typeof fn !== 'function') throw typeError('fn', 'a function', fn)
    return this.#run(fn, this.acquire(opts))
  }

  async #run<R>(fn: () => R | PromiseLike<R>, acquire: Op<Permit>): Promise<Awaited<R>> {
    const permit = await acquire
    try {
      return await fn()
    } finally {
      permit.release()
    }
  }

  /** Free permits and waiting tasks. */
  stats(): Readonly<{ value: number; waiting: number }> {
    return Object.freeze({ value: this._value, waiting: this._waiters.size })
  }

  /** @internal */
  _releasePermit(_p: Permit): void {
    this.release()
  }

  /** @internal Raises if a release would exceed the bound. */
  _checkRelease(): void {}
}

/**
 * A `Semaphore` that refuses to be released more times than it was acquired (gevent / asyncio
 * `BoundedSemaphore`).
 * **Throws**: `InvalidStateError` from `release()` when that would exceed the initial value.
 * @example
 * const sem = new BoundedSemaphore(2)
 * sem.release() // throws: released too many times
 * @since 0.1.0
 */
export class BoundedSemaphore extends Semaphore {
  /** The initial value, which `value` may never exceed. */
  readonly bound: number
  constructor(value = 1) {
    super(value)
    this.bound = value
  }
  /** @internal */
  override _checkRelease(): void {
    if (this._value >= this.bound) {
      throw new InvalidStateError(`${this.constructor.name} released too many times (bound ${this.bound})`)
    }
  }
}
