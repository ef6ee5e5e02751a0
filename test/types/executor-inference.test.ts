import { describe, expectTypeOf, it } from 'vitest'
import {
  defineTask,
  taskRef,
  ThreadPoolExecutor,
  toThread,
  type JobFuture,
  type SubmitOptions,
} from 'verdant'
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

  it('submit(opts, fn, ...args) infers as submit(fn, ...args); options are checked', async () => {
    const url = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
    const add = taskRef<(typeof tasks)['add']>(url, 'add')
    const echo = taskRef<typeof tasks.echo<string>>(url, 'echo')
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 })
    const ac = new AbortController()
    const f = ex.submit({ timeout: 1000, signal: ac.signal }, add, 1, 2)
    expectTypeOf(f).toEqualTypeOf<JobFuture<number>>()
    const g = ex.submit({ queueTimeoutMs: 1000, runTimeoutMs: 1000, killAfterMs: 10 }, echo, 'hi')
    expectTypeOf(g).toEqualTypeOf<JobFuture<string>>()
    const d = ex.submit({}, add, 2, 3)
    expectTypeOf(d).toEqualTypeOf<JobFuture<number>>()
    expectTypeOf(ex.submitWith(add, [1, 2], { timeout: 1000 })).toEqualTypeOf<JobFuture<number>>()
    const opts: SubmitOptions = { timeout: 1000 }
    expectTypeOf(toThread(opts, add, 4, 5)).toEqualTypeOf<JobFuture<number>>()
    // Checked only: these calls are wrong, so they never run.
    const wrong = (): void => {
      // @ts-expect-error a string is not a number, with options too
      expectTypeOf(ex.submit({ timeout: 1 }, add, 1, 'two')).not.toBeAny()
      // @ts-expect-error too few arguments, with options too
      expectTypeOf(ex.submit({ timeout: 1 }, add, 1)).not.toBeAny()
      // @ts-expect-error an unknown option (a misspelt timeout)
      expectTypeOf(ex.submit({ timout: 1 }, add, 1, 2)).not.toBeAny()
      // @ts-expect-error a time limit is a number
      expectTypeOf(ex.submit({ timeout: '1s' }, add, 1, 2)).not.toBeAny()
      // @ts-expect-error options go first, not last
      expectTypeOf(ex.submit(add, 1, 2, { timeout: 1 })).not.toBeAny()
    }
    expectTypeOf(wrong).toBeFunction()
    await Promise.allSettled([f, g, d])
    expectTypeOf(await f).toEqualTypeOf<number>()
    const { shutdownDefaultExecutor } = await import('verdant')
    await shutdownDefaultExecutor()
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
