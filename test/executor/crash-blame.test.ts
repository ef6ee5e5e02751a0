// Which job a worker's death is charged to, on both pools: only the job it was running fails,
// jobs it had finished keep their results (or are said to have lost them), jobs it had not started
// run once elsewhere, and a job runs again only when it was declared safe to.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ProcessPoolExecutor,
  taskRef,
  ThreadPoolExecutor,
  TimeoutError,
  WorkerCrashedError,
  type Executor,
  type ExecutorOptions,
} from 'verdant'
import * as tasks from '../fixtures/executor-tasks.mjs'

const url = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const recordThen = taskRef<typeof tasks.recordThen>(url, 'recordThen')
const crashOnce = taskRef<typeof tasks.crashOnce>(url, 'crashOnce')
const bigString = taskRef<typeof tasks.bigString>(url, 'bigString')
const busyForever = taskRef<typeof tasks.busyForever>(url, 'busyForever')

const kinds = [
  ['ThreadPoolExecutor', (o: ExecutorOptions = {}) => new ThreadPoolExecutor(o), 'thread'],
  ['ProcessPoolExecutor', (o: ExecutorOptions = {}) => new ProcessPoolExecutor(o), 'process'],
] as const

let dir = ''
let open: Executor[] = []
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'verdant-blame-'))
})
afterEach(async () => {
  await Promise.all(open.map((e) => e.shutdown({ cancelFutures: true })))
  open = []
  rmSync(dir, { recursive: true, force: true })
})

/** A fresh log of job starts. */
function startLog(name = 'starts'): string {
  const path = join(dir, `${name}.log`)
  writeFileSync(path, '')
  return path
}

function starts(path: string): number[] {
  return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map(Number)
}

function crashOf(outcome: PromiseSettledResult<unknown> | undefined): WorkerCrashedError {
  expect(outcome?.status).toBe('rejected')
  const reason = (outcome as PromiseRejectedResult).reason as unknown
  expect(reason).toBeInstanceOf(WorkerCrashedError)
  return reason as WorkerCrashedError
}

/** Quick runs first, so the executor sends the next jobs as one batch and the worker holds results. */
async function warmUp(ex: Executor): Promise<void> {
  const log = startLog('warm')
  for (let i = 0; i < 10; i++) await ex.submit(recordThen, log, i, 'return')
}

describe.each(kinds)('%s', (_name, make, kind) => {
  const executor = (o: ExecutorOptions = {}): Executor => {
    const e = make({ maxWorkers: 1, ...o })
    open.push(e)
    return e
  }

  it('a worker that exits mid-batch fails its running job alone; the jobs before it keep their results, the jobs after it run once', async () => {
    const ex = executor()
    await warmUp(ex)
    const log = startLog()
    const actions = ['return', 'return', 'exit', 'return', 'return'] as const
    const jobs = actions.map((action, i) => ex.submit(recordThen, log, i + 1, action))
    const outcomes = await Promise.allSettled(jobs)
    expect(starts(log).sort()).toEqual([1, 2, 3, 4, 5])
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ])
    const crash = crashOf(outcomes[2])
    expect(crash.resultLost).toBe(false)
    expect(crash.exitCode).toBe(3)
    expect(crash.message).toMatch(/the worker running job recordThen crashed: exited with code 3/)
    expect(jobs.map((j) => j.attempts)).toEqual([1, 1, 1, 1, 1])
    const stats = ex.stats()
    expect(stats.crashes).toBe(1)
    expect(stats.terminated).toBe(0)
    expect([stats.completed, stats.failed, stats.cancelled]).toEqual([14, 1, 0])
  })

  it('a large result finished just before its worker exits still arrives', async () => {
    const ex = executor()
    await warmUp(ex)
    const log = startLog()
    const size = 4 << 20
    const big = ex.submit(bigString, size)
    const crash = ex.submit(recordThen, log, 1, 'exit')
    const [b, c] = await Promise.allSettled([big, crash])
    expect(b.status).toBe('fulfilled')
    expect((b as PromiseFulfilledResult<string>).value.length).toBe(size)
    expect(crashOf(c).resultLost).toBe(false)
    expect(big.attempts).toBe(1)
  })

  it('running out of heap is reported as out of memory, naming the job', async () => {
    const ex = executor(
      kind === 'thread'
        ? ({ resourceLimits: { maxOldGenerationSizeMb: 32 } } as ExecutorOptions)
        : { execArgv: ['--max-old-space-size=32'] },
    )
    const log = startLog()
    const [o] = await Promise.allSettled([ex.submit(recordThen, log, 1, 'grow')])
    const crash = crashOf(o)
    expect(crash.reason).toMatch(/^out of memory/)
    expect(crash.message).toMatch(/the worker running job recordThen crashed: out of memory/)
    expect(crash.resultLost).toBe(false)
    expect(await ex.submit(recordThen, log, 2, 'return')).toBe(2)
    expect(starts(log)).toEqual([1, 2])
    expect(ex.stats().crashes).toBe(1)
  })

  it('retries: a job declared safe to run again is run again after its worker died under it', async () => {
    const ex = executor()
    const log = startLog()
    const once = ex.submit({ retries: 1 }, crashOnce, log, 1)
    expect(await once).toBe(1)
    expect(once.attempts).toBe(2)
    expect(starts(log)).toEqual([1, 1])
    expect(ex.stats().crashes).toBe(1)
    expect(ex.stats().completed).toBe(1)
    expect(ex.stats().failed).toBe(0)
  })

  it('retries: a job that crashes its worker every time fails after its last attempt', async () => {
    const ex = executor()
    const log = startLog()
    const job = ex.submit({ retries: 2 }, recordThen, log, 7, 'exit')
    const [o] = await Promise.allSettled([job])
    expect(crashOf(o).message).toMatch(/\(attempt 3 of 3\)/)
    expect(job.attempts).toBe(3)
    expect(starts(log)).toEqual([7, 7, 7])
    const stats = ex.stats()
    expect([stats.crashes, stats.failed, stats.completed]).toEqual([3, 1, 0])
  })

  it('retries: defineTask declares it for every job of the task, and submit overrides it', async () => {
    const ex = executor()
    const log = startLog()
    const retried = ex.submit(tasks.crashOnceRetried, log, 1)
    expect(await retried).toBe(1)
    expect(retried.attempts).toBe(2)
    rmSync(`${log}.once`)
    const notRetried = ex.submit({ retries: 0 }, tasks.crashOnceRetried, log, 2)
    expect(crashOf((await Promise.allSettled([notRetried]))[0]).resultLost).toBe(false)
    expect(notRetried.attempts).toBe(1)
    expect(starts(log)).toEqual([1, 1, 2])
  })

  it('without retries a job never runs twice, and a run timeout is never retried', async () => {
    const ex = executor()
    const log = startLog()
    const [o] = await Promise.allSettled([ex.submit(crashOnce, log, 1)])
    expect(crashOf(o).exitCode).toBe(3)
    const timed = ex.submit({ retries: 3, timeout: 100, killAfterMs: 50 }, busyForever)
    await expect(timed).rejects.toThrow(TimeoutError)
    expect(starts(log)).toEqual([1])
    // The timed-out job's worker is terminated: the executor's doing, not a crash. The shutdown
    // waits for that worker to be gone.
    await ex.shutdown()
    expect(ex.stats().terminated).toBe(1)
    expect(ex.stats().crashes).toBe(1)
    expect(timed.attempts).toBeLessThanOrEqual(1)
  })

  it('retries is checked at the call', () => {
    const ex = executor()
    expect(() => ex.submit({ retries: -1 }, crashOnce, 'x', 1)).toThrow(RangeError)
    expect(() => ex.submit({ retries: 'twice' as unknown as number }, crashOnce, 'x', 1)).toThrow(
      /retries.*twice/,
    )
    expect(() => taskRef(url, 'crashOnce', { retries: 1.5 })).toThrow(/retries/)
    expect(ex.stats().queued + ex.stats().running).toBe(0)
  })
})

describe('ProcessPoolExecutor: a child killed outright', () => {
  it('SIGKILL mid-batch: held results are said to be lost, never run again; the jobs after it run once', async () => {
    const ex = new ProcessPoolExecutor({ maxWorkers: 1 })
    open.push(ex)
    await warmUp(ex)
    const log = startLog()
    const actions = ['return', 'return', 'kill', 'return'] as const
    const jobs = actions.map((action, i) => ex.submit(recordThen, log, i + 1, action))
    const outcomes = await Promise.allSettled(jobs)
    expect(starts(log).sort()).toEqual([1, 2, 3, 4])
    for (const o of outcomes.slice(0, 2)) {
      // Sent before the kill, or held in the child and lost with it: never a second run.
      if (o.status === 'rejected') expect(crashOf(o).resultLost).toBe(true)
    }
    const crash = crashOf(outcomes[2])
    expect(crash.resultLost).toBe(false)
    expect(crash.signal).toBe('SIGKILL')
    expect(outcomes[3]).toEqual({ status: 'fulfilled', value: 4 })
  })
})
