/**
 * `PriorityQueue`: lowest first by a comparator, FIFO among equals (gevent / asyncio
 * `PriorityQueue`).
 *
 * @module
 */
import { BinaryHeap } from '../platform/binary-heap.js'
import { typeError } from '../errors.js'
import { checkQueueOptions, Queue, type QueueOptions } from './queue.js'

/** Options of `PriorityQueue`. @since 0.1.0 */
export interface PriorityQueueOptions<T> extends QueueOptions<T> {
  /** Orders items: negative when `a` comes first. Default: `<` on the items. */
  readonly compare?: ((a: T, b: T) => number) | undefined
}

interface Entry<T> {
  readonly item: T
  readonly seq: number
}

function defaultCompare(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (b as number) < (a as number) ? 1 : 0
}

/**
 * A queue that gives the smallest item first (by `compare`), and equal items in insertion order.
 * @example
 * const jobs = new PriorityQueue<{ priority: number; name: string }>({ compare: (a, b) => a.priority - b.priority })
 * @since 0.1.0
 */
export class PriorityQueue<T> extends Queue<T> {
  // Declared, not initialised: the base constructor may push `items` before subclass fields exist.
  /** @internal */ declare _heap: BinaryHeap<Entry<T>> | undefined
  /** @internal */ declare _seq: number | undefined
  /** @internal */ declare _compare: ((a: T, b: T) => number) | undefined

  constructor(opts?: PriorityQueueOptions<T>) {
    const items = checkQueueOptions(opts)
    const compare: unknown = opts?.compare ?? defaultCompare
    if (typeof compare !== 'function') throw typeError('compare', 'a function', compare)
    super({ maxsize: opts?.maxsize, items: undefined })
    this._compare = compare as (a: T, b: T) => number
    if (items !== undefined) for (const item of items) this.putNowait(item)
  }

  /** @internal */ override _storeSize(): number {
    return this._heap?.size ?? 0
  }

  /** @internal */ override _storePush(item: T): void {
    const heap = (this._heap ??= new BinaryHeap<Entry<T>>((a, b) => this.#before(a, b)))
    const seq = (this._seq = (this._seq ?? 0) + 1)
    heap.push({ item, seq })
  }

  /** @internal */ override _storePop(): T {
    return (this._heap?.pop() as Entry<T>).item
  }

  /** @internal */ override _storePeek(): T {
    return (this._heap?.peek() as Entry<T>).item
  }

  /** @internal */ override _drainStore(): T[] {
    const out: T[] = []
    while (this._storeSize() > 0) out.push(this._storePop())
    return out
  }

  #before(a: Entry<T>, b: Entry<T>): boolean {
    const c = (this._compare ?? defaultCompare)(a.item, b.item)
    return c < 0 || (c === 0 && a.seq < b.seq)
  }
}
