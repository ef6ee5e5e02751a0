/**
 * Frames going out: tells, asks, answers and broadcasts.
 *
 * Everything that can be wrong with a message is found before anything is published, and thrown
 * at the call: a value the codec cannot write, a frame over the server's `max_payload`. What the
 * node already knows cannot arrive (the target's node down, the connection closed) makes a tell a
 * dead letter and an ask a `NodeUnreachableError` at once.
 *
 * @module
 */
import {
  AskTimeoutError,
  checkMs,
  checkSignal,
  describe,
  messageTypeOf,
  NodeUnreachableError,
  PayloadTooLargeError,
  typeError,
} from '../errors.js'
import { abortError } from '../core/op.js'
import { type AnyActorRef, type AskOptions, PoisonPill, type SenderSlot } from '../actor/actor-ref.js'
import type { NodeCore } from './core.js'
import { type Head, NO_BODY } from './envelope.js'
import type { PendingAsk } from './pending-asks.js'
import { type RemoteActorRef, ReplyRef, type ServiceRef } from './remote-ref.js'

/** A tell to a remote actor or a service: at-most-once, in order per sender and receiver. @internal */
export function remoteTell(
  core: NodeCore,
  ref: RemoteActorRef<unknown>,
  msg: unknown,
  sender: SenderSlot | undefined,
): void {
  publishTell(core, ref, core.subjectOf(ref), msg, sender)
}

/** A tell to every instance of a service. @internal */
export function broadcast(
  core: NodeCore,
  ref: ServiceRef<unknown>,
  msg: unknown,
  sender: SenderSlot | undefined,
): void {
  publishTell(core, ref, core.subjects.serviceAll(ref.service), msg, sender)
}

function publishTell(
  core: NodeCore,
  ref: RemoteActorRef<unknown>,
  subject: string,
  msg: unknown,
  sender: SenderSlot | undefined,
): void {
  if (core.unreachable(ref) !== undefined) {
    core.deadLetter(msg, recipientOf(ref), sender, 'unreachable')
    return
  }
  const pill = msg === PoisonPill
  const bytes = core.encode(
    pill ? tellHead(core, ref, sender, true) : cachedTellHead(core, ref, sender),
    pill ? NO_BODY : msg,
  )
  checkSize(core, bytes, ref, msg)
  const outbox = core.outbox
  if (ref.node === '' ? !outbox.connected : outbox.holds(ref.node)) {
    // A service has no heartbeat to wait for: while disconnected its tells are dead letters.
    if (ref.node === '') core.deadLetter(msg, recipientOf(ref), sender, 'unreachable')
    else outbox.hold(ref.node, { subject, bytes, msg, recipient: recipientOf(ref), sender })
    return
  }
  try {
    core.nc.publish(subject, bytes)
  } catch {
    core.deadLetter(msg, recipientOf(ref), sender, 'unreachable')
  }
}

/**
 * The head of a tell from `sender`, kept on the ref for the next tell from the same sender: one
 * actor telling another many times pays for its head once. Only an actor's ref (or no sender) is
 * kept; an ask's reply-to is new each time.
 */
function cachedTellHead(
  core: NodeCore,
  ref: RemoteActorRef<unknown>,
  sender: SenderSlot | undefined,
): string {
  if (ref._headSender === sender && ref._head !== undefined) return ref._head
  const head = tellHead(core, ref, sender, false)
  if (sender === undefined || sender._kind === 0) {
    ref._headSender = sender
    ref._head = head
  }
  return head
}

function tellHead(
  core: NodeCore,
  ref: RemoteActorRef<unknown>,
  sender: SenderSlot | undefined,
  pill: boolean,
): string {
  // Internal tokens (timers, watch news) are the sending actor's own business, not a sender.
  const s = sender === undefined || sender._kind > 1 ? undefined : (core.encodeRef(sender) as Head['s'])
  const head: Head = {
    v: 1,
    k: 't',
    to: ref.path,
    ...(ref._uid !== 0 && { u: ref._uid }),
    ...(s !== undefined && { s }),
    ...(pill ? { pp: 1 } : { c: core.codec.id }),
  }
  return JSON.stringify(head)
}

/** An ask of a remote actor or a service; always with a timeout. @internal */
export function remoteAsk(
  core: NodeCore,
  ref: RemoteActorRef<unknown>,
  factory: (replyTo: AnyActorRef) => unknown,
  opts: AskOptions | undefined,
): Promise<unknown> {
  if (typeof factory !== 'function') throw typeError('factory', 'a function', factory)
  if (opts !== undefined && (typeof opts !== 'object' || opts === null)) {
    throw typeError('opts', 'an options object', opts)
  }
  let timeout = core.settings.askTimeoutMs
  if (opts?.timeout !== undefined) {
    timeout = checkMs('timeout', opts.timeout)
    if (timeout === Infinity) {
      throw new RangeError('Expected `timeout` of a remote ask to be finite: a remote ask always has one')
    }
  }
  const signal = checkSignal(opts?.signal)
  return new Promise<unknown>((resolve, reject) => {
    const target = recipientOf(ref)
    const entry: PendingAsk = {
      resolve,
      reject,
      target,
      node: ref.node,
      path: ref.path,
      messageType: 'unknown',
      timer: undefined,
      signal: undefined,
      onAbort: undefined,
    }
    const id = core.asks.add(entry)
    const fail = (err: unknown): void => {
      core.asks.delete(id)
      endAsk(entry)
      reject(err)
    }
    const replyTo = new ReplyRef(core, core.subjects.reply(core.id, id))
    let bytes: Uint8Array
    try {
      const msg = factory(replyTo)
      entry.messageType = messageTypeOf(msg)
      ref._askHead ??= JSON.stringify({
        v: 1,
        k: 'a',
        to: ref.path,
        ...(ref._uid !== 0 && { u: ref._uid }),
        c: core.codec.id,
      })
      bytes = core.encode(ref._askHead, msg)
      checkSize(core, bytes, ref, msg)
    } catch (err) {
      fail(err)
      return
    }
    const why = core.outbox.connected ? core.unreachable(ref) : 'disconnected'
    if (why !== undefined) {
      fail(new NodeUnreachableError(ref.node, ref.path, entry.messageType, why))
      return
    }
    if (signal !== undefined) {
      if (signal.aborted) {
        fail(abortError(signal))
        return
      }
      entry.signal = signal
      entry.onAbort = () => {
        fail(abortError(signal))
      }
      signal.addEventListener('abort', entry.onAbort, { once: true })
    }
    entry.timer = setTimeout(() => {
      fail(new AskTimeoutError(target, entry.messageType, timeout))
    }, timeout)
    try {
      core.nc.publish(core.subjectOf(ref), bytes, { reply: replyTo.subject })
    } catch {
      fail(new NodeUnreachableError(ref.node, ref.path, entry.messageType, 'disconnected'))
    }
  })
}

/** Releases what an ask holds while it waits: its timer and its abort listener. @internal */
export function endAsk(entry: PendingAsk): void {
  clearTimeout(entry.timer)
  entry.timer = undefined
  if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort)
  entry.signal = undefined
  entry.onAbort = undefined
}

/** The answer (or failure) of an ask made on another node. @internal */
export function reply(core: NodeCore, ref: ReplyRef, msg: unknown, error: unknown): void {
  let bytes = error === undefined ? core.encode(core.replyHead, msg) : encodeError(core, error)
  if (bytes.length > core.maxPayload) {
    const tooLarge = new PayloadTooLargeError(ref.path, messageTypeOf(msg), bytes.length, core.maxPayload)
    // The replying actor learns it at its call; the asker learns it from the failure sent instead.
    bytes = encodeError(core, tooLarge)
    publishReply(core, ref, bytes, msg)
    if (error === undefined) throw tooLarge
    return
  }
  publishReply(core, ref, bytes, msg)
}

function publishReply(core: NodeCore, ref: ReplyRef, bytes: Uint8Array, msg: unknown): void {
  try {
    core.nc.publish(ref.subject, bytes)
  } catch {
    core.deadLetter(msg, ref.path, undefined, 'unreachable')
  }
}

/** A failed-ask frame; an error the codec cannot write goes as a plain error with its message. */
function encodeError(core: NodeCore, error: unknown): Uint8Array {
  try {
    return core.encode(core.errorHead, error)
  } catch {
    return core.encode(core.errorHead, new Error(describe(error)))
  }
}

function checkSize(core: NodeCore, bytes: Uint8Array, ref: RemoteActorRef<unknown>, msg: unknown): void {
  if (bytes.length > core.maxPayload) {
    throw new PayloadTooLargeError(recipientOf(ref), messageTypeOf(msg), bytes.length, core.maxPayload)
  }
}

/** `node:path`, or `service:name`, as errors and dead letters name a remote recipient. @internal */
export function recipientOf(ref: RemoteActorRef<unknown>): string {
  return ref.node === '' ? `service:${ref.path.slice('/service/'.length)}` : `${ref.node}:${ref.path}`
}
