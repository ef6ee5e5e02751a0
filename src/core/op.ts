/**
 * `Op<T>`: one verdant wait, usable three ways.
 *
 * - `await op` in any async code (it is a thenable, started on the first `then`);
 * - `yield* op` in a generator task (it is iterable: it yields itself to the task's driver, which
 *   starts it and resumes the generator with the outcome, or throws a kill into it instead);
 * - `ctx.call(op)` in an async task, which binds the wait to the task so a kill or a `Timeout`
 *   rejects it at once.
 *
 * A subclass implements `_start(resume)`: begin waiting, call `resume` exactly once (possibly
 * synchronously), and return a function that undoes the wait when the waiter goes away first.
 * Undoing must leave nothing behind: no listener, no timer, no queued waiter.
 *
 * @module
 */
import { CancelledError } from '../errors.js'
import { LabelledUndo, waitLabel } from './wait-label.js'

/** Delivers an outcome: `ok` with the value, or not `ok` with the error. Not part of the public API. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- T documents what an `ok` value is
export type Resume<T> = (ok: boolean, value: unknown) => void
/**
 * What a few hot ops (a sleep) can resume instead of a function: a generator task, which then
 * needs no bound resume function while it sleeps. Not part of the public API.
 */
export interface Resumer {
  _resumeStep(ok: boolean, value: unknown): void
}

/** Delivers an outcome to a `Resume` function or a `Resumer`. @internal */
export function deliver(to: Resume<unknown> | Resumer, ok: boolean, value: unknown): void {
  if (typeof to === 'function') to(ok, value)
  else to._resumeStep(ok, value)
}

/**
 * Undoes a started wait: a function, or an object with `cancel()` (a timer, a waiter). It gets the
 * reason the wait is abandoned. Returning true means "deferred": the op cannot stop at once (a
 * `Condition` wait must first take its lock back) and will itself call `resume(false, reason)`
 * when it has. Anything else means the wait is undone and will never resume. Not part of the public API.
 */
export type Cancel = ((reason?: unknown) => boolean | void) | { cancel(reason?: unknown): boolean | void }

/** Runs a `Cancel`; true if the op deferred (it will resume with `reason` itself). @internal */
export function undo(cancel: Cancel | undefined, reason?: unknown): boolean {
  if (cancel === undefined) return false
  return (typeof cancel === 'function' ? cancel(reason) : cancel.cancel(reason)) === true
}

/**
 * Anything a generator task can `yield*`: verdant ops, futures and tasks.
 * @since 0.1.0
 */
export interface Operation<T> {
  [Symbol.iterator](): Iterator<Op<unknown>, T, unknown>
}

/**
 * A verdant wait: awaitable, and `yield*`-able inside generator tasks.
 *
 * **Cancellation**: abandoning an op (its task is killed, its `signal` aborts, its timeout fires)
 * undoes the wait; each op documents what, if anything, remains.
 * @since 0.1.0
 */
export abstract class Op<T> implements PromiseLike<T>, Operation<T>, Iterator<Op<unknown>, T, unknown> {
  /** @internal */
  _signal: AbortSignal | undefined = undefined
  #promise: Promise<T> | undefined = undefined
  #yielded = false

  /** @internal Begin waiting; see the module comment. */
  abstract _start(resume: Resume<T>): Cancel | undefined

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    let p = this.#promise
    if (p === undefined) {
      // Most ops complete at once (a free lock, a queued item): then a settled promise is all
      // that is needed, without an executor closure and resolving functions.
      let sync = true
      let settled: Promise<T> | undefined
      let resolve: ((v: T) => void) | undefined
      let reject: ((e: unknown) => void) | undefined
      startOp(this, (ok, value) => {
        if (sync) settled = ok ? Promise.resolve(value as T) : Promise.reject(value)
        else if (ok) resolve?.(value as T)
        else reject?.(value)
      })
      sync = false
      p =
        settled ??
        new Promise<T>((res, rej) => {
          resolve = res
          reject = rej
        })
      this.#promise = p
    }
    return p.then(onfulfilled, onrejected)
  }

  /** Like `then(undefined, onrejected)`. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected)
  }

  // The op is its own iterator, so `yield* op` allocates no generator object: the first `next()`
  // hands the op to the task's driver, the second returns what the driver resumed with, and a
  // `throw()` from the driver (a kill, a Timeout, the op's error) propagates out of the `yield*`.
  [Symbol.iterator](): this {
    this.#yielded = false
    return this
  }

  /** Iterator protocol for `yield*`; not meant to be called directly. */
  next(value?: unknown): IteratorResult<Op<unknown>, T> {
    if (this.#yielded) return { done: true, value: value as T }
    this.#yielded = true
    // A fresh object each time: one shared result would save 40 bytes per sleeping generator,
    // but anything holding two results at once (an equality check iterating two tasks) would see
    // them change under it.
    return { done: false, value: this }
  }

  /** Iterator protocol for `yield*`: the error is raised at the `yield*`. */
  throw(error?: unknown): IteratorResult<Op<unknown>, T> {
    throw error
  }

  /** Iterator protocol for `yield*`. (A required `value` keeps `yield*` typed `T`.) */
  return(value: T): IteratorResult<Op<unknown>, T> {
    return { done: true, value }
  }
}

/**
 * What a wait that may finish at the call returns: a lazy `Op`, or, when it finished at once, a
 * settled native promise that `yield*` also accepts. `await` on a native promise takes one
 * microtask hop where a thenable takes three, which is most of the cost of a queue hand-off.
 * @since 0.2.0
 */
export interface Wait<T> extends PromiseLike<T>, Operation<T> {
  /** Like `then(undefined, onrejected)`. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R>
}

const READY_VALUE: unique symbol = Symbol('verdant.ready')

interface ReadyPromise<T> extends Promise<T> {
  [READY_VALUE]: T
  [Symbol.iterator](): Iterator<Op<unknown>, T, unknown>
}

// Shared by every ready promise, so making one costs a settled promise and two property stores.
function readyIterator<T>(this: ReadyPromise<T>): Iterator<Op<unknown>, T, unknown> {
  const value = this[READY_VALUE]
  return { next: () => ({ done: true, value }) }
}

/**
 * A wait that already succeeded with `value`: `await` takes one hop, `yield*` none (as asyncio,
 * a queue `get` that finds an item does not suspend). @internal
 */
export function ready<T>(value: T): Wait<T> {
  if (value === undefined) return READY_VOID as unknown as Wait<T>
  return makeReady(value)
}

function makeReady<T>(value: T): ReadyPromise<T> {
  // A thenable value would be adopted (or, for a native promise, returned as is and decorated).
  const p = (
    isThenable(value) ? new Promise<T>((resolve) => resolve(value)) : Promise.resolve(value)
  ) as ReadyPromise<T>
  p[READY_VALUE] = value
  p[Symbol.iterator] = readyIterator
  return p
}

// Every finished `put` returns this one: a settled promise may be awaited any number of times.
const READY_VOID = makeReady(undefined)

/** An op that already succeeded: the wait it stands for finished at the call. @internal */
export class DoneOp<T> extends Op<T> {
  readonly #value: T
  constructor(value: T) {
    super()
    this.#value = value
  }
  _start(resume: Resume<T>): undefined {
    resume(true, this.#value)
    return undefined
  }
}

/**
 * The op of a wait that finished at the call (a `ready` promise), or undefined for anything else.
 * `ctx.call` must not treat it as a foreign promise: a kill landing before that promise's callback
 * would report a put that happened as undone, or drop an item a get already took. @internal
 */
export function readyOp<T>(source: unknown): Op<T> | undefined {
  if (typeof source !== 'object' || source === null || !(READY_VALUE in source)) return undefined
  return new DoneOp((source as ReadyPromise<T>)[READY_VALUE])
}

/**
 * The key under which a promise carries what to do when a task that waits on it through `call` gives
 * the wait up (killed, timed out). A promise is otherwise only abandoned; an `ask` uses this to take
 * back its message while the message still waits for room in a mailbox. @internal
 */
export const ON_ABANDON: unique symbol = Symbol('verdant.onAbandon')

/** A promise that may carry an `ON_ABANDON` hook. @internal */
export interface Abandonable {
  [ON_ABANDON]?: (reason: unknown) => void
}

/** The error a wait rejects with when its signal aborts. @internal */
export function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new CancelledError('the wait was aborted', reason)
}

/**
 * Starts `op`, honouring its `signal`, and returns how to undo it. `resume` runs at most once and
 * never after the returned cancel. @internal
 */
export function startOp<T>(op: Op<T>, resume: Resume<T>): Cancel | undefined {
  const signal = op._signal
  if (signal === undefined) return op._start(resume)
  if (signal.aborted) {
    resume(false, abortError(signal))
    return undefined
  }
  let done = false
  // Declared before the listener: an abort raised while `_start` runs must still undo it.
  let cancel: Cancel | undefined = undefined
  const onAbort = (): void => {
    if (done) return
    const reason = abortError(signal)
    if (undo(cancel, reason)) return
    done = true
    resume(false, reason)
  }
  signal.addEventListener('abort', onAbort, { once: true })
  cancel = op._start((ok, value) => {
    if (done) return
    done = true
    signal.removeEventListener('abort', onAbort)
    resume(ok, value)
  })
  if (done) return undefined
  // It says what the op inside waits on.
  return new LabelledUndo(
    (reason?: unknown) => {
      if (done) return false
      signal.removeEventListener('abort', onAbort)
      if (undo(cancel, reason)) return true
      done = true
      return false
    },
    () => waitLabel(cancel),
  )
}

/** An op that starts with a function; the building block of most verdant waits. @internal */
export class FnOp<T> extends Op<T> {
  readonly #start: (resume: Resume<T>) => Cancel | undefined
  constructor(start: (resume: Resume<T>) => Cancel | undefined, signal?: AbortSignal) {
    super()
    this.#start = start
    this._signal = signal
  }
  _start(resume: Resume<T>): Cancel | undefined {
    return this.#start(resume)
  }
}

/** True for the object a generator function returns. @internal */
export function isGenerator(value: unknown): value is Generator<unknown, unknown, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Generator).next === 'function' &&
    typeof (value as Generator).throw === 'function' &&
    typeof (value as Generator)[Symbol.iterator] === 'function'
  )
}

/** True for anything with a callable `then`. @internal */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}
