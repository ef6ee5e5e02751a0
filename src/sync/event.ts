/**
 * `Event`: a flag tasks can wait for (gevent / asyncio `Event`).
 *
 * @module
 */
import type { WaitOptions } from '../core/future.js'
import type { Op, Resume } from '../core/op.js'
import { ParkOp, WaitList } from './wait-list.js'

class EventWaitOp extends ParkOp<boolean> {
  constructor(
    readonly event: Event,
    opts: WaitOptions | undefined,
  ) {
    super(opts)
  }
  protected tryNow(resume: Resume<boolean>): boolean {
    if (!this.event.isSet) return false
    resume(true, true)
    return true
  }
  protected list(): WaitList<boolean> {
    return this.event._waiters
  }
  protected timedOut(resume: Resume<boolean>): void {
    resume(true, false)
  }
}

/**
 * A flag that tasks can wait for: `set()` wakes every waiter, in the order they came.
 *
 * **Cancellation**: a cancelled or timed-out `wait` is removed from the waiters; nothing remains.
 * @example
 * const ready = new Event()
 * spawn(async () => { await ready.wait(); console.log('go') })
 * ready.set()
 * @since 0.1.0
 */
export class Event {
  #flag = false
  /** @internal */
  readonly _waiters = new WaitList<boolean>(this)
  /** @internal What a task parked in its list waits for. */
  _waitLabel(): string {
    return 'event: set'
  }

  /**
   * True while the flag is set. A getter since 0.2.0, like every state read that cannot throw or
   * wait (gevent's and asyncio's `is_set()` is a method).
   */
  get isSet(): boolean {
    return this.#flag
  }

  /** Sets the flag and wakes every waiter (they see true even if `clear()` follows at once). */
  set(): void {
    this.#flag = true
    for (const w of this._waiters.drain()) w.resume(true, true)
  }

  /** Clears the flag; later waits block again. */
  clear(): void {
    this.#flag = false
  }

  /** Waits until the flag is set: true, or false if `timeout` ms passed first. */
  wait(opts?: WaitOptions): Op<boolean> {
    return new EventWaitOp(this, opts)
  }

  /** How many tasks wait. */
  stats(): Readonly<{ isSet: boolean; waiting: number }> {
    return Object.freeze({ isSet: this.#flag, waiting: this._waiters.size })
  }
}
