import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type PendingJob, PendingHeap } from '../../../src/pool/pending-heap.js'

describe('PendingHeap', () => {
  it('gives the highest priority first, FIFO among equals, skipping killed jobs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ priority: fc.integer({ min: -2, max: 2 }), killed: fc.boolean() }), {
          maxLength: 200,
        }),
        (specs) => {
          const heap = new PendingHeap()
          const jobs: PendingJob[] = specs.map((s, seq) => ({
            priority: s.priority,
            seq,
            dead: false,
            start: () => undefined,
          }))
          for (const j of jobs) heap.push(j)
          specs.forEach((s, i) => {
            if (s.killed) heap.kill(jobs[i] as PendingJob)
          })
          const expected = jobs
            .filter((_, i) => !specs[i]?.killed)
            .sort((a, b) => b.priority - a.priority || a.seq - b.seq)
          expect(heap.live).toBe(expected.length)
          const got: PendingJob[] = []
          for (let j = heap.shift(); j !== undefined; j = heap.shift()) got.push(j)
          expect(got).toEqual(expected)
          expect(heap.live).toBe(0)
        },
      ),
    )
  })
})
