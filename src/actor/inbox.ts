/**
 * The default mailbox: an unbounded FIFO kept in two fields of the cell, not in an object of its
 * own, so an actor that uses it costs no object beyond its array (and none before its first
 * message). Message and sender slot sit side by side in one array, read from a head index that
 * goes back to zero whenever the array empties, so a steady stream neither shifts nor grows it.
 *
 * Every access to the two fields goes through these functions; the dispatcher's turn and `tell`
 * call them per message, and they are small enough for V8 to inline there.
 *
 * @module
 */
import type { SenderSlot } from './actor-ref.js'

/** The two fields of a cell that hold its default mailbox. @internal */
export interface Inbox {
  /** Messages, each followed by its sender slot, from `_inboxHead` on; null before the first one. */
  _inbox: unknown[] | null
  /** Index of the first message not taken yet. */
  _inboxHead: number
}

/** What `takeInbox` returns when the inbox is empty (no message can be this symbol). @internal */
export const EMPTY: unique symbol = Symbol('empty inbox')

/**
 * Sender slot of the message `takeInbox` returned last, until `takenSender` reads it. A property of
 * a constant object, which V8 writes per message more cheaply than a module `let`.
 */
const taken: { sender: SenderSlot | undefined } = { sender: undefined }

/** @internal */
export function pushInbox(c: Inbox, msg: unknown, sender: SenderSlot | undefined): void {
  const q = c._inbox
  if (q === null) c._inbox = [msg, sender]
  else q.push(msg, sender)
}

/**
 * Removes the first message and returns it, or `EMPTY`; its sender slot is then `takenSender()`'s.
 * Two results without an allocation: a cell field would cost every actor 8 bytes.
 * @internal
 */
export function takeInbox(c: Inbox): unknown {
  const q = c._inbox
  const h = c._inboxHead
  if (q === null || h >= q.length) return EMPTY
  const msg = q[h]
  taken.sender = q[h + 1] as SenderSlot | undefined
  q[h] = undefined
  q[h + 1] = undefined
  if (h + 2 === q.length) {
    q.length = 0
    c._inboxHead = 0
  } else c._inboxHead = h + 2
  return msg
}

/** The sender slot of the message just taken; read once, so this module keeps no sender alive. @internal */
export function takenSender(): SenderSlot | undefined {
  const s = taken.sender
  taken.sender = undefined
  return s
}

/** @internal */
export function inboxHasMail(c: Inbox): boolean {
  const q = c._inbox
  return q !== null && c._inboxHead < q.length
}

/** @internal */
export function inboxSize(c: Inbox): number {
  const q = c._inbox
  return q === null ? 0 : (q.length - c._inboxHead) >> 1
}

/** Puts messages and sender slots back in front, first to last (stash). @internal */
export function prependInbox(c: Inbox, items: unknown[]): void {
  const q = c._inbox
  c._inbox = q === null ? items : items.concat(q.slice(c._inboxHead))
  c._inboxHead = 0
}

/** Empties the inbox and frees its array, appending what it held to `out` (msg/sender pairs). @internal */
export function drainInbox(c: Inbox, out: unknown[]): void {
  const q = c._inbox
  if (q !== null) for (let i = c._inboxHead; i < q.length; i++) out.push(q[i])
  clearInbox(c)
}

/** Frees the array of an inbox that holds nothing more anyone wants. @internal */
export function clearInbox(c: Inbox): void {
  c._inbox = null
  c._inboxHead = 0
}
