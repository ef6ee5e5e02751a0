/**
 * `JoinableQueue`: a queue that knows when every item was processed (gevent `JoinableQueue`,
 * asyncio `Queue.task_done` / `join`).
 *
 * @module
 */
import { InvalidStateError } from '../errors.js'
import type { WaitOptions } from '../core/future.js'
import type { Op } from '../core/op.js'
import { Event } from '../sync/event.js'
import { Queue } from './queue.js'

/**
 * A queue whose `join()` waits until `taskDone()` was called once for every item put.
 *
 * **Details**: an immediate `shutdown` counts each dropped item as done, so `join()` returns.
 * **Throws**: `InvalidStateError` from `taskDone()` called more times than items were put.
 * @example
 * const q = new JoinableQueue<string>()
 * spawn(async () => { for await (const url of q) { await fetchOne(url); q.taskDone() } })
 * q.putNowait('https://example.com')
 * await q.join()
 * @since 0.1.0
 */
export class JoinableQueue<T> extends Queue<T> {
  // Declared, not initialised: the base constructor may put `items` before subclass fields exist.
  /** @internal */ declare _unfinished: number | undefined
  /** @internal */ declare _allDone: Event | undefined

  /** Items put and not yet marked done. */
  get unfinishedTasks(): number {
    return this._unfinished ?? 0
  }

  /** Marks one item as processed. */
  taskDone(): void {
    const n = this._unfinished ?? 0
    if (n <= 0) throw new InvalidStateError('taskDone() called more times than there were items')
    this._unfinished = n - 1
    if (n === 1) this._doneEvent().set()
  }

  /**
   * Waits until every item put has been marked done: true, or false if `timeout` passed.
   *
   * **Cancellation**: it only watches the count, so an undone join (its task killed, its signal
   * aborted, its timeout) takes and changes nothing; the items stay queued and counted.
   */
  join(opts?: WaitOptions): Op<boolean> {
    const done = this._doneEvent()
    if ((this._unfinished ?? 0) === 0) done.set()
    return done.wait(opts)
  }

  /** @internal */
  override _accepted(_item: T): void {
    this._unfinished = (this._unfinished ?? 0) + 1
    this._doneEvent().clear()
  }

  /** @internal */
  override _dropped(items: T[]): void {
    for (let i = 0; i < items.length; i++) this.taskDone()
  }

  /** @internal Not a #private method: the base constructor may call the hooks above before they exist. */
  _doneEvent(): Event {
    return (this._allDone ??= new Event())
  }
}
