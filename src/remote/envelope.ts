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
import type { Codec, RefCodec } from './codec.js'
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

/**
 * A frame's bytes: head, newline, the body `codec` writes of `value` (no body when `value` is
 * `NO_BODY`). `headText` is the head as JSON, which a sender may have kept from the last frame.
 * @internal
 */
export function encodeFrame(headText: string, value: unknown, codec: Codec, refs: RefCodec): Uint8Array {
  if (value === NO_BODY) return Buffer.from(`${headText}\n`, 'utf8')
  if (codec.encodeText !== undefined) {
    // One string, one UTF-8 encode: no bytes to join.
    return Buffer.from(`${headText}\n${codec.encodeText(value, refs)}`, 'utf8')
  }
  return frame(JSON.parse(headText) as Head, codec.encode(value, refs))
}

/** `encodeFrame`'s value for a frame without a body. @internal */
export const NO_BODY: unique symbol = Symbol('no body')

/** The frame's bytes from a head and body bytes. @internal */
export function frame(head: Head, body: Uint8Array | undefined): Uint8Array {
  const h = encoder.encode(JSON.stringify(head))
  const out = new Uint8Array(h.length + 1 + (body?.length ?? 0))
  out.set(h)
  out[h.length] = NEWLINE
  if (body !== undefined) out.set(body, h.length + 1)
  return out
}

/** A frame read back: its head and its body, as text for a text codec, else as bytes. @internal */
export interface Frame {
  readonly head: Head
  readonly body: Uint8Array | string
}

const KINDS = new Set<string>(['t', 'a', 'r', 'e', 'w', 'uw', 'x', 's', 'sp'])

/**
 * Reads a frame for `codec`; throws an `Error` naming what is wrong with it. For a text codec the
 * whole frame is decoded as UTF-8 once and split; bytes that are not UTF-8 are a bad frame.
 * @internal
 */
export function readFrame(bytes: Uint8Array, codec: Codec): Frame {
  if (codec.decodeText === undefined) return unframe(bytes)
  let text: string
  try {
    text = decoder.decode(bytes)
  } catch {
    throw new Error('the frame is not UTF-8 text')
  }
  const i = text.indexOf('\n')
  if (i < 0) throw new Error('no frame head (no newline)')
  return { head: cachedHead(text.slice(0, i)), body: text.slice(i + 1) }
}

/**
 * Heads already read, by their text. A sender writes the same head for every tell to one actor
 * and every answer, so most heads were seen before; looking one up costs a fraction of parsing and
 * checking it again. Bounded by clearing, not by an eviction policy: a node that hears more than
 * this many distinct heads parses them, as it would without the cache.
 */
const heads = new Map<string, Head>()
const MAX_HEADS = 4096

function cachedHead(text: string): Head {
  let head = heads.get(text)
  if (head === undefined) {
    head = Object.freeze(parseHead(text))
    if (heads.size >= MAX_HEADS) heads.clear()
    heads.set(text, head)
  }
  return head
}

/** The body of a frame decoded by `codec`. @internal */
export function decodeBody(codec: Codec, body: Uint8Array | string, refs: RefCodec): unknown {
  if (typeof body === 'string') return (codec.decodeText as NonNullable<Codec['decodeText']>)(body, refs)
  return codec.decode(body, refs)
}

/** Whether a frame has no body. @internal */
export function isEmptyBody(body: Uint8Array | string): boolean {
  return body.length === 0
}

/** Reads a frame as bytes (any codec); throws an `Error` naming what is wrong with it. @internal */
export function unframe(bytes: Uint8Array): { head: Head; body: Uint8Array } {
  const i = bytes.indexOf(NEWLINE)
  if (i < 0) throw new Error('no frame head (no newline)')
  let text: string
  try {
    text = decoder.decode(bytes.subarray(0, i))
  } catch {
    throw new Error('the frame head is not UTF-8 text')
  }
  return { head: parseHead(text), body: bytes.subarray(i + 1) }
}

function parseHead(text: string): Head {
  let head: unknown
  try {
    head = JSON.parse(text)
  } catch {
    throw new Error('the frame head is not JSON')
  }
  if (typeof head !== 'object' || head === null || Array.isArray(head)) {
    throw new Error('the frame head is not an object')
  }
  const h = head as Partial<Record<keyof Head, unknown>>
  if (h.v !== ENVELOPE_VERSION) throw new Error(`unknown envelope version ${JSON.stringify(h.v) ?? 'none'}`)
  if (typeof h.k !== 'string' || !KINDS.has(h.k)) {
    throw new Error(`unknown frame kind ${JSON.stringify(h.k) ?? 'none'}`)
  }
  if (h.to !== undefined && typeof h.to !== 'string') throw new Error('the frame head has a bad recipient')
  if (h.u !== undefined && !Number.isSafeInteger(h.u)) throw new Error('the frame head has a bad incarnation')
  return head as Head
}

/** True if `w` is an actor ref's wire form. @internal */
export function isRefWire(w: unknown): w is RefWire {
  if (typeof w !== 'object' || w === null) return false
  const r = w as Partial<Record<keyof RefWire, unknown>>
  return typeof r.n === 'string' && typeof r.p === 'string' && Number.isSafeInteger(r.u)
}
