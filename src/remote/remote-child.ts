/**
 * Children on other nodes, supervised by their parent as if they were local.
 *
 * The parent spawns a stand-in: a local actor (`remoteChild(...)` is its behaviour) whose setup
 * spawns the real child on the node the placement picks, watches it, and forwards every message
 * to it with its sender. The stand-in is what the parent supervises, so the parent's strategy
 * applies unchanged:
 * - the real child fails: its node stops it (its host there never restarts anything) and the
 *   watch brings the failure back; the stand-in fails with `RemoteChildLost`, whose `cause` is the
 *   child's error, and the parent decides;
 * - its node leaves or goes down: the stand-in fails the same way (`reason` `node-left` or
 *   `node-down`): the loss of its node counts as the child's death;
 * - `restart` runs the setup again, which spawns a new child where the placement says now, so a
 *   child whose node died is restarted elsewhere; `stop` stops the stand-in, which stops the real
 *   child; `escalate` fails the parent; `resume` keeps the stand-in, but the child it stood for
 *   has stopped, so for a remote child `resume` and `restart` are the same.
 *
 * The stand-in's ref is stable across restarts, as a local child's is; a message sent while it
 * restarts waits in its mailbox and goes to the new child.
 *
 * @module
 */
import { checkMs, describe, typeError, VerdantError } from '../errors.js'
import { type RefTarget, type SenderSlot, targetOf } from '../actor/actor-ref.js'
import { behavior, type Behavior } from '../actor/behavior.js'
import type { ActorContext } from '../actor/context.js'
import { Terminated, type TerminatedReason } from '../actor/terminated.js'
import type { NodeCore } from './core.js'
import type { Member } from './membership.js'

/** Options of `ClusterNode.remoteChild`. @since 0.3.0 */
export interface RemoteChildOptions {
  /** The node to spawn on. Without it (and without `placement`): the up member, this one excluded, with the fewest children spawned from here. */
  readonly node?: string | undefined
  /** Picks the node from the members that are up (this node included), at each start and restart. */
  readonly placement?: ((members: readonly Member[]) => string | undefined) | undefined
  /** Given to the provided factory on the far node; must be something the codec can send. */
  readonly args?: unknown
  /** How long the far node may take to spawn it (default: the cluster's `askTimeoutMs`). */
  readonly spawnTimeoutMs?: number | undefined
}

/**
 * A remote child ended on its own node other than by stopping itself: its failure (`cause`), or
 * the loss of its node (`reason`). The stand-in fails with it, so its parent's strategy decides.
 * @since 0.3.0
 */
export class RemoteChildLost extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_REMOTE_CHILD_LOST'
  /** The node it ran on. */
  readonly node: string
  /** `stopped` (with `cause`, its failure), `node-left` or `node-down`. */
  readonly reason: TerminatedReason
  constructor(node: string, path: string, reason: TerminatedReason, cause: unknown) {
    super(
      reason === 'stopped'
        ? `remote child ${node}:${path} failed: ${describe(cause)}`
        : `remote child ${node}:${path} was lost with its node (${reason})`,
      cause === undefined ? undefined : { cause },
    )
    this.node = node
    this.reason = reason
  }
}

/** The stand-in's behaviour for a child of definition `name` on another node. @internal */
export function remoteChild<M>(core: NodeCore, name: string, opts: RemoteChildOptions): Behavior<M> {
  const timeout =
    opts.spawnTimeoutMs === undefined
      ? core.settings.askTimeoutMs
      : checkMs('spawnTimeoutMs', opts.spawnTimeoutMs)
  return behavior<M>(async (ctx) => {
    const node = pickNode(core, opts)
    const child = await core.spawnOn(node, name, opts.args, timeout)
    // A remote ref, or a local one when the placement picked this node.
    const target = targetOf(child) as RefTarget
    core.childCounts.set(node, (core.childCounts.get(node) ?? 0) + 1)
    // Whether the child still runs on its node, so a stop or restart of the stand-in stops it.
    let running = true
    const end = (): void => {
      core.childCounts.set(node, (core.childCounts.get(node) ?? 1) - 1)
      if (running) {
        running = false
        core.stopRemote(child)
      }
    }
    // Its `Terminated` comes to the stand-in whatever the child's message type.
    ;(ctx as unknown as ActorContext<unknown>).watch(child)
    return {
      receive(msg, c) {
        if (msg instanceof Terminated && msg.ref === child) {
          running = false
          if (msg.reason === 'stopped' && msg.error === undefined) {
            // It stopped itself: so does its stand-in, and the parent's restart type decides.
            c.stop()
            return
          }
          throw new RemoteChildLost(node, child.path, msg.reason, msg.error)
        }
        target._tell(msg, c.sender as unknown as SenderSlot | undefined)
      },
      postStop: end,
      preRestart: end,
    }
  })
}

/** The node a child goes to now. */
function pickNode(core: NodeCore, opts: RemoteChildOptions): string {
  const up = core.membership.members().filter((m) => m.status === 'up')
  if (opts.placement !== undefined) {
    const picked = opts.placement(up)
    if (typeof picked !== 'string' || !up.some((m) => m.id === picked)) {
      throw new Error(`the placement picked ${describe(picked)}, which is not a member that is up`)
    }
    return picked
  }
  if (opts.node !== undefined) return opts.node
  const others = up.filter((m) => m.id !== core.id)
  if (others.length === 0) throw new Error(`no other node is up to spawn on (node ${core.id} is alone)`)
  let best = others[0] as Member
  for (const m of others)
    if ((core.childCounts.get(m.id) ?? 0) < (core.childCounts.get(best.id) ?? 0)) best = m
  return best.id
}

/** Checks the options of `remoteChild` at the call. @internal */
export function checkRemoteChild(name: unknown, opts: RemoteChildOptions | undefined): RemoteChildOptions {
  if (typeof name !== 'string' || name === '') throw typeError('name', 'a non-empty string', name)
  if (opts === undefined) return {}
  if (typeof opts !== 'object' || opts === null) throw typeError('opts', 'an options object', opts)
  if (opts.node !== undefined && (typeof opts.node !== 'string' || opts.node === '')) {
    throw typeError('node', 'a node id', opts.node)
  }
  if (opts.placement !== undefined && typeof opts.placement !== 'function') {
    throw typeError('placement', 'a function', opts.placement)
  }
  if (opts.spawnTimeoutMs !== undefined) checkMs('spawnTimeoutMs', opts.spawnTimeoutMs)
  return opts
}
