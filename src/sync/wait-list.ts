/**
 * The one waiter primitive every lock, queue and pool of verdant is built on (trio's `ParkingLot`,
 * tokio's `batch_semaphore`).
 *
 * A waiter is a node in an intrusive FIFO list holding the `resume` of the op that parked it.
 * Granting (a release, a put) unlinks the first waiter and resumes it synchronously, handing it
 * the permit or item directly; undoing a wait (kill, signal, timeout) unlinks it in O(1). Both
 * happen synchronously on the event loop, so a grant and an undo can never interleave: a waiter
 * that is still linked can be granted, one that was unlinked cannot, and nothing is lost or
 * granted twice.
 *
 * @module
 */
import { checkWait } from '../errors.js'
import type { WaitOptions } from '../core/future.js'
import { type Cancel, Op, type Resume } from '../core/op.js'
import { getClock, type Timer } from '../platform/clock.js'

/** A parked wait. @internal */
export class Waiter<T> {
  prev: Waiter<T> | undefined = undefined
  next: Waiter<T> | undefined = undefined
  list: WaitList<T> | undefined = undefined
  timer: Timer | undefined = undefined
  constructor(
    readonly resume: Resume<T>,
    /** What the waiter brings (the item of a blocked `put`, a priority), if anything. */
    readonly data: unknown,
  ) {}

  /** Undoes the wait: unlinks it and drops its timer. */
  cancel(): void {
    this.list?.remove(this)
    this.timer?.cancel()
    this.timer = undefined
  }

  /** What a task parked here waits on: its list's owner says. */
  _waitsOn(): string {
    const list = this.list
    return list === undefined ? 'a grant' : list.site._waitLabel(list)
  }
}

/** What owns a wait-list (a queue, a lock): it names what a waiter in each of its lists waits for. @internal */
export interface WaitSite {
  _waitLabel(list: WaitList<never>): string
}

/** `"name"` after a kind, when there is a name. @internal */
export function named(kind: string, name: string | undefined): string {
  return name === undefined ? kind : `${kind} ${JSON.stringify(name)}`
}

/** @internal */
export class WaitList<T> {
  constructor(readonly site: WaitSite) {}
  #first: Waiter<T> | undefined = undefined
  #last: Waiter<T> | undefined = undefined
  /** Invariant: the number of linked waiters. */
  size = 0

  push(w: Waiter<T>): void {
    w.list = this
    w.prev = this.#last
    if (this.#last === undefined) this.#first = w
    else this.#last.next = w
    this.#last = w
    this.size++
  }

  peek(): Waiter<T> | undefined {
    return this.#first
  }

  /** Unlinks and returns the first waiter, its timer dropped, ready to be resumed. */
  shift(): Waiter<T> | undefined {
    const w = this.#first
    if (w === undefined) return undefined
    this.remove(w)
    w.timer?.cancel()
    w.timer = undefined
    return w
  }

  remove(w: Waiter<T>): void {
    if (w.list !== this) return
    const { prev, next } = w
    if (prev === undefined) this.#first = next
    else prev.next = next
    if (next === undefined) this.#last = prev
    else next.prev = prev
    w.prev = w.next = w.list = undefined
    this.size--
  }

  /** Unlinks every waiter, in order. */
  drain(): Waiter<T>[] {
    const out: Waiter<T>[] = []
    for (let w = this.shift(); w !== undefined; w = this.shift()) out.push(w)
    return out
  }
}

/**
 * Checks a wait's options at the call and tells whether the wait may finish there: not when its
 * signal has already aborted (then the op must reject when awaited, without taking anything).
 * @internal
 */
export function mayFinishAtCall(opts: WaitOptions | undefined): boolean {
  if (opts === undefined) return true
  checkWait(opts)
  return opts.signal?.aborted !== true
}

/**
 * An op that either completes at once or parks in a wait-list, with the `{timeout, signal}` every
 * verdant wait takes. Subclasses say how to complete now and what a timeout gives. @internal
 */
export abstract class ParkOp<T> extends Op<T> {
  readonly #ms: number | undefined
  constructor(opts: WaitOptions | undefined) {
    super()
    this.#ms = checkWait(opts)
    this._signal = opts?.signal
  }

  /** Completes at once if it can (calling `resume`) and returns true; else returns false. */
  protected abstract tryNow(resume: Resume<T>): boolean
  /** The list to park in. */
  protected abstract list(): WaitList<T>
  /** What the waiter carries. */
  protected data(): unknown {
    return undefined
  }
  /** Resumes a waiter whose timeout fired (it is already unlinked). */
  protected abstract timedOut(resume: Resume<T>, ms: number): void
  /** Called after the waiter was parked (a put into a full queue may now unblock something). */
  protected parked(_w: Waiter<T>): void {}

  _start(resume: Resume<T>): Cancel | undefined {
    if (this.tryNow(resume)) return undefined
    const w = new Waiter<T>(resume, this.data())
    this.list().push(w)
    const ms = this.#ms
    if (ms !== undefined) {
      w.timer = getClock().setTimer(ms, () => {
        w.timer = undefined
        w.list?.remove(w)
        this.timedOut(resume, ms)
      })
    }
    this.parked(w)
    return w
  }
}
