/**
 * Death watch across nodes.
 *
 * Watches are counted per node, not per actor pair: however many local actors watch one remote
 * actor, its node hears one watch, keeps one stand-in watcher for this node, and sends one
 * notice when the actor stops. The notice becomes a `Terminated` for each local watcher, through
 * the same `Watcher` seam a local stop uses.
 *
 * A node that leaves or goes silent for the failure-detection window ends every watch of its actors
 * at once (`node-left`, `node-down`): the watchers learn that they will hear nothing more, and
 * nothing forces anyone to restart. A watch of an actor that is not there is answered at once
 * (`not-found`).
 *
 * @module
 */
import type { AnyActorRef } from '../actor/actor-ref.js'
import { cellOf } from '../actor/actor-ref.js'
import type { ActorCell } from '../actor/cell.js'
import type { TerminatedReason } from '../actor/terminated.js'
import type { Watcher, WatchTarget } from '../actor/watch.js'
import type { Head } from './envelope.js'
import type { RemoteActorRef } from './remote-ref.js'

/** What remote watches need of the node. @internal */
export interface WatchHost {
  readonly id: string
  readonly system: { lookup(path: string): AnyActorRef | undefined }
  readonly _refs: {
    matches(ref: AnyActorRef, uid: number): boolean
    remote(node: string, path: string, uid: number): RemoteActorRef<unknown>
  }
  _publish(node: string, head: Head, body?: unknown): boolean
  /** The node's status as membership sees it. */
  _nodeStatus(node: string): string | undefined
}

/** Stands in, on the watched actor's node, for every watcher on one other node. */
class NodeWatcher implements Watcher {
  constructor(
    readonly host: WatchHost,
    readonly node: string,
    readonly path: string,
    readonly uid: number,
    readonly key: string,
    readonly owner: RemoteWatches,
  ) {}

  _terminated(_target: WatchTarget, error: unknown): void {
    this.owner._forget(this)
    this.host._publish(
      this.node,
      { v: 1, k: 'x', to: this.path, u: this.uid, w: this.host.id, why: 'stopped' },
      error,
    )
  }
}

/** @internal */
export class RemoteWatches {
  readonly #host: WatchHost
  /** Watching side: local watchers of each remote actor. */
  readonly #watching = new Map<RemoteActorRef<unknown>, Set<ActorCell>>()
  /** Watched side: the stand-in for each (watching node, watched path and uid). */
  readonly #standIns = new Map<string, { watcher: NodeWatcher; target: ActorCell }>()

  constructor(host: WatchHost) {
    this.#host = host
  }

  /** `watcher` (local) watches `ref` (remote). */
  watch(ref: RemoteActorRef<unknown>, watcher: ActorCell): void {
    const status = this.#host._nodeStatus(ref.node)
    if (status === 'down') {
      watcher._terminated(ref, undefined, 'node-down')
      return
    }
    let set = this.#watching.get(ref)
    if (set === undefined) {
      set = new Set()
      this.#watching.set(ref, set)
    }
    const first = set.size === 0
    set.add(watcher)
    if (
      first &&
      !this.#host._publish(ref.node, { v: 1, k: 'w', to: ref.path, u: ref._uid, w: this.#host.id })
    ) {
      this.#end(ref, undefined, 'node-down')
    }
  }

  /** `watcher` no longer watches `ref`. */
  unwatch(ref: RemoteActorRef<unknown>, watcher: ActorCell): void {
    const set = this.#watching.get(ref)
    if (set?.delete(watcher) !== true) return
    if (set.size > 0) return
    this.#watching.delete(ref)
    this.#host._publish(ref.node, { v: 1, k: 'uw', to: ref.path, u: ref._uid, w: this.#host.id })
  }

  /** A watch frame arrived: a watch or unwatch from another node, or the news of a stop. */
  onFrame(head: Head, body: unknown): void {
    const node = head.w
    const path = head.to
    if (typeof node !== 'string' || typeof path !== 'string') return
    const uid = head.u ?? 0
    if (head.k === 'x') {
      const why = head.why === 'not-found' ? 'not-found' : 'stopped'
      this.#end(this.#host._refs.remote(node, path, uid), body, why)
      return
    }
    const key = `${node}\u0000${path}\u0000${String(uid)}`
    if (head.k === 'uw') {
      const s = this.#standIns.get(key)
      if (s === undefined) return
      this._forget(s.watcher)
      s.target._removeWatcher(s.watcher)
      return
    }
    if (this.#standIns.has(key)) return
    const ref = this.#host.system.lookup(path)
    const cell = ref !== undefined && this.#host._refs.matches(ref, uid) ? cellOf(ref) : undefined
    if (cell === undefined) {
      this.#host._publish(node, { v: 1, k: 'x', to: path, u: uid, w: this.#host.id, why: 'not-found' })
      return
    }
    const watcher = new NodeWatcher(this.#host, node, path, uid, key, this)
    this.#standIns.set(key, { watcher, target: cell })
    // Told at once if the actor has already stopped.
    cell._addWatcher(watcher)
  }

  /** @internal A stand-in told its node, or was unwatched: it is done. */
  _forget(w: NodeWatcher): void {
    if (this.#standIns.get(w.key)?.watcher === w) this.#standIns.delete(w.key)
  }

  /** Node `node` left or went down: its actors' watchers are told, and its stand-ins here go. */
  nodeDown(node: string, reason: 'node-left' | 'node-down'): void {
    for (const ref of [...this.#watching.keys()]) if (ref.node === node) this.#end(ref, undefined, reason)
    for (const s of [...this.#standIns.values()]) {
      if (s.watcher.node !== node) continue
      this._forget(s.watcher)
      s.target._removeWatcher(s.watcher)
    }
  }

  /** The connection closed: nothing more will be heard, and nothing is kept. */
  close(): void {
    for (const ref of [...this.#watching.keys()]) this.#end(ref, undefined, 'node-down')
    for (const s of this.#standIns.values()) s.target._removeWatcher(s.watcher)
    this.#standIns.clear()
  }

  /** Ends every local watch of `ref`. */
  #end(ref: RemoteActorRef<unknown>, error: unknown, reason: TerminatedReason): void {
    const set = this.#watching.get(ref)
    if (set === undefined) return
    this.#watching.delete(ref)
    for (const w of set) w._terminated(ref, error, reason)
  }

  /** Watches held, both sides (leak checks). */
  get size(): number {
    return this.#watching.size + this.#standIns.size
  }
}
