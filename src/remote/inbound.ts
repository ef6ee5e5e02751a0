/**
 * Frames coming in: messages for this node's actors and services, watch news, and the answers
 * to this node's asks.
 *
 * Nothing that arrives can crash the node or an actor. A frame that cannot be read (garbage, an
 * envelope version or codec this node does not know, a body the codec refuses) becomes a dead
 * letter with its reason and a log line; an ask in it is answered with the failure at once. A
 * message for an actor that is not there, or not the incarnation it was sent to, is a dead letter
 * (`not-found`), and an ask for it fails with `ActorNotFoundError` at once, not after its timeout.
 *
 * Subscription callbacks must not wait (the NATS client calls them in its read loop), so every
 * path here is synchronous and ends by handing the message to a mailbox.
 *
 * @module
 */
import type { Msg } from '@nats-io/transport-node'
import { ActorNotFoundError, describe, messageTypeOf, NodeUnreachableError } from '../errors.js'
import { type AnyActorRef, cellOf, PoisonPill, type SenderSlot } from '../actor/actor-ref.js'
import type { NodeCore } from './core.js'
import type { Head } from './envelope.js'
import { endAsk } from './outbound.js'
import { ReplyRef } from './remote-ref.js'

/** A frame on this node's own subject. @internal */
export function onNodeFrame(core: NodeCore, msg: Msg): void {
  let head: Head
  let body: Uint8Array | string
  try {
    ;({ head, body } = core.read(msg.data))
  } catch (err) {
    badFrame(core, msg, undefined, err)
    return
  }
  switch (head.k) {
    case 't':
    case 'a':
      deliver(core, head, body, msg, undefined)
      return
    case 'w':
    case 'uw':
    case 'x':
      core.watches.onFrame(head, body.length === 0 ? undefined : decodeOrUndefined(core, body))
      return
    case 'sp':
      core.provided.onSpawn(head, body, msg)
      return
    case 's':
      core.provided.onStop(head)
      return
    default:
      badFrame(core, msg, head.to, new Error(`a frame of kind ${head.k} sent to a node subject`))
  }
}

/** A frame on a service subject this node serves with the local actor `ref`. @internal */
export function onServiceFrame(core: NodeCore, msg: Msg, ref: AnyActorRef): void {
  let head: Head
  let body: Uint8Array | string
  try {
    ;({ head, body } = core.read(msg.data))
    if (head.k !== 't' && head.k !== 'a') throw new Error(`a frame of kind ${head.k} sent to a service`)
  } catch (err) {
    badFrame(core, msg, undefined, err)
    return
  }
  deliver(core, head, body, msg, ref)
}

/** A tell or ask for `target` (or, without it, for the actor at the frame's path). */
function deliver(
  core: NodeCore,
  head: Head,
  body: Uint8Array | string,
  msg: Msg,
  target: AnyActorRef | undefined,
): void {
  const isAsk = head.k === 'a' && msg.reply !== undefined && msg.reply !== ''
  const path = target?.path ?? head.to ?? ''
  let message: unknown = PoisonPill
  if (head.pp !== 1) {
    try {
      if (head.c !== undefined && head.c !== core.codec.id)
        throw new Error(`unknown codec ${JSON.stringify(head.c)}`)
      message = core.decode(body)
    } catch (err) {
      badFrame(core, msg, path, err)
      return
    }
  }
  const type = messageTypeOf(message)
  const sender: SenderSlot | undefined = isAsk
    ? new ReplyRef(core, msg.reply as string)
    : head.s === undefined
      ? undefined
      : decodeSender(core, head.s)
  const ref = target ?? core.resolve(path)
  const cell = ref !== undefined && core._refs.matches(ref, head.u ?? 0) ? cellOf(ref) : undefined
  if (cell === undefined) {
    const why = ref === undefined ? 'no such actor' : 'the actor it was sent to has stopped'
    if (isAsk) (sender as ReplyRef)._fail(new ActorNotFoundError(`${core.id}:${path}`, type, why))
    core.deadLetter(message, path, isAsk ? undefined : sender, 'not-found')
    return
  }
  const check = core.settings.validate.get(type)
  if (check !== undefined && !passes(check, message)) {
    const err = new TypeError(`message ${type} for ${path} failed its validation`)
    if (isAsk) (sender as ReplyRef)._fail(err)
    core.system._deadLetter(message, path, isAsk ? undefined : sender, 'invalid', err)
    return
  }
  try {
    cell._tell(message, sender)
  } catch (err) {
    // A full mailbox under the `fail` policy: the sender is not here to catch it.
    if (isAsk) (sender as ReplyRef)._fail(err)
    core.system._deadLetter(message, path, isAsk ? undefined : sender, 'dropped', err)
  }
}

function passes(check: (m: unknown) => boolean, message: unknown): boolean {
  try {
    return check(message)
  } catch {
    return false
  }
}

function decodeSender(core: NodeCore, s: NonNullable<Head['s']>): SenderSlot | undefined {
  try {
    return core.decodeRef(s) as SenderSlot
  } catch {
    return undefined
  }
}

function decodeOrUndefined(core: NodeCore, body: Uint8Array | string): unknown {
  try {
    return core.decode(body)
  } catch {
    return undefined
  }
}

/** A frame nobody can take: a dead letter with the reason and a log line, never a crash. */
function badFrame(core: NodeCore, msg: Msg, path: string | undefined, err: unknown): void {
  const recipient = path ?? msg.subject
  core.system._log('warn', `/cluster/${core.id}`, `bad frame for ${recipient}: ${describe(err)}`)
  core.system._deadLetter(msg.data, recipient, undefined, 'bad-frame', err)
  if (msg.reply !== undefined && msg.reply !== '' && msg.reply.startsWith(`${core.subjects.prefix}.reply.`)) {
    new ReplyRef(core, msg.reply)._fail(err instanceof Error ? err : new Error(describe(err)))
  }
}

/** An answer to one of this node's asks, or the server's word that nobody listens. @internal */
export function onReply(core: NodeCore, msg: Msg): void {
  const id = Number(msg.subject.slice(core.replyPrefixLength))
  const entry = core.asks.take(id)
  // The server's "no responders" status: an empty message with status 503 on the reply subject.
  if (msg.data.length === 0 && msg.headers?.code === 503) {
    if (entry === undefined) return
    if ('slot' in entry) {
      entry.slot._fail(new NodeUnreachableError('?', entry.slot.path, 'reply', 'no-responders'))
      return
    }
    endAsk(entry)
    entry.reject(new NodeUnreachableError(entry.node, entry.path, entry.messageType, 'no-responders'))
    return
  }
  let head: Head
  let value: unknown
  try {
    let body: Uint8Array | string
    ;({ head, body } = core.read(msg.data))
    value = core.decode(body)
  } catch (err) {
    badFrame(core, msg, `/temp/${msg.subject}`, err)
    if (entry !== undefined && !('slot' in entry)) {
      endAsk(entry)
      entry.reject(err)
    }
    return
  }
  if (entry === undefined) {
    // Late: the ask gave up (timeout, abort) before this came.
    core.deadLetter(value, `/temp/${msg.subject}`, undefined, 'ask-settled')
    return
  }
  if ('slot' in entry) {
    if (head.k === 'e') entry.slot._fail(value)
    else entry.slot.tell(value)
    return
  }
  endAsk(entry)
  if (head.k === 'e') entry.reject(value)
  else entry.resolve(value)
}
