import { describe, expect, it } from 'vitest'
import { allTasks } from 'verdant'
import { runActorRestarts } from '../fixtures/soak-actors.mjs'
import { runSpawnKill, type HeapSamples } from '../fixtures/soak-spawn-kill.mjs'
import { activeResources, MB, mb, resourcesLeft } from '../fixtures/soak-util.mjs'

// The quick sizes of `scripts/soak.mjs`. A leak of a few dozen bytes per cycle (a Set that keeps
// every task, a waiter never unlinked, a restart record never pruned) passes this bound over a run,
// while the heap of a clean run moves well under a megabyte.
const GROWTH_LIMIT = 3 * MB

const heapLine = (h: HeapSamples): string =>
  `heap after GC: ${mb(h.start)} → ${mb(h.mid)} → ${mb(h.end)} MB (start, middle, end)`

describe('soak: long runs keep a flat heap and leave nothing behind', () => {
  it('200,000 tasks spawned, parked on every kind of wait and killed, in batches of 1,000', async () => {
    const before = activeResources()
    const r = await runSpawnKill({ cycles: 200_000, batch: 1000 })
    expect(r.problems).toEqual([])
    expect(r.cycles).toBeGreaterThanOrEqual(200_000)
    expect(r.counts.neverStarted).toBeGreaterThan(0)
    expect(r.heap.end - r.heap.start, heapLine(r.heap)).toBeLessThan(GROWTH_LIMIT)
    expect(await resourcesLeft(before)).toEqual([])
    expect(allTasks()).toEqual([])
  })

  it('500,000 actor messages, a crash and restart on every 10th, in batches of 10,000', async () => {
    const before = activeResources()
    const r = await runActorRestarts({ messages: 500_000, crashEvery: 10, batch: 10_000 })
    expect(r.problems).toEqual([])
    expect(r.restarts).toBe(50_000)
    expect(r.heap.end - r.heap.start, heapLine(r.heap)).toBeLessThan(GROWTH_LIMIT)
    expect(await resourcesLeft(before)).toEqual([])
    expect(allTasks()).toEqual([])
  })
})
