/**
 * The default mailbox: an unbounded FIFO kept in one field of the cell, not in an object of its
 * own, so an actor that uses it costs no object beyond its array (and none before its first
 * message). The array's first slot is the index of the first message not taken yet; message and
 * sender slot then sit side by side. The head index goes back to the start whenever the array
 * empties, so a steady stream neither shifts nor grows it. The head lives in the array, not in a
 * cell field, because every cell field costs every actor 8 bytes, idle or not.
 *
 * Every access to the field goes through these functions; the dispatcher's turn and `tell` call
 * them per message, and they are small enough for V8 to inline there.
 *
 * @module
 */
import type { SenderSlot } from './actor-ref.js'

/** The field of a cell that holds its default mailbox. @internal */
export interface Inbox {
  /** `[head, msg, sender, msg, sender, ...]`, messages from index `head` on; null before the first one. */
  _inbox: unknown[] | null
}

/** Where the first message goes in an empty inbox array: just after the head index. */
const FIRST = 1

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
  if (q === null) c._inbox = [FIRST, msg, sender]
  else q.push(msg, sender)
}

/**
 * Removes the first message and returns it, or `EMPTY`; its sender slot is then `takenSender()`'s.
 * Two results without an allocation: a cell field would cost every actor 8 bytes.
 * @internal
 */
export function takeInbox(c: Inbox): unknown {
  const q = c._inbox
  if (q === null) return EMPTY
  const h = q[0] as number
  if (h >= q.length) return EMPTY
  const msg = q[h]
  taken.sender = q[h + 1] as SenderSlot | undefined
  q[h] = undefined
  q[h + 1] = undefined
  if (h + 2 === q.length) {
    q.length = FIRST
    q[0] = FIRST
  } else q[0] = h + 2
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
  return q !== null && (q[0] as number) < q.length
}

/** @internal */
export function inboxSize(c: Inbox): number {
  const q = c._inbox
  return q === null ? 0 : (q.length - (q[0] as number)) >> 1
}

/** Puts messages and sender slots back in front, first to last (stash). @internal */
export function prependInbox(c: Inbox, items: unknown[]): void {
  const q = c._inbox
  c._inbox = q === null ? [FIRST, ...items] : [FIRST, ...items, ...q.slice(q[0] as number)]
}

/** Empties the inbox and frees its array, appending what it held to `out` (msg/sender pairs). @internal */
export function drainInbox(c: Inbox, out: unknown[]): void {
  const q = c._inbox
  if (q !== null) for (let i = q[0] as number; i < q.length; i++) out.push(q[i])
  clearInbox(c)
}

/** Frees the array of an inbox that holds nothing more anyone wants. @internal */
export function clearInbox(c: Inbox): void {
  c._inbox = null
}
