import { describe, expect, it } from 'vitest'
import { getClock, realClock, sleep, spawn } from 'verdant'
import { VirtualClock, withVirtualTime } from 'verdant/testing'

describe('VirtualClock', () => {
  it('is the current clock inside withVirtualTime and restores the real one after', async () => {
    await withVirtualTime((clock) => {
      expect(getClock()).toBe(clock)
    })
    expect(getClock()).toBe(realClock)
  })

  it('autojumps to the next timer when every task is blocked', () =>
    withVirtualTime(async (clock) => {
      const out: number[] = []
      const t1 = spawn(function* () {
        yield* sleep(3000)
        out.push(clock.now())
      })
      const t2 = spawn(function* () {
        yield* sleep(1000)
        out.push(clock.now())
        yield* sleep(5000)
        out.push(clock.now())
      })
      await Promise.all([t1, t2])
      expect(out).toEqual([1000, 3000, 6000])
    }))

  it('without autojump, moves only when advanced', async () => {
    const clock = new VirtualClock({ autojump: false })
    const out: string[] = []
    clock.setTimer(10, () => out.push('a'))
    clock.setTimer(20, () => out.push('b'))
    clock.advance(15)
    expect(out).toEqual(['a'])
    expect(clock.now()).toBe(15)
    expect(clock.runNext()).toBe(true)
    expect(out).toEqual(['a', 'b'])
    expect(clock.now()).toBe(20)
    expect(clock.runNext()).toBe(false)
    clock.dispose()
  })

  it('gives the same interleaving on every run', async () => {
    const once = () =>
      withVirtualTime(async () => {
        const out: string[] = []
        const tasks = [5, 3, 5, 1, 3].map((ms, i) =>
          spawn(function* () {
            yield* sleep(ms)
            out.push(`t${i}`)
            yield* sleep(0)
            out.push(`t${i}'`)
          }),
        )
        await Promise.all(tasks)
        return out.join(' ')
      })
    const first = await once()
    expect(first).toBe("t3 t3' t1 t4 t1' t4' t0 t2 t0' t2'")
    for (let i = 0; i < 5; i++) expect(await once()).toBe(first)
  })

  it('waitIdle resolves once every task is blocked, before time moves', () =>
    withVirtualTime(async (clock) => {
      let stage = 0
      const t = spawn(async (ctx) => {
        stage = 1
        await ctx.sleep(0)
        stage = 2
        await ctx.sleep(500)
        stage = 3
      })
      await clock.waitIdle()
      expect(stage).toBe(2)
      expect(clock.now()).toBe(0)
      await t
      expect(stage).toBe(3)
      expect(clock.now()).toBe(500)
    }))
})
