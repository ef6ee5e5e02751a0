/**
 * `ask`: a message with a temporary reply-to ref, resolved by the first reply.
 *
 * The reply-to ref is not an actor: it has no cell, no mailbox and no task, only the promise's
 * resolvers and, with a timeout, one timer. Once the ask is settled the ref is dead: a late reply
 * goes to dead letters, as in Akka.
 *
 * @module
 */
import {
  ActorStoppedError,
  AskTimeoutError,
  CancelledError,
  checkMs,
  checkSignal,
  describe,
  messageTypeOf,
  typeError,
} from '../errors.js'
import { type Abandonable, ON_ABANDON } from '../core/op.js'
import { getClock, setTimerOn, type Timer } from '../platform/clock.js'
import type { ActorRef, AskOptions, PoisonPill, SenderSlot } from './actor-ref.js'
import type { ActorCell } from './cell.js'
import { TellWait } from './delivery.js'

let askIds = 0

/** @internal The reply-to ref of one ask. */
export class AskRef<R> implements ActorRef<R>, SenderSlot {
  declare readonly _kind: 1
  readonly #target: ActorCell
  readonly #id = ++askIds
  #resolve: ((value: R) => void) | undefined
  #reject: ((error: unknown) => void) | undefined
  #timer: Timer | undefined
  #signal: AbortSignal | undefined
  #timeoutMs = 0
  /** The message asked, kept only to name its type in a timeout. */
  _msg: unknown = undefined
  /** The message's wait for room in a back-pressure mailbox, while it lasts. */
  #room: TellWait | undefined

  static {
    Object.defineProperty(this.prototype, '_kind', { value: 1 })
  }

  constructor(target: ActorCell, resolve: (value: R) => void, reject: (error: unknown) => void) {
    this.#target = target
    this.#resolve = resolve
    this.#reject = reject
  }

  get path(): string {
    return `/temp/$ask-${String(this.#id)}`
  }

  /** True until the ask is settled. */
  get _pending(): boolean {
    return this.#resolve !== undefined
  }

  tell(msg: R | PoisonPill): void {
    const resolve = this.#resolve
    if (resolve === undefined) {
      this.#target._system._deadLetter(msg, this.path, undefined, 'ask-settled')
      return
    }
    this.#settle()
    resolve(msg as R)
  }

  ask<R2>(factory: (replyTo: ActorRef<R2>) => R): Promise<R2> {
    return Promise.reject(
      new ActorStoppedError(
        this.path,
        `${this.path} is a reply-to ref of an ask; it cannot be asked (${describe(factory)})`,
      ),
    )
  }

  /**
   * Fails the ask (its message failed or reached dead letters, or the asker gave up). A message
   * still waiting for room is withdrawn: the asker was told it failed, and may send it again.
   */
  _fail(error: unknown): void {
    const reject = this.#reject
    if (reject === undefined) return
    const room = this.#room
    this.#settle()
    room?._cancel(error)
    reject(error)
  }

  /** The message waits for room; `_fail` withdraws it until it is admitted. */
  _waitRoom(room: TellWait): void {
    this.#room = room
  }

  /**
   * The task that waited on the ask through `call` gave up. Before the message is admitted, that
   * withdraws it and fails the ask, as an undone back-pressure `tell`; after, the ask runs on.
   */
  _abandon(reason: unknown): void {
    if (this.#room?._waiting !== true) return
    this._fail(reason instanceof Error ? reason : new CancelledError('the ask was abandoned', reason))
  }

  _arm(opts: AskOptions | undefined): void {
    const timeout = opts?.timeout
    if (timeout !== undefined && checkMs('timeout', timeout) !== Infinity) {
      this.#timeoutMs = timeout
      this.#timer = setTimerOn(getClock(), timeout, this)
    }
    const signal = opts?.signal
    if (signal !== undefined) {
      if (signal.aborted) {
        this._fail(signal.reason)
        return
      }
      this.#signal = signal
      signal.addEventListener('abort', this.#onAbort)
    }
  }

  onTimer(): void {
    this.#timer = undefined
    this._fail(new AskTimeoutError(this.#target._path(), messageTypeOf(this._msg), this.#timeoutMs))
  }

  readonly #onAbort = (): void => {
    this._fail(this.#signal?.reason)
  }

  #settle(): void {
    this.#resolve = undefined
    this.#reject = undefined
    this.#timer?.cancel()
    this.#timer = undefined
    this.#signal?.removeEventListener('abort', this.#onAbort)
    this.#signal = undefined
    this.#room = undefined
    this._msg = undefined
  }
}

/** Sends `factory(replyTo)` to `cell` and waits for the reply. @internal */
export function ask<R>(
  cell: ActorCell,
  factory: (replyTo: ActorRef<R>) => unknown,
  opts: AskOptions | undefined,
): Promise<R> {
  // Checked before the promise exists: a bad argument is a bug at the call, and the message
  // must not be built or sent.
  if (typeof factory !== 'function') throw typeError('factory', 'a function', factory)
  if (opts !== undefined) {
    if (typeof opts !== 'object' || opts === null) throw typeError('opts', 'an options object', opts)
    if (opts.timeout !== undefined) checkMs('timeout', opts.timeout)
    checkSignal(opts.signal)
  }
  let replyTo!: AskRef<R>
  const promise: Promise<R> & Abandonable = new Promise<R>((resolve, reject) => {
    replyTo = new AskRef<R>(cell, resolve, reject)
    replyTo._arm(opts)
    if (!replyTo._pending) return
    let msg: unknown
    try {
      msg = factory(replyTo)
    } catch (err) {
      replyTo._fail(err)
      return
    }
    replyTo._msg = msg
    try {
      const sent = cell._tell(msg, replyTo)
      if (sent instanceof TellWait) replyTo._waitRoom(sent)
    } catch (err) {
      replyTo._fail(err)
    }
  })
  promise[ON_ABANDON] = (reason) => {
    replyTo._abandon(reason)
  }
  return promise
}
