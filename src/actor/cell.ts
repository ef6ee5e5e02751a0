/**
 * `ActorCell`: one actor's mailbox, current incarnation and place in the tree.
 *
 * An actor is not a task: a task costs a promise, a context and a registry entry, and an idle
 * actor must cost a few hundred bytes. The cell is a plain object the dispatcher runs when it has
 * mail; the default unbounded mailbox is an array inside it (message and sender slot side by
 * side), and everything rare (watchers, stash, timers, restart state) lives in an extension object
 * made on first use. The cell is also the actor's `ActorContext`.
 *
 * This file holds what runs per message (mail in, the dispatcher's turn) and the context facade.
 * The rest works on the same object from modules of its own: the flags and the rare state
 * (`cell-state.ts`), the default mailbox (`inbox.ts`), bounded mailboxes and back-pressure
 * (`delivery.ts`), incarnations (`incarnation.ts`), stopping (`stop.ts`), death watch
 * (`watch.ts`), failure and supervision (`supervise.ts`).
 *
 * @module
 */
import { CancelledError, describe, InvalidStateError, typeError } from '../errors.js'
import { isThenable, type Wait } from '../core/op.js'
import { Actor } from './actor.js'
import {
  type ActorRef,
  ActorRefImpl,
  type AnyActorRef,
  type BackpressureRef,
  cellOf,
  targetOf,
  PoisonPill,
  type SenderSlot,
} from './actor-ref.js'
import { Behavior, type BehaviorHooks, type Handler } from './behavior.js'
import * as state from './cell-state.js'
import { type CellExt, extOf, NO_MSG } from './cell-state.js'
import type { ActorContext } from './context.js'
import { setRunning } from './current.js'
import * as delivery from './delivery.js'
import { admitWaiter, prependMail, type Recipient } from './delivery.js'
import { schedule } from './dispatcher.js'
import { adopt, incarnate } from './incarnation.js'
import * as inbox from './inbox.js'
import { makeLogger, type ActorLogger } from './logger.js'
import { type Mailbox, makeMailbox } from './mailbox.js'
import type { ActorDef, BackpressureSpawn, ChildSpawnOptions, SpawnOptions } from './spawn-options.js'
import { stop, type StopTarget } from './stop.js'
import { fail, stopSelf } from './supervise.js'
import { checkRestartType, resolveStrategy } from './supervision.js'
import type { ActorSystem } from './system.js'
import type { TerminatedReason } from './terminated.js'
import { type TimerTarget, TimerScheduler, TimerToken } from './timers.js'
import {
  acceptWatch,
  addWatch,
  addWatcher,
  deliverTerminated,
  removeWatch,
  removeWatcher,
  type Watcher,
  type WatchTarget,
  WatchToken,
} from './watch.js'

// What `tell` and the turn use per message, as constants of this module: V8 reads an imported
// binding through its module cell and checks that it is initialised at every use, which added
// about 15 % to the instructions of a tell.
const { BLOCKED, BUSY, DEAD, NEW, SCHEDULED, STOPPING } = state
const { EMPTY, inboxHasMail, pushInbox, takeInbox, takenSender } = inbox
const { offer, TOLD } = delivery

/** The cell whose handler runs synchronously now, with its message and sender slot. */
let turnCell: ActorCell | null = null
let turnMsg: unknown = NO_MSG
let turnSender: SenderSlot | undefined

/** @internal */
export class ActorCell
  implements ActorContext<unknown>, Recipient, StopTarget, WatchTarget, Watcher, TimerTarget
{
  /** The supervisor; null for the guardian. */
  readonly _parent: ActorCell | null
  /** Its name under the parent, or the number of an unnamed actor (`$3` in its path). */
  readonly _key: string | number
  /** This actor's ref: one per actor, across restarts. */
  readonly self: ActorRefImpl<unknown>
  /** What each incarnation is built from. */
  readonly _def: ActorDef<unknown>
  /** The class instance, or the setup's hooks object. */
  _instance: Actor<unknown> | BehaviorHooks<unknown> | null = null
  /** The handler, unless the class instance's `receive` handles. */
  _handler: Handler<unknown> | null = null
  /** The default mailbox: its head index, then messages and sender slots, alternating (see inbox.ts). */
  _inbox: unknown[] | null = null
  /** A bounded or priority mailbox; null for the default one, which is `_inbox`. */
  readonly _mailbox: Mailbox | null
  /** `SCHEDULED`, `BUSY`, ... of cell-state.ts, one word. */
  _flags = NEW
  /** Live children by key, in start order; null until the first. */
  _children: Map<string | number, ActorCell> | null = null
  /** What most actors never need (cell-state.ts); null until first used. */
  _ext: CellExt | null = null
  /** Messages handled since it started, added by the dispatcher once per turn (the observer's rate). */
  _handled = 0

  constructor(
    system: ActorSystem | null,
    parent: ActorCell | null,
    key: string | number,
    def: ActorDef<unknown>,
    mb: Mailbox | null,
  ) {
    if (system !== null) extOf(this).system = system
    this._parent = parent
    this._key = key
    this._def = def
    this._mailbox = mb
    this.self = new ActorRefImpl(this)
  }

  // ---- addressing ----

  _path(): string {
    const p = this._parent
    const k = this._key
    const name = typeof k === 'number' ? `$${String(k)}` : k
    return p === null ? `/${name}` : `${p._path()}/${name}`
  }

  get _system(): ActorSystem {
    let c: ActorCell = this
    while (c._parent !== null) c = c._parent
    return (c._ext as CellExt).system as ActorSystem
  }

  get system(): ActorSystem {
    return this._system
  }

  get sender(): AnyActorRef | undefined {
    const slot = turnCell === this ? turnSender : this._ext?.asyncSender
    return slot === undefined || slot._kind > 1 ? undefined : (slot as unknown as AnyActorRef)
  }

  // ---- mail in ----

  /** `tell` (the `Recipient` seam): enqueue or dead-letter; a wait only for a back-pressure mailbox. */
  _tell(msg: unknown, sender: SenderSlot | undefined): Wait<void> | undefined {
    const f = this._flags
    if ((f & (STOPPING | DEAD)) !== 0) {
      this._system._deadLetter(msg, this._path(), sender, 'stopped')
      return this._mailbox?.overflow === 'backpressure' ? TOLD : undefined
    }
    const mb = this._mailbox
    if (mb === null) pushInbox(this, msg, sender)
    else {
      const r = offer(this, mb, msg, sender)
      if (r !== true) return r
    }
    if ((f & (SCHEDULED | BLOCKED)) === 0) {
      this._flags = f | SCHEDULED
      schedule(this)
    }
    return mb?.overflow === 'backpressure' ? TOLD : undefined
  }

  /** Enqueues a timer or watch message: never dropped by a bound, ignored once stopping. */
  _enqueueSystem(msg: unknown, sender: SenderSlot): void {
    const f = this._flags
    if ((f & (STOPPING | DEAD)) !== 0) return
    if (this._mailbox === null) pushInbox(this, msg, sender)
    else this._mailbox.push(msg, sender)
    if ((f & (SCHEDULED | BLOCKED)) === 0) {
      this._flags = f | SCHEDULED
      schedule(this)
    }
  }

  _hasMail(): boolean {
    return this._mailbox === null ? inboxHasMail(this) : this._mailbox.size > 0
  }

  // ---- the dispatcher's turn ----

  _run(max: number): number {
    let f = this._flags & ~SCHEDULED
    this._flags = f
    if ((f & NEW) !== 0 && (f & (STOPPING | DEAD)) === 0) {
      incarnate(this, undefined, false)
      f = this._flags
    }
    if ((f & BLOCKED) !== 0) return 1
    let n = 0
    const prev = setRunning(this.self)
    try {
      const mb = this._mailbox
      while (n < max) {
        let msg: unknown
        let sender: SenderSlot | undefined
        if (mb === null) {
          msg = takeInbox(this)
          if (msg === EMPTY) break
          sender = takenSender()
        } else {
          if (mb.size === 0) break
          msg = mb.take()
          sender = mb.sender
          mb.sender = undefined
          if (this._ext?.blockedTells?.length) admitWaiter(this, mb)
        }
        n++
        this._handle(msg, sender)
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

  /** The message the last handled one (debug mode names it when a turn was slow). */
  _turnMessage(): unknown {
    return turnMsg
  }

  _handle(msg: unknown, sender: SenderSlot | undefined): void {
    if (sender !== undefined && sender._kind >= 2) {
      if (
        sender instanceof TimerToken
          ? !sender.valid
          : sender instanceof WatchToken && !acceptWatch(this, sender)
      )
        return
      sender = undefined
    }
    if (msg === PoisonPill) {
      void stop(this)
      return
    }
    turnCell = this
    turnMsg = msg
    turnSender = sender
    let r: unknown
    try {
      r =
        this._handler !== null
          ? this._handler(msg, this)
          : (this._instance as Actor<unknown>).receive(msg, this)
    } catch (err) {
      turnCell = null
      this._fail(err, msg, sender, true)
      return
    }
    turnCell = null
    if (r !== undefined) this._next(r, msg, sender)
  }

  _next(r: unknown, msg: unknown, sender: SenderSlot | undefined): void {
    if (typeof r === 'function') {
      this._handler = r as Handler<unknown>
    } else if (r instanceof Behavior) {
      adopt(this, r as Behavior<unknown>)
    } else if (isThenable(r)) {
      this._flags |= BUSY
      const x = extOf(this)
      const inc = x.incarnation
      // The handler goes on after an await: ctx.sender and stash() still need its message.
      x.asyncMsg = msg
      x.asyncSender = sender
      r.then(
        (v) => {
          if (this._ext?.incarnation !== inc) return
          x.asyncMsg = NO_MSG
          x.asyncSender = undefined
          this._flags &= ~BUSY
          if (v !== undefined) this._next(v, msg, sender)
          this._wake()
        },
        (err: unknown) => {
          if (this._ext?.incarnation !== inc) return
          x.asyncMsg = NO_MSG
          x.asyncSender = undefined
          this._fail(err, msg, sender, true)
        },
      )
    }
  }

  /** After a turn ended or a block lifted: release stop waiters and reschedule if there is mail. */
  _wake(): void {
    const f = this._flags
    const x = this._ext
    if (x !== null && x.idleWaiters !== null && (f & BUSY) === 0) {
      const idle = x.idleWaiters
      x.idleWaiters = null
      for (const resolve of idle) resolve()
    }
    if ((f & (SCHEDULED | BLOCKED)) === 0 && this._hasMail()) {
      this._flags = f | SCHEDULED
      schedule(this)
    }
  }

  // ---- what other modules reach through the cell ----

  /**
   * This actor failed: see `fail` in supervise.ts. A method, so that the incarnation code can
   * report a failure without importing supervise.ts, which restarts through it.
   */
  _fail(err: unknown, msg: unknown, sender: SenderSlot | undefined, fromTurn: boolean): void {
    fail(this, err, msg, sender, fromTurn)
  }

  /** The `StopTarget` seam: stops after the current message (see stop.ts). */
  _stop(): Promise<void> {
    return stop(this)
  }

  /** The `WatchTarget` seam, the watched end (see watch.ts). */
  _addWatcher(watcher: Watcher): void {
    addWatcher(this, watcher)
  }

  _removeWatcher(watcher: Watcher): void {
    removeWatcher(this, watcher)
  }

  /** The `Watcher` seam: a watched actor stopped (see watch.ts). */
  _terminated(target: WatchTarget, error: unknown, reason?: TerminatedReason): void {
    deliverTerminated(this, target, error, reason)
  }

  // ---- children ----

  /** Checks the definition and options, makes the child and schedules its first start. */
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
      const x = extOf(cell)
      x.restartType = restart
      x.strategy = strategy
      x.supervision = supervision
    }
    ;(this._children ??= new Map()).set(key, cell)
    cell._flags = NEW | SCHEDULED
    schedule(cell)
    return cell
  }

  // ---- ActorContext ----

  get signal(): AbortSignal {
    const x = extOf(this)
    x.abort ??= new AbortController()
    if ((this._flags & DEAD) !== 0 && !x.abort.signal.aborted)
      x.abort.abort(new CancelledError(`${this._path()} stopped`))
    return x.abort.signal
  }

  get timers(): TimerScheduler<unknown> {
    return (extOf(this).timers ??= new TimerScheduler(this))
  }

  get log(): ActorLogger {
    const x = extOf(this)
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
    // A remote child would be resolved here to its `StopTarget`; only local cells are so far.
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
    if (target === this) stopSelf(this)
    else void target._stop()
  }

  watch(ref: AnyActorRef, ...message: unknown[]): void {
    const target = targetOf(ref)
    if (target === undefined) throw typeError('ref', 'an actor ref to watch', ref)
    if (target === this) return
    addWatch(this, target, message)
  }

  unwatch(ref: AnyActorRef): void {
    const target = targetOf(ref)
    if (target === undefined) return
    removeWatch(this, target)
  }

  become(next: Handler<unknown>): void {
    if (typeof next !== 'function') throw typeError('next', 'a handler function', next)
    this._handler = next
  }

  stash(): void {
    const x = extOf(this)
    const msg = turnCell === this ? turnMsg : x.asyncMsg
    if (msg === NO_MSG) throw new InvalidStateError('stash() needs a message being handled')
    ;(x.stash ??= []).push(msg, turnCell === this ? turnSender : x.asyncSender)
  }

  unstashAll(): void {
    const x = this._ext
    if (x === null || x.stash === null || x.stash.length === 0) return
    const items = x.stash
    x.stash = null
    prependMail(this, items)
  }
}
