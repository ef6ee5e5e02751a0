/**
 * `Future<T>`: a result that arrives later (asyncio `Future`, concurrent.futures `Future`).
 *
 * State is read from properties, as gevent does; `result()` is the one synchronous method that
 * throws. A `Task` is a `Future`, and so later are executor jobs and remote calls, so one
 * interface (and `asCompleted`, `wait`, `gather`) serves them all.
 *
 * Done-callbacks run synchronously when the future settles, in registration order; one added
 * after that runs at once. A callback that throws is reported (`onUnobservedFailure`) and the
 * others still run. Decision: asyncio schedules them with `call_soon`; running them inline keeps
 * settle-then-observe deterministic and saves a macrotask per future.
 *
 * @module
 */
import { CancelledError, checkWait, InvalidStateError, TimeoutError, typeError } from '../errors.js'
import { getClock, type Timer } from '../platform/clock.js'
import { type Cancel, Op, type Operation, type Resume } from './op.js'
import { reportLater, reportNow } from './report.js'
import { captured, captureResolvers, forgetResolvers } from './resolvers.js'

/**
 * Where a future is in its life. `running` is used by tasks and executor jobs that have begun.
 * @since 0.1.0
 */
export type FutureState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled'

/** A done-callback. @since 0.1.0 */
export type DoneCallback<F> = (future: F) => void

type AnyCallback = (future: never) => void

/** The `_flags` bit that marks a future observed. @internal */
export const OBSERVED = 1
/** Where the state sits in `_flags`: three bits, indexing `STATES`. @internal */
const STATE_SHIFT = 1
const STATE_MASK = 7 << STATE_SHIFT
/** In `STATES` order: every state from `succeeded` on is terminal. */
const STATES: readonly FutureState[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled']
const DONE_AT = STATES.indexOf('succeeded') << STATE_SHIFT
/** The first `_flags` bit free for subclasses. @internal */
export const FIRST_FREE_FLAG = 8 << STATE_SHIFT

/**
 * A value or error that arrives later. Thenable: `await future` gives the value or throws.
 *
 * @example
 * const f = new Future<number>()
 * setTimeout(() => f.setResult(42), 10)
 * console.log(await f) // 42
 * @since 0.1.0
 */
export class Future<T> implements PromiseLike<T>, Operation<T> {
  /** @internal The value on success, the error on failure or cancellation. */
  _result: unknown = undefined
  /**
   * @internal Bit 0: observed (anything awaited, joined, linked or read the outcome); bits 1-3:
   * the state (see `STATE_SHIFT`). The rest belong to subclasses (`Task` keeps its own state
   * there). One small integer instead of a string field and a flag field keeps every task a slot
   * smaller.
   */
  _flags = 0
  /** Done-callbacks, in registration order. */
  #callbacks: AnyCallback | AnyCallback[] | undefined = undefined
  /** The promise behind `then`, made on first use; a settled future gets a settled promise. */
  #deferred: Deferred | undefined = undefined

  /** `pending`, `running`, `succeeded`, `failed` or `cancelled`. */
  get state(): FutureState {
    return this._state
  }

  /** @internal */
  get _state(): FutureState {
    return STATES[(this._flags & STATE_MASK) >> STATE_SHIFT] as FutureState
  }

  /** @internal Only `Task` moves a future to `running`; the terminal states go through `_settle`. */
  set _state(state: FutureState) {
    this._flags = (this._flags & ~STATE_MASK) | (STATES.indexOf(state) << STATE_SHIFT)
  }

  /** True once it succeeded, failed or was cancelled. */
  get done(): boolean {
    return (this._flags & STATE_MASK) >= DONE_AT
  }

  /** True once done: gevent's `ready()`, the same as `done`. */
  get ready(): boolean {
    return this.done
  }

  /** True if it ended with a value: gevent's `successful()`. */
  get successful(): boolean {
    return this._state === 'succeeded'
  }

  /** True if it ended cancelled. */
  get cancelled(): boolean {
    return this._state === 'cancelled'
  }

  /** The value on success; `undefined` otherwise. */
  get value(): T | undefined {
    return this._state === 'succeeded' ? (this._result as T) : undefined
  }

  /**
   * The error it failed with, or the `CancelledError` it was cancelled with; `undefined` while
   * pending or on success. Reading it counts as observing the failure.
   */
  get exception(): unknown {
    const s = this._state
    if (s === 'failed' || s === 'cancelled') {
      this._observed = true
      return this._result
    }
    return undefined
  }

  /**
   * The value, or throws: the error, the `CancelledError`, or `InvalidStateError` while not done.
   */
  result(): T {
    const s = this._state
    if (s === 'succeeded') return this._result as T
    if (s === 'pending' || s === 'running') {
      throw new InvalidStateError(`result() called on a ${this._label()} that is still ${s}`)
    }
    this._observed = true
    throw this._result
  }

  /** Completes it with `value`. **Throws** `InvalidStateError` if already done. */
  setResult(value: T): void {
    if (!this._settle('succeeded', value)) throw this._alreadyDone('setResult')
  }

  /** Fails it with `error`. **Throws** `InvalidStateError` if already done. */
  setException(error: unknown): void {
    if (!this._settle('failed', error)) throw this._alreadyDone('setException')
  }

  /**
   * Cancels it with a `CancelledError` carrying `msg`. Returns false if it was already done.
   */
  cancel(msg?: string): boolean {
    return this._settle('cancelled', new CancelledError(msg ?? 'the future was cancelled', msg))
  }

  /** Calls `cb(this)` when done (at once if it already is). Counts as observing it. */
  addDoneCallback(cb: DoneCallback<this>): void {
    // Checked here: called when the future settles, a bad callback would fail far from its cause.
    if (typeof cb !== 'function') throw typeError('cb', 'a function', cb)
    this._observed = true
    this._listen(cb)
  }

  /** Removes every registration of `cb`; returns how many were removed. */
  removeDoneCallback(cb: DoneCallback<this>): number {
    return this._unlisten(cb)
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this._flags |= OBSERVED
    let d = this.#deferred
    if (d === undefined) {
      const s = this._state
      if (s === 'succeeded') d = new Deferred(Promise.resolve(this._result))
      else if (s === 'failed' || s === 'cancelled') d = new Deferred(Promise.reject(this._result))
      else d = new Deferred(undefined)
      this.#deferred = d
    }
    return (d.promise as Promise<T>).then(onfulfilled, onrejected)
  }

  /** Like `then(undefined, onrejected)`. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected)
  }

  /** `yield* future` in a generator task gives the value or throws, like `await`. */
  [Symbol.iterator](): Iterator<Op<unknown>, T, unknown> {
    return new FutureWaitOp<T, T>(this, true, undefined)[Symbol.iterator]()
  }

  /**
   * Waits until it is done; resolves true, or false if `timeout` ms passed first. Never rejects
   * because the future failed (gevent `join`).
   *
   * **Cancellation**: abandoning the wait (signal, kill) leaves the future untouched.
   */
  join(opts?: WaitOptions): Op<boolean> {
    return new FutureWaitOp<T, boolean>(this, false, opts)
  }

  /**
   * Waits for the value, or throws its error (gevent `get`); a `TimeoutError` if `timeout` ms
   * pass first. **Cancellation**: abandoning the wait leaves the future untouched.
   */
  get(opts?: WaitOptions): Op<T> {
    return new FutureWaitOp<T, T>(this, true, opts)
  }

  /** @internal */
  get _observed(): boolean {
    return (this._flags & OBSERVED) !== 0
  }

  /** @internal */
  set _observed(value: boolean) {
    if (value) this._flags |= OBSERVED
    else this._flags &= ~OBSERVED
  }

  /** @internal A label for messages. */
  _label(): string {
    return 'future'
  }

  /** @internal Where it was created, in debug mode. */
  _spawnStack(): string | undefined {
    return undefined
  }

  /** @internal Registers a done-callback without marking the future observed. */
  _listen(cb: AnyCallback): void {
    if (this.done) {
      this._runCallback(cb)
      return
    }
    const cbs = this.#callbacks
    if (cbs === undefined) this.#callbacks = cb
    else if (typeof cbs === 'function') this.#callbacks = [cbs, cb]
    else cbs.push(cb)
  }

  /** @internal */
  _unlisten(cb: AnyCallback): number {
    const cbs = this.#callbacks
    if (cbs === undefined) return 0
    if (typeof cbs === 'function') {
      if (cbs !== cb) return 0
      this.#callbacks = undefined
      return 1
    }
    const kept = cbs.filter((c) => c !== cb)
    this.#callbacks = kept
    return cbs.length - kept.length
  }

  /** @internal Moves to a terminal state; false if already done. */
  _settle(state: 'succeeded' | 'failed' | 'cancelled', result: unknown): boolean {
    if (this.done) return false
    this._state = state
    this._result = result
    const d = this.#deferred
    if (d !== undefined) {
      if (state === 'succeeded') d.resolve?.(result)
      else d.reject?.(result)
      d.resolve = d.reject = undefined
    }
    const cbs = this.#callbacks
    this.#callbacks = undefined
    if (typeof cbs === 'function') this._runCallback(cbs)
    else if (cbs !== undefined) for (const cb of cbs) this._runCallback(cb)
    if (state === 'failed' && (this._flags & OBSERVED) === 0) this._unobserved()
    return true
  }

  /** @internal What to do with a failure nobody observed; tasks with a parent override it. */
  _unobserved(): void {
    reportLater(this)
  }

  /** @internal */
  _runCallback(cb: AnyCallback): void {
    try {
      ;(cb as (f: this) => void)(this)
    } catch (err) {
      reportNow(err, `a done-callback of ${this._label()}`)
    }
  }

  /** @internal */
  _alreadyDone(method: string): InvalidStateError {
    return new InvalidStateError(`${method}() called on a ${this._label()} that is already ${this._state}`)
  }
}

class Deferred {
  readonly promise: Promise<unknown>
  resolve: ((value: unknown) => void) | undefined = undefined
  reject: ((error: unknown) => void) | undefined = undefined
  constructor(settled: Promise<unknown> | undefined) {
    if (settled !== undefined) {
      this.promise = settled
      return
    }
    this.promise = new Promise(captureResolvers)
    this.resolve = captured.resolve as (value: unknown) => void
    this.reject = captured.reject
    forgetResolvers()
  }
}

/** Options of a wait: a limit in milliseconds and a signal that abandons it. @since 0.1.0 */
export interface WaitOptions {
  /** Give up after this many milliseconds (`undefined` or `Infinity`: no limit). */
  readonly timeout?: number | undefined
  /** Abandon the wait when this signal aborts; it rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Waits for a future: `join` mode resolves true when done (false on timeout) and never rejects
 * for the future's own failure; `get` mode gives the value or throws (a `TimeoutError` on
 * timeout). Abandoning it removes its callback and timer. @internal
 */
export class FutureWaitOp<T, R> extends Op<R> {
  readonly #future: Future<T>
  readonly #get: boolean
  readonly #ms: number | undefined
  readonly #observe: boolean
  /** `observe` false: waiting for the end is not looking at the outcome (a kill's wait). */
  constructor(future: Future<T>, get: boolean, opts: WaitOptions | undefined, observe = true) {
    super()
    this.#future = future
    this.#get = get
    this.#observe = observe
    this.#ms = checkWait(opts)
    this._signal = opts?.signal
  }

  _start(resume: Resume<R>): Cancel | undefined {
    const f = this.#future
    if (this.#observe) f._observed = true
    const get = this.#get
    if (f.done) {
      if (get) resume(f._state === 'succeeded', f._result)
      else resume(true, true)
      return undefined
    }
    const wait = new FutureWait(f)
    const cb = (): void => {
      wait.timer?.cancel()
      if (get) resume(f._state === 'succeeded', f._result)
      else resume(true, true)
    }
    wait.cb = cb
    f._listen(cb)
    const ms = this.#ms
    if (ms !== undefined) {
      wait.timer = getClock().setTimer(ms, () => {
        f._unlisten(cb)
        if (get) resume(false, new TimeoutError(`${f._label()} did not finish within ${ms} ms`))
        else resume(true, false)
      })
    }
    return wait
  }
}

/**
 * An open wait on a future: its callback and timer, and how to undo them. An object rather than a
 * closure, so a task parked on it can name the future it waits for.
 */
class FutureWait {
  cb: AnyCallback | undefined = undefined
  timer: Timer | undefined = undefined
  constructor(readonly future: Future<unknown>) {}

  cancel(): void {
    if (this.cb !== undefined) this.future._unlisten(this.cb)
    this.timer?.cancel()
  }

  _waitsOn(): string {
    return this.future._label()
  }
}
