/**
 * `Queue<T>`: a FIFO queue with blocking `put`/`get` (gevent `Queue`, asyncio `Queue`), the base of
 * `LifoQueue`, `PriorityQueue`, `JoinableQueue` and `Channel`.
 *
 * Hand-off is direct: a `put` with a getter waiting gives the item to that getter, and a `get` that
 * frees a slot moves the first blocked putter's item in. Waiters are served in arrival order. An
 * undone wait (kill, signal, timeout) leaves the wait-list before any hand-off can reach it, so an
 * item is either in the queue or delivered to exactly one getter, never lost or doubled.
 *
 * @module
 */
import {
  checkCount,
  checkIterable,
  checkOptions,
  checkSignal,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  TimeoutError,
  typeError,
} from '../errors.js'
import type { WaitOptions } from '../core/future.js'
import { ready, type Resume, type Wait } from '../core/op.js'
import { mayFinishAtCall, named, ParkOp, type Waiter, WaitList } from '../sync/wait-list.js'
import { observe } from '../platform/observed.js'
import { RingBuffer } from './ring-buffer.js'

/** Options of a queue. @since 0.1.0 */
export interface QueueOptions<T> {
  /** The most items it holds; `put` blocks while full. Default: unbounded (`Infinity`). */
  readonly maxsize?: number | undefined
  /** Items to start with. */
  readonly items?: Iterable<T> | undefined
  /** Names it for the observer page (`verdant/observer`), which shows named queues. @since 0.3.0 */
  readonly name?: string | undefined
}

/** Options of `shutdown`. @since 0.1.0 */
export interface ShutdownOptions {
  /** Drop the items still queued (they are returned) instead of letting getters drain them. */
  readonly immediate?: boolean | undefined
}

class PutOp<T> extends ParkOp<void> {
  constructor(
    readonly queue: Queue<T>,
    readonly item: T,
    opts: WaitOptions | undefined,
  ) {
    super(opts)
  }
  protected tryNow(resume: Resume<void>): boolean {
    const q = this.queue
    if (q._closed) {
      resume(false, new QueueShutDown('put() on a queue that was shut down', [this.item]))
      return true
    }
    if (!q._offer(this.item)) return false
    resume(true, undefined)
    return true
  }
  protected list(): WaitList<void> {
    return this.queue._putters
  }
  protected override data(): unknown {
    return this.item
  }
  protected timedOut(resume: Resume<void>, ms: number): void {
    resume(false, new TimeoutError(`put() timed out after ${ms} ms: the queue stayed full`))
  }
}

class GetOp<T> extends ParkOp<T> {
  constructor(
    readonly queue: Queue<T>,
    opts: WaitOptions | undefined,
  ) {
    super(opts)
  }
  protected tryNow(resume: Resume<T>): boolean {
    const q = this.queue
    if (q._available() > 0) {
      resume(true, q._take())
      return true
    }
    if (q._closed) {
      resume(false, new QueueShutDown('get() on a queue that was shut down and is empty'))
      return true
    }
    return false
  }
  protected list(): WaitList<T> {
    return this.queue._getters
  }
  protected timedOut(resume: Resume<T>, ms: number): void {
    resume(false, new TimeoutError(`get() timed out after ${ms} ms: the queue stayed empty`))
  }
}

/**
 * Checks the options every queue shares and returns its initial `items`, so a bad option throws
 * before any item is put. @internal
 */
export function checkQueueOptions<T>(opts: QueueOptions<T> | undefined): Iterable<T> | undefined {
  if (opts === undefined) return undefined
  if (typeof opts !== 'object' || opts === null) throw typeError('opts', 'an options object', opts)
  if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name === '')) {
    throw typeError('name', 'a non-empty string', opts.name)
  }
  if (opts.items === undefined) return undefined
  return checkIterable('items', opts.items, 'an iterable of items', { strings: true }) as Iterable<T>
}

/**
 * A first-in first-out queue; `put` blocks while it is full, `get` while it is empty.
 *
 * **Cancellation**: an undone `get` takes no item; an undone `put` adds none (its item is not
 * queued). Whatever was handed over before is the caller's.
 * **Throws**: `RangeError` for a bad `maxsize`, `TypeError` for `items` that is not iterable; `QueueFull` / `QueueEmpty` from the `Nowait` forms;
 * `TimeoutError` when a `put` or `get` runs out of its `timeout` (as asyncio's `wait_for`; gevent
 * raises `Full` / `Empty`), so one `catch` handles every timed wait; `QueueShutDown` after
 * `shutdown()`.
 * @example
 * const q = new Queue<string>({ maxsize: 100 })
 * spawn(async () => { for await (const job of q) console.log(job) })
 * await q.put('a')
 * q.shutdown() // the consumer drains 'a', then its loop ends
 * @since 0.1.0
 */
export class Queue<T> implements AsyncIterable<T> {
  /** The most items it holds (`Infinity`: unbounded). */
  readonly maxsize: number
  /** Its name, if it was given one (the observer page shows named queues). @since 0.3.0 */
  readonly name: string | undefined = undefined
  /** @internal */ readonly _getters = new WaitList<T>(this)
  /** @internal */ readonly _putters = new WaitList<void>(this)
  /** @internal What a task parked in one of its lists waits for. */
  _waitLabel(list: WaitList<never>): string {
    return `${named('queue', this.name)}: ${list === (this._getters as WaitList<unknown>) ? 'get' : 'put'}`
  }
  /** @internal */ _closed = false
  readonly #store = new RingBuffer<T>()

  constructor(opts?: QueueOptions<T>) {
    const items = checkQueueOptions(opts)
    const maxsize = checkCount('maxsize', opts?.maxsize ?? Infinity, 1, {
      infinite: true,
      hint: '; for a rendezvous use Channel',
    })
    this.maxsize = this._capacity(maxsize)
    if (items !== undefined) for (const item of items) this.putNowait(item)
    const name = opts?.name
    if (name !== undefined) {
      this.name = name
      observe('queue', this)
    }
  }

  /** Items queued now. */
  get size(): number {
    return this._storeSize()
  }

  /** True when no item is queued. */
  get empty(): boolean {
    return this._storeSize() === 0
  }

  /** True when `put` would block. */
  get full(): boolean {
    return this._storeSize() >= this.maxsize
  }

  /** True after `shutdown()`. */
  get isShutDown(): boolean {
    return this._closed
  }

  /**
   * Puts `item`, waiting while the queue is full. A put that finds room (or a waiting getter) is
   * done at the call and returns a settled promise; one that must wait starts when awaited.
   */
  put(item: T, opts?: WaitOptions): Wait<void> {
    if (!this._closed && mayFinishAtCall(opts) && this._offer(item)) return ready(undefined)
    return new PutOp(this, item, opts)
  }

  /** Puts `item` or throws `QueueFull` (or `QueueShutDown`) at once. */
  putNowait(item: T): void {
    if (this._closed) throw new QueueShutDown('putNowait() on a queue that was shut down', [item])
    if (!this._offer(item)) throw new QueueFull(`putNowait() on a full queue (maxsize ${this.maxsize})`, item)
  }

  /**
   * Takes the next item, waiting while the queue is empty. A get that finds an item takes it at
   * the call and returns a settled promise; one that must wait starts when awaited, so a wait
   * that is never awaited takes nothing.
   */
  get(opts?: WaitOptions): Wait<T> {
    if (this._available() > 0 && mayFinishAtCall(opts)) return ready(this._take())
    return new GetOp(this, opts)
  }

  /** Takes the next item or throws `QueueEmpty` (or `QueueShutDown` once shut down and empty). */
  getNowait(): T {
    if (this._available() > 0) return this._take()
    if (this._closed) throw new QueueShutDown('getNowait() on a queue that was shut down and is empty')
    throw new QueueEmpty('getNowait() on an empty queue')
  }

  /** The next item without taking it. **Throws** `QueueEmpty` when empty. */
  peek(): T {
    if (this._storeSize() === 0) throw new QueueEmpty('peek() on an empty queue')
    return this._storePeek()
  }

  /**
   * Shuts the queue down (Python 3.13): later `put`s throw `QueueShutDown`, blocked putters get it
   * now (with their item), getters drain what is left and then get it. With `immediate`, the items
   * still queued are dropped and returned, and blocked getters get `QueueShutDown` at once.
   */
  shutdown(opts?: ShutdownOptions): T[] {
    this._closed = true
    for (const w of this._putters.drain()) {
      w.resume(false, new QueueShutDown('the queue was shut down before this put()', [w.data]))
    }
    const dropped = opts?.immediate === true ? this._drainStore() : []
    if (dropped.length > 0) this._dropped(dropped)
    if (this._storeSize() === 0) this.#failGetters()
    return dropped
  }

  /** Gets items until the queue is shut down and drained (`iterate()` without a signal). */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.iterate()[Symbol.asyncIterator]()
  }

  /**
   * Gets items until the queue is shut down and drained. With `{signal: ctx.signal}` a kill of the
   * task ends the loop with its error, and the pending `get` leaves no waiter behind.
   * @example
   * for await (const job of queue.iterate({ signal: ctx.signal })) await handle(job)
   */
  iterate(opts?: { signal?: AbortSignal | undefined }): AsyncGenerator<T, void, undefined> {
    // Checked here, not in the generator: its body runs only at the first `next()`.
    const signal = checkSignal(checkOptions(opts)?.signal)
    return this.#iterate(signal === undefined ? undefined : { signal })
  }

  async *#iterate(getOpts: WaitOptions | undefined): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T
      try {
        item = await this.get(getOpts)
      } catch (err) {
        if (err instanceof QueueShutDown) return
        throw err
      }
      yield item
    }
  }

  /** Queued items and waiting tasks. */
  stats(): Readonly<{ size: number; maxsize: number; getters: number; putters: number; shutDown: boolean }> {
    return Object.freeze({
      size: this._storeSize(),
      maxsize: this.maxsize,
      getters: this._getters.size,
      putters: this._putters.size,
      shutDown: this._closed,
    })
  }

  /** @internal Adds an item if there is room (or a getter to take it); false if full. */
  _offer(item: T): boolean {
    const getter = this._getters.shift()
    if (getter !== undefined) {
      this._accepted(item)
      getter.resume(true, item)
      return true
    }
    if (this._storeSize() >= this.maxsize) return false
    this._storePush(item)
    this._accepted(item)
    return true
  }

  /** @internal Items a `get` can take now: queued ones, or a blocked putter's. */
  _available(): number {
    return this._storeSize() + (this.maxsize === 0 ? this._putters.size : 0)
  }

  /** @internal Takes the next item and lets the first blocked putter in. */
  _take(): T {
    if (this._storeSize() === 0) {
      // A rendezvous: take the blocked putter's item directly.
      const putter = this._putters.shift() as Waiter<void>
      const item = putter.data as T
      this._accepted(item)
      putter.resume(true, undefined)
      return item
    }
    const item = this._storePop()
    const putter = this._putters.shift()
    if (putter !== undefined) {
      this._storePush(putter.data as T)
      this._accepted(putter.data as T)
      putter.resume(true, undefined)
    } else if (this._closed && this._storeSize() === 0) {
      this.#failGetters()
    }
    return item
  }

  /** A shut-down queue is drained: every blocked getter gets `QueueShutDown`. */
  #failGetters(): void {
    for (const w of this._getters.drain()) w.resume(false, new QueueShutDown('the queue was shut down'))
  }

  // The store: FIFO here; LifoQueue and PriorityQueue override these five.
  /** @internal */ _storeSize(): number {
    return this.#store.size
  }
  /** @internal */ _storePush(item: T): void {
    this.#store.push(item)
  }
  /** @internal */ _storePop(): T {
    return this.#store.shift() as T
  }
  /** @internal */ _storePeek(): T {
    return this.#store.peekFirst() as T
  }
  /** @internal */ _drainStore(): T[] {
    return this.#store.drain()
  }
  /** @internal The capacity for a validated `maxsize` (Channel says 0). */
  _capacity(maxsize: number): number {
    return maxsize
  }
  /** @internal An item entered the queue (JoinableQueue counts it). */
  _accepted(_item: T): void {}
  /** @internal Items an immediate shutdown dropped (JoinableQueue settles them). */
  _dropped(_items: T[]): void {}
}

/**
 * A last-in first-out queue (gevent / asyncio `LifoQueue`).
 * @example
 * const stack = new LifoQueue<number>({ items: [1, 2, 3] })
 * stack.getNowait() // 3
 * @since 0.1.0
 */
export class LifoQueue<T> extends Queue<T> {
  // Declared, not initialised: the base constructor may push `items` before subclass fields exist.
  /** @internal */ declare _stack: T[] | undefined
  /** @internal */ override _storeSize(): number {
    return this._stack?.length ?? 0
  }
  /** @internal */ override _storePush(item: T): void {
    ;(this._stack ??= []).push(item)
  }
  /** @internal */ override _storePop(): T {
    return this._stack?.pop() as T
  }
  /** @internal */ override _storePeek(): T {
    const s = this._stack ?? []
    return s[s.length - 1] as T
  }
  /** @internal */ override _drainStore(): T[] {
    return (this._stack ?? []).splice(0).reverse()
  }
}
