/**
 * The refs a node has handed to the network and received from it.
 *
 * A local actor gets an incarnation id (`uid`) the first time its ref leaves the process; a frame
 * naming a path and a uid reaches the actor only while that same actor lives there. The ids start
 * at a random point, so a node restarted under the same id does not hand out the ids of its
 * previous run.
 *
 * Refs that arrive are kept weakly by wire form, so the same remote actor is one object while
 * anyone holds it (refs compare with `===`, as local ones do) and costs nothing once dropped.
 *
 * @module
 */
import type { AnyActorRef } from '../actor/actor-ref.js'
import type { Link } from './remote-ref.js'
import { RemoteActorRef } from './remote-ref.js'

/** @internal */
export class RefTable {
  readonly #link: Link
  readonly #uids = new WeakMap<object, number>()
  #nextUid: number
  readonly #remote = new Map<string, WeakRef<RemoteActorRef<unknown>>>()
  readonly #gone = new FinalizationRegistry<string>((key) => {
    const w = this.#remote.get(key)
    if (w !== undefined && w.deref() === undefined) this.#remote.delete(key)
  })

  constructor(link: Link) {
    this.#link = link
    // Random start below 2^40 leaves 2^13 times that before the ids leave the safe integers.
    this.#nextUid = 1 + Math.floor(Math.random() * 2 ** 40)
  }

  /** The uid of a local actor's ref, given one now if it has none. */
  uidOf(ref: AnyActorRef): number {
    let uid = this.#uids.get(ref)
    if (uid === undefined) {
      uid = this.#nextUid++
      this.#uids.set(ref, uid)
    }
    return uid
  }

  /** True if `ref` is the incarnation `uid` names (0 names any). */
  matches(ref: AnyActorRef, uid: number): boolean {
    return uid === 0 || this.#uids.get(ref) === uid
  }

  /** The one ref object for the actor at `node`/`path`/`uid`. */
  remote(node: string, path: string, uid: number): RemoteActorRef<unknown> {
    const key = `${node}\u0000${path}\u0000${String(uid)}`
    const known = this.#remote.get(key)?.deref()
    if (known !== undefined) return known
    const ref = new RemoteActorRef<unknown>(this.#link, node, path, uid)
    this.#remote.set(key, new WeakRef(ref))
    this.#gone.register(ref, key)
    return ref
  }

  /** How many remote refs are held (tests). */
  get size(): number {
    return this.#remote.size
  }
}
