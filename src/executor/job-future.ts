/**
 * `JobFuture<T>`: the future of one executor job (concurrent.futures `Future`).
 *
 * The job's bookkeeping lives on its future, saving an object per job. Cancelling it withdraws the
 * job wherever it is: dropped from the queue, skipped by the worker, or, running, asked to stop
 * through its `AbortSignal` and terminated with its worker if it does not stop in time.
 *
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import { describe } from '../errors.js'
import { Future, FutureWaitOp, type WaitOptions } from '../core/future.js'
import { type Cancel, type Op, type Resume, undo } from '../core/op.js'
import { LabelledUndo, waitLabel } from '../core/wait-label.js'
import type { Timer } from '../platform/clock.js'
import type { WorkerSlot } from './worker-slot.js'

/** Where a job is: in the executor's queue. @internal */
export const QUEUED = 0
/** Given to a worker, not yet sent. @internal */
export const OUTBOX = 1
/** Sent to a worker, no outcome yet. @internal */
export const SENT = 2
/** Finished or withdrawn. @internal */
export const GONE = 3

/** What a job's future needs from its executor. Not part of the public API. */
export interface JobOwner {
  /** @internal Withdraws the job wherever it is, and settles it cancelled with `message`. */
  _cancel(job: JobFuture<unknown>, message: string): void
}

/**
 * The future of an executor job. Cancelling it withdraws the job (see the module comment);
 * a task killed while waiting on it through `yield*`, `ctx.call` or `get({signal})` cancels it too.
 * @since 0.1.0
 */
export class JobFuture<T> extends Future<T> {
  /** @internal */ _id: number
  /** @internal The function's index; negative for a `map` chunk. */ _fn: number
  /** @internal */ _name: string
  /** @internal Dropped once sent. */ _args: unknown[] | undefined
  /** @internal */ _transfer: readonly Transferable[] | undefined
  /** @internal */ _owner: JobOwner
  /** @internal Where the job is: `QUEUED`, `OUTBOX`, `SENT` or `GONE`. */ _place = QUEUED
  /** @internal The worker it was given to. */ _slot: WorkerSlot | undefined = undefined
  /** @internal `performance.now()` at submit. */ _submittedAt: number
  /** @internal `Date.now()` after which it must not start; 0 for none. */ _queueDeadline = 0
  /** @internal */ _queueTimer: Timer | undefined = undefined
  /** @internal */ _runTimeoutMs: number | undefined = undefined
  /** @internal */ _killAfterMs: number
  /** @internal The run-time or kill timer. */ _timer: Timer | undefined = undefined
  /** @internal When the worker reached it (0: not yet). */ _headAt = 0
  /** @internal True for a job submitted by a job (deadlock detection). */ _child = false
  /** @internal For a `map` chunk, the position of its first item in the input. */ _first = 0
  /** @internal How many more runs it may have after its worker died under it. */ _retries = 0
  /** @internal */ _attempts = 0

  /** @internal */
  constructor(
    owner: JobOwner,
    id: number,
    fn: number,
    name: string,
    args: unknown[],
    transfer: readonly Transferable[] | undefined,
    killAfterMs: number,
  ) {
    super()
    this._owner = owner
    this._id = id
    this._fn = fn
    this._name = name
    this._args = args
    this._transfer = transfer
    this._killAfterMs = killAfterMs
    this._submittedAt = performance.now()
  }

  /**
   * How many times the job was started: 0 before it starts, 1 after a run, more when its worker
   * died under it and it was run again (the `retries` option). A job that crashed its worker or
   * lost its result counts the run that did.
   * @since 0.2.0
   */
  get attempts(): number {
    return this._attempts
  }

  /**
   * Cancels the job: a queued one never starts; a running one sees its `jobSignal()` abort, and
   * its worker is replaced if it has not stopped within `killAfterMs`. The future settles
   * `cancelled` at once. Returns false if it was already done.
   */
  override cancel(msg?: string): boolean {
    if (this.done) return false
    this._owner._cancel(this, msg ?? `job ${this._name} was cancelled`)
    return true
  }

  /** @internal Cancels the job when `signal` aborts, with its reason; the listener goes when the job ends. */
  _cancelOnAbort(signal: AbortSignal): void {
    const onAbort = (): void => {
      this.cancel(describe(signal.reason))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    this._listen(() => {
      signal.removeEventListener('abort', onAbort)
    })
  }

  /**
   * Waits for the value, or throws its error. Abandoning the wait by a kill or a signal cancels
   * the job; a `timeout` that fires does not (use `runTimeoutMs` to limit the job itself).
   */
  override get(opts?: WaitOptions): Op<T> {
    return new JobWaitOp<T>(this, opts)
  }

  override [Symbol.iterator](): Iterator<Op<unknown>, T, unknown> {
    return new JobWaitOp<T>(this, undefined)[Symbol.iterator]()
  }

  /**
   * @internal A failed job nobody looked at is not reported, as in concurrent.futures: submitting
   * a batch and then reading the futures one by one is the normal way to use an executor, and an
   * early failure would otherwise be reported before its turn came.
   */
  override _unobserved(): void {
    // Deliberately silent; see above.
  }

  /** @internal */
  override _label(): string {
    return `job ${this._name}`
  }
}

class JobWaitOp<T> extends FutureWaitOp<T, T> {
  readonly #job: JobFuture<T>
  constructor(job: JobFuture<T>, opts: WaitOptions | undefined) {
    super(job, true, opts)
    this.#job = job
  }

  override _start(resume: Resume<T>): Cancel | undefined {
    const inner = super._start(resume)
    if (inner === undefined) return undefined
    return new LabelledUndo((reason?: unknown) => {
      undo(inner, reason)
      this.#job.cancel()
    }, waitLabel(inner))
  }
}
