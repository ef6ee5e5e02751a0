/**
 * Definitions a node lets other nodes spawn, and the host actor its remotely spawned children
 * live under.
 *
 * Code does not travel: a parent on another node names a definition this node `provide`d, and
 * this node spawns it under its host, `/user/verdant-remote-children`. The host never restarts a
 * child: a failure stops it, and the remote parent, watching it, learns the error with its
 * `Terminated` and decides (remote-child.ts). Only the host's children can be stopped from
 * another node.
 *
 * @module
 */
import type { Msg } from '@nats-io/transport-node'
import { ActorNotFoundError, AskTimeoutError, describe, NodeUnreachableError, typeError } from '../errors.js'
import { type AnyActorRef, cellOf } from '../actor/actor-ref.js'
import { Actor } from '../actor/actor.js'
import { Behavior, receive } from '../actor/behavior.js'
import type { ActorCell } from '../actor/cell.js'
import type { ActorDef } from '../actor/spawn-options.js'
import type { NodeCore } from './core.js'
import type { Head } from './envelope.js'
import type { RemoteActorRef } from './remote-ref.js'

/** A definition, or a factory making one from the spawner's `args`. @since 0.3.0 */
export type Provided = ActorDef<never> | ((args: unknown) => ActorDef<never>)

/** The name of the host actor of remotely spawned children. */
const HOST = 'verdant-remote-children'

/** @internal */
export class ProvidedDefs {
  readonly #core: NodeCore
  readonly #defs = new Map<string, Provided>()
  #host: AnyActorRef | undefined

  constructor(core: NodeCore) {
    this.#core = core
  }

  /** Lets other nodes spawn `def` here by `name`. */
  provide(name: string, def: Provided): void {
    if (typeof name !== 'string' || name === '') throw typeError('name', 'a non-empty string', name)
    if (!(def instanceof Behavior) && typeof def !== 'function') {
      throw typeError('def', 'an actor definition or a function making one', def)
    }
    this.#defs.set(name, def)
  }

  /** Spawns `name` with `args` under the host, here. */
  spawnHere(name: string, args: unknown): AnyActorRef {
    const provided = this.#defs.get(name)
    if (provided === undefined) {
      throw new ActorNotFoundError(
        `${this.#core.id}:${name}`,
        'spawn',
        'no definition provided under this name',
      )
    }
    const def: ActorDef<never> =
      provided instanceof Behavior || (provided as { prototype?: unknown }).prototype instanceof Actor
        ? (provided as ActorDef<never>)
        : (provided as (args: unknown) => ActorDef<never>)(args)
    return (cellOf(this.#hostRef()) as ActorCell)._spawnChild(def as ActorDef<unknown>, undefined, false).self
  }

  #hostRef(): AnyActorRef {
    const live = this.#host === undefined ? undefined : this.#core.system.lookup(`/user/${HOST}`)
    if (live !== undefined && live === this.#host) return live
    this.#host = this.#core.system.spawn(
      receive<unknown>(() => undefined),
      { name: HOST, supervisor: { decide: () => 'stop' } },
    )
    return this.#host
  }

  /** A spawn request from another node (`sp`): answered with the child's ref or the error. */
  onSpawn(head: Head, body: Uint8Array | string, msg: Msg): void {
    const core = this.#core
    let answer: Uint8Array
    try {
      const args = body.length === 0 ? undefined : core.decode(body)
      const ref = this.spawnHere(head.to ?? '', args)
      answer = core.encode({ v: 1, k: 'r', c: core.codec.id }, ref)
    } catch (err) {
      answer = core.encode({ v: 1, k: 'e', c: core.codec.id }, plainError(err))
    }
    if (msg.reply !== undefined && msg.reply !== '') msg.respond(answer)
  }

  /** A stop request from another node (`s`): stops a child of the host, nothing else. */
  onStop(head: Head): void {
    const path = head.to ?? ''
    if (!path.startsWith(`/user/${HOST}/`)) return
    const ref = this.#core.system.lookup(path)
    if (ref === undefined || !this.#core._refs.matches(ref, head.u ?? 0)) return
    void cellOf(ref)?._stop()
  }
}

/** An error the codec can write (it refuses classes it does not know). */
function plainError(err: unknown): unknown {
  return err instanceof Error ? err : new Error(describe(err))
}

/** Asks node `node` to spawn its definition `name`; resolves with the child's ref. @internal */
export async function spawnOn(
  core: NodeCore,
  node: string,
  name: string,
  args: unknown,
  timeout: number,
): Promise<AnyActorRef> {
  if (node === core.id) return core.provided.spawnHere(name, args)
  const bytes = core.encode({ v: 1, k: 'sp', to: name, c: core.codec.id }, args)
  let reply: Msg
  try {
    reply = await core.nc.request(core.subjects.node(node), bytes, { timeout })
  } catch (err) {
    if ((err as { isNoResponders?: () => boolean }).isNoResponders?.() === true) {
      throw new NodeUnreachableError(node, name, 'spawn', 'no-responders')
    }
    if ((err as Error).name === 'TimeoutError') throw new AskTimeoutError(`${node}:${name}`, 'spawn', timeout)
    throw err
  }
  const { head, body } = core.read(reply.data)
  const value = core.decode(body)
  if (head.k === 'e') throw value
  return value as AnyActorRef
}

/** Asks the node of `ref`, a remotely spawned child, to stop it. @internal */
export function stopRemote(core: NodeCore, ref: RemoteActorRef<unknown>): void {
  core._publish(ref.node, { v: 1, k: 's', to: ref.path, u: ref._uid })
}
