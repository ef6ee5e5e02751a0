/**
 * Death watch: an actor asks to be told when another stops, and gets `Terminated` (or its own
 * message) exactly once.
 *
 * The two ends keep their halves in their rare state: the watcher a map of what it watches, each
 * with the message to deliver, the watched a set of its watchers. The notification travels as a
 * system message whose sender slot is a `WatchToken`; the watcher accepts it only while its entry
 * is still there and removes the entry then, which is how `unwatch` drops a notification already
 * in the mailbox and how none is delivered twice.
 *
 * @module
 */
import type { AnyActorRef, SenderSlot } from './actor-ref.js'
import type { ActorCell } from './cell.js'
import { type CellExt, DEAD, extOf } from './cell-state.js'
import { Terminated, type TerminatedReason } from './terminated.js'

/**
 * The watched end, as death watch uses it. A local cell is one: it keeps its watchers and, once it
 * stops, tells each through `deliverTerminated`. A remote ref would provide the same three things:
 * its ref, and `_addWatcher` / `_removeWatcher` that send the watch and the unwatch to its node;
 * that node's report of the stop (or the loss of the connection) would call `deliverTerminated`
 * for each local watcher, at once if the actor had already stopped.
 * @internal
 */
export interface WatchTarget {
  /** The ref a `Terminated` names. */
  readonly self: AnyActorRef
  /** Tells `watcher` when this actor stops; at once if it already has. */
  _addWatcher(watcher: ActorCell | Watcher): void
  /** Forgets `watcher`. */
  _removeWatcher(watcher: ActorCell | Watcher): void
}

/**
 * The watching end, as a watched cell keeps it: a local watcher cell, or the stand-in of a watcher
 * on another node, which sends the news there.
 * @internal
 */
export interface Watcher {
  /** `target` stopped (with `error` if a failure stopped it); `reason` says how that was learned. */
  _terminated(target: WatchTarget, error: unknown, reason?: TerminatedReason): void
}

/** @internal Sender slot of a death-watch notification. */
export class WatchToken implements SenderSlot {
  declare readonly _kind: 3
  static {
    Object.defineProperty(this.prototype, '_kind', { value: 3 })
  }
  constructor(readonly target: WatchTarget) {}
}

/** The watching entry of a watch without a message of its own: deliver a `Terminated`. */
const NO_CUSTOM: unique symbol = Symbol('Terminated')

/** `ctx.watch`: `message` is the one the watcher gave, or none for a `Terminated`. @internal */
export function addWatch(watcher: ActorCell, target: WatchTarget, message: readonly unknown[]): void {
  const watching = (extOf(watcher).watching ??= new Map())
  const already = watching.has(target)
  watching.set(target, message.length > 0 ? message[0] : NO_CUSTOM)
  // Watching again only replaces the message: the target holds the watcher already, or has
  // stopped and its notification is on the way.
  if (!already) target._addWatcher(watcher)
}

/** `ctx.unwatch`: a notification not handled yet is dropped with the entry. @internal */
export function removeWatch(watcher: ActorCell, target: WatchTarget): void {
  watcher._ext?.watching?.delete(target)
  target._removeWatcher(watcher)
}

/** Ends every watch of `watcher` (it stops or restarts). @internal */
export function unwatchAll(watcher: ActorCell): void {
  const watching = watcher._ext?.watching
  if (watching === null || watching === undefined) return
  for (const target of watching.keys()) target._removeWatcher(watcher)
  watching.clear()
}

/** `_addWatcher` of a local cell. @internal */
export function addWatcher(target: ActorCell, watcher: Watcher): void {
  if ((target._flags & DEAD) !== 0) watcher._terminated(target, target._ext?.stopError)
  else (extOf(target).watchers ??= new Set()).add(watcher)
}

/** `_removeWatcher` of a local cell. @internal */
export function removeWatcher(target: ActorCell, watcher: Watcher): void {
  target._ext?.watchers?.delete(watcher)
}

/** `target` stopped: each watcher is told, once. @internal */
export function notifyWatchers(target: ActorCell, x: CellExt): void {
  const watchers = x.watchers
  if (watchers === null) return
  x.watchers = null
  for (const w of watchers) w._terminated(target, x.stopError)
}

/**
 * Enqueues the notification that `target` stopped (with `error`, if a failure stopped it), if
 * `watcher` still watches it. For a remote target this is where its node's report arrives.
 * @internal
 */
export function deliverTerminated(
  watcher: ActorCell,
  target: WatchTarget,
  error: unknown,
  reason: TerminatedReason = 'stopped',
): void {
  const custom = watcher._ext?.watching?.get(target)
  if (custom === undefined) return
  const msg = custom === NO_CUSTOM ? new Terminated(target.self, error, reason) : custom
  watcher._enqueueSystem(msg, new WatchToken(target))
}

/** True if the notification `token` came with is still wanted; it is consumed then. @internal */
export function acceptWatch(watcher: ActorCell, token: WatchToken): boolean {
  const watching = watcher._ext?.watching
  if (watching?.has(token.target) !== true) return false
  watching.delete(token.target)
  return true
}
