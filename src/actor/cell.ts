/**
 * `ActorCell`: one actor's mailbox, current incarnation and place in the tree.
 *
 * An actor is not a task: a task costs a promise, a context and a registry entry, and an idle
 * actor must cost a few hundred bytes. The cell is a plain object the dispatcher runs when it has
 * mail; the default unbounded mailbox is an array inside it (message and sender slot side by
 * side), and everything rare (watchers, stash, timers, restart state) lives in an extension object
 * made on first use. The cell is also the actor's `ActorContext`.
 *
 * @module
 */
import { CancelledError, describe, InvalidStateError, MailboxFullError, typeError } from '../errors.js'
import { type Cancel, isThenable, Op, ready, type Resume, type Wait } from '../core/op.js'
import { getClock, type Timer } from '../platform/clock.js'
import { Actor } from './actor.js'
import {
  type ActorRef,
  ActorRefImpl,
  type AnyActorRef,
  type BackpressureRef,
  cellOf,
  PoisonPill,
  type SenderSlot,
} from './actor-ref.js'
import { AskRef } from './ask.js'
import { Behavior, type BehaviorHooks, type Handler, type SetupResult } from './behavior.js'
import type { ActorContext } from './context.js'
import { setRunning } from './current.js'
import { schedule } from './dispatcher.js'
import { makeLogger, type ActorLogger } from './logger.js'
import { type Mailbox, makeMailbox } from './mailbox.js'
import type { ActorDef, BackpressureSpawn, ChildSpawnOptions, SpawnOptions } from './spawn-options.js'
import { childFailed } from './supervise.js'
import {
  checkRestartType,
  DEFAULT_STRATEGY,
  type ResolvedStrategy,
  resolveStrategy,
  type RestartType,
  RestartWindow,
} from './supervision.js'
import type { ActorSystem } from './system.js'
import { Terminated } from './terminated.js'
import { TimerScheduler, TimerToken } from './timers.js'

/** In the dispatcher's ready list. */
export const SCHEDULED = 1
/** Waiting for an async handler or hook. */
export const BUSY = 2
/** Failed or being restarted: handles no message until its supervisor decides. */
export const SUSPENDED = 4
/** Not started yet. */
export const NEW = 8
/** Stop requested: handles no further message. */
export const STOPPING = 16
/** Stopped for good. */
export const DEAD = 32
/** Part of a restart in progress. */
export const RESTARTING = 64
const BLOCKED = BUSY | SUSPENDED | STOPPING | DEAD

/** "No message": a failure while starting, or nothing being handled. @internal */
export const NO_MSG: unique symbol = Symbol('no message')
const NO_CUSTOM: unique symbol = Symbol('Terminated')

/** The cell whose handler runs synchronously now, with its message and sender slot. */
let turnCell: ActorCell | null = null
let turnMsg: unknown = NO_MSG
let turnSender: SenderSlot | undefined

/** @internal Sender slot of a death-watch notification. */
class WatchToken implements SenderSlot {
  declare readonly _kind: 3
  static {
    Object.defineProperty(this.prototype, '_kind', { value: 3 })
  }
  constructor(readonly target: ActorCell) {}
}

/**
 * What a back-pressured `tell` that found room returns: a settled native promise that `yield*`
 * and `ctx.call` also take, as they take a tell that had to wait.
 */
const TOLD: Wait<void> = ready(undefined)

/**
 * A back-pressured `tell` waiting for room. The message is offered at the call, so a tell nobody
 * awaits still arrives. Being an `Op`, it is also what `ctx.call` and `yield*` undo when the
 * sender is killed or times out, and undoing withdraws the message, as an undone queue `put`
 * adds nothing: a sender that saw its tell fail must not have it delivered behind its back. It is
 * a `Wait`, as a queue `put` is. @internal
 */
export class TellWait extends Op<void> {
  /** 0 waiting, 1 done (in the mailbox, or dead-lettered by a stop), 2 withdrawn. */
  #state = 0
  #error: unknown = undefined
  #subs: Resume<void>[] = []

  constructor(
    readonly cell: ActorCell,
    readonly msg: unknown,
    readonly sender: SenderSlot | undefined,
  ) {
    super()
  }

  _start(resume: Resume<void>): Cancel | undefined {
    if (this.#state === 1) resume(true, undefined)
    else if (this.#state === 2) resume(false, this.#error)
    else {
      this.#subs.push(resume)
      return (reason?: unknown) => {
        this.#withdraw(resume, reason)
      }
    }
    return undefined
  }

  /** The message left the wait: admitted into the mailbox, or dead-lettered by a stop. */
  _done(): void {
    this.#state = 1
    for (const resume of this.#subs.splice(0)) resume(true, undefined)
  }

  /** True while the message waits for room. */
  get _waiting(): boolean {
    return this.#state === 0
  }

  /** Withdraws the message if it still waits for room: the ask it carries gave up. */
  _cancel(reason: unknown): void {
    this.#withdraw(undefined, reason)
  }

  #withdraw(by: Resume<void> | undefined, reason: unknown): void {
    const subs = this.#subs
    const i = by === undefined ? -1 : subs.indexOf(by)
    if (i >= 0) subs.splice(i, 1)
    if (this.#state !== 0) return
    this.#state = 2
    this.#error =
      reason instanceof Error
        ? reason
        : new CancelledError('the tell was withdrawn before it was admitted', reason)
    this.cell._withdraw(this)
    // Anyone else awaiting the same tell learns that the message was not sent.
    for (const resume of subs.splice(0)) resume(false, this.#error)
  }
}

/** What most actors never need, made on first use. @internal */
class CellExt {
  watchers: Set<ActorCell> | null = null
  watching: Map<ActorCell, unknown> | null = null
  stash: unknown[] | null = null
  timers: TimerScheduler<unknown> | null = null
  log: ActorLogger | null = null
  abort: AbortController | null = null
  restartType: RestartType = 'transient'
  /** How this actor supervises its children. */
  strategy: ResolvedStrategy | null = null
  /** For a top-level actor: how the guardian supervises it. */
  supervision: ResolvedStrategy | null = null
  /** Restart intensity of this actor as a supervisor: its children's restarts. */
  window: RestartWindow | null = null
  /**
   * For a top-level actor: its own restarts, counted by the guardian. Apart from `window`, which
   * counts its children's: the two limits are different supervisors' (OTP keeps one per supervisor).
   */
  guardianWindow: RestartWindow | null = null
  backoffN = 0
  lastRestartAt = -Infinity
  restarts = 0
  /** Incarnation number: late settlements of an older incarnation's handler are ignored. */
  inc = 0
  idle: (() => void)[] | null = null
  terminated: Promise<void> | null = null
  restarting: Promise<void> | null = null
  backoff: { timer: Timer; resolve: () => void } | null = null
  stopError: unknown = undefined
  waiters: TellWait[] | null = null
  /** The message an async handler is still handling, and its sender slot. */
  cur: unknown = NO_MSG
  sender: SenderSlot | undefined = undefined
  /** Only the guardian holds the system; other cells find it through their parents. */
  system: ActorSystem | null = null
}

/** @internal */
export class ActorCell implements ActorContext<unknown> {
  readonly _parent: ActorCell | null
  readonly _key: string | number
  readonly self: ActorRefImpl<unknown>
  readonly _def: ActorDef<unknown>
  /** The class instance, or the setup's hooks object. */
  _inst: Actor<unknown> | BehaviorHooks<unknown> | null = null
  /** The handler, unless the class instance's `receive` handles. */
  _recv: Handler<unknown> | null = null
  /** Default mailbox: message and sender slot, alternating, from `_qh`. */
  _q: unknown[] | null = null
  _qh = 0
  readonly _mb: Mailbox | null
  _flags = NEW
  _children: Map<string | number, ActorCell> | null = null
  _x: CellExt | null = null

  constructor(
    system: ActorSystem | null,
    parent: ActorCell | null,
    key: string | number,
    def: ActorDef<unknown>,
    mb: Mailbox | null,
  ) {
    if (system !== null) this._ext().system = system
    this._parent = parent
    this._key = key
    this._def = def
    this._mb = mb
    this.self = new ActorRefImpl(this)
  }

  // ---- addressing ----

  _path(): string {
    const p = this._parent
    const k = this._key
    const name = typeof k === 'number' ? `$${String(k)}` : k
    return p === null ? `/${name}` : `${p._path()}/${name}`
  }

  _ext(): CellExt {
    return (this._x ??= new CellExt())
  }

  get _system(): ActorSystem {
    let c: ActorCell = this
    while (c._parent !== null) c = c._parent
    return (c._x as CellExt).system as ActorSystem
  }

  get system(): ActorSystem {
    return this._system
  }

  get sender(): AnyActorRef | undefined {
    const slot = turnCell === this ? turnSender : this._x?.sender
    return slot === undefined || slot._kind > 1 ? undefined : (slot as unknown as AnyActorRef)
  }

  // ---- mail in ----

  /** `tell`: enqueue or dead-letter; a promise only for a back-pressure mailbox. */
  _tell(msg: unknown, sender: SenderSlot | undefined): Wait<void> | undefined {
    const f = this._flags
    if ((f & (STOPPING | DEAD)) !== 0) {
      this._system._deadLetter(msg, this._path(), sender, 'stopped')
      return this._mb?.overflow === 'backpressure' ? TOLD : undefined
    }
    const mb = this._mb
    if (mb === null) {
      const q = this._q
      if (q === null) this._q = [msg, sender]
      else q.push(msg, sender)
    } else {
      const r = this._offer(mb, msg, sender)
      if (r !== true) return r
    }
    if ((f & (SCHEDULED | BLOCKED)) === 0) {
      this._flags = f | SCHEDULED
      schedule(this)
    }
    return mb?.overflow === 'backpressure' ? TOLD : undefined
  }

  /** True if enqueued now; a promise while it waits for room; undefined if dropped. */
  _offer(mb: Mailbox, msg: unknown, sender: SenderSlot | undefined): true | Wait<void> | undefined {
    if (mb.size < mb.capacity && (this._x?.waiters?.length ?? 0) === 0) {
      mb.push(msg, sender)
      return true
    }
    switch (mb.overflow) {
      case 'dropNewest':
        this._system._deadLetter(msg, this._path(), sender, 'dropped')
        return undefined
      case 'dropOldest':
        mb.dropOldest((m, s) => {
          this._system._deadLetter(m, this._path(), s, 'dropped')
        })
        mb.push(msg, sender)
        return true
      case 'fail':
        throw new MailboxFullError(this._path(), mb.capacity, msg)
      case 'backpressure': {
        const w = new TellWait(this, msg, sender)
        ;(this._ext().waiters ??= []).push(w)
        return w
      }
    }
  }

  /** Enqueues a timer or watch message: never dropped by a bound, ignored once stopping. */
  _enqueueSystem(msg: unknown, sender: SenderSlot): void {
    const f = this._flags
    if ((f & (STOPPING | DEAD)) !== 0) return
    if (this._mb === null) (this._q ??= []).push(msg, sender)
    else this._mb.push(msg, sender)
    if ((f & (SCHEDULED | BLOCKED)) === 0) {
      this._flags = f | SCHEDULED
      schedule(this)
    }
  }

  _mailboxSize(): number {
    if (this._mb !== null) return this._mb.size
    return this._q === null ? 0 : (this._q.length - this._qh) >> 1
  }

  _hasMail(): boolean {
    return this._mb === null ? this._q !== null && this._qh < this._q.length : this._mb.size > 0
  }

  // ---- the dispatcher's turn ----

  _run(max: number): number {
    let f = this._flags & ~SCHEDULED
    this._flags = f
    if ((f & NEW) !== 0 && (f & (STOPPING | DEAD)) === 0) {
      this._incarnate(undefined, false)
      f = this._flags
    }
    if ((f & BLOCKED) !== 0) return 1
    let n = 0
    const prev = setRunning(this.self)
    try {
      const mb = this._mb
      while (n < max) {
        let msg: unknown
        let snd: SenderSlot | undefined
        if (mb === null) {
          const q = this._q
          const h = this._qh
          if (q === null || h >= q.length) break
          msg = q[h]
          snd = q[h + 1] as SenderSlot | undefined
          q[h] = undefined
          q[h + 1] = undefined
          if (h + 2 === q.length) {
            q.length = 0
            this._qh = 0
          } else this._qh = h + 2
        } else {
          if (mb.size === 0) break
          msg = mb.take()
          snd = mb.sender
          mb.sender = undefined
          if (this._x?.waiters?.length) this._admitWaiter(mb)
        }
        n++
        this._handle(msg, snd)
        if ((this._flags & BLOCKED) !== 0) return n
      }
    } finally {
      setRunning(prev)
    }
    if (this._hasMail()) {
      this._flags |= SCHEDULED
      schedule(this)
    }
    return n
  }

  _admitWaiter(mb: Mailbox): void {
    const w = (this._x as CellExt).waiters as TellWait[]
    const first = w.shift() as TellWait
    mb.push(first.msg, first.sender)
    first._done()
  }

  /** Takes back a blocked tell whose sender gave up: it never enters the mailbox. */
  _withdraw(w: TellWait): void {
    const x = this._x
    const waiters = x?.waiters
    if (x == null || waiters == null) return
    const i = waiters.indexOf(w)
    if (i >= 0) waiters.splice(i, 1)
    if (waiters.length === 0) x.waiters = null
  }

  _handle(msg: unknown, snd: SenderSlot | undefined): void {
    if (snd !== undefined && snd._kind >= 2) {
      if (snd instanceof TimerToken ? !snd.valid : snd instanceof WatchToken && !this._acceptWatch(snd))
        return
      snd = undefined
    }
    if (msg === PoisonPill) {
      void this._stop(false)
      return
    }
    turnCell = this
    turnMsg = msg
    turnSender = snd
    let r: unknown
    try {
      r = this._recv !== null ? this._recv(msg, this) : (this._inst as Actor<unknown>).receive(msg, this)
    } catch (err) {
      turnCell = null
      this._fail(err, msg, snd, true)
      return
    }
    turnCell = null
    if (r !== undefined) this._next(r, msg, snd)
  }

  _next(r: unknown, msg: unknown, snd: SenderSlot | undefined): void {
    if (typeof r === 'function') {
      this._recv = r as Handler<unknown>
    } else if (r instanceof Behavior) {
      this._adopt(r as Behavior<unknown>)
    } else if (isThenable(r)) {
      this._flags |= BUSY
      const x = this._ext()
      const inc = x.inc
      // The handler goes on after an await: ctx.sender and stash() still need its message.
      x.cur = msg
      x.sender = snd
      r.then(
        (v) => {
          if (this._x?.inc !== inc) return
          x.cur = NO_MSG
          x.sender = undefined
          this._flags &= ~BUSY
          if (v !== undefined) this._next(v, msg, snd)
          this._wake()
        },
        (err: unknown) => {
          if (this._x?.inc !== inc) return
          x.cur = NO_MSG
          x.sender = undefined
          this._fail(err, msg, snd, true)
        },
      )
    }
  }

  /** After a turn ended or a block lifted: release stop waiters and reschedule if there is mail. */
  _wake(): void {
    const f = this._flags
    const x = this._x
    if (x !== null && x.idle !== null && (f & BUSY) === 0) {
      const idle = x.idle
      x.idle = null
      for (const resolve of idle) resolve()
    }
    if ((f & (SCHEDULED | BLOCKED)) === 0 && this._hasMail()) {
      this._flags = f | SCHEDULED
      schedule(this)
    }
  }

  /** Resolves true once no handler runs, false after `ms`. */
  _waitIdle(ms: number): Promise<boolean> {
    if ((this._flags & BUSY) === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = getClock().setTimer(ms, () => {
        resolve(false)
      })
      ;(this._ext().idle ??= []).push(() => {
        timer.cancel()
        resolve(true)
      })
    })
  }

  // ---- incarnations ----

  /** Builds a fresh incarnation from the definition (first start or restart). */
  _incarnate(restartError: unknown, isRestart: boolean): void {
    this._flags &= ~(NEW | SUSPENDED)
    this._recv = null
    this._inst = null
    const x = this._x
    if (isRestart && x !== null) {
      x.restarts++
      x.lastRestartAt = getClock().now()
      // A restarted supervisor starts with no restarts of its children on record, as a new OTP
      // supervisor process does: the old ones made it give up, and counting them again would
      // make it give up at its first child's crash.
      x.window = null
    }
    const prev = setRunning(this.self)
    try {
      const def = this._def
      if (def instanceof Behavior) {
        const r = def._setup(this)
        if (isThenable(r)) this._await(r, (v) => this._install(v))
        else this._install(r)
      } else {
        const inst = new def(this)
        this._inst = inst
        const hook = isRestart
          ? inst.postRestart !== undefined
            ? inst.postRestart(restartError, this)
            : inst.preStart?.(this)
          : inst.preStart?.(this)
        if (isThenable(hook)) this._await(hook, () => undefined)
      }
    } catch (err) {
      this._fail(err, NO_MSG, undefined, true)
    } finally {
      setRunning(prev)
    }
    this._wake()
  }

  /** Waits for a setup or hook; the cell is busy meanwhile. */
  _await(p: PromiseLike<unknown>, then: (v: unknown) => void): void {
    this._flags |= BUSY
    const inc = this._ext().inc
    p.then(
      (v) => {
        if (this._x?.inc !== inc) return
        this._flags &= ~BUSY
        try {
          then(v)
        } catch (err) {
          this._fail(err, NO_MSG, undefined, true)
          return
        }
        this._wake()
      },
      (err: unknown) => {
        if (this._x?.inc !== inc) return
        this._fail(err, NO_MSG, undefined, true)
      },
    )
  }

  _install(r: unknown): void {
    if (typeof r === 'function') {
      this._recv = r as Handler<unknown>
      return
    }
    if (typeof r === 'object' && r !== null && typeof (r as BehaviorHooks<unknown>).receive === 'function') {
      this._inst = r as BehaviorHooks<unknown>
      this._recv = (r as BehaviorHooks<unknown>).receive
      return
    }
    throw new TypeError(
      `Expected the behavior setup of ${this._path()} to return a handler or {receive}, got ${describe(r)}`,
    )
  }

  /** Switches to a behaviour returned by a handler: runs its setup now. */
  _adopt(b: Behavior<unknown>): void {
    const r: SetupResult<unknown> | PromiseLike<SetupResult<unknown>> = b._setup(this)
    if (isThenable(r)) this._await(r, (v) => this._install(v))
    else this._install(r)
  }

  // ---- failure ----

  /** This actor failed (its handler, a hook, or a child escalated). */
  _fail(err: unknown, msg: unknown, snd: SenderSlot | undefined, fromTurn: boolean): void {
    if (fromTurn) this._flags &= ~BUSY
    if (snd instanceof AskRef) snd._fail(err)
    if (msg !== NO_MSG) this._system._deadLetter(msg, this._path(), snd, 'failed', err)
    const f = this._flags
    if ((f & (STOPPING | DEAD | RESTARTING)) !== 0) {
      this._system._log('warn', this._path(), 'failed while stopping or restarting', err)
      this._wake()
      return
    }
    this._flags = f | SUSPENDED
    this._system._log('warn', this._path(), 'failed', err)
    this._wake()
    const parent = this._parent
    if (parent === null) this._system._escalate(err, this)
    else childFailed(parent, this, err, msg === NO_MSG ? undefined : msg, false)
  }

  /** Lifts a suspension (directive `resume`), with children suspended by an escalation. */
  _resume(): void {
    this._flags &= ~SUSPENDED
    if (this._children !== null) {
      for (const c of this._children.values())
        if ((c._flags & (SUSPENDED | RESTARTING)) === SUSPENDED) c._resume()
    }
    this._wake()
  }

  /** Ends this incarnation before a restart: the handler in flight, hooks, children, timers. */
  async _teardown(error: unknown, msg: unknown): Promise<void> {
    const x = this._ext()
    x.abort?.abort(new CancelledError(`${this._path()} is restarting`))
    x.abort = null
    if (!(await this._waitIdle(this._system._stopTimeoutMs))) this._system._unresponsive(this)
    x.inc++
    this._flags &= ~BUSY
    const inst = this._inst
    if (inst?.preRestart !== undefined) {
      await this._hook('preRestart', () => inst.preRestart?.(error, msg === NO_MSG ? undefined : msg, this))
    }
    await this._stopChildren()
    x.timers?.cancelAll()
    this._unwatchAll()
    const stash = x.stash
    if (stash !== null) {
      x.stash = null
      this._prepend(stash)
    }
  }

  /** Waits for a restart's backoff, or less if the actor is stopped meanwhile. */
  _backoffWait(ms: number): Promise<void> {
    const x = this._ext()
    return new Promise((resolve) => {
      const timer = getClock().setTimer(ms, () => {
        x.backoff = null
        resolve()
      })
      x.backoff = { timer, resolve }
    })
  }

  /** Runs a lifecycle hook; a throw or rejection is logged, a hang is cut by the stop timeout. */
  async _hook(name: string, call: () => unknown): Promise<void> {
    const prev = setRunning(this.self)
    let r: unknown
    try {
      r = call()
    } catch (err) {
      this._system._log('error', this._path(), `${name} threw`, err)
      return
    } finally {
      setRunning(prev)
    }
    if (!isThenable(r)) return
    let timer: Timer | undefined
    const settled = await Promise.race([
      Promise.resolve(r).then(
        () => true,
        (err: unknown) => {
          this._system._log('error', this._path(), `${name} failed`, err)
          return true
        },
      ),
      new Promise<false>((resolve) => {
        timer = getClock().setTimer(this._system._stopTimeoutMs, () => {
          resolve(false)
        })
      }),
    ])
    timer?.cancel()
    if (!settled) this._system._unresponsive(this)
  }

  // ---- stopping ----

  /**
   * Stops this actor after its current message; children stop first, then `postStop` runs.
   * `self` marks a stop the actor asked for itself (a permanent child is then restarted).
   */
  _stop(self: boolean): Promise<void> {
    const x = this._ext()
    if (x.terminated !== null) return x.terminated
    if (self && x.restartType === 'permanent' && this._parent !== null && (this._flags & STOPPING) === 0) {
      // OTP: a permanent child that exits normally is restarted, and it counts toward intensity.
      this._flags |= SUSPENDED
      childFailed(this._parent, this, undefined, undefined, true)
      return Promise.resolve()
    }
    this._flags |= STOPPING
    x.backoff?.timer.cancel()
    x.backoff?.resolve()
    x.backoff = null
    x.terminated = this._terminate(x)
    return x.terminated
  }

  /**
   * True when stopping can finish synchronously: idle (no turn, setup, restart or backoff under
   * way), no children and no `postStop`. A million idle actors then stop without a promise each.
   */
  _canStopNow(): boolean {
    if ((this._flags & (BUSY | STOPPING | DEAD | RESTARTING)) !== 0) return false
    if (this._children !== null && this._children.size > 0) return false
    if (this._inst?.postStop !== undefined) return false
    const x = this._x
    return x === null || (x.restarting === null && x.backoff === null && x.terminated === null)
  }

  /** `_terminate` for an actor `_canStopNow` accepted: the same steps, none of them waiting. */
  _stopNow(): void {
    this._flags |= STOPPING
    const x = this._x
    if (x !== null) {
      x.terminated = Promise.resolve()
      x.timers?.cancelAll()
    }
    this._finishStop(x)
  }

  async _terminate(x: CellExt): Promise<void> {
    // A handler that called stop() returns first; then we know if it went async.
    await Promise.resolve()
    if (x.restarting !== null) await x.restarting
    if (!(await this._waitIdle(this._system._stopTimeoutMs))) {
      this._system._unresponsive(this)
      x.inc++
      this._flags &= ~BUSY
    }
    await this._stopChildren()
    x.timers?.cancelAll()
    const inst = this._inst
    if (inst?.postStop !== undefined && (this._flags & NEW) === 0) {
      await this._hook('postStop', () => inst.postStop?.(this))
    }
    this._finishStop(x)
  }

  /**
   * The last steps of every stop: signal aborted, dead, out of its parent, mail to dead letters,
   * watchers told.
   */
  _finishStop(x: CellExt | null): void {
    x?.abort?.abort(new CancelledError(`${this._path()} stopped`))
    this._flags = (this._flags | DEAD) & ~(BUSY | SUSPENDED)
    const parent = this._parent
    if (parent?._children?.get(this._key) === this) parent._children.delete(this._key)
    this._dropMail()
    if (x !== null) {
      this._unwatchAll()
      this._notifyWatchers(x)
    }
    this._system._stopped(this)
  }

  async _stopChildren(): Promise<void> {
    const children = this._children
    if (children === null || children.size === 0) return
    let waits: Promise<void>[] | undefined
    for (const c of [...children.values()]) {
      if (c._canStopNow()) c._stopNow()
      else (waits ??= []).push(c._stop(false))
    }
    if (waits !== undefined) await Promise.all(waits)
  }

  /** Everything left in the mailbox, stash and back-pressure queue goes to dead letters. */
  _dropMail(): void {
    const x = this._x
    const q = this._q
    // Most actors stop with nothing queued: no path string, no array.
    const idle = this._mb === null && (q === null || this._qh >= q.length)
    if (idle && (x === null || (x.stash === null && x.waiters === null))) {
      this._q = null
      this._qh = 0
      return
    }
    const path = this._path()
    const system = this._system
    const letters: unknown[] = []
    if (this._mb === null) {
      if (q !== null) for (let i = this._qh; i < q.length; i++) letters.push(q[i])
      this._q = null
      this._qh = 0
    } else letters.push(...this._mb.drain())
    if (x !== null) {
      if (x.stash !== null) letters.push(...x.stash)
      x.stash = null
      if (x.waiters !== null) {
        for (const w of x.waiters) {
          letters.push(w.msg, w.sender)
          w._done()
        }
        x.waiters = null
      }
    }
    for (let i = 0; i < letters.length; i += 2) {
      const snd = letters[i + 1] as SenderSlot | undefined
      // Timer and watch messages are the actor's own business, not lost mail.
      if (snd !== undefined && snd._kind >= 2) continue
      system._deadLetter(letters[i], path, snd, 'stopped')
    }
  }

  // ---- children ----

  _spawnChild(def: ActorDef<unknown>, opts: SpawnOptions<unknown> | undefined, topLevel: boolean): ActorCell {
    if ((this._flags & (STOPPING | DEAD)) !== 0) {
      throw new InvalidStateError(`cannot spawn under ${this._path()}: it is stopping`)
    }
    const isClass = typeof def === 'function' && (def as { prototype?: unknown }).prototype instanceof Actor
    if (!(def instanceof Behavior) && !isClass)
      throw typeError('def', 'an Actor subclass or a behavior(...)', def)
    if (opts !== undefined && (typeof opts !== 'object' || opts === null)) {
      throw typeError('opts', 'an options object', opts)
    }
    let key: string | number
    const name = opts?.name
    if (name === undefined) key = this._system._nextId()
    else {
      if (typeof name !== 'string' || name === '' || name.includes('/') || name.startsWith('$')) {
        throw new TypeError(
          `Expected an actor name: a non-empty string without '/' not starting with '$', got ${describe(name)}`,
        )
      }
      if (this._children?.has(name) === true) {
        throw new InvalidStateError(
          `an actor named ${JSON.stringify(name)} already lives under ${this._path()}`,
        )
      }
      key = name
    }
    const mb = makeMailbox(opts?.mailbox)
    const restart = checkRestartType(opts?.restart)
    const strategy =
      opts?.supervisor !== undefined
        ? resolveStrategy(opts.supervisor, 'supervisor')
        : isClass && def.supervisor !== undefined
          ? resolveStrategy(def.supervisor, `${def.name}.supervisor`)
          : null
    const supervision =
      topLevel && opts?.supervision !== undefined ? resolveStrategy(opts.supervision, 'supervision') : null
    const cell = new ActorCell(null, this, key, def, mb)
    if (restart !== 'transient' || strategy !== null || supervision !== null) {
      const x = cell._ext()
      x.restartType = restart
      x.strategy = strategy
      x.supervision = supervision
    }
    ;(this._children ??= new Map()).set(key, cell)
    cell._flags = NEW | SCHEDULED
    schedule(cell)
    return cell
  }

  /** How this actor supervises `child`. */
  _strategyFor(child: ActorCell): ResolvedStrategy {
    if (this._parent === null) return child._x?.supervision ?? DEFAULT_STRATEGY
    return this._x?.strategy ?? DEFAULT_STRATEGY
  }

  /** The restart window that counts `child`'s restarts (the supervisor's; per child under the guardian). */
  _windowFor(child: ActorCell): RestartWindow {
    if (this._parent === null) return (child._ext().guardianWindow ??= new RestartWindow())
    return (this._ext().window ??= new RestartWindow())
  }

  // ---- death watch ----

  _acceptWatch(token: WatchToken): boolean {
    const watching = this._x?.watching
    if (watching?.has(token.target) !== true) return false
    watching.delete(token.target)
    return true
  }

  _notifyWatchers(x: CellExt): void {
    const watchers = x.watchers
    if (watchers === null) return
    x.watchers = null
    for (const w of watchers) w._deliverTerminated(this)
  }

  _deliverTerminated(target: ActorCell): void {
    const custom = this._x?.watching?.get(target)
    if (custom === undefined) return
    const msg = custom === NO_CUSTOM ? new Terminated(target.self, target._x?.stopError) : custom
    this._enqueueSystem(msg, new WatchToken(target))
  }

  _unwatchAll(): void {
    const watching = this._x?.watching
    if (watching === null || watching === undefined) return
    for (const target of watching.keys()) target._x?.watchers?.delete(this)
    watching.clear()
  }

  _prepend(items: unknown[]): void {
    if (this._mb !== null) this._mb.prepend(items)
    else {
      const q = this._q
      this._q = q === null ? items : items.concat(q.slice(this._qh))
      this._qh = 0
    }
    this._wake()
  }

  // ---- ActorContext ----

  get signal(): AbortSignal {
    const x = this._ext()
    x.abort ??= new AbortController()
    if ((this._flags & DEAD) !== 0 && !x.abort.signal.aborted)
      x.abort.abort(new CancelledError(`${this._path()} stopped`))
    return x.abort.signal
  }

  get timers(): TimerScheduler<unknown> {
    return (this._ext().timers ??= new TimerScheduler(this))
  }

  get log(): ActorLogger {
    const x = this._ext()
    return (x.log ??= makeLogger(this._system._sink, () => this._path()))
  }

  spawn<C>(def: ActorDef<C>, opts: BackpressureSpawn & ChildSpawnOptions<C>): BackpressureRef<C>
  spawn<C>(def: ActorDef<C>, opts?: ChildSpawnOptions<C>): ActorRef<C>
  spawn<C>(def: ActorDef<C>, opts?: ChildSpawnOptions<C>): ActorRef<C> {
    return this._spawnChild(def as ActorDef<unknown>, opts as ChildSpawnOptions<unknown>, false).self
  }

  children(): AnyActorRef[] {
    return this._children === null ? [] : Array.from(this._children.values(), (c) => c.self)
  }

  stop(ref?: AnyActorRef): void {
    const target = ref === undefined ? this : cellOf(ref)
    // Any other ref (an ask's reply-to) is an actor it may not stop; anything else is a mistake.
    if (target === undefined && typeof (ref as { path?: unknown } | null)?.path !== 'string') {
      throw typeError('ref', 'an actor ref', ref)
    }
    if (target === undefined || (target !== this && target._parent !== this)) {
      throw new InvalidStateError(
        `${this._path()} can stop only itself or its children, not ${ref === undefined ? '?' : ref.path}`,
      )
    }
    void target._stop(target === this)
  }

  watch(ref: AnyActorRef, ...message: unknown[]): void {
    const target = cellOf(ref)
    if (target === undefined) throw typeError('ref', 'an actor ref to watch', ref)
    if (target === this) return
    const watching = (this._ext().watching ??= new Map())
    const already = watching.has(target)
    watching.set(target, message.length > 0 ? message[0] : NO_CUSTOM)
    if ((target._flags & DEAD) !== 0) {
      if (!already) this._deliverTerminated(target)
    } else (target._ext().watchers ??= new Set()).add(this)
  }

  unwatch(ref: AnyActorRef): void {
    const target = cellOf(ref)
    if (target === undefined) return
    this._x?.watching?.delete(target)
    target._x?.watchers?.delete(this)
  }

  become(next: Handler<unknown>): void {
    if (typeof next !== 'function') throw typeError('next', 'a handler function', next)
    this._recv = next
  }

  stash(): void {
    const x = this._ext()
    const msg = turnCell === this ? turnMsg : x.cur
    if (msg === NO_MSG) throw new InvalidStateError('stash() needs a message being handled')
    ;(x.stash ??= []).push(msg, turnCell === this ? turnSender : x.sender)
  }

  unstashAll(): void {
    const x = this._x
    if (x === null || x.stash === null || x.stash.length === 0) return
    const items = x.stash
    x.stash = null
    this._prepend(items)
  }
}
