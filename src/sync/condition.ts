/**
 * `Condition`: wait until notified, holding a lock around the check (asyncio / threading
 * `Condition`).
 *
 * A wait releases the lock, parks, and takes the lock back before it returns, whatever happens:
 * notified, timed out or cancelled. Cancellation therefore cannot be immediate when another task
 * holds the lock; the wait defers its undo (see `Cancel`) and raises only once it holds the lock
 * again, so a `using` guard around it always releases a lock it really holds.
 *
 * @module
 */
import { checkCount, checkWait, InvalidStateError, typeError } from '../errors.js'
import type { WaitOptions } from '../core/future.js'
import { type Cancel, Op, type Resume, startOp, undo } from '../core/op.js'
import { LabelledUndo, waitLabel } from '../core/wait-label.js'
import { getClock, type Timer } from '../platform/clock.js'
import { Lock } from './lock.js'
import type { Permit } from './semaphore.js'
import { Waiter, WaitList } from './wait-list.js'

/** The outcome a condition wait resumes with once it holds the lock again. */
type Outcome = { ok: true; value: boolean } | { ok: false; error: unknown }

class ConditionWaitOp extends Op<boolean> {
  readonly #cond: Condition
  readonly #ms: number | undefined
  constructor(cond: Condition, opts: WaitOptions | undefined) {
    super()
    this.#cond = cond
    this.#ms = checkWait(opts)
    this._signal = opts?.signal
  }

  _start(resume: Resume<boolean>): Cancel | undefined {
    const cond = this.#cond
    const lock = cond.lock
    if (!lock.locked) {
      resume(false, new InvalidStateError('Condition.wait() called without holding its lock'))
      return undefined
    }
    let timer: Timer | undefined
    let reacquiring = false
    let outcome: Outcome = { ok: true, value: true }
    const reacquire = (): void => {
      reacquiring = true
      timer?.cancel()
      timer = undefined
      // The re-acquired permit is the caller's original hold: the caller releases it, not this.
      startOp(lock.acquire(), (ok, error) => {
        if (!ok) {
          resume(false, error)
          return
        }
        if (outcome.ok) resume(true, outcome.value)
        else resume(false, outcome.error)
      })
    }
    const waiter = new Waiter<boolean>(() => {
      reacquire()
    }, undefined)
    cond._waiters.push(waiter)
    lock.release()
    const ms = this.#ms
    if (ms !== undefined) {
      timer = getClock().setTimer(ms, () => {
        timer = undefined
        cond._waiters.remove(waiter)
        outcome = { ok: true, value: false }
        reacquire()
      })
    }
    return new LabelledUndo(
      (reason?: unknown) => {
        outcome = { ok: false, error: reason }
        if (!reacquiring) {
          cond._waiters.remove(waiter)
          reacquire()
        }
        return true
      },
      () => (reacquiring ? 'lock: acquire (after a condition wait)' : 'condition: notify'),
    )
  }
}

class WaitForOp extends Op<boolean> {
  constructor(
    readonly cond: Condition,
    readonly predicate: () => boolean,
    readonly opts: WaitOptions | undefined,
  ) {
    super()
  }

  _start(resume: Resume<boolean>): Cancel | undefined {
    const deadline = this.opts?.timeout === undefined ? undefined : getClock().now() + this.opts.timeout
    let current: Cancel | undefined
    let stopped = false
    const loop = (): void => {
      for (;;) {
        let ok: boolean
        try {
          ok = this.predicate()
        } catch (err) {
          resume(false, err)
          return
        }
        if (ok) {
          resume(true, true)
          return
        }
        const left = deadline === undefined ? undefined : Math.max(0, deadline - getClock().now())
        if (left === 0) {
          resume(true, false)
          return
        }
        let sync = true
        let again = false
        current = startOp(this.cond.wait({ timeout: left, signal: this.opts?.signal }), (wok, value) => {
          current = undefined
          if (!wok) {
            resume(false, value)
            return
          }
          if (stopped) return
          if (sync) again = true
          else loop()
        })
        sync = false
        if (!again) return
      }
    }
    loop()
    return new LabelledUndo(
      (reason?: unknown) => {
        stopped = true
        return undo(current, reason)
      },
      () => `condition: predicate (${waitLabel(current)})`,
    )
  }
}

/**
 * Lets tasks wait, holding `lock`, until another task changes some state and notifies them.
 *
 * **Details**: the condition is itself a lock, as in asyncio and gevent: `acquire`, `release` and
 * `locked` act on `lock`, so `async with cond:` ports as `using _ = await cond.acquire()`.
 * **Cancellation**: a cancelled or timed-out `wait` takes the lock back before it raises or
 * returns, so the caller holds the lock in every outcome (asyncio semantics).
 * **Throws**: `InvalidStateError` from `wait`, `notify` and `notifyAll` without the lock held.
 * @example
 * const cond = new Condition()
 * {
 *   using _held = await cond.acquire()
 *   await cond.waitFor(() => items.length > 0)
 *   items.shift()
 * }
 * @since 0.1.0
 */
export class Condition {
  /** The lock the condition is bound to. */
  readonly lock: Lock
  /** @internal */
  readonly _waiters = new WaitList<boolean>(this)
  /** @internal What a task parked in its list waits for. */
  _waitLabel(): string {
    return 'condition: notify'
  }

  constructor(lock: Lock = new Lock()) {
    if (!(lock instanceof Lock)) throw typeError('lock', 'a Lock', lock)
    this.lock = lock
  }

  /**
   * True while its lock is held.
   * @since 0.2.0
   */
  get locked(): boolean {
    return this.lock.locked
  }

  /**
   * Waits for its lock, as `Lock.acquire` (same `timeout` and `signal`); leaving a `using` block
   * releases the permit.
   *
   * **Cancellation**: a wait undone before the grant takes nothing and leaves no waiter.
   * **Throws**: `TimeoutError`; the signal's reason.
   * @example
   * using _held = await cond.acquire({ timeout: 1000 })
   * @since 0.2.0
   */
  acquire(opts?: WaitOptions): Op<Permit> {
    return this.lock.acquire(opts)
  }

  /**
   * Releases its lock (gevent style: no permit object needed).
   * **Throws**: `InvalidStateError` when the lock is not held.
   * @since 0.2.0
   */
  release(): void {
    this.lock.release()
  }

  /**
   * Releases the lock, waits to be notified (true) or for `timeout` (false), and takes the lock
   * back before returning.
   */
  wait(opts?: WaitOptions): Op<boolean> {
    return new ConditionWaitOp(this, opts)
  }

  /** Waits until `predicate()` is true, checking it after each notification; false on timeout. */
  waitFor(predicate: () => boolean, opts?: WaitOptions): Op<boolean> {
    if (typeof predicate !== 'function') throw typeError('predicate', 'a function', predicate)
    checkWait(opts)
    return new WaitForOp(this, predicate, opts)
  }

  /** Wakes up to `n` waiters (default 1), in the order they came. */
  notify(n = 1): void {
    checkCount('n', n, 0, { infinite: true })
    if (!this.lock.locked) throw new InvalidStateError('Condition.notify() called without holding its lock')
    for (let i = 0; i < n; i++) {
      const w = this._waiters.shift()
      if (w === undefined) break
      w.resume(true, true)
    }
  }

  /** Wakes every waiter. */
  notifyAll(): void {
    this.notify(this._waiters.size)
  }
}
