/**
 * `AsyncResult`: gevent's one-shot result holder, a `Future` with gevent's names.
 *
 * @module
 */
import { Future, FutureWaitOp, type WaitOptions } from '../core/future.js'
import { FnOp, type Op, startOp } from '../core/op.js'

/**
 * A value or error that is set once and waited for by any number of tasks (gevent
 * `AsyncResult`). It is a `Future`: `await`, `get({timeout})`, `ready`, `successful`, `value`,
 * `exception` all work.
 * @example
 * const result = new AsyncResult<number>()
 * setTimeout(() => result.set(42), 10)
 * console.log(await result.get({ timeout: 1000 })) // 42
 * @since 0.1.0
 */
export class AsyncResult<T> extends Future<T> {
  /** Sets the value and wakes every waiter. **Throws** `InvalidStateError` if already set. */
  set(value: T): void {
    this.setResult(value)
  }

  /**
   * Waits until it is set, and gives the value (`undefined` if it failed or `timeout` passed);
   * never throws the stored error (gevent `wait`).
   */
  wait(opts?: WaitOptions): Op<T | undefined> {
    const join = new FutureWaitOp<T, boolean>(this, false, opts)
    return new FnOp<T | undefined>((resume) =>
      startOp(join, (ok, done) => {
        resume(ok, ok ? (done === true ? this.value : undefined) : done)
      }),
    )
  }
}
