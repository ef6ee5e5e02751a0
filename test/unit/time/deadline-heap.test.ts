import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DeadlineHeap, TimerEntry } from '../../../src/platform/deadline-heap.js'

/** Adds a timer entry for `callback` due at `at`, as the clocks do. */
function push(heap: DeadlineHeap, at: number, callback: () => void): TimerEntry {
  const entry = new TimerEntry(at, callback)
  heap.add(entry)
  return entry
}

describe('DeadlineHeap', () => {
  it('pops entries by deadline, ties in insertion order', () => {
    const heap = new DeadlineHeap()
    const out: string[] = []
    push(heap, 5, () => out.push('b'))
    push(heap, 1, () => out.push('a'))
    push(heap, 5, () => out.push('c'))
    for (let e = heap.popDue(10); e; e = heap.popDue(10)) e.onTimer()
    expect(out).toEqual(['a', 'b', 'c'])
  })

  it('does not pop entries that are not due', () => {
    const heap = new DeadlineHeap()
    push(heap, 5, () => undefined)
    expect(heap.popDue(4)).toBeUndefined()
    expect(heap.liveCount).toBe(1)
  })

  it('skips cancelled entries and reports empty once the last live one is cancelled', () => {
    let empty = 0
    const heap = new DeadlineHeap(() => empty++)
    const a = push(heap, 1, () => undefined)
    const b = push(heap, 2, () => undefined)
    a.cancel()
    a.cancel()
    expect(heap.liveCount).toBe(1)
    expect(heap.peek()).toBe(b)
    b.cancel()
    expect(heap.liveCount).toBe(0)
    expect(heap.size).toBe(0)
    expect(empty).toBe(1)
  })

  it('keeps memory bounded by compacting when dead entries outnumber live ones', () => {
    const heap = new DeadlineHeap()
    const keep = push(heap, 1_000_000, () => undefined)
    for (let i = 0; i < 10_000; i++) push(heap, i, () => undefined).cancel()
    expect(heap.liveCount).toBe(1)
    expect(heap.size).toBeLessThanOrEqual(130)
    expect(heap.peek()).toBe(keep)
  })

  it('always pops live entries in (deadline, insertion) order under random cancels', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 50 }), cancel: fc.boolean() }), {
          maxLength: 300,
        }),
        (ops) => {
          const heap = new DeadlineHeap()
          const entries = ops.map((o, i) => ({ o, i, e: push(heap, o.at, () => undefined) }))
          for (const x of entries) if (x.o.cancel) x.e.cancel()
          const expected = entries
            .filter((x) => !x.o.cancel)
            .sort((p, q) => p.o.at - q.o.at || p.i - q.i)
            .map((x) => x.e)
          const got = []
          for (let e = heap.popDue(Infinity); e; e = heap.popDue(Infinity)) got.push(e)
          expect(got).toEqual(expected)
          expect(heap.liveCount).toBe(0)
        },
      ),
    )
  })
})
