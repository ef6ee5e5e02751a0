// The dispatch policy with plain numbers: which worker gets the next job, how the window follows
// the run time, and how answer delays are smoothed.
import { describe, expect, it } from 'vitest'
import {
  ANSWER_WEIGHT,
  DispatchPolicy,
  type DispatchSlot,
  EXPLORE,
} from '../../src/executor/dispatch-policy.js'

function slot(load: number, answerMicros: number, extra: Partial<DispatchSlot> = {}): DispatchSlot {
  return { state: 'ready', load, blocked: 0, answerMicros, answerStale: false, ...extra }
}

/** A policy whose first (exploring) pick has been spent, so the next ones follow the rules. */
function warmed(slots: DispatchSlot[]): DispatchPolicy<DispatchSlot> {
  const p = new DispatchPolicy<DispatchSlot>()
  p.pick(slots)
  return p
}

describe('DispatchPolicy.pick', () => {
  it('takes the least loaded worker', () => {
    const slots = [slot(3, 10), slot(1, 50), slot(2, 5)]
    expect(warmed(slots).pick(slots)).toBe(slots[1])
  })

  it('among equals keeps the last one picked unless another answers in under three quarters of its time', () => {
    const a = slot(0, 40)
    const b = slot(0, 31)
    const p = warmed([a, b])
    p.chose(a)
    a.answerStale = false
    // 31 µs is not under 0.75 × 40 = 30 µs: the last pick keeps it.
    expect(p.pick([a, b])).toBe(a)
    b.answerMicros = 29
    expect(p.pick([a, b])).toBe(b)
  })

  it('skips blocked and dead workers, and counts the live ones', () => {
    const slots = [slot(0, 1, { blocked: 1 }), slot(0, 1, { state: 'dead' }), slot(5, 1)]
    const p = warmed(slots)
    expect(p.pick(slots)).toBe(slots[2])
    expect(p.live).toBe(2)
    expect(p.pick([slot(0, 1, { blocked: 2 })])).toBeUndefined()
  })

  it(`one pick in ${String(EXPLORE)} starts from another worker, ignoring answer delays`, () => {
    const fast = slot(0, 1)
    const slow = slot(0, 1000)
    const p = new DispatchPolicy<DispatchSlot>()
    const picked: DispatchSlot[] = []
    for (let i = 0; i < EXPLORE * 2; i++) {
      const s = p.pick([fast, slow]) as DispatchSlot
      p.chose(s)
      s.answerStale = false
      picked.push(s)
    }
    // The very first pick has no last one to start after, and takes the first worker; the next
    // exploring pick (the EXPLORE+1-th) starts after the fast one and so measures the slow one.
    // Every other pick goes to the fast worker.
    expect(picked.filter((s) => s === slow)).toHaveLength(1)
    expect(picked[EXPLORE]).toBe(slow)
  })

  it('a worker picked after another is marked stale, so its next answer replaces its estimate', () => {
    const a = slot(0, 10)
    const b = slot(0, 10)
    const p = new DispatchPolicy<DispatchSlot>()
    p.chose(a)
    expect(a.answerStale).toBe(true)
    p.recordAnswer(a, 500)
    expect(a.answerMicros).toBe(500)
    p.chose(a)
    expect(a.answerStale).toBe(false)
    p.recordAnswer(a, 100)
    expect(a.answerMicros).toBeCloseTo(500 * (1 - ANSWER_WEIGHT) + 100 * ANSWER_WEIGHT)
    p.chose(b)
    expect(b.answerStale).toBe(true)
  })
})

describe('DispatchPolicy.window', () => {
  it('holds about 2 ms of work per worker, from 1 to 1024 jobs', () => {
    const p = new DispatchPolicy<DispatchSlot>()
    expect(p.window()).toBe(4) // the starting estimate: 500 µs a job
    for (let i = 0; i < 50; i++) p.recordRuns(10, 10 * 20) // 20 µs a job
    expect(p.window()).toBe(Math.floor(2000 / p.avgRunMicros))
    expect(p.window()).toBeGreaterThan(90)
    for (let i = 0; i < 50; i++) p.recordRuns(1, 0)
    expect(p.window()).toBe(1024)
    for (let i = 0; i < 50; i++) p.recordRuns(2, 2 * 50_000)
    expect(p.window()).toBe(1)
    p.recordRuns(0, 0)
    expect(p.window()).toBe(1)
  })
})
