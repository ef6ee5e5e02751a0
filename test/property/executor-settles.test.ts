// Every submitted job settles, whatever happens to it: cancels, both time limits, crashes,
// workers terminated for ignoring a cancel, and shutdown with or without cancelling the queue.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProcessPoolExecutor, taskRef, ThreadPoolExecutor, type Executor, type JobFuture } from 'verdant'

const url = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const echo = taskRef<(v: number) => number>(url, 'echo')
const sleepMs = taskRef<(ms: number) => Promise<number>>(url, 'sleepMs')
const spin = taskRef<(ms: number) => number>(url, 'spin')
const exitWith = taskRef<(code: number) => never>(url, 'exitWith')
const busyForever = taskRef<() => never>(url, 'busyForever')
const untilCancelled = taskRef<() => Promise<string>>(url, 'untilCancelled')

const action = fc.oneof(
  fc.record({ kind: fc.constant('echo' as const), n: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ kind: fc.constant('sleep' as const), n: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('spin' as const), n: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('exit' as const), n: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ kind: fc.constant('stuck' as const), n: fc.integer({ min: 5, max: 40 }) }),
  fc.record({ kind: fc.constant('cooperative' as const), n: fc.constant(0) }),
)

const step = fc.record({
  action,
  queueTimeoutMs: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  cancelAfterMs: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  gapMs: fc.integer({ min: 0, max: 5 }),
})

type Step = typeof step extends fc.Arbitrary<infer S> ? S : never

function submit(ex: Executor, s: Step): JobFuture<unknown> {
  const opts = { queueTimeoutMs: s.queueTimeoutMs }
  const a = s.action
  switch (a.kind) {
    case 'echo':
      return ex.submitWith(echo, [a.n], opts)
    case 'sleep':
      return ex.submitWith(sleepMs, [a.n], opts)
    case 'spin':
      return ex.submitWith(spin, [a.n], opts)
    case 'exit':
      return ex.submitWith(exitWith, [a.n], opts)
    case 'stuck':
      return ex.submitWith(busyForever, [], { ...opts, runTimeoutMs: a.n })
    default:
      // Stops only when cancelled: a run limit always cancels it, or shutdown would wait for ever.
      return ex.submitWith(untilCancelled, [], { ...opts, runTimeoutMs: 30 })
  }
}

async function scenario(ex: Executor, steps: Step[], cancelQueue: boolean): Promise<void> {
  const jobs: JobFuture<unknown>[] = []
  const timers: NodeJS.Timeout[] = []
  for (const s of steps) {
    const job = submit(ex, s)
    job.addDoneCallback(() => undefined)
    jobs.push(job)
    if (s.cancelAfterMs !== undefined) {
      timers.push(setTimeout(() => job.cancel(), s.cancelAfterMs))
    }
    if (s.gapMs > 0) await new Promise((r) => setTimeout(r, s.gapMs))
  }
  await ex.shutdown({ cancelFutures: cancelQueue })
  for (const t of timers) clearTimeout(t)
  const pending = jobs.filter((j) => !j.done)
  expect(pending.map((j) => j.state)).toEqual([])
  expect(ex.stats().queued).toBe(0)
  expect(ex.stats().running).toBe(0)
  // Each job is counted once, under its own outcome.
  const s = ex.stats()
  const count = (state: string): number => jobs.filter((j) => j.state === state).length
  expect({ completed: s.completed, failed: s.failed, cancelled: s.cancelled }).toEqual({
    completed: count('succeeded'),
    failed: count('failed'),
    cancelled: count('cancelled'),
  })
}

describe('every executor job settles under random faults', () => {
  it('ThreadPoolExecutor', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 14 }),
        fc.boolean(),
        async (steps, cancelQueue) => {
          await scenario(new ThreadPoolExecutor({ maxWorkers: 2, killAfterMs: 20 }), steps, cancelQueue)
        },
      ),
      { numRuns: 25 },
    )
  }, 120_000)

  it('ProcessPoolExecutor', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (steps, cancelQueue) => {
          await scenario(new ProcessPoolExecutor({ maxWorkers: 2, killAfterMs: 20 }), steps, cancelQueue)
        },
      ),
      { numRuns: 6 },
    )
  }, 120_000)
})
