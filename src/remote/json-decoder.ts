/**
 * The decode walk of `jsonCodec`: from the tree `JSON.parse` made to the value, rebuilding every
 * tagged member in place.
 *
 * It is its own module because the codec's two walks share nothing but the tag table: what one
 * writes the other reads, through type-registry.ts.
 *
 * @module
 */
import { describe } from '../errors.js'
import type { RefCodec } from './codec.js'
import {
  BIGINT,
  NUMBERS,
  polluted,
  decodeError,
  decodeUser,
  forbidden,
  fromBase64,
  isObject,
  keySeg,
  malformed,
  mapSeg,
  TAG,
  Trace,
  trace,
  type TypeRegistry,
} from './type-registry.js'

const OBJECT_PROTO = Object.prototype

/**
 * The decode walk, over the fresh tree from JSON.parse, which it owns: arrays and plain objects
 * are kept and their tagged members replaced in place. `depth` counts as the encoder's does.
 */
/** @internal */
export class Decoder {
  polluted = false
  constructor(
    readonly types: TypeRegistry,
    readonly maxDepth: number,
    /** The refs of the walk under way; between walks, the codec's "no refs". */
    public refs: RefCodec,
  ) {}

  start(refs: RefCodec): this {
    this.refs = refs
    this.polluted = polluted()
    return this
  }

  value(x: unknown, depth: number): unknown {
    return typeof x === 'object' && x !== null ? this.object(x, depth) : x
  }

  object(o: object, depth: number): unknown {
    if (depth >= this.maxDepth) throw new Trace(undefined, undefined, true)
    return this.inner(o, depth + 1)
  }

  /** An object without counting a level: for the wrappers the encoder adds around a value. */
  inner(o: object, depth: number): unknown {
    return Array.isArray(o) ? this.array(o, depth) : this.plain(o as Record<string, unknown>, depth, false)
  }

  /** A JSON object, or the tagged value it is when its first key is the tag (as the encoder writes it). */
  plain(o: Record<string, unknown>, depth: number, escaped: boolean): unknown {
    const own = this.polluted
    let first = true
    let tagged = false
    let k = ''
    try {
      for (k in o) {
        if (own && !Object.hasOwn(o, k)) continue
        if (k === TAG && !escaped) {
          if (!first) throw new Trace('malformed tag: "~" must be the first key')
          tagged = true
          break
        }
        first = false
        if (forbidden(k)) throw new Trace(`the key "${k}" is refused`)
        const x = o[k]
        if (typeof x === 'object' && x !== null) {
          const r = this.object(x, depth)
          if (r !== x) o[k] = r
        }
      }
    } catch (e) {
      throw trace(e, o, keySeg(k))
    }
    // Out of the loop's try: an error in the tagged value is at this object's path, not at its "~".
    return tagged ? this.tagged(o, depth) : o
  }

  array(a: unknown[], depth: number): unknown[] {
    let i = 0
    try {
      for (; i < a.length; i++) {
        const x = a[i]
        if (typeof x === 'object' && x !== null) {
          const r = this.object(x, depth)
          if (r !== x) a[i] = r
        }
      }
    } catch (e) {
      throw trace(e, a, `[${String(i)}]`)
    }
    return a
  }

  tagged(o: Record<string, unknown>, depth: number): unknown {
    const tag = o[TAG]
    if (typeof tag !== 'string')
      throw new Trace(`malformed tag: expected a string under "~", got ${describe(tag)}`)
    const n = Object.keys(o).length
    if (n > 2 || (n === 2 && !Object.hasOwn(o, 'v')))
      throw new Trace(`malformed ${tag}: a tag has only "v" beside it`)
    const v = n === 2 ? o.v : undefined
    switch (tag) {
      case '$undefined':
        if (n !== 1) throw new Trace('malformed $undefined: it has no "v"')
        return undefined
      case '$Number': {
        const x = typeof v === 'string' && Object.hasOwn(NUMBERS, v) ? NUMBERS[v] : undefined
        if (x === undefined) throw malformed(tag, '"NaN", "Infinity", "-Infinity" or "-0"', v)
        return x
      }
      case '$BigInt':
        if (typeof v !== 'string' || !BIGINT.test(v)) throw malformed(tag, 'a decimal integer string', v)
        return BigInt(v)
      case '$Date':
        if (v !== null && typeof v !== 'number') throw malformed(tag, 'a number of ms or null', v)
        return new Date(v ?? NaN)
      case '$Map':
        if (!Array.isArray(v) || v.length % 2 !== 0) throw malformed(tag, 'an array of keys and values', v)
        return this.map(o, v, depth)
      case '$Set': {
        if (!Array.isArray(v)) throw malformed(tag, 'an array', v)
        const set = new Set<unknown>()
        let i = 0
        try {
          for (; i < v.length; i++) set.add(this.value(v[i], depth))
        } catch (e) {
          throw trace(e, o, `.values()[${String(i)}]`)
        }
        return set
      }
      case '$ref':
        return this.refs.decodeRef(this.value(v, depth))
      case '$Object':
        if (!isObject(v)) throw malformed(tag, 'an object', v)
        return this.plain(v, depth, true)
      case '$NullProto': {
        const fields = isObject(v) ? this.inner(v, depth) : undefined
        if (!isObject(fields) || Object.getPrototypeOf(fields) !== OBJECT_PROTO)
          throw malformed(tag, 'an object', v)
        return Object.assign(Object.create(null) as object, fields)
      }
      case '$Error':
        return decodeError(this, v, depth)
    }
    const bytes = fromBase64(tag, v)
    if (bytes !== undefined) return bytes
    if (tag.startsWith('$')) throw new Trace(`unknown built-in type tag "${tag}" (from a newer peer?)`)
    const entry = this.types._byTag(tag)
    if (entry === undefined)
      throw new Trace(
        `unknown type tag "${tag}" (register its class in the TypeRegistry of the receiving codec)`,
      )
    return decodeUser(this, entry, v, depth)
  }

  map(o: object, flat: unknown[], depth: number): Map<unknown, unknown> {
    const m = new Map<unknown, unknown>()
    let i = 0
    let key: unknown
    try {
      for (; i < flat.length; i++) {
        key = this.value(flat[i], depth)
        m.set(key, this.value(flat[++i], depth))
      }
    } catch (e) {
      throw trace(e, o, i % 2 === 0 ? `.keys()[${String(i >> 1)}]` : mapSeg(key, i >> 1))
    }
    return m
  }
}
