/**
 * Mail into a cell beyond the fast path: a bounded mailbox's overflow policies, back-pressured
 * tells waiting for room, and messages put back in front.
 *
 * The fast path, a `tell` into the default mailbox, is the cell's `_tell`, beside the dispatcher it
 * schedules; it comes here only for a mailbox object.
 *
 * @module
 */
import { CancelledError, MailboxFullError } from '../errors.js'
import { type Cancel, Op, ready, type Resume, type Wait } from '../core/op.js'
import { LabelledUndo } from '../core/wait-label.js'
import type { SenderSlot } from './actor-ref.js'
import type { ActorCell } from './cell.js'
import { type CellExt, extOf } from './cell-state.js'
import { inboxSize, prependInbox } from './inbox.js'
import type { Mailbox } from './mailbox.js'

/**
 * What a sender needs of the actor it sends to: to take a message with its sender slot. A local
 * cell's `_tell` enqueues it (and returns a `Wait` only for a back-pressure mailbox). A remote ref
 * would provide `_tell` by writing the message and the slot's address (an actor ref's path, an
 * ask's reply-to) to its connection; a peer out of room could be answered with a wait of its own,
 * an `Op` like `TellWait` that an undone sender withdraws from the send buffer.
 * @internal
 */
export interface Recipient {
  _tell(msg: unknown, sender: SenderSlot | undefined): Wait<void> | undefined
}

/**
 * What a back-pressured `tell` that found room returns: a settled native promise that `yield*`
 * and `ctx.call` also take, as they take a tell that had to wait.
 * @internal
 */
export const TOLD: Wait<void> = ready(undefined)

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
      return new LabelledUndo(
        (reason?: unknown) => {
          this.#withdraw(resume, reason)
        },
        () => `room in the mailbox of ${this.cell._path()}`,
      )
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
    withdraw(this.cell, this)
    // Anyone else awaiting the same tell learns that the message was not sent.
    for (const resume of subs.splice(0)) resume(false, this.#error)
  }
}

/**
 * A tell into a mailbox object: true if enqueued now, a wait while it waits for room, undefined if
 * the policy dropped it. Throws `MailboxFullError` under the `fail` policy.
 * @internal
 */
export function offer(
  cell: ActorCell,
  mb: Mailbox,
  msg: unknown,
  sender: SenderSlot | undefined,
): true | Wait<void> | undefined {
  if (mb.size < mb.capacity && (cell._ext?.blockedTells?.length ?? 0) === 0) {
    mb.push(msg, sender)
    return true
  }
  switch (mb.overflow) {
    case 'dropNewest':
      cell._system._deadLetter(msg, cell._path(), sender, 'dropped')
      return undefined
    case 'dropOldest':
      mb.dropOldest((m, s) => {
        cell._system._deadLetter(m, cell._path(), s, 'dropped')
      })
      mb.push(msg, sender)
      return true
    case 'fail':
      throw new MailboxFullError(cell._path(), mb.capacity, msg)
    case 'backpressure': {
      const w = new TellWait(cell, msg, sender)
      ;(extOf(cell).blockedTells ??= []).push(w)
      return w
    }
  }
}

/** A message left `mb`: the oldest blocked tell takes its place. @internal */
export function admitWaiter(cell: ActorCell, mb: Mailbox): void {
  const w = (cell._ext as CellExt).blockedTells as TellWait[]
  const first = w.shift() as TellWait
  mb.push(first.msg, first.sender)
  first._done()
}

/** Takes back a blocked tell whose sender gave up: it never enters the mailbox. @internal */
export function withdraw(cell: ActorCell, w: TellWait): void {
  const x = cell._ext
  const waiters = x?.blockedTells
  if (x == null || waiters == null) return
  const i = waiters.indexOf(w)
  if (i >= 0) waiters.splice(i, 1)
  if (waiters.length === 0) x.blockedTells = null
}

/** Puts messages back in front of the mailbox, first to last, and wakes the cell (stash). @internal */
export function prependMail(cell: ActorCell, items: unknown[]): void {
  if (cell._mailbox !== null) cell._mailbox.prepend(items)
  else prependInbox(cell, items)
  cell._wake()
}

/** Messages waiting in the cell's mailbox. @internal */
export function mailboxSize(cell: ActorCell): number {
  return cell._mailbox !== null ? cell._mailbox.size : inboxSize(cell)
}
