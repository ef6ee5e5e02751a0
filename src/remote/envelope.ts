/**
 * The envelope of every frame a node sends: a one-line JSON head, a newline, then the body the
 * codec wrote.
 *
 * The head is plain JSON whatever the codec, so a node can read where a frame goes, what kind it
 * is and which codec wrote it before it touches the body: a frame whose body cannot be decoded
 * still becomes a dead letter naming its recipient, and an operator can read heads with `nats sub`.
 * `v` is the envelope's version: a node refuses (to dead letters) a version it does not know.
 *
 * @module
 */
import type { RefWire } from './remote-ref.js'

/** The envelope version this code writes and reads. @internal */
export const ENVELOPE_VERSION = 1

/**
 * Frame kinds: `t` tell, `a` ask (the NATS reply subject is where its answer goes), `r` an
 * answer, `e` an ask that failed on the far side, `w`/`uw` watch and unwatch, `x` an actor's
 * death for its watchers, `s` stop, `sp` spawn a provided definition (`to` is its name). @internal
 */
export type FrameKind = 't' | 'a' | 'r' | 'e' | 'w' | 'uw' | 'x' | 's' | 'sp'

/** The head of a frame. @internal */
export interface Head {
  readonly v: number
  readonly k: FrameKind
  /** Recipient path (`t`, `a`, `w`, `uw`, `s`) or the path that stopped (`x`). */
  readonly to?: string
  /** Recipient incarnation; 0 or absent: any. */
  readonly u?: number
  /** The sender: an actor ref's wire form, or the subject of an ask's reply-to. */
  readonly s?: RefWire | { readonly r: string }
  /** The codec that wrote the body. */
  readonly c?: string
  /** `e`: which failure (`not-found`, `failed`, `stopped`, `dropped`, `bad-frame`). */
  readonly f?: string
  /** `w`/`uw`/`x`: the watcher's path on its node. */
  readonly w?: string
  /** `x`: why it ended (`stopped`, `not-found`). */
  readonly why?: string
  /** `t`: the message is `PoisonPill` (a symbol no codec writes); there is no body. */
  readonly pp?: 1
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })
const NEWLINE = 0x0a

/** The frame's bytes: head, newline, body. @internal */
export function frame(head: Head, body: Uint8Array | undefined): Uint8Array {
  const h = encoder.encode(JSON.stringify(head))
  const out = new Uint8Array(h.length + 1 + (body?.length ?? 0))
  out.set(h)
  out[h.length] = NEWLINE
  if (body !== undefined) out.set(body, h.length + 1)
  return out
}

/** A frame read back: its head and the bytes of its body. @internal */
export interface Frame {
  readonly head: Head
  readonly body: Uint8Array
}

const KINDS = new Set<string>(['t', 'a', 'r', 'e', 'w', 'uw', 'x', 's', 'sp'])

/** Reads a frame; throws an `Error` naming what is wrong with it. @internal */
export function unframe(bytes: Uint8Array): Frame {
  const i = bytes.indexOf(NEWLINE)
  if (i < 0) throw new Error('no frame head (no newline)')
  let head: unknown
  try {
    head = JSON.parse(decoder.decode(bytes.subarray(0, i)))
  } catch {
    throw new Error('the frame head is not JSON')
  }
  if (typeof head !== 'object' || head === null || Array.isArray(head)) {
    throw new Error('the frame head is not an object')
  }
  const h = head as Partial<Record<keyof Head, unknown>>
  if (h.v !== ENVELOPE_VERSION) throw new Error(`unknown envelope version ${JSON.stringify(h.v) ?? 'none'}`)
  if (typeof h.k !== 'string' || !KINDS.has(h.k))
    throw new Error(`unknown frame kind ${JSON.stringify(h.k) ?? 'none'}`)
  if (h.to !== undefined && typeof h.to !== 'string') throw new Error('the frame head has a bad recipient')
  if (h.u !== undefined && !Number.isSafeInteger(h.u)) throw new Error('the frame head has a bad incarnation')
  return { head: head as Head, body: bytes.subarray(i + 1) }
}

/** True if `w` is an actor ref's wire form. @internal */
export function isRefWire(w: unknown): w is RefWire {
  if (typeof w !== 'object' || w === null) return false
  const r = w as Partial<Record<keyof RefWire, unknown>>
  return typeof r.n === 'string' && typeof r.p === 'string' && Number.isSafeInteger(r.u)
}
