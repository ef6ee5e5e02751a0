import { describe, expect, it } from 'vitest'
import { moveOnAfter, Queue, sleep, spawn, TimeoutError, withTimeout } from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { runInterleaving, runInterleavings } from '../fixtures/soak-interleavings.mjs'
import { hex } from '../fixtures/soak-util.mjs'

// The quick size of `scripts/soak.mjs`. SOAK_SEED picks other seeds; SOAK_REPLAY=<seed> runs the
// one interleaving a failure named.
const BASE_SEED = Number(process.env.SOAK_SEED ?? 0x5eed)
const REPLAY = process.env.SOAK_REPLAY

describe('faults: seeded interleavings of a bounded queue, semaphores, timeouts and kills', () => {
  // With SOAK_REPLAY set, the one interleaving it names runs instead, to debug a failure.
  it('5,000 interleavings lose, duplicate and leak nothing', async () => {
    if (REPLAY !== undefined) {
      const one = await runInterleaving(Number(REPLAY))
      expect(one.problems, one.problems.join('\n')).toEqual([])
      return
    }
    const r = await runInterleavings({ runs: 5000, seed: BASE_SEED })
    const replay =
      r.failedSeed === undefined
        ? ''
        : `\nreplay: SOAK_REPLAY=${hex(r.failedSeed)} npx vitest run test/faults/interleavings.test.ts`
    expect(r.problems, `${r.problems.join('\n')}${replay}`).toEqual([])
    expect(r.runs).toBe(5000)
    // The runs did reach the outcomes the checks are about.
    expect(r.accepted).toBeGreaterThan(0)
    expect(r.left).toBeGreaterThan(0)
    expect(r.refusals).toBeGreaterThan(0)
    expect(r.kills).toBeGreaterThan(0)
  })

  it('a seed gives the same run every time', async () => {
    const seed = 0xc0ffee
    const first = await runInterleaving(seed)
    expect(await runInterleaving(seed)).toEqual(first)
  })

  // A deadline call and the wait inside it may finish in the same clock tick: the producer's sleep
  // and the deadline are due together, the producer's put hands the item to the get, and then the
  // deadline fires before the get's result reached the call. The item left the queue and must not
  // vanish: the call gives it, or the get is undone and the item stays queued.
  it.each([
    ['withTimeout', (q: Queue<number>) => withTimeout(10, ({ signal }) => q.get({ signal }))],
    ['moveOnAfter', (q: Queue<number>) => moveOnAfter(10, ({ signal }) => q.get({ signal }))],
  ])('%s keeps an item its get took in the tick the time ran out', (_name, call) =>
    withVirtualTime(async () => {
      const q = new Queue<number>({ maxsize: 1 })
      const producer = spawn(function* () {
        yield* sleep(10)
        yield* q.put(42)
      })
      await sleep(0)
      const got: unknown = await call(q).catch((err: unknown) => err)
      await producer
      expect(producer.successful).toBe(true)
      if (got !== 42) {
        expect(got === undefined || got instanceof TimeoutError).toBe(true)
        expect(q.size, `the call gave ${String(got)} and the queue is empty: the item was lost`).toBe(1)
      }
    }),
  )
})
