import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { ActorStoppedError, CancelledError, QueueFull, TaskKilled, TimeoutError } from 'verdant'
import { VerdantError, WorkerCrashedError } from 'verdant'
import { CodecError, jsonCodec, noRefs, TypeRegistry, type RefCodec } from '../../src/remote/codec.js'
import { swapBytes } from '../../src/remote/type-registry.js'

/** A class registered as `geo.Point` by the codecs that need one. */
class Point {
  x = 0
}
const withPoint = (): TypeRegistry => new TypeRegistry().register('geo.Point', Point)

/** Stands in for a remote actor ref. */
class FakeRef {
  constructor(
    readonly node: string,
    readonly path: string,
  ) {}
}

/** A RefCodec for FakeRef that records the wire forms it was given to decode. */
function fakeRefs(): RefCodec & { decoded: unknown[] } {
  const decoded: unknown[] = []
  return {
    decoded,
    encodeRef: (v) => (v instanceof FakeRef ? { node: v.node, path: v.path } : undefined),
    decodeRef: (w) => {
      decoded.push(w)
      const { node, path } = w as { node: unknown; path: unknown }
      if (typeof node !== 'string' || typeof path !== 'string') throw new CodecError('malformed ref')
      return new FakeRef(node, path)
    },
  }
}

const codec = jsonCodec()
const refs = fakeRefs()
const enc = (v: unknown, c = codec): Uint8Array => c.encode(v, refs)
const dec = (b: Uint8Array, c = codec): unknown => c.decode(b, refs)
const roundTrip = <T>(v: T, c = codec): T => dec(enc(v, c), c) as T
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8')
const frame = (json: string): Uint8Array => Buffer.from(json, 'utf8')

/** A function that throws `e`. */
const thrower = (e: unknown) => (): never => {
  throw e
}

/** The CodecError `fn` throws. */
function codecErrorOf(fn: () => unknown): CodecError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError)
    return e as CodecError
  }
  throw new Error('expected a CodecError, nothing was thrown')
}

describe('jsonCodec: plain JSON and the wire format', () => {
  it('has the id json1 and round-trips plain JSON as a new object graph', () => {
    const v = { s: 'héllo \u2028 \ud800', n: 1.5, b: true, z: null, a: [1, [2, { c: 'd' }]], o: { p: {} } }
    const out = roundTrip(v)
    expect(codec.id).toBe('json1')
    expect(out).toEqual(v)
    expect([out === v, out.a === v.a, out.a[1] === v.a[1], out.o.p === v.o.p]).toEqual([
      false,
      false,
      false,
      false,
    ])
  })

  it('writes plain data as plain JSON and extensions in the documented tag form', () => {
    expect(text(enc({ a: [1, 'x', null] }))).toBe('{"a":[1,"x",null]}')
    expect(text(enc({ d: new Date(5), u: undefined, m: new Map([[1, 2]]) }))).toBe(
      '{"d":{"~":"$Date","v":5},"u":{"~":"$undefined"},"m":{"~":"$Map","v":[1,2]}}',
    )
    expect(text(enc({ '~': 1 }))).toBe('{"~":"$Object","v":{"~":1}}')
    expect(text(enc(new FakeRef('n1', '/a')))).toBe('{"~":"$ref","v":{"node":"n1","path":"/a"}}')
  })

  it('leaves the encoded value untouched (copies only on the way to an extension)', () => {
    const inner = { when: new Date(1), keep: { x: 1 } }
    const v = { inner, list: [1, undefined, 3] }
    enc(v)
    expect(v).toStrictEqual({ inner: { when: new Date(1), keep: { x: 1 } }, list: [1, undefined, 3] })
    expect(v.inner).toBe(inner)
  })

  it('duplicates a shared (non-cyclic) object instead of refusing it', () => {
    const shared = { x: 1 }
    const out = roundTrip({ a: shared, b: [shared] })
    expect(out).toEqual({ a: { x: 1 }, b: [{ x: 1 }] })
    expect(out.a).not.toBe(out.b[0])
  })

  it('keeps working after an encode or decode failed, and when a RefCodec re-enters it', () => {
    expect(() => enc({ f: () => 1 })).toThrow(CodecError)
    expect(() => dec(frame('{"~":"$nope"}'))).toThrow(CodecError)
    expect(roundTrip({ d: new Date(7) }).d.getTime()).toBe(7)
    const nested: RefCodec = {
      encodeRef: (v) => (v instanceof FakeRef ? text(codec.encode({ at: new Date(3) }, noRefs)) : undefined),
      decodeRef: (w) => codec.decode(frame(w as string), noRefs) as object,
    }
    const out = codec.decode(codec.encode({ r: new FakeRef('n', '/p'), d: new Date(9) }, nested), nested)
    expect(out).toEqual({ r: { at: new Date(3) }, d: new Date(9) })
  })
})

describe('jsonCodec: typed extensions round-trip exactly', () => {
  it('undefined as a property value, in arrays and at the top; a hole arrives as undefined', () => {
    // eslint-disable-next-line no-sparse-arrays
    const out = roundTrip({ a: undefined, list: [undefined, 1, , 3] })
    // toStrictEqual tells a missing key from an undefined one, and a hole from undefined.
    expect(out).toStrictEqual({ a: undefined, list: [undefined, 1, undefined, 3] })
    expect(roundTrip(undefined)).toBeUndefined()
    expect(text(enc(undefined))).toBe('{"~":"$undefined"}')
  })

  it('NaN, Infinity, -Infinity and -0', () => {
    // toEqual compares numbers with Object.is: NaN equals NaN, -0 does not equal 0.
    expect(roundTrip([NaN, Infinity, -Infinity, -0, 0])).toEqual([NaN, Infinity, -Infinity, -0, 0])
    expect(roundTrip(-0)).toBe(-0)
  })

  it('BigInt', () => {
    expect(roundTrip({ a: 0n, b: -12n, c: 2n ** 200n })).toEqual({ a: 0n, b: -12n, c: 2n ** 200n })
  })

  it('Date, including an invalid one', () => {
    const out = roundTrip({ d: new Date('2024-02-29T12:34:56.789Z'), bad: new Date(NaN) })
    expect(out.d).toBeInstanceOf(Date)
    expect(out.d.toISOString()).toBe('2024-02-29T12:34:56.789Z')
    expect(out.bad).toBeInstanceOf(Date)
    expect(out.bad.getTime()).toBeNaN()
  })

  it('Map with keys of any type, in order, and Set', () => {
    const objKey = { k: 1 }
    const m = new Map<unknown, unknown>([
      [objKey, 'object key'],
      [NaN, 'nan'],
      [undefined, new Set([1, 'a', undefined, new Date(2)])],
      ['nested', new Map([[1n, [new Map()]]])],
    ])
    const out = roundTrip(m)
    expect(out).toEqual(m)
    expect([...out.keys()]).toEqual([objKey, NaN, undefined, 'nested'])
    expect([...out.keys()][0]).not.toBe(objKey)
  })

  it('every typed array, as its own type, with a buffer of its own', () => {
    // Float16Array exists on Node 24 only; extreme values wrap per type, and that must survive too.
    const names = 'Int8 Uint8 Uint8Clamped Int16 Uint16 Int32 Uint32 Float16 Float32 Float64'.split(' ')
    const ctors = names.map((n) => (globalThis as Record<string, unknown>)[`${n}Array`])
    const arrays: ArrayBufferView[] = (ctors.filter(Boolean) as (new (a: number[]) => ArrayBufferView)[]).map(
      (C) => new C([0, 1, -1, 127.5, 65535, -(2 ** 31), -0, NaN, Infinity]),
    )
    arrays.push(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]), new BigUint64Array([0n, 2n ** 64n - 1n]))
    expect(arrays.length).toBeGreaterThanOrEqual(11)
    for (const a of arrays) {
      const out = roundTrip(a)
      expect(Object.getPrototypeOf(out)).toBe(Object.getPrototypeOf(a))
      expect(out).toEqual(a)
      expect(out.buffer.byteLength).toBe(a.byteLength)
    }
  })

  it('a view into a larger buffer sends only its bytes', () => {
    const big = new Float64Array([1, 2, 3, 4])
    const out = roundTrip(new Float64Array(big.buffer, 8, 2))
    expect([...out, out.byteOffset, out.buffer.byteLength]).toEqual([2, 3, 0, 16])
  })

  it('ArrayBuffer, DataView, Buffer (as a Buffer) and Uint8Array (not a Buffer)', () => {
    const ab = new Uint8Array([9, 8, 7]).buffer
    const out = roundTrip({ ab, dv: new DataView(ab, 1, 2), buf: Buffer.from('hé'), u8: new Uint8Array([1]) })
    expect(out.ab).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(out.ab)]).toEqual([9, 8, 7])
    expect(out.dv).toBeInstanceOf(DataView)
    expect([out.dv.getUint8(0), out.dv.getUint8(1), out.dv.byteLength]).toEqual([8, 7, 2])
    expect([Buffer.isBuffer(out.buf), out.buf.toString('utf8')]).toEqual([true, 'hé'])
    expect([Buffer.isBuffer(out.u8), out.u8 instanceof Uint8Array]).toEqual([false, true])
  })

  it('writes multi-byte elements little-endian (swapBytes is the big-endian path)', () => {
    expect(text(enc(new Uint16Array([1])))).toBe('{"~":"$Uint16Array","v":"AQA="}')
    expect([...swapBytes(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 4)]).toEqual([4, 3, 2, 1, 8, 7, 6, 5])
  })

  it('a plain object with a "~" key of its own, at any depth, and a null-prototype object', () => {
    const v = { '~': '$Date', v: 5, deep: { '~': { '~': 'x' } } }
    expect(roundTrip(v)).toEqual(v)
    const np = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, '~': 2 })
    const out = roundTrip({ np })
    expect(Object.getPrototypeOf(out.np)).toBeNull()
    expect({ ...out.np }).toEqual({ a: 1, '~': 2 })
  })
})

describe('jsonCodec: errors', () => {
  it('keeps class, name, message, stack, code, own fields and a cause chain', () => {
    const root = Object.assign(new Error('disk'), { code: 'EIO', errno: -5 })
    const err = new TypeError('bad input', { cause: new RangeError('too big', { cause: root }) })
    const out = roundTrip(err)
    expect(out).toBeInstanceOf(TypeError)
    expect([out.message, out.stack]).toEqual(['bad input', err.stack])
    const cause = out.cause as RangeError
    expect(cause).toBeInstanceOf(RangeError)
    expect(cause.message).toBe('too big')
    const rootOut = cause.cause as Error & { code: string; errno: number }
    expect(Object.getPrototypeOf(rootOut)).toBe(Error.prototype)
    expect(Object.entries(rootOut)).toEqual([
      ['code', 'EIO'],
      ['errno', -5],
    ])
    expect(Object.getOwnPropertyDescriptor(out, 'cause')?.enumerable).toBe(false)
  })

  it("rebuilds verdant's own errors as their classes, with their fields, without their constructors", () => {
    const errors = [
      new TimeoutError('late'),
      new TaskKilled('worker-1', 'shutdown'),
      new QueueFull('full', { item: new Date(4) }),
      new ActorStoppedError('/user/a'),
      new WorkerCrashedError('died', 'exited with code 3', { exitCode: 3 }),
      new CodecError('bad', 'msg.x'),
    ]
    for (const e of errors) {
      const out = roundTrip(e)
      expect(Object.getPrototypeOf(out)).toBe(Object.getPrototypeOf(e))
      expect(out).toBeInstanceOf(VerdantError)
      expect(out.name).toBe(e.name)
      expect(out.code).toBe(e.code)
      expect(Object.entries(out)).toEqual(Object.entries(e))
    }
    const killed = roundTrip(new TaskKilled('t', 'r'))
    expect(killed).toBeInstanceOf(CancelledError)
    expect([killed.task, killed.reason]).toEqual(['t', 'r'])
  })

  it('an unknown class arrives as its nearest known base with its name; an unknown name as itself', () => {
    class MyError extends RangeError {
      override name = 'MyError'
    }
    const out = roundTrip(new MyError('m'))
    expect([out instanceof RangeError, out.name]).toEqual([true, 'MyError'])
    const renamed = Object.assign(new Error('x'), { name: 'WeirdError' })
    const back = roundTrip(renamed)
    expect(Object.getPrototypeOf(back)).toBe(Error.prototype)
    expect(back.name).toBe('WeirdError')
  })

  it('AggregateError keeps its errors; DOMException stays one; a non-error cause is kept as is', () => {
    const agg = roundTrip(new AggregateError([new Error('a'), new TypeError('b')], 'both'))
    expect(agg).toBeInstanceOf(AggregateError)
    expect(agg.errors.map((e: Error) => `${e.name}:${e.message}`)).toEqual(['Error:a', 'TypeError:b'])
    const dom = roundTrip(new DOMException('stop', 'AbortError'))
    expect(dom).toBeInstanceOf(DOMException)
    expect([dom.name, dom.message, dom.code]).toEqual(['AbortError', 'stop', 20])
    const e = roundTrip(new Error('x', { cause: { reason: 'busy', at: new Date(1) } }))
    expect(e.cause).toEqual({ reason: 'busy', at: new Date(1) })
    const undef = roundTrip(new Error('x', { cause: undefined }))
    expect(Object.hasOwn(undef, 'cause')).toBe(true)
  })

  it('errorStacks: false sends no stack; the stack is then the header line', () => {
    const quiet = jsonCodec({ errorStacks: false })
    const bytes = enc(new TypeError('secret path'), quiet)
    expect(text(bytes)).not.toContain('codec.test')
    expect((dec(bytes, quiet) as Error).stack).toBe('TypeError: secret path')
  })
})

describe('jsonCodec: refs and registered classes', () => {
  it('sends refs through the RefCodec in fields, arrays, Map keys and values', () => {
    const r = fakeRefs()
    const a = new FakeRef('n1', '/user/a')
    const v = { to: a, list: [a, 1], m: new Map<unknown, unknown>([[a, new FakeRef('n2', '/b')]]) }
    const out = codec.decode(codec.encode(v, r), r) as typeof v
    // toStrictEqual checks the classes too: each ref arrives as a FakeRef.
    expect(out).toStrictEqual(v)
    expect(out.to).not.toBe(a)
    const wire = { node: 'n1', path: '/user/a' }
    expect(r.decoded).toEqual([wire, wire, wire, { node: 'n2', path: '/b' }])
  })

  it('rebuilds a registered class by default from its fields, without calling its constructor', () => {
    let constructed = 0
    class Vec {
      x = 3
      y = 4
      seen = new Date(0)
      constructor() {
        constructed++
      }
      norm(): number {
        return Math.hypot(this.x, this.y)
      }
    }
    const c = jsonCodec({ types: new TypeRegistry().register('geo.Vec', Vec) })
    const bytes = enc({ p: new Vec() }, c)
    expect(text(bytes)).toBe('{"p":{"~":"geo.Vec","v":{"x":3,"y":4,"seen":{"~":"$Date","v":0}}}}')
    constructed = 0
    const out = dec(bytes, c) as { p: Vec }
    expect(constructed).toBe(0)
    expect(out.p).toBeInstanceOf(Vec)
    expect(out.p.norm()).toBe(5)
    expect(out.p.seen).toEqual(new Date(0))
  })

  it('uses a registered encode/decode, for a class with private state, and an error class', () => {
    class Money {
      readonly #cents: number
      constructor(cents: number) {
        this.#cents = cents
      }
      get cents(): number {
        return this.#cents
      }
    }
    class PaymentError extends Error {
      override name = 'PaymentError'
      amount = 0
    }
    const types = new TypeRegistry()
      .register('shop.Money', Money, { encode: (m) => m.cents, decode: (c) => new Money(c as number) })
      .register('shop.PaymentError', PaymentError)
    const c = jsonCodec({ types })
    const out = roundTrip(
      { price: new Money(250), err: Object.assign(new PaymentError('declined'), { amount: 250 }) },
      c,
    )
    expect(out.price).toBeInstanceOf(Money)
    expect(out.price.cents).toBe(250)
    expect(out.err).toBeInstanceOf(PaymentError)
    expect([out.err.message, out.err.amount, out.err.name]).toEqual(['declined', 250, 'PaymentError'])
  })

  it('refuses an unregistered subclass of a class registered with the default encoding', () => {
    class Base {
      a = 1
    }
    class Derived extends Base {}
    const c = jsonCodec({ types: new TypeRegistry().register('t.Base', Base) })
    const e = codecErrorOf(() => enc({ items: [new Derived()] }, c))
    expect(e.path).toBe('msg.items[0]')
    expect(e.message).toContain('class Derived, which is not registered (its base Base is, as "t.Base"')
  })
})

describe('jsonCodec: encode refuses what it cannot send, naming the path', () => {
  it('an instance of an unregistered class, naming the class', () => {
    class Socket {
      fd = 3
    }
    const e = codecErrorOf(() => enc({ items: [1, 2, 3, { owner: new Socket() }] }))
    expect([e.path, e.code, e.name]).toEqual(['msg.items[3].owner', 'ERR_VERDANT_CODEC', 'CodecError'])
    expect(e.message).toBe(
      "cannot encode msg.items[3].owner: an instance of class Socket, which is not registered in the codec's TypeRegistry",
    )
    expect(e).toBeInstanceOf(VerdantError)
  })

  it('functions and symbols', () => {
    const f = codecErrorOf(() => enc({ handlers: { onDone() {} } }))
    expect(f.path).toBe('msg.handlers.onDone')
    expect(f.message).toContain('function onDone cannot be sent')
    const s = codecErrorOf(() => enc({ list: [1, 2, Symbol('k')] }))
    expect(s.path).toBe('msg.list[2]')
    expect(s.message).toContain('Symbol(k) cannot be sent')
    expect(codecErrorOf(() => enc(new Map([['k', () => 1]]))).path).toBe('msg.get("k")')
    expect(codecErrorOf(() => enc(new Set([1, () => 1]))).path).toBe('msg.values()[1]')
    expect(codecErrorOf(() => enc({ 'a b': [() => 1] })).path).toBe('msg["a b"][0]')
  })

  it('cycles, naming the path to the cycle and where it leads', () => {
    const a: Record<string, unknown> = {}
    a.b = { c: a }
    expect(codecErrorOf(() => enc({ a })).message).toBe(
      'cannot encode msg.a.b.c: cycle at msg.a.b.c -> msg.a',
    )
    const root: Record<string, unknown> = {}
    root.list = [{ parent: root }]
    const e = codecErrorOf(() => enc(root))
    expect(e.message).toBe('cannot encode msg.list[0].parent: cycle at msg.list[0].parent -> msg')
    expect(e.path).toBe('msg.list[0].parent')
    const m = new Map<string, unknown>()
    m.set('self', m)
    expect(codecErrorOf(() => enc({ m })).message).toContain('cycle at msg.m.get("self") -> msg.m')
    const err = new Error('loop')
    err.cause = err
    expect(codecErrorOf(() => enc(err)).message).toContain('cycle at msg.cause -> msg')
  })

  it('__proto__, constructor and prototype keys', () => {
    const own = JSON.parse('{"ok":{"__proto__":1}}') as object
    expect(codecErrorOf(() => enc(own)).path).toBe('msg.ok.__proto__')
    expect(codecErrorOf(() => enc({ car: { constructor: 'Ferrari' } })).message).toBe(
      'cannot encode msg.car.constructor: the key "constructor" is refused (decoders never set it; use a Map)',
    )
    expect(codecErrorOf(() => enc({ prototype: 1 })).path).toBe('msg.prototype')
    expect(
      roundTrip(
        new Map([
          ['constructor', 1],
          ['__proto__', 2],
        ]),
      ),
    ).toEqual(
      new Map([
        ['constructor', 1],
        ['__proto__', 2],
      ]),
    )
  })

  it('nesting deeper than maxDepth, and exactly maxDepth is fine', () => {
    let deep: unknown = 0
    for (let i = 0; i < 600; i++) deep = { d: deep }
    const e = codecErrorOf(() => enc(deep))
    expect(e.message).toMatch(/nested deeper than 512 levels$/)
    expect(e.path).toBe(`msg${'.d'.repeat(512)}`)
    const shallow = jsonCodec({ maxDepth: 3 })
    expect(roundTrip({ a: { b: [0] } }, shallow)).toEqual({ a: { b: [0] } })
    expect(codecErrorOf(() => enc({ a: { b: [{}] } }, shallow)).path).toBe('msg.a.b[0]')
  })

  it('wraps what a RefCodec or a registered encode throws, as the cause', () => {
    const boom = new Error('boom')
    const bad: RefCodec = { encodeRef: thrower(boom), decodeRef: thrower(boom) }
    const e = codecErrorOf(() => codec.encode({ to: new FakeRef('n', '/p') }, bad))
    expect([e.path, e.cause]).toEqual(['msg.to', boom])
    class Odd {
      n = 1
    }
    const c = jsonCodec({ types: new TypeRegistry().register('t.Odd', Odd, { encode: thrower(boom) }) })
    const u = codecErrorOf(() => enc([new Odd()], c))
    expect(u.message).toBe('cannot encode msg[0]: the encode function of "t.Odd" threw: Error: boom')
    expect(u.cause).toBe(boom)
  })
})

describe('jsonCodec: decode refuses hostile and broken frames', () => {
  // One case a line: the path the error must name, then the frame; EVIL is the payload of the attack.
  const hostile = `
    msg.__proto__            {"__proto__":EVIL}
    msg.a[0].__proto__       {"a":[{"__proto__":EVIL}]}
    msg.constructor          {"constructor":{"prototype":EVIL}}
    msg.x.prototype          {"x":{"prototype":EVIL}}
    msg.get("k").__proto__   {"~":"$Map","v":["k",{"__proto__":EVIL}]}
    msg.__proto__            {"~":"$Object","v":{"~":1,"__proto__":EVIL}}
    msg.__proto__            {"~":"$NullProto","v":{"__proto__":EVIL}}
    msg.__proto__            {"~":"$Error","v":{"class":"$Error","name":"E","message":"m","props":{"__proto__":EVIL}}}
    msg.constructor          {"~":"geo.Point","v":{"constructor":EVIL}}`
  for (const line of hostile.trim().split('\n')) {
    const [path = '', json = ''] = line.trim().split(/\s+/)
    it(`refuses ${json} and pollutes nothing`, () => {
      const e = codecErrorOf(() =>
        dec(frame(json.replaceAll('EVIL', '{"polluted":1}')), jsonCodec({ types: withPoint() })),
      )
      expect(e.path).toBe(path)
      expect(e.message).toMatch(/the key "(__proto__|constructor|prototype)" is refused$/)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false)
    })
  }

  it('garbage bytes, truncated JSON and an empty frame', () => {
    const garbage = codecErrorOf(() => dec(new Uint8Array([0xff, 0xfe, 0x00, 0x81])))
    expect(garbage.message).toBe('cannot decode: the frame is not UTF-8 text')
    const truncated = codecErrorOf(() => dec(frame('{"a":[1,2')))
    expect(truncated.message).toMatch(/^cannot decode: the frame is not JSON \(/)
    expect(truncated.cause).toBeInstanceOf(SyntaxError)
    expect(codecErrorOf(() => dec(new Uint8Array(0))).message).toMatch(/not JSON/)
  })

  it('a tag that is not the first key', () => {
    const e = codecErrorOf(() => dec(frame('{"x":{"a":1,"~":"$Date","v":1}}')))
    expect(e.path).toBe('msg.x["~"]')
    expect(e.message).toBe('cannot decode msg.x["~"]: malformed tag: "~" must be the first key')
  })

  it('an unknown type tag, built in or not', () => {
    const e = codecErrorOf(() => dec(frame('{"p":{"~":"geo.Nope","v":{}}}')))
    expect(e.path).toBe('msg.p')
    expect(e.message).toBe(
      'cannot decode msg.p: unknown type tag "geo.Nope" (register its class in the TypeRegistry of the receiving codec)',
    )
    expect(codecErrorOf(() => dec(frame('[{"~":"$Regex","v":"a"}]'))).message).toContain(
      'unknown built-in type tag "$Regex"',
    )
  })

  // One case a line: the frame under "x", then the message.
  const malformed = `
    {"~":5}                              malformed tag: expected a string under "~", got 5
    {"~":"$Date","v":1,"w":2}            malformed $Date: a tag has only "v" beside it
    {"~":"$undefined","v":1}             malformed $undefined: it has no "v"
    {"~":"$Date","v":"2020"}             malformed $Date: expected a number of ms or null, got "2020"
    {"~":"$BigInt","v":"12abc"}          malformed $BigInt: expected a decimal integer string, got "12abc"
    {"~":"$BigInt","v":""}               malformed $BigInt: expected a decimal integer string, got ""
    {"~":"$Number","v":"5"}              malformed $Number: expected "NaN", "Infinity", "-Infinity" or "-0", got "5"
    {"~":"$Map","v":[1]}                 malformed $Map: expected an array of keys and values, got [object Array]
    {"~":"$Set","v":{}}                  malformed $Set: expected an array, got [object Object]
    {"~":"$Uint8Array","v":"AQ?D"}       malformed $Uint8Array: expected a base64 string, got "AQ?D"
    {"~":"$Float64Array","v":"AQID"}     malformed $Float64Array: expected a whole number of 8-byte elements, got "3 bytes"
    {"~":"$Error","v":{"class":"$Error","name":"E"}}   malformed $Error: expected string fields class, name and message, got [object Object]
    {"~":"$Error","v":{"class":"$Error","name":"E","message":"m","x":1}}   malformed $Error: unexpected field "x"
    {"~":"$NullProto","v":[1]}           malformed $NullProto: expected an object, got [object Array]
    {"~":"geo.Point","v":5}              malformed geo.Point: expected an object of fields, got 5`
  for (const line of malformed.trim().split('\n')) {
    const [, json = '', message = ''] = /^\s*(\S+)\s+(.*)$/.exec(line) ?? []
    it(`a malformed extension: ${json}`, () => {
      const e = codecErrorOf(() => dec(frame(`{"x":${json}}`), jsonCodec({ types: withPoint() })))
      expect(e.path).toBe('msg.x')
      expect(e.message).toBe(`cannot decode msg.x: ${message}`)
    })
  }

  it('enormous nesting depth, as a CodecError and not a stack overflow', () => {
    const arrays = codecErrorOf(() => dec(frame('['.repeat(100_000) + ']'.repeat(100_000))))
    expect(arrays.message).toMatch(/nested deeper than 512 levels$/)
    expect(arrays.path).toBe(`msg${'[0]'.repeat(512)}`)
    const objects = codecErrorOf(() => dec(frame('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000))))
    expect(objects.message).toMatch(/nested deeper than 512 levels$/)
    let ok = '0'
    for (let i = 0; i < 512; i++) ok = `[${ok}]`
    expect(dec(frame(ok))).toBeInstanceOf(Array)
  })

  it('wraps what the RefCodec throws for a malformed ref, naming the path', () => {
    const e = codecErrorOf(() => dec(frame('{"to":{"~":"$ref","v":{"node":1}}}')))
    expect(e.path).toBe('msg.to')
    expect(e.cause).toBeInstanceOf(CodecError)
    expect(e.message).toBe('cannot decode msg.to: CodecError: malformed ref')
    expect(codecErrorOf(() => codec.decode(frame('{"~":"$ref","v":1}'), noRefs)).message).toContain(
      'no RefCodec was given',
    )
  })

  it('ignores enumerable properties someone added to Object.prototype, both ways', () => {
    // Inherited enumerable keys, one of them the tag marker: for-in lists them with the own keys.
    for (const key of ['injected', '~']) {
      Object.defineProperty(Object.prototype, key, {
        value: '$Date',
        enumerable: true,
        configurable: true,
        writable: true,
      })
    }
    let out: { a: object; e: object; d: Date }
    try {
      out = roundTrip({ a: { b: 1 }, e: {}, d: new Date(1) })
    } finally {
      for (const key of ['injected', '~']) delete (Object.prototype as Record<string, unknown>)[key]
    }
    expect(Object.keys(out)).toEqual(['a', 'e', 'd'])
    expect(Object.keys(out.a)).toEqual(['b'])
    expect(Object.keys(out.e)).toEqual([])
    expect(Object.getPrototypeOf(out.e)).toBe(Object.prototype)
    expect(out.d).toEqual(new Date(1))
  })
})

describe('TypeRegistry and jsonCodec options', () => {
  class A {
    a = 1
  }
  class B {
    b = 1
  }

  it('looks classes and tags up both ways', () => {
    const types = new TypeRegistry().register('t.A', A)
    expect(types.tagOf(A)).toBe('t.A')
    expect(types.classOf('t.A')).toBe(A)
    expect(types.tagOf(B)).toBeUndefined()
    expect(types.register('t.A', A)).toBe(types)
  })

  it('refuses reserved, empty and duplicate tags, non-classes and bad options', () => {
    const types = new TypeRegistry().register('t.A', A)
    expect(() => types.register('$A', B)).toThrow(/reserved for built-in types/)
    expect(() => types.register('', B)).toThrow(TypeError)
    expect(() => types.register('t.A', B)).toThrow('Type tag "t.A" is already registered for class A')
    expect(() => types.register('t.A2', A)).toThrow('Class A is already registered as "t.A"')
    expect(() => types.register('t.F', (() => 1) as never)).toThrow(/Expected `ctor` to be a class/)
    expect(() => types.register('t.B', B, { encode: 1 as never })).toThrow(/opts.encode/)
    expect(() => jsonCodec({ maxDepth: 0 })).toThrow(RangeError)
    expect(() => jsonCodec({ types: {} as never })).toThrow(/a TypeRegistry/)
    expect(() => codec.encode(1, {} as never)).toThrow(/a RefCodec/)
    expect(() => codec.decode('{}' as never, refs)).toThrow(/a Uint8Array/)
  })
})
