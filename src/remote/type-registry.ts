/**
 * The types the codec knows besides JSON: user classes in a `TypeRegistry`, each under a stable
 * tag, and the built-in ones, with the wire form of each (`codec.ts` has the walks):
 *
 * ```text
 * {"~":"$undefined"}                  {"~":"$Number","v":"NaN"}   ("Infinity", "-Infinity", "-0")
 * {"~":"$BigInt","v":"-12"}           {"~":"$Date","v":1700000000000}   (epoch ms; null: invalid)
 * {"~":"$Map","v":[k0,v0,k1,v1]}      {"~":"$Set","v":[a,b]}
 * {"~":"$Uint8Array","v":"AQID"}      (base64 of the bytes, little-endian; every typed array,
 *                                      $Buffer, $ArrayBuffer, $DataView)
 * {"~":"$Error","v":{"class":"$TypeError","name":"TypeError","message":"…","stack":"…",
 *                    "cause":…,"errors":[…],"props":{"code":"E_X"}}}
 * {"~":"$ref","v":<the RefCodec's wire form>}
 * {"~":"$Object","v":{"~":1}}         (a plain object that has a "~" key of its own, escaped)
 * {"~":"$NullProto","v":{…}}          (an object with a null prototype)
 * {"~":"geo.Point","v":{"x":1}}       (a class registered in the TypeRegistry under that tag)
 * ```
 *
 * A class crosses the wire by its tag, never by its name: names change with refactors and
 * minifiers, and a tag written into messages already in flight must keep meaning the same class.
 * Both ends register the same tag for the class (Akka's serialization bindings with a manifest,
 * Proto.Actor's type names); a receiver that does not know a tag refuses the message instead of
 * guessing.
 *
 * A class is matched by its exact constructor: an instance of an unregistered subclass is refused
 * rather than sent as its registered base, which would arrive as the base and lose the subclass
 * without a word. The exception is a base registered with its own `encode`, which has taken on
 * its subclasses by choice.
 *
 * @module
 */
import { Buffer } from 'node:buffer'
import * as errors from '../errors.js'
import { describe, typeError } from '../errors.js'

/** Constructor of instances of `T`, abstract or not. */
type Ctor<T> = abstract new (...args: never[]) => T

/**
 * How a registered class crosses the wire; both functions are optional.
 * @example
 * const opts: TypeCodecOptions<URL> = { encode: (u) => u.href, decode: (href) => new URL(href as string) }
 * @since 0.3.0
 */
export interface TypeCodecOptions<T> {
  /**
   * The data sent for `value`. It is encoded in turn, so it may hold anything the codec sends
   * (dates, maps, refs, other registered classes). Default: the instance's own enumerable fields.
   */
  readonly encode?: ((value: T) => unknown) | undefined
  /**
   * The instance for `data`, already decoded. Default: an object with the class's prototype and
   * `data`'s fields as own fields, made without calling the constructor.
   */
  readonly decode?: ((data: unknown) => T) | undefined
}

/** One registered class. @internal */
export interface TypeEntry {
  readonly tag: string
  readonly ctor: Ctor<object>
  readonly proto: object
  readonly encode: ((value: object) => unknown) | undefined
  readonly decode: ((data: unknown) => object) | undefined
  /** An `Error` subclass without an `encode` travels as an error (message, stack, cause, fields). */
  readonly isError: boolean
}

/**
 * The user classes a codec may send, each under a stable tag.
 *
 * **Details**: by default an instance is sent as its own enumerable fields and rebuilt on the far
 * side as an object with the class's prototype and those fields, without running the constructor
 * (so the constructor's checks and side effects do not run again, and `#private` fields are not
 * sent: a class with private state needs `encode` and `decode`). Tags starting with `$` are
 * reserved for the codec's built-in types. An `Error` subclass registered without `encode`
 * travels as an error: message, stack, `cause` and fields, and arrives as an instance of it.
 *
 * **Throws**: `register` throws a `TypeError` for a bad tag, a class or tag registered twice under
 * different names, or `encode`/`decode` that are not functions.
 * @example
 * class Point {
 *   constructor(readonly x: number, readonly y: number) {}
 * }
 * const types = new TypeRegistry().register('geo.Point', Point)
 * const codec = jsonCodec({ types })
 * @since 0.3.0
 */
export class TypeRegistry {
  #byTag = new Map<string, TypeEntry>()
  #byProto = new Map<object, TypeEntry>()

  /**
   * Registers `ctor` under `tag`; returns the registry, so calls chain. Registering the same class
   * under the same tag again does nothing.
   * @example
   * types.register('shop.Money', Money, { encode: (m) => m.cents, decode: (c) => Money.ofCents(c as number) })
   * @since 0.3.0
   */
  register<T extends object>(tag: string, ctor: Ctor<T>, opts?: TypeCodecOptions<T>): this {
    if (typeof tag !== 'string' || tag === '' || tag.startsWith('$')) {
      throw typeError('tag', 'a non-empty string not starting with `$` (reserved for built-in types)', tag)
    }
    if (typeof ctor !== 'function' || typeof ctor.prototype !== 'object' || ctor.prototype === null) {
      throw typeError('ctor', 'a class', ctor)
    }
    if (opts !== undefined && (typeof opts !== 'object' || opts === null)) {
      throw typeError('opts', 'an options object', opts)
    }
    const encode = opts?.encode
    const decode = opts?.decode
    if (encode !== undefined && typeof encode !== 'function')
      throw typeError('opts.encode', 'a function', encode)
    if (decode !== undefined && typeof decode !== 'function')
      throw typeError('opts.decode', 'a function', decode)
    const byTag = this.#byTag.get(tag)
    const proto = ctor.prototype as object
    const byCtor = this.#byProto.get(proto)
    if (byTag !== undefined && byTag === byCtor && encode === undefined && decode === undefined) return this
    if (byTag !== undefined) {
      throw new TypeError(
        `Type tag "${tag}" is already registered for class ${byTag.ctor.name || '(anonymous)'}`,
      )
    }
    if (byCtor !== undefined) {
      throw new TypeError(`Class ${ctor.name || '(anonymous)'} is already registered as "${byCtor.tag}"`)
    }
    const entry: TypeEntry = {
      tag,
      ctor,
      proto,
      encode: encode as ((value: object) => unknown) | undefined,
      decode,
      isError: encode === undefined && decode === undefined && proto instanceof Error,
    }
    this.#byTag.set(tag, entry)
    this.#byProto.set(proto, entry)
    return this
  }

  /**
   * The tag `ctor` is registered under, or undefined.
   * @example
   * types.tagOf(Point) // 'geo.Point'
   * @since 0.3.0
   */
  tagOf(ctor: Ctor<object>): string | undefined {
    return this.#byProto.get(ctor.prototype as object)?.tag
  }

  /**
   * The class registered under `tag`, or undefined.
   * @example
   * types.classOf('geo.Point') // Point
   * @since 0.3.0
   */
  classOf(tag: string): Ctor<object> | undefined {
    return this.#byTag.get(tag)?.ctor
  }

  /** The entry for `tag`. @internal */
  _byTag(tag: string): TypeEntry | undefined {
    return this.#byTag.get(tag)
  }

  /** The entry of the class whose prototype is exactly `proto`. @internal */
  _byProto(proto: object): TypeEntry | undefined {
    return this.#byProto.get(proto)
  }

  /**
   * The entry that encodes an instance whose prototype is `proto`: its own class's, or else that
   * of the nearest base registered with its own `encode`. When there is none, `base` names the
   * nearest registered base, if any, for the error message. @internal
   */
  _forInstance(proto: object): { entry: TypeEntry | undefined; base: TypeEntry | undefined } {
    const own = this._byProto(proto)
    if (own !== undefined) return { entry: own, base: undefined }
    let base: TypeEntry | undefined
    for (
      let p = Object.getPrototypeOf(proto) as object | null;
      p !== null;
      p = Object.getPrototypeOf(p) as object | null
    ) {
      const e = this._byProto(p)
      if (e === undefined) continue
      if (e.encode !== undefined) return { entry: e, base: undefined }
      base ??= e
    }
    return { entry: undefined, base }
  }
}

/**
 * What went wrong, carried up the codec's walk: each object on the way adds itself and the step to
 * the next (`.key`, `[3]`, `.get("k")`), so the path is built only for a value that fails. @internal
 */
export class Trace extends Error {
  readonly segs: string[] = []
  readonly objs: object[] = []
  constructor(
    /** Undefined for a foreign error (`inner`), or for nesting past `maxDepth` (`tooDeep`). */
    readonly reason: string | undefined,
    readonly inner?: unknown,
    readonly tooDeep = false,
  ) {
    super(reason)
  }
}

/** A payload that does not have the shape of its tag. @internal */
export function malformed(tag: string, expected: string, got: unknown): Trace {
  return new Trace(`malformed ${tag}: expected ${expected}, got ${describe(got)}`)
}

/** Sets an own data property as a class field or the Error constructor does, past any setter. @internal */
export function define(o: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable, configurable: true })
}

type TypedCtor = (new (buffer: ArrayBuffer) => object) & { readonly BYTES_PER_ELEMENT: number }
/** A typed array kind: its tag, class and element size. @internal */
export interface TypedKind {
  readonly tag: string
  readonly ctor: TypedCtor
  readonly size: number
}
/** Typed arrays by prototype, and by tag. Float16Array only where it exists (Node 24). @internal */
export const TYPED = new Map<object, TypedKind>()
const TYPED_BY_TAG = new Map<string, TypedKind>()
const TYPED_NAMES =
  'Int8 Uint8 Uint8Clamped Int16 Uint16 Float16 Int32 Uint32 Float32 Float64 BigInt64 BigUint64'
for (const name of TYPED_NAMES.split(' ')) {
  const ctor = (globalThis as Record<string, unknown>)[`${name}Array`] as TypedCtor | undefined
  if (ctor === undefined) continue
  const kind = { tag: `$${name}Array`, ctor, size: ctor.BYTES_PER_ELEMENT }
  TYPED.set(ctor.prototype as object, kind)
  TYPED_BY_TAG.set(kind.tag, kind)
}

// The wire is little-endian; a big-endian host swaps each element's bytes on the way.
const BIG_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0

/** A copy of `bytes` with each `size`-byte group reversed (an endianness swap). @internal */
export function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length)
  for (let i = 0; i < bytes.length; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j] ?? 0
  }
  return out
}

/** The base64 of a view's bytes, little-endian for elements of `size` bytes. @internal */
export function toBase64(view: ArrayBufferView, size: number): string {
  const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength)
  return (BIG_ENDIAN && size > 1 ? Buffer.from(swapBytes(bytes, size)) : bytes).toString('base64')
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * The value of a base64 payload: a Buffer for `$Buffer`, an ArrayBuffer or DataView of its own,
 * or a typed array; undefined for a tag that is none of these. @internal
 */
export function fromBase64(tag: string, v: unknown): unknown {
  const kind = TYPED_BY_TAG.get(tag)
  if (kind === undefined && tag !== '$Buffer' && tag !== '$ArrayBuffer' && tag !== '$DataView')
    return undefined
  // Buffer.from skips characters that are not base64; a frame holding them is broken, not noisy.
  if (typeof v !== 'string' || !B64.test(v)) throw malformed(tag, 'a base64 string', v)
  const buf = Buffer.from(v, 'base64')
  if (tag === '$Buffer') return buf
  const size = kind?.size ?? 1
  if (buf.length % size !== 0) {
    throw malformed(tag, `a whole number of ${String(size)}-byte elements`, `${String(buf.length)} bytes`)
  }
  // A copy: a small Buffer is a view into a shared pool, which must not leak into the message.
  const own = new Uint8Array(BIG_ENDIAN && size > 1 ? swapBytes(buf, size) : buf).buffer
  return kind !== undefined ? new kind.ctor(own) : tag === '$DataView' ? new DataView(own) : own
}

type ErrorCtor = abstract new (...args: never[]) => Error

/**
 * The error classes every peer knows, under stable keys: the built-in ones and every error class
 * `errors.ts` exports, by export name (a class's `name` changes under a minifier, an export's
 * does not). The codec adds its own `CodecError`. @internal
 */
export const ERROR_CLASSES = new Map<string, ErrorCtor>()
const BUILTIN_ERRORS =
  'Error TypeError RangeError SyntaxError ReferenceError EvalError URIError AggregateError'
for (const [name, value] of [
  ...BUILTIN_ERRORS.split(' ').map((n) => [n, (globalThis as Record<string, unknown>)[n]] as const),
  ['DOMException', DOMException] as const,
  ...Object.entries(errors),
]) {
  if (typeof value === 'function' && (value === Error || (value.prototype as object) instanceof Error)) {
    ERROR_CLASSES.set(`$${name}`, value as ErrorCtor)
  }
}
/** The keys of `ERROR_CLASSES` by prototype. @internal */
export const ERROR_KEYS = new Map<object, string>()

/** Adds a built-in error class. @internal */
export function addErrorClass(key: string, ctor: ErrorCtor): void {
  ERROR_CLASSES.set(key, ctor)
  ERROR_KEYS.set(ctor.prototype as object, key)
  KINDS.set(ctor.prototype as object, '$Error')
}
for (const [key, ctor] of ERROR_CLASSES) ERROR_KEYS.set(ctor.prototype as object, key)

/** The key of the nearest error class on `proto`'s chain a peer can rebuild: built in or registered. @internal */
export function errorKey(proto: object, types: TypeRegistry): string {
  for (let p: object | null = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const key = ERROR_KEYS.get(p)
    if (key !== undefined) return key
    const e = types._byProto(p)
    if (e?.isError === true) return e.tag
  }
  return '$Error'
}

/**
 * A real error (`Error.isError`, a stack slot) with the prototype of the class under `key`, made
 * without running that class's constructor, whose parameters differ from class to class. An
 * unknown key gives an `Error`. @internal
 */
export function makeError(
  key: string,
  name: string,
  message: string,
  errors: unknown[] | undefined,
  types: TypeRegistry,
): Error {
  const registered = key.startsWith('$') ? undefined : types._byTag(key)
  const ctor = ERROR_CLASSES.get(key) ?? (registered?.isError === true ? registered.ctor : Error)
  if (ctor === DOMException) return new DOMException(message, name)
  if (ctor === AggregateError || (ctor.prototype as object) instanceof AggregateError) {
    return Reflect.construct(AggregateError, [errors ?? [], message], ctor) as Error
  }
  return Reflect.construct(Error, [message], ctor) as Error
}

/** The marker key of a tagged value on the wire. @internal */
export const TAG = '~'

/** Shared by every message that holds it: JSON.stringify does not mind a repeated object. @internal */
export const UNDEFINED = { '~': '$undefined' }
const NAN = { '~': '$Number', v: 'NaN' }
const INFINITY = { '~': '$Number', v: 'Infinity' }
const MINUS_INFINITY = { '~': '$Number', v: '-Infinity' }
const MINUS_ZERO = { '~': '$Number', v: '-0' }

/** True for a number JSON says as is: finite and not `-0`. @internal */
export function plainNumber(x: number): boolean {
  return x - x === 0 && (x !== 0 || 1 / x > 0)
}

/** The tagged form of `NaN`, `±Infinity` or `-0`. @internal */
export function specialNumber(x: number): object {
  return x !== x ? NAN : x === Infinity ? INFINITY : x === -Infinity ? MINUS_INFINITY : MINUS_ZERO
}

/**
 * The tag of each built-in class the encoder knows, by prototype: `$Error` for the error classes,
 * whose own key goes in the payload. @internal
 */
export const KINDS = new Map<object, string>([
  [Date.prototype, '$Date'],
  [Map.prototype, '$Map'],
  [Set.prototype, '$Set'],
  [Buffer.prototype, '$Buffer'],
  [ArrayBuffer.prototype, '$ArrayBuffer'],
  [DataView.prototype, '$DataView'],
  ...[...TYPED].map(([p, kind]) => [p, kind.tag] as const),
  ...[...ERROR_KEYS.keys()].map((p) => [p, '$Error'] as const),
])

/** A `$BigInt` payload. @internal */
export const BIGINT = /^-?(?:0|[1-9][0-9]*)$/
/** The `$Number` payloads. @internal */
export const NUMBERS: Record<string, number> = {
  NaN: NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity,
  '-0': -0,
}

/** Keys no decoder sets on an object, so no encoder sends them. @internal */
export function forbidden(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype'
}

/** A JSON object that is not an array. @internal */
export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

/** Adds the step to `obj`'s child to the trace of `e`, made a `Trace` if it is a foreign error. @internal */
export function trace(e: unknown, obj: object, seg: string): Trace {
  const t = e instanceof Trace ? e : new Trace(undefined, e)
  t.segs.push(seg)
  t.objs.push(obj)
  return t
}

/** The path step to a field. @internal */
export function keySeg(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}

/** The path step to the value under the `i`th key of a Map. @internal */
export function mapSeg(key: unknown, i: number): string {
  const text =
    typeof key === 'string'
      ? JSON.stringify(key)
      : typeof key === 'bigint'
        ? `${String(key)}n`
        : typeof key === 'object' && key !== null
          ? `<key ${String(i)}>`
          : String(key)
  return `.get(${text})`
}

/** The name of the class of objects with prototype `proto`. */
function className(proto: object): string {
  const ctor = (proto as { constructor?: { name?: unknown } }).constructor
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : '(anonymous)'
}

/** The encoder, as the functions below recurse through it. @internal */
export interface EncodeWalk {
  readonly stacks: boolean
  value(v: unknown, depth: number): unknown
  plain(o: Record<string, unknown>, depth: number, copy: boolean): object
}

/** The decoder, as the functions below recurse through it. @internal */
export interface DecodeWalk {
  readonly types: TypeRegistry
  value(x: unknown, depth: number): unknown
  /** An object without counting a level, for a wrapper the encoder added around a value. */
  inner(o: object, depth: number): unknown
}

/** An error as `{"~":"$Error","v":{class, name, message, stack?, cause?, errors?, props?}}`. @internal */
export function encodeError(w: EncodeWalk, err: Error, cls: string, depth: number): object {
  // A thrown object may have set anything as its name or message.
  const { name, message } = err as { name: unknown; message: unknown }
  const payload: Record<string, unknown> = { class: cls, name: String(name), message: String(message) }
  if (w.stacks && typeof err.stack === 'string') payload.stack = err.stack
  let seg = '.cause'
  try {
    if (Object.hasOwn(err, 'cause')) payload.cause = w.value(err.cause, depth)
    seg = '.errors'
    if (err instanceof AggregateError && Array.isArray(err.errors))
      payload.errors = w.value(err.errors, depth)
    // Own enumerable fields: `code` and the like, and `name` where a class sets it on the instance.
    const props: Record<string, unknown> = {}
    let any = false
    for (const k of Object.keys(err)) {
      if (k === 'message' || k === 'stack' || k === 'cause') continue
      seg = keySeg(k)
      if (forbidden(k)) throw new Trace(`the key "${k}" is refused (decoders never set it)`)
      props[k] = w.value((err as unknown as Record<string, unknown>)[k], depth)
      any = true
    }
    if (any) payload.props = Object.hasOwn(props, TAG) ? { '~': '$Object', v: props } : props
  } catch (e) {
    throw trace(e, err, seg)
  }
  return { '~': '$Error', v: payload }
}

const ERROR_FIELDS = new Set(['class', 'name', 'message', 'stack', 'cause', 'errors', 'props'])

/** The error of an `$Error` payload. @internal */
export function decodeError(w: DecodeWalk, v: unknown, depth: number): Error {
  if (!isObject(v)) throw malformed('$Error', 'an object', v)
  for (const k of Object.keys(v)) {
    if (!ERROR_FIELDS.has(k)) throw new Trace(`malformed $Error: unexpected field "${k}"`)
  }
  const { class: cls, name, message, stack } = v
  if (typeof cls !== 'string' || typeof name !== 'string' || typeof message !== 'string') {
    throw malformed('$Error', 'string fields class, name and message', v)
  }
  if (stack !== undefined && typeof stack !== 'string') throw malformed('$Error', 'a string stack', stack)
  let seg = '.errors'
  let err: Error
  try {
    let errors: unknown
    if (Object.hasOwn(v, 'errors')) {
      errors = w.value(v.errors, depth)
      if (!Array.isArray(errors)) throw malformed('$Error', 'an array of errors', errors)
    }
    err = makeError(cls, name, message, errors as unknown[] | undefined, w.types)
    seg = '.cause'
    if (Object.hasOwn(v, 'cause')) define(err, 'cause', w.value(v.cause, depth), false)
    seg = ''
    if (Object.hasOwn(v, 'props')) {
      const props = isObject(v.props) ? w.inner(v.props, depth) : undefined
      if (!isObject(props)) throw malformed('$Error', 'an object of props', v.props)
      for (const k of Object.keys(props)) define(err, k, props[k], true)
    }
  } catch (e) {
    throw trace(e, v, seg)
  }
  if (!Object.hasOwn(err, 'name') && err.name !== name) define(err, 'name', name, false)
  // Without a stack on the wire, the header line: a local stack would point at the decoder.
  define(err, 'stack', stack ?? `${name}: ${message}`, false)
  return err
}

/** An instance of a registered class as `{"~":tag,"v":data}`. @internal */
export function encodeUser(w: EncodeWalk, o: object, entry: TypeEntry, depth: number): object {
  if (entry.encode === undefined)
    return { '~': entry.tag, v: w.plain(o as Record<string, unknown>, depth, true) }
  let data: unknown
  try {
    data = entry.encode(o)
  } catch (e) {
    throw new Trace(`the encode function of "${entry.tag}" threw: ${describe(e)}`, e)
  }
  try {
    return { '~': entry.tag, v: w.value(data, depth) }
  } catch (e) {
    // The instance is on the way too, so that a cycle through an encode function is named.
    throw trace(e, o, '')
  }
}

/** The instance of a registered class from its payload. @internal */
export function decodeUser(w: DecodeWalk, entry: TypeEntry, v: unknown, depth: number): object {
  if (entry.decode !== undefined) {
    const data = w.value(v, depth)
    try {
      return entry.decode(data)
    } catch (e) {
      throw new Trace(`the decode function of "${entry.tag}" threw: ${describe(e)}`, e)
    }
  }
  const fields = isObject(v) ? w.inner(v, depth) : undefined
  if (!isObject(fields) || Object.getPrototypeOf(fields) !== Object.prototype) {
    throw malformed(entry.tag, 'an object of fields', v)
  }
  const inst = Object.create(entry.proto) as object
  for (const k of Object.keys(fields)) define(inst, k, fields[k], true)
  return inst
}

/** The error for an instance of a class the registry cannot encode. @internal */
export function unregistered(proto: object, base: TypeEntry | undefined): Trace {
  const name = className(proto)
  return new Trace(
    base === undefined
      ? `an instance of class ${name}, which is not registered in the codec's TypeRegistry`
      : `an instance of class ${name}, which is not registered (its base ${className(base.proto)} is, as "${base.tag}", with the default encoding, which would lose the subclass)`,
  )
}

/** A primitive JSON says as it is. @internal */
export function jsonSafe(x: unknown): boolean {
  return typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && plainNumber(x))
}

const EMPTY = {}

/** True when Object.prototype has enumerable properties, which for-in lists with the own ones. @internal */
export function polluted(): boolean {
  for (const _ in EMPTY) return true
  return false
}
