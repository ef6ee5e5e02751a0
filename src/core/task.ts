/**
 * `Task<T>`: a killable lightweight task (a gevent greenlet, an asyncio task) and the kernel that
 * drives it.
 *
 * Two flavours share this class:
 * - generator tasks: verdant drives the generator, so it always knows the current task, and a kill
 *   or a `Timeout` is thrown into the generator at the `yield` it is suspended on;
 * - async-function tasks: the body gets a context; a kill aborts `ctx.signal` and rejects every
 *   wait the task has open through its context (`ctx.sleep`, `ctx.call`, ...).
 *
 * Delivery is edge-triggered, as in gevent: a kill is raised once, at the switch point the task is
 * parked on (or at its next one), so `catch` sees it and `finally` may wait for async clean-up. A
 * second `kill()` does not raise again (kill is idempotent); a task that swallows its kill and
 * loops is reported by `kill({timeout})` resolving false and by `run()`'s grace period. Decision:
 * trio's level-triggered scopes are stricter, but they forbid the `finally { yield* sleep() }`
 * clean-up that gevent allows and that users of this library expect.
 *
 * What a kill or a failure does to the tree of tasks, and when a task settles, is in
 * `task-tree.ts`; how a task's state is laid out, in `task-state.ts`.
 *
 * @module
 */
import { InvalidStateError, VerdantInternalError } from '../errors.js'
import { getClock, internalClock } from '../platform/clock.js'
import { SleepOp, sleep } from './sleep.js'
import { TaskContext } from './context.js'
import { Future, FutureWaitOp, type WaitOptions } from './future.js'
import { hooks } from './hooks.js'
import { type Cancel, DoneOp, isGenerator, isThenable, Op, type Resume, startOp, undo } from './op.js'
import { reportLater } from './report.js'
import { registry, roots, scheduleStart, spawnTime } from './registry.js'
import { TaskList } from './task-list.js'
import {
  BODY_DONE,
  Cold,
  NONE,
  RAN,
  STEPPING,
  SYNC_DONE,
  SYNC_OK,
  WAIT_SUSPENDED,
  WAIT_SYNC,
} from './task-state.js'
import { bodyEnded, checkChildFailure, requestKill } from './task-tree.js'
import { waitLabel } from './wait-label.js'
import {
  boundCall,
  boundSleep,
  type TaskWait,
  type Waiters,
  waiterList,
  withoutWaiter,
  withWaiter,
} from './task-wait.js'

/**
 * The body of a task: an async (or plain) function taking the context, or a generator function
 * whose `yield*`s are its switch points.
 * @since 0.1.0
 */
export type TaskFn<R> = (ctx: TaskContext) => R

/**
 * The value type of a task whose body returns `R`: the generator's return value, or the awaited
 * result. `spawn(async () => 42)` is a `Task<number>`.
 * @since 0.1.0
 */
export type TaskResult<R> = R extends Generator<unknown, infer T, never> ? T : Awaited<R>

/** Options of `spawn`. @since 0.1.0 */
export interface SpawnOptions {
  /** A name for messages, `dumpTasks()` and debug output; defaults to the function's name. */
  readonly name?: string | undefined
  /** Do not become a child of the current task: a root task nobody waits for by structure. */
  readonly detached?: boolean | undefined
  /**
   * Kills the task when it aborts, with its reason as the kill reason; already aborted, the task
   * never runs and ends `cancelled`. @since 0.2.0
   */
  readonly signal?: AbortSignal | undefined
}

/** Something that ends with its task (a started `Timeout`). Not part of the public API. */
export interface TaskBound {
  /** @internal */ _taskEnded(): void
}

const GENERATOR_FUNCTION: unknown = Object.getPrototypeOf(function* () {
  /* the shared prototype of generator functions */
})
const NOOP_CANCEL: Cancel = () => undefined

/**
 * A killable task. It is a `Future`: `await task` gives its value or throws its error.
 *
 * @example
 * const task = spawn(async (ctx) => { await ctx.sleep(10); return 42 })
 * console.log(await task) // 42
 * @since 0.1.0
 */
export class Task<T> extends Future<T> {
  /** A number unique within the process, in spawn order. */
  readonly id: number
  /** @internal The body; kept for the name, which is only computed when asked for. */
  readonly _fn: TaskFn<unknown>
  /** @internal Whole milliseconds of `performance.now()` at spawn. */
  readonly _spawnedAt: number
  /** @internal */ _prev: Task<unknown> | undefined = undefined
  /** @internal */ _next: Task<unknown> | undefined = undefined
  /** @internal */ readonly _parent: Task<unknown> | undefined
  /** @internal Live children, in spawn order. */
  _children: TaskList<Task<unknown>> | undefined = undefined
  // Private fields, but no private methods: a class with private methods gives each instance a
  // brand slot, and a live task is mostly its own fields.
  /** A generator task's generator while its body runs. */
  #gen: Generator<unknown, unknown, unknown> | undefined = undefined
  /**
   * A generator task's undo for the op it is suspended on (set exactly while its WAIT_SUSPENDED
   * bit is), or an async task's open `ctx` waits.
   */
  #wait: Cancel | Waiters | undefined = undefined
  /**
   * A generator task's resume function, made on its first wait that is not a sleep (a sleep
   * resumes the task itself) and reused at every suspension.
   */
  #resume: Resume<unknown> | undefined = undefined
  #cold: Cold | undefined = undefined

  /** @internal Use `spawn`. */
  constructor(fn: TaskFn<unknown>, name: string | undefined, parent: Task<unknown> | undefined) {
    super()
    this.id = registry.nextId++
    if (name !== undefined) this._getCold().name = name
    this._fn = fn
    this._spawnedAt = spawnTime()
    this._parent = parent
    if (parent === undefined) roots.append(this)
    else (parent._children ??= new TaskList()).append(this)
    registry.live++
    const debug = hooks.debug
    if (debug !== undefined) this._getCold().stack = debug.spawnStack()
  }

  /** The name given to `spawn`, or the function's name, or `Task-<id>`. */
  get name(): string {
    const name = this.#cold?.name
    if (name !== undefined) return name
    const fnName = this._fn.name
    return fnName === '' ? `Task-${this.id}` : fnName
  }

  /** `performance.now()` (whole ms) when it was spawned. */
  get spawnedAt(): number {
    return this._spawnedAt
  }

  /** True once scheduled or running, as in gevent; false if it was killed before it ran. */
  get started(): boolean {
    return (this._flags & RAN) !== 0 || this._state === 'pending'
  }

  /** Its parent task, or `undefined` for a root or detached task. */
  get parent(): Task<unknown> | undefined {
    return this._parent
  }

  /** Live children, in spawn order: a new array each call, so a method by the state-read rule. */
  children(): Task<unknown>[] {
    return this._children?.toArray() ?? []
  }

  /** @internal Where it was spawned, in debug mode. */
  get _stack(): string | undefined {
    return this.#cold?.stack
  }

  /**
   * Kills it: raises `TaskKilled(reason)` at the switch point it is parked on, kills its children
   * first to last, and resolves once its `finally` blocks and children have finished (true), or
   * when `timeout` ms passed first (false). Idempotent. A task that has not started never runs.
   *
   * **Details**: the task may catch the kill and return a value (gevent allows it); it then ends
   * `succeeded`. Otherwise it ends `cancelled` with the `TaskKilled` as its `exception`. An
   * async body that awaits something other than a verdant wait sees the kill through
   * `ctx.signal` only.
   * @example
   * await task.kill()
   */
  kill(reason?: unknown, opts?: WaitOptions): Op<boolean> {
    // Waiting for a kill is not looking at the outcome: a failure it ends with is still reported.
    // Made first, so a bad option throws before the task is killed.
    const wait = new FutureWaitOp<T, boolean>(this, false, opts, false)
    this._requestKill(reason)
    return wait
  }

  /** Requests a kill without waiting (asyncio `Task.cancel`); false if already done. */
  override cancel(msg?: string): boolean {
    if (this.done) return false
    this._requestKill(msg)
    return true
  }

  /** Calls `cb(task)` once it is done, at once if it already is (gevent `link`). */
  link(cb: (task: this) => void): void {
    this.addDoneCallback(cb)
  }

  /** Removes a callback given to `link`; returns how many registrations were removed. */
  unlink(cb: (task: this) => void): number {
    return this.removeDoneCallback(cb)
  }

  /** A task's outcome comes from its body. **Throws** `InvalidStateError`. */
  override setResult(_value: T): never {
    throw new InvalidStateError(`setResult() cannot be called on task ${this.name}`)
  }

  /** A task's outcome comes from its body. **Throws** `InvalidStateError`. */
  override setException(_error: unknown): never {
    throw new InvalidStateError(`setException() cannot be called on task ${this.name}`)
  }

  /** @internal */
  override _label(): string {
    return `task ${JSON.stringify(this.name)}`
  }

  /** @internal */
  override _spawnStack(): string | undefined {
    return this.#cold?.stack
  }

  /**
   * @internal What it waits on, in words (the observer's task table); undefined once it ended. Read
   * from the undo of the wait it is parked on, so a wait records nothing for it.
   */
  _waitsOn(): string | undefined {
    if (this.done) return undefined
    if (registry.current === this) return 'nothing: it is running'
    const flags = this._flags
    if (this._state === 'pending')
      return this.#cold?.startTimer !== undefined ? 'its delayed start' : 'its first step'
    if ((flags & BODY_DONE) !== 0) return `its children (${String(this._children?.size ?? 0)})`
    if (this.#gen !== undefined) {
      return (flags & WAIT_SUSPENDED) !== 0 ? waitLabel(this.#wait) : 'its next step'
    }
    const waits = this.#wait as Waiters | undefined
    // An async body awaiting anything but a `ctx` wait (a promise, another task) registers nothing.
    if (waits === undefined) return 'a promise'
    return waits instanceof Set ? [...waits].map(waitLabel).join(', ') : waitLabel(waits)
  }

  /** @internal The signal given to the body as `ctx.signal`, made on first use. */
  _signal(): AbortSignal {
    const cold = this._getCold()
    let c = cold.controller
    if (c === undefined) {
      c = cold.controller = new AbortController()
      const reason = cold.kill ?? cold.cancelling
      if (reason !== undefined) c.abort(reason)
    }
    return c.signal
  }

  /** @internal Schedules the first step on the microtask queue, after the spawner's step. */
  _schedule(): void {
    scheduleStart(this)
  }

  /** @internal Schedules the first step after `ms` on the current clock. */
  _scheduleLater(ms: number): void {
    const cold = this._getCold()
    cold.startTimer = getClock().setTimer(ms, () => {
      cold.startTimer = undefined
      this._schedule()
    })
  }

  /** @internal Runs the first step. */
  _begin(): void {
    if (this._state !== 'pending') return
    this._state = 'running'
    this._flags |= RAN
    const fn = this._fn
    // Always made, even for a body that declares no parameter: `fn.length` is 0 for rest and
    // default parameters too, so a wrapper like `(...args) => handler(...args)` needs it.
    const ctx = new TaskContext(this)
    const implicit = hooks.implicit
    const debug = hooks.debug
    const t0 = debug === undefined ? 0 : debug.stepStart()
    const prev = registry.current
    registry.current = this
    let r: unknown
    try {
      r = implicit === undefined ? fn(ctx) : implicit.run(this, () => fn(ctx))
    } catch (err) {
      registry.current = prev
      if (debug !== undefined) debug.stepEnd(this, t0)
      this._bodyEnd(false, err)
      return
    }
    registry.current = prev
    if (debug !== undefined) debug.stepEnd(this, t0)
    // Cheap checks first: every generator function shares one prototype, while each generator
    // function's objects have their own, so probing `r.next` on them is a megamorphic lookup.
    if (Object.getPrototypeOf(fn) === GENERATOR_FUNCTION || (!(r instanceof Promise) && isGenerator(r))) {
      this.#gen = r as Generator<unknown, unknown, unknown>
      this._step(true, undefined)
    } else if (isThenable(r)) {
      // `then` measured 2-2.5x cheaper than an async method's `await` (Node 20), and two bound
      // functions about 15% cheaper than two closures and their shared context.
      r.then(Task.#onBodyValue.bind(this), Task.#onBodyError.bind(this))
    } else {
      this._bodyEnd(true, r)
    }
  }

  static #onBodyValue(this: Task<unknown>, value: unknown): void {
    this._bodyEnd(true, value)
  }

  static #onBodyError(this: Task<unknown>, error: unknown): void {
    this._bodyEnd(false, error)
  }

  /**
   * @internal A generator task's resume. Ops get it bound once per task (a bound function is about
   * half the size of a closure and its context); a sleep calls it on the task directly.
   */
  _resumeStep(ok: boolean, value: unknown): void {
    const flags = this._flags
    if ((flags & WAIT_SYNC) !== 0) {
      this._flags = flags | SYNC_DONE | (ok ? SYNC_OK : 0)
      this._result = value
      return
    }
    // Ops never resume after being undone; this guards the contract all the same.
    if ((flags & WAIT_SUSPENDED) === 0) return
    this._flags = flags & ~WAIT_SUSPENDED
    this.#wait = undefined
    this._step(ok, value)
  }

  /** @internal Runs the generator until it suspends on an op that is not complete, or ends. */
  _step(ok: boolean, value: unknown): void {
    const gen = this.#gen as Generator<unknown, unknown, unknown>
    const debug = hooks.debug
    for (;;) {
      const t0 = debug === undefined ? 0 : debug.stepStart()
      const prev = registry.current
      registry.current = this
      this._flags |= STEPPING
      let done: boolean | undefined
      let yielded: unknown
      try {
        const r = ok ? gen.next(value) : gen.throw(value)
        done = r.done
        yielded = r.value
      } catch (err) {
        this._flags &= ~STEPPING
        registry.current = prev
        if (debug !== undefined) debug.stepEnd(this, t0)
        this._bodyEnd(false, err)
        return
      }
      this._flags &= ~STEPPING
      registry.current = prev
      if (debug !== undefined) debug.stepEnd(this, t0)
      if (done === true) {
        this._bodyEnd(true, yielded)
        return
      }
      const cold = this.#cold
      if (cold !== undefined && cold.pending !== NONE) {
        ok = false
        value = cold.pending
        cold.pending = NONE
        continue
      }
      const op = yielded
      if (!(op instanceof Op)) {
        ok = false
        value = new TypeError(
          `generator task ${this.name} yielded ${typeof op}; use \`yield*\` with a verdant operation, e.g. \`yield* call(promise)\``,
        )
        continue
      }
      this._flags = (this._flags & ~(SYNC_DONE | SYNC_OK)) | WAIT_SYNC
      const cancel =
        op instanceof SleepOp && op._signal === undefined
          ? op._start(this)
          : startOp(op as Op<unknown>, (this.#resume ??= this._resumeStep.bind(this)))
      const flags = this._flags
      if ((flags & SYNC_DONE) !== 0) {
        this._flags = flags & ~(WAIT_SYNC | SYNC_DONE | SYNC_OK)
        ok = (flags & SYNC_OK) !== 0
        value = this._result
        this._result = undefined
        continue
      }
      this._flags = (flags & ~WAIT_SYNC) | WAIT_SUSPENDED
      this.#wait = cancel ?? NOOP_CANCEL
      return
    }
  }

  /** @internal The open `ctx` waits: on the task for an async body, in the cold part for a generator. */
  _waiters(): Waiters | undefined {
    return this.#gen === undefined ? (this.#wait as Waiters | undefined) : this.#cold?.waiters
  }

  /** @internal */
  _setWaiters(next: Waiters | undefined): void {
    if (this.#gen === undefined) this.#wait = next
    else this._getCold().waiters = next
  }

  /** @internal */
  _addWaiter(w: TaskWait): void {
    const current = this._waiters()
    const next = withWaiter(current, w)
    if (next !== current) this._setWaiters(next)
  }

  /** @internal */
  _removeWaiter(w: TaskWait): void {
    const current = this._waiters()
    // Written back only when it changed: a generator task's waits live in its cold part, which
    // a write would make.
    const next = withoutWaiter(current, w)
    if (next !== current) this._setWaiters(next)
  }

  /** @internal */
  _takeWaiters(): TaskWait[] | undefined {
    const current = this._waiters()
    if (current === undefined) return undefined
    this._setWaiters(undefined)
    return waiterList(current)
  }

  /** @internal Waits on `op` bound to this task: a kill or `Timeout` rejects it at once. */
  _call<R>(op: Op<R>): Promise<R> {
    const cold = this.#cold
    // A wait that finished at the call (a queue get that took its item) must be delivered: the
    // pending kill then raises at the next wait, as it would in a generator task.
    if (cold !== undefined && cold.pending !== NONE && !(op instanceof DoneOp)) {
      const pending = cold.pending
      cold.pending = NONE
      return Promise.reject(pending)
    }
    return boundCall(this, op)
  }

  /**
   * @internal `ctx.sleep(ms)`: on one of verdant's clocks the wait is its own timer entry (the
   * common case, kept small since a task may sleep for hours); otherwise an ordinary bound wait.
   */
  _sleep(ms: number): Promise<void> {
    const cold = this.#cold
    if (ms !== 0 && ms !== Infinity && (cold === undefined || cold.pending === NONE)) {
      const clock = internalClock(getClock())
      if (clock !== undefined) return boundSleep(this, clock, ms)
    }
    return this._call(sleep(ms))
  }

  /**
   * @internal Raises `error` in the body at its current switch point (or its next one). Returns
   * false if the body is not running.
   */
  _interrupt(error: unknown): boolean {
    const flags = this._flags
    if ((flags & RAN) === 0 || (flags & BODY_DONE) !== 0) return false
    if (this.#gen !== undefined) {
      // `ctx.call` waits opened from a generator body are undone too; the error itself goes to the
      // generator, at the `yield*` it is parked on (or its next one).
      this._rejectWaiters(error)
      if ((flags & WAIT_SUSPENDED) === 0) {
        this._getCold().pending = error
        return true
      }
      const cancel = this.#wait as Cancel
      // A deferred undo keeps the task parked: the op resumes it with `error` once it can.
      if (undo(cancel, error)) return true
      this.#wait = undefined
      this._flags = flags & ~WAIT_SUSPENDED
      this._step(false, error)
      return true
    }
    if (!this._rejectWaiters(error)) this._getCold().pending = error
    return true
  }

  /** @internal Rejects the open `ctx` waits with `error`; false if there were none. */
  _rejectWaiters(error: unknown): boolean {
    const waiters = this._takeWaiters()
    if (waiters === undefined || waiters.length === 0) return false
    for (const w of waiters) w._abandon(error)
    return true
  }

  /** @internal */
  _requestKill(reason: unknown): void {
    requestKill(this, reason)
  }

  /** @internal Ends `item` together with this task. */
  _bind(item: TaskBound): void {
    ;(this._getCold().bound ??= new Set()).add(item)
  }

  /** @internal */
  _unbind(item: TaskBound): void {
    this.#cold?.bound?.delete(item)
  }

  /** @internal */
  _getCold(): Cold {
    return (this.#cold ??= new Cold())
  }

  /** @internal The cold part if it was made; reading it makes none. */
  get _cold(): Cold | undefined {
    return this.#cold
  }

  /** @internal */
  _bodyEnd(ok: boolean, value: unknown): void {
    if ((this._flags & BODY_DONE) !== 0) throw new VerdantInternalError(`task ${this.name} body ended twice`)
    this._flags |= BODY_DONE
    const cold = this.#cold
    if (cold !== undefined) cold.pending = NONE
    const waiters = this._takeWaiters()
    this.#gen = undefined
    this.#resume = undefined
    this.#wait = undefined
    if (waiters !== undefined) {
      // Waits the body started and never awaited: undo them so no timer or listener stays.
      for (const w of waiters) w._drop()
    }
    bodyEnded(this, ok, value)
  }

  /** @internal Detached and root tasks report; children hand the failure to their parent. */
  override _unobserved(): void {
    const parent = this._parent
    if (parent === undefined) reportLater(this)
    else checkChildFailure(parent, this)
  }
}
