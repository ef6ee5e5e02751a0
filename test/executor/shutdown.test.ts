// shutdown({cancelFutures: true}) with jobs running: every job settles once, the running ones are
// asked to stop and their workers terminated after killAfterMs, and the call always returns.
import { describe, expect, it } from 'vitest'
import {
  CancelledError,
  ProcessPoolExecutor,
  taskRef,
  ThreadPoolExecutor,
  type Executor,
  type ExecutorOptions,
  type JobFuture,
} from 'verdant'
import { leakReport } from 'verdant/testing'
import { alive } from '../helpers/processes.js'
import type * as tasks from '../fixtures/executor-tasks.mjs'
import { jobStarts } from './job-starts.js'

const url = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const ref = <K extends keyof typeof tasks>(name: K) =>
  taskRef<Extract<(typeof tasks)[K], (...args: never[]) => unknown>>(url, name)

const KILL_AFTER_MS = 200
const MARGIN_MS = 1000

const kinds = [
  ['ThreadPoolExecutor', (o: ExecutorOptions) => new ThreadPoolExecutor(o)],
  ['ProcessPoolExecutor', (o: ExecutorOptions) => new ProcessPoolExecutor(o)],
] as const

// Each says when it has started, so the shutdown is known to find it running.
const jobs = [
  ['cooperative (returns when jobSignal() aborts)', ref('untilCancelledAnnounced')],
  ['deaf, a synchronous endless loop', ref('busyForeverAnnounced')],
  ['deaf, async, ignoring its signal', ref('deafAsyncAnnounced')],
] as const

/** Shuts down with cancelFutures and checks the bound, the futures, the counts and the workers. */
async function shutDownAndCheck(
  ex: Executor,
  futures: JobFuture<unknown>[],
  pids: number[],
  processes: boolean,
  submitted = futures.length,
): Promise<void> {
  const t0 = performance.now()
  await ex.shutdown({ cancelFutures: true })
  expect(performance.now() - t0).toBeLessThan(KILL_AFTER_MS + MARGIN_MS)
  for (const f of futures) expect(f.done).toBe(true)
  const s = ex.stats()
  expect(s.completed + s.failed + s.cancelled).toBe(submitted)
  expect(s).toMatchObject({ queued: 0, running: 0, workers: [] })
  expect(leakReport().workers).toBe(0)
  if (processes) for (const pid of pids) expect(!alive(pid)).toBe(true)
}

describe.each(kinds)('%s shutdown({cancelFutures: true})', (name, make) => {
  const processes = name === 'ProcessPoolExecutor'

  it.each(jobs)('with running jobs, %s, cancels them all and ends within killAfterMs', async (_, job) => {
    const ex = make({ maxWorkers: 2, killAfterMs: KILL_AFTER_MS })
    const warm = [ex.submit(ref('pidAfter'), 50), ex.submit(ref('pidAfter'), 50)]
    const pids = await Promise.all(warm)
    const starts = jobStarts()
    const running = [ex.submit(job, starts.path), ex.submit(job, starts.path), ex.submit(job, starts.path)]
    // One per worker; the third waits behind them.
    await starts.started(2)
    await shutDownAndCheck(ex, [...warm, ...running], pids, processes)
    for (const f of running) expect(f.exception).toBeInstanceOf(CancelledError)
    // Terminating a worker whose jobs were cancelled is no crash.
    const stats = ex.stats()
    expect(stats).toMatchObject({ completed: 2, failed: 0, cancelled: 3, crashes: 0 })
    expect(stats.terminated).toBe(job === jobs[0][1] ? 0 : 2)
  })

  it('cancels the jobs sent to a worker behind the running one, which never start', async () => {
    const ex = make({ maxWorkers: 1, killAfterMs: KILL_AFTER_MS })
    // Quick answers make the window deep, so what follows goes to the worker as one batch.
    for (let i = 0; i < 10; i++) await ex.submit(ref('echo'), i)
    const pid = await ex.submit(ref('pid'))
    const starts = jobStarts()
    const quick = ex.submit(ref('echo'), 'first')
    const stuck = ex.submit(ref('busyForeverAnnounced'), starts.path)
    const behind = [ex.submit(ref('countCalls')), ex.submit(ref('countCalls'))]
    await starts.started()
    await shutDownAndCheck(ex, [quick, stuck, ...behind], [pid], processes, 15)
    expect(stuck.cancelled).toBe(true)
    for (const f of behind) expect(f.cancelled).toBe(true)
    // The worker sends the results it holds before it starts a job it has not seen run quickly, so
    // the quick job's result got out before the endless one began.
    expect(quick.result()).toBe('first')
    expect(ex.stats()).toMatchObject({ completed: 12, failed: 0, cancelled: 3, crashes: 0, terminated: 1 })
  })

  it('bounds a worker whose initializer never ends', async () => {
    const starts = jobStarts()
    const ex = make({
      maxWorkers: 1,
      killAfterMs: KILL_AFTER_MS,
      initializer: ref('busyForeverAnnounced'),
      initArgs: [starts.path],
    })
    const job = ex.submit(ref('echo'), 1)
    await starts.started()
    await shutDownAndCheck(ex, [job], [], processes)
    expect(job.cancelled).toBe(true)
  })

  it('a second shutdown while the first waits ends as soon', async () => {
    const ex = make({ maxWorkers: 1, killAfterMs: KILL_AFTER_MS })
    const starts = jobStarts()
    const job = ex.submit(ref('busyForeverAnnounced'), starts.path)
    await starts.started()
    const t0 = performance.now()
    await Promise.all([ex.shutdown({ cancelFutures: true }), ex.shutdown()])
    expect(performance.now() - t0).toBeLessThan(KILL_AFTER_MS + MARGIN_MS)
    expect(job.cancelled).toBe(true)
  })
})

// Both kinds of worker say which job they are on, so a cancelled job's worker is terminated only
// while that job runs, and the results it held for the jobs before it got out first.
describe.each(kinds)('%s cancel() of a running job', (_name, make) => {
  it('replaces the worker, and the jobs before it in the same batch keep their results', async () => {
    const ex = make({ maxWorkers: 1, killAfterMs: KILL_AFTER_MS })
    try {
      for (let i = 0; i < 10; i++) await ex.submit(ref('echo'), i)
      const before = await ex.submit(ref('whoAmI'))
      const starts = jobStarts()
      // One batch: the quick job runs just before the endless one, on the same worker.
      const quick = ex.submit(ref('echo'), 'first')
      const stuck = ex.submit(ref('busyForeverAnnounced'), starts.path)
      await starts.started()
      const t0 = performance.now()
      stuck.cancel()
      expect(await quick).toBe('first')
      expect(await ex.submit(ref('whoAmI'))).not.toBe(before)
      expect(performance.now() - t0).toBeLessThan(KILL_AFTER_MS + MARGIN_MS)
      expect(ex.stats()).toMatchObject({ crashes: 0, terminated: 1, cancelled: 1, failed: 0 })
    } finally {
      await ex.shutdown({ cancelFutures: true })
    }
  })
})
