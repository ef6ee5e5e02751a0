// verdant keeps no reference to what a finished task or wait produced: its value, its error, or
// (through an error's unformatted stack) the closures that raised it.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { Future, spawn } from 'verdant'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Runs `make` in its own scope and reports whether what it returned survives a full GC. */
async function survives(make: () => Promise<object>): Promise<boolean> {
  let ref: WeakRef<object> | undefined
  await (async () => {
    ref = new WeakRef(await make())
  })()
  // A WeakRef keeps its target until the job that made it ends.
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  return ref?.deref() !== undefined
}

describe('retention', () => {
  it('the value of an awaited task is released once nobody holds the task', async () => {
    const kept = await survives(async () => {
      const value = { payload: new Array<number>(10_000).fill(1) }
      const task = spawn(async () => value)
      if ((await task) !== value) throw new Error('wrong value')
      return value
    })
    expect(kept).toBe(false)
  })

  it("the error of a killed task's wait is released with the task", async () => {
    const kept = await survives(async () => {
      const task = spawn(async (ctx) => {
        await ctx.sleep(60_000)
      })
      await new Promise((resolve) => setImmediate(resolve))
      await task.kill()
      return task.exception as object
    })
    expect(kept).toBe(false)
  })

  it('the value of an awaited future is released once nobody holds the future', async () => {
    const kept = await survives(async () => {
      const value = { payload: 1 }
      const f = new Future<object>()
      setImmediate(() => f.setResult(value))
      if ((await f) !== value) throw new Error('wrong value')
      return value
    })
    expect(kept).toBe(false)
  })
})
