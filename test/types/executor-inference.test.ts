import { describe, expectTypeOf, it } from 'vitest'
import { defineTask, taskRef, ThreadPoolExecutor, toThread, type JobFuture } from 'verdant'
import type * as tasks from '../fixtures/executor-tasks.mjs'

// Checked by `tsc` in `npm test`; the calls run for real so the test also asserts the values.
describe('executor type inference', () => {
  it('submit follows the referenced function: arguments checked, result awaited', async () => {
    const url = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
    const add = taskRef<(typeof tasks)['add']>(url, 'add')
    const slow = taskRef<typeof tasks.sleepMs>(url, 'sleepMs')
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 })
    const f = ex.submit(add, 1, 2)
    expectTypeOf(f).toEqualTypeOf<JobFuture<number>>()
    const g = ex.submit(slow, 1)
    expectTypeOf(g).toEqualTypeOf<JobFuture<number>>()
    // @ts-expect-error a string is not a number
    expectTypeOf(ex.submit(add, 1, 'two')).not.toBeAny()
    // @ts-expect-error too few arguments
    expectTypeOf(ex.submit(add, 1)).not.toBeAny()
    await Promise.allSettled([f, g])
    expectTypeOf(await f).toEqualTypeOf<number>()
  })

  it('defineTask is both the function and its reference', async () => {
    const double = defineTask(import.meta.url, 'double', (n: number) => n * 2)
    expectTypeOf(double(2)).toEqualTypeOf<number>()
    expectTypeOf(double.moduleUrl).toEqualTypeOf<string>()
    const t = toThread(double, 3)
    expectTypeOf(t).toEqualTypeOf<JobFuture<number>>()
    // The worker cannot import this test file, so the job fails; only its type is checked here.
    t.cancel()
    await t.catch(() => undefined)
    const { shutdownDefaultExecutor } = await import('verdant')
    await shutdownDefaultExecutor()
  })
})
