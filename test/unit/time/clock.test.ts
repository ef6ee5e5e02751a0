import { describe, expect, it } from 'vitest'
import { RealClock } from 'verdant'
import { turn } from '../../helpers/util.js'

function hostTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
}

describe('RealClock', () => {
  it('runs timers in deadline order through one host timer', async () => {
    const clock = new RealClock()
    const before = hostTimeouts()
    const out: number[] = []
    const done = new Promise<void>((resolve) => {
      clock.setTimer(6, () => {
        out.push(6)
        resolve()
      })
    })
    clock.setTimer(2, () => out.push(2))
    clock.setTimer(4, () => out.push(4))
    expect(hostTimeouts() - before).toBe(1)
    expect(clock.pendingTimers).toBe(3)
    await done
    expect(out).toEqual([2, 4, 6])
    expect(clock.pendingTimers).toBe(0)
  })

  it('drops its host timer when the last timer is cancelled', async () => {
    const clock = new RealClock()
    const before = hostTimeouts()
    const a = clock.setTimer(50_000, () => undefined)
    const b = clock.setTimer(60_000, () => undefined)
    expect(hostTimeouts()).toBe(before + 1)
    a.cancel()
    b.cancel()
    await turn()
    expect(hostTimeouts()).toBe(before)
    expect(clock.pendingTimers).toBe(0)
  })

  it('re-arms for an earlier timer added while a later one is armed', async () => {
    const clock = new RealClock()
    const out: string[] = []
    const late = clock.setTimer(10_000, () => out.push('late'))
    await new Promise<void>((resolve) => {
      clock.setTimer(1, () => {
        out.push('early')
        resolve()
      })
    })
    expect(out).toEqual(['early'])
    late.cancel()
  })

  it('holds no timer for Infinity', () => {
    const clock = new RealClock()
    const t = clock.setTimer(Infinity, () => undefined)
    expect(clock.pendingTimers).toBe(0)
    t.cancel()
  })
})
