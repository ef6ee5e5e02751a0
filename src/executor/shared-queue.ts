/**
 * `SharedQueue`: a bounded FIFO of fixed-size records in a `SharedArrayBuffer`, usable from any
 * thread at once, so data streams to and from workers without a message per item.
 *
 * Layout: a header of Int32 words, then `capacity` slots of `recordSize` bytes. A spin lock guards
 * the indexes for the few instructions of a copy; waiting is on two sequence words (one bumped per
 * put, one per get) with `Atomics.waitAsync` on the async side and `Atomics.wait` on the blocking
 * side, which only worker threads may use.
 *
 * @module
 */
import {
  checkCount,
  checkMs,
  checkOptions,
  checkSignal,
  describe,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  TimeoutError,
  typeError,
} from '../errors.js'
import { abortError } from '../core/op.js'

/** The `performance.now()` a wait of `ms` ends at (`undefined` and `Infinity`: never). */
function deadlineAfter(name: string, ms: number | undefined): number {
  return ms === undefined ? Infinity : performance.now() + checkMs(name, ms)
}

const LOCK = 0
const HEAD = 1
const COUNT = 2
const CLOSED = 3
const PUTS = 4
const GETS = 5
const CAPACITY = 6
const RECORD = 7
const HEADER_WORDS = 8
const HEADER_BYTES = HEADER_WORDS * 4

/** `Atomics.waitAsync` (ES2024, in every supported Node), typed here for the ES2022 lib. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync: (
      a: Int32Array,
      i: number,
      v: number,
      t: number,
    ) => { async: false; value: string } | { async: true; value: Promise<string> }
  }
).waitAsync

/** How a record's value is written into and read from its bytes. @since 0.1.0 */
export interface RecordCodec<T> {
  /** Bytes per record. */
  readonly size: number
  encode(value: T, into: Uint8Array): void
  decode(from: Uint8Array): T
}

/** Options of `SharedQueue.create`. @since 0.1.0 */
export interface SharedQueueOptions<T> {
  /** Records it holds at most. */
  readonly capacity: number
  /** Bytes per record, for a queue of raw bytes. */
  readonly recordSize?: number | undefined
  /** A codec for typed records (its `size` is the record size). */
  readonly codec?: RecordCodec<T> | undefined
}

/** Options of a wait on a `SharedQueue`. @since 0.1.0 */
export interface SharedWaitOptions {
  readonly timeout?: number | undefined
  readonly signal?: AbortSignal | undefined
}

/**
 * Records of `n` float64 numbers, decoded as a `Float64Array` copy.
 * @since 0.1.0
 */
export function float64Records(n: number): RecordCodec<Float64Array> {
  checkCount('n', n, 1)
  return {
    size: n * 8,
    encode(value, into) {
      into.set(new Uint8Array(value.buffer, value.byteOffset, n * 8))
    },
    decode(from) {
      return new Float64Array(from.slice().buffer)
    },
  }
}

function bytes(size: number): RecordCodec<Uint8Array> {
  return {
    size,
    encode(value, into) {
      if (value.byteLength > size) {
        throw new RangeError(`a record holds at most ${String(size)} bytes, got ${String(value.byteLength)}`)
      }
      into.fill(0)
      into.set(value)
    },
    decode(from) {
      return from.slice()
    },
  }
}

/**
 * A bounded queue of fixed-size records shared between threads. Make it with `create`, pass its
 * `buffer` to a worker (as a job argument), and attach there with `new SharedQueue(buffer, codec)`.
 *
 * @example
 * const q = SharedQueue.create({ capacity: 1024, codec: float64Records(2) })
 * const done = executor.submit(produce, q.buffer) // the worker calls q.putSync(...) and q.close()
 * for await (const [x, y] of q) plot(x, y)
 * @since 0.1.0
 */
export class SharedQueue<T = Uint8Array> implements AsyncIterable<T> {
  /** The shared memory; send it to another thread to share the queue. */
  readonly buffer: SharedArrayBuffer
  /** Records it holds at most. */
  readonly capacity: number
  readonly #h: Int32Array
  readonly #data: Uint8Array
  readonly #codec: RecordCodec<T>
  readonly #size: number

  /** Makes a new queue. **Throws** `RangeError` for a capacity or record size below 1. */
  static create<T = Uint8Array>(opts: SharedQueueOptions<T>): SharedQueue<T> {
    // Required, so not `checkOptions`, which lets `undefined` through.
    if (typeof opts !== 'object' || (opts as unknown) === null) {
      throw typeError('opts', 'an options object', opts)
    }
    const capacity = opts.capacity
    const given = opts.codec as unknown
    if (given !== undefined && (typeof given !== 'object' || given === null)) {
      throw new TypeError(
        `SharedQueue.create() option \`codec\` must be a record codec, got ${describe(given)}`,
      )
    }
    const codec = opts.codec ?? (bytes(opts.recordSize ?? 0) as unknown as RecordCodec<T>)
    checkCount('capacity', capacity, 1)
    checkCount(opts.codec === undefined ? 'recordSize' : 'codec.size', codec.size, 1)
    const buffer = new SharedArrayBuffer(HEADER_BYTES + capacity * codec.size)
    const h = new Int32Array(buffer, 0, HEADER_WORDS)
    h[CAPACITY] = capacity
    h[RECORD] = codec.size
    return new SharedQueue(buffer, opts.codec)
  }

  /** Attaches to a queue made by `create`, in this or another thread. */
  constructor(buffer: SharedArrayBuffer, codec?: RecordCodec<T>) {
    if (!(buffer instanceof SharedArrayBuffer)) {
      throw new TypeError(
        `new SharedQueue(buffer) needs \`buffer\`, the SharedArrayBuffer of a queue, got ${describe(buffer)}`,
      )
    }
    this.buffer = buffer
    this.#h = new Int32Array(buffer, 0, HEADER_WORDS)
    this.capacity = this.#h[CAPACITY] ?? 0
    this.#size = this.#h[RECORD] ?? 0
    if (codec !== undefined && codec.size !== this.#size) {
      throw new RangeError(
        `the codec's record size ${String(codec.size)} differs from the queue's ${String(this.#size)}`,
      )
    }
    this.#codec = codec ?? (bytes(this.#size) as unknown as RecordCodec<T>)
    this.#data = new Uint8Array(buffer, HEADER_BYTES, this.capacity * this.#size)
  }

  /** Records in the queue now. */
  get size(): number {
    return Atomics.load(this.#h, COUNT)
  }

  /** True once `close()` was called, in any thread. */
  get closed(): boolean {
    return Atomics.load(this.#h, CLOSED) === 1
  }

  /**
   * Adds a record if there is room; false if full. **Throws** `QueueShutDown` once closed.
   */
  tryPut(value: T): boolean {
    const h = this.#h
    this.#lock()
    try {
      if (h[CLOSED] === 1) throw new QueueShutDown('put on a closed SharedQueue', [value])
      const count = h[COUNT] ?? 0
      if (count === this.capacity) return false
      const slot = ((h[HEAD] ?? 0) + count) % this.capacity
      this.#codec.encode(value, this.#data.subarray(slot * this.#size, (slot + 1) * this.#size))
      h[COUNT] = count + 1
    } finally {
      this.#unlock()
    }
    Atomics.add(h, PUTS, 1)
    Atomics.notify(h, PUTS)
    return true
  }

  /** Takes the oldest record, or `undefined` if empty (also once closed and drained). */
  tryGet(): T | undefined {
    const h = this.#h
    let value: T
    this.#lock()
    try {
      const count = h[COUNT] ?? 0
      if (count === 0) return undefined
      const head = h[HEAD] ?? 0
      value = this.#codec.decode(this.#data.subarray(head * this.#size, (head + 1) * this.#size))
      h[HEAD] = (head + 1) % this.capacity
      h[COUNT] = count - 1
    } finally {
      this.#unlock()
    }
    Atomics.add(h, GETS, 1)
    Atomics.notify(h, GETS)
    return value
  }

  /** `tryPut` or throw `QueueFull`. */
  putNowait(value: T): void {
    if (!this.tryPut(value)) throw new QueueFull('SharedQueue is full', value)
  }

  /** `tryGet` or throw `QueueEmpty` (`QueueShutDown` once closed and drained). */
  getNowait(): T {
    const v = this.tryGet()
    if (v !== undefined) return v
    if (this.closed) throw new QueueShutDown('SharedQueue is closed and drained')
    throw new QueueEmpty('SharedQueue is empty')
  }

  /**
   * Waits for room, then adds the record. Does not block the thread. **Throws** at the call for
   * bad options (`RangeError` for the timeout, `TypeError` for the signal).
   *
   * **Cancellation**: the record is written only once there is room, in one step: a put whose
   * signal aborts or whose timeout passes before that has added nothing.
   */
  put(value: T, opts: SharedWaitOptions = {}): Promise<void> {
    const deadline = deadlineAfter('timeout', checkOptions(opts).timeout)
    checkSignal(opts.signal)
    return this.#put(value, deadline, opts.signal)
  }

  async #put(value: T, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const seq = Atomics.load(this.#h, GETS)
      if (this.tryPut(value)) return
      await this.#waitAsync(GETS, seq, deadline, signal, () => new TimeoutError('SharedQueue put timed out'))
    }
  }

  /**
   * Waits for a record and takes it; `QueueShutDown` once closed and drained. Does not block.
   * **Throws** at the call for bad options, as `put` does.
   *
   * **Cancellation**: a record is taken only in the step that returns it: a get whose signal aborts
   * or whose timeout passes first has taken nothing, and the record stays for another reader.
   * Abandoning the promise after it resolved (not awaiting it) loses that record.
   */
  get(opts: SharedWaitOptions = {}): Promise<T> {
    const deadline = deadlineAfter('timeout', checkOptions(opts).timeout)
    checkSignal(opts.signal)
    return this.#get(deadline, opts.signal)
  }

  async #get(deadline: number, signal: AbortSignal | undefined): Promise<T> {
    for (;;) {
      const seq = Atomics.load(this.#h, PUTS)
      const v = this.tryGet()
      if (v !== undefined) return v
      if (this.closed) throw new QueueShutDown('SharedQueue is closed and drained')
      await this.#waitAsync(PUTS, seq, deadline, signal, () => new TimeoutError('SharedQueue get timed out'))
    }
  }

  /** Blocks this thread until there is room (worker threads only: the main thread may not block). */
  putSync(value: T, timeoutMs = Infinity): void {
    const deadline = deadlineAfter('timeoutMs', timeoutMs)
    for (;;) {
      const seq = Atomics.load(this.#h, GETS)
      if (this.tryPut(value)) return
      const left = deadline - performance.now()
      if (left <= 0) throw new TimeoutError('SharedQueue putSync timed out')
      Atomics.wait(this.#h, GETS, seq, left)
    }
  }

  /** Blocks this thread until a record arrives (worker threads only). */
  getSync(timeoutMs = Infinity): T {
    const deadline = deadlineAfter('timeoutMs', timeoutMs)
    for (;;) {
      const seq = Atomics.load(this.#h, PUTS)
      const v = this.tryGet()
      if (v !== undefined) return v
      if (this.closed) throw new QueueShutDown('SharedQueue is closed and drained')
      const left = deadline - performance.now()
      if (left <= 0) throw new TimeoutError('SharedQueue getSync timed out')
      Atomics.wait(this.#h, PUTS, seq, left)
    }
  }

  /** No more puts; getters drain what is left, then get `QueueShutDown`. Wakes every waiter. */
  close(): void {
    Atomics.store(this.#h, CLOSED, 1)
    Atomics.add(this.#h, PUTS, 1)
    Atomics.notify(this.#h, PUTS)
    Atomics.add(this.#h, GETS, 1)
    Atomics.notify(this.#h, GETS)
  }

  /** Takes records until the queue is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      try {
        yield await this.get()
      } catch (err) {
        if (err instanceof QueueShutDown) return
        throw err
      }
    }
  }

  async #waitAsync(
    word: number,
    seq: number,
    deadline: number,
    signal: AbortSignal | undefined,
    onTimeout: () => Error,
  ): Promise<void> {
    if (signal?.aborted === true) throw abortError(signal)
    const left = deadline - performance.now()
    if (left <= 0) throw onTimeout()
    const h = this.#h
    // Waits are sliced: a pending waitAsync cannot be withdrawn, so an abort wakes it with a
    // notify (harmless to other waiters, which re-check and wait again).
    const onAbort = (): void => {
      Atomics.notify(h, word)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const r = waitAsync(h, word, seq, Math.min(left, 1000))
      if (r.async) await r.value
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
    if (signal !== undefined && signal.aborted) throw abortError(signal)
  }

  #lock(): void {
    const h = this.#h
    while (Atomics.compareExchange(h, LOCK, 0, 1) !== 0) {
      // Held for a record copy only; yield the core briefly rather than spin hot.
      Atomics.wait(h, LOCK, 1, 0.01)
    }
  }

  #unlock(): void {
    Atomics.store(this.#h, LOCK, 0)
  }
}
