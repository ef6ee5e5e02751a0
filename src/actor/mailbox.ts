/**
 * Mailboxes other than the default unbounded FIFO (which lives inline in the cell, for speed):
 * bounded with an overflow policy, and priority.
 *
 * Messages travel with their sender slot. Every message a mailbox drops goes to dead letters.
 *
 * @module
 */
import { checkCount, describe, typeError } from '../errors.js'
import { BinaryHeap } from '../platform/binary-heap.js'
import { RingBuffer } from '../queue/ring-buffer.js'
import type { SenderSlot } from './actor-ref.js'

/**
 * What a bounded mailbox does with a message that does not fit: `dropNewest` drops it,
 * `dropOldest` drops the oldest queued one to make room, `fail` throws `MailboxFullError` at the
 * sender, `backpressure` makes `tell` return a promise that waits for room.
 * @since 0.1.0
 */
export type OverflowPolicy = 'dropNewest' | 'dropOldest' | 'fail' | 'backpressure'

/**
 * A mailbox: bounded (`{capacity, overflow}`, default overflow `dropNewest`), priority
 * (`{priority: compare}`, lower first, FIFO among equals; may also be bounded without
 * `dropOldest`), or unbounded (omitted).
 * @since 0.1.0
 */
export type MailboxOptions<M> =
  | {
      readonly capacity: number
      readonly overflow?: OverflowPolicy | undefined
      readonly priority?: undefined
    }
  | {
      readonly priority: (a: M, b: M) => number
      readonly capacity?: number | undefined
      readonly overflow?: Exclude<OverflowPolicy, 'dropOldest'> | undefined
    }

/** Where a dropped message goes. @internal */
export type DropFn = (msg: unknown, sender: SenderSlot | undefined) => void

/** @internal A mailbox kept outside the cell. */
export interface Mailbox {
  readonly capacity: number
  readonly overflow: OverflowPolicy
  readonly size: number
  /** Appends; the caller checked there is room or the policy allows going over. */
  push(msg: unknown, sender: SenderSlot | undefined): void
  /** Removes the first message; its sender is then in `sender`. */
  take(): unknown
  sender: SenderSlot | undefined
  /** Removes the oldest message and gives it to `drop` (only for FIFO mailboxes). */
  dropOldest(drop: DropFn): void
  /** Puts messages back in front, first to last (stash). */
  prepend(items: readonly unknown[]): void
  /** Removes every message, first to last, as msg/sender pairs. */
  drain(): unknown[]
}

class FifoMailbox implements Mailbox {
  readonly #ring = new RingBuffer<unknown>()
  sender: SenderSlot | undefined
  constructor(
    readonly capacity: number,
    readonly overflow: OverflowPolicy,
  ) {}
  get size(): number {
    return this.#ring.size >> 1
  }
  push(msg: unknown, sender: SenderSlot | undefined): void {
    this.#ring.push(msg)
    this.#ring.push(sender)
  }
  take(): unknown {
    const msg = this.#ring.shift()
    this.sender = this.#ring.shift() as SenderSlot | undefined
    return msg
  }
  dropOldest(drop: DropFn): void {
    const msg = this.take()
    drop(msg, this.sender)
    this.sender = undefined
  }
  prepend(items: readonly unknown[]): void {
    for (let i = items.length - 1; i >= 0; i--) this.#ring.unshift(items[i])
  }
  drain(): unknown[] {
    return this.#ring.drain()
  }
}

interface Entry {
  readonly msg: unknown
  readonly sender: SenderSlot | undefined
  readonly seq: number
}

class PriorityMailbox implements Mailbox {
  readonly #heap: BinaryHeap<Entry>
  #seq = 0
  /** Sequence numbers below zero put stashed messages back ahead of their equals. */
  #front = 0
  sender: SenderSlot | undefined
  constructor(
    readonly capacity: number,
    readonly overflow: OverflowPolicy,
    compare: (a: unknown, b: unknown) => number,
  ) {
    this.#heap = new BinaryHeap<Entry>((a, b) => {
      const c = compare(a.msg, b.msg)
      return c < 0 || (c === 0 && a.seq < b.seq)
    })
  }
  get size(): number {
    return this.#heap.size
  }
  push(msg: unknown, sender: SenderSlot | undefined): void {
    this.#heap.push({ msg, sender, seq: this.#seq++ })
  }
  take(): unknown {
    const e = this.#heap.pop() as Entry
    this.sender = e.sender
    return e.msg
  }
  dropOldest(): void {
    throw new TypeError('a priority mailbox has no oldest message to drop')
  }
  prepend(items: readonly unknown[]): void {
    const base = this.#front - items.length / 2
    this.#front = base
    for (let i = 0; i < items.length; i += 2) {
      this.#heap.push({ msg: items[i], sender: items[i + 1] as SenderSlot | undefined, seq: base + i / 2 })
    }
  }
  drain(): unknown[] {
    const out: unknown[] = []
    while (this.#heap.size > 0) {
      const msg = this.take()
      out.push(msg, this.sender)
    }
    this.sender = undefined
    return out
  }
}

const POLICIES: readonly OverflowPolicy[] = ['dropNewest', 'dropOldest', 'fail', 'backpressure']

/** Builds the mailbox `opts` asks for, or null for the default unbounded one. @internal */
export function makeMailbox(opts: MailboxOptions<never> | undefined): Mailbox | null {
  if (opts === undefined) return null
  if (typeof opts !== 'object' || opts === null) throw typeError('mailbox', 'an options object', opts)
  const capacity = checkCount('capacity', opts.capacity ?? Infinity, 1, { infinite: true })
  const overflow = opts.overflow ?? 'dropNewest'
  if (!POLICIES.includes(overflow)) {
    throw new TypeError(
      `Expected mailbox \`overflow\` to be one of ${POLICIES.join(', ')}, got ${describe(overflow)}`,
    )
  }
  const priority: unknown = opts.priority
  if (priority !== undefined) {
    if (typeof priority !== 'function') {
      throw typeError('priority', 'a compare function', priority)
    }
    if (overflow === 'dropOldest') {
      throw new TypeError('a priority mailbox cannot use overflow `dropOldest`: it has no oldest message')
    }
    return new PriorityMailbox(capacity, overflow, priority as (a: unknown, b: unknown) => number)
  }
  if (capacity === Infinity) return null
  return new FifoMailbox(capacity, overflow)
}
