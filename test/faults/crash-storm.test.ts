// Crash storms: a burst of jobs on one executor, one in every few of them killing its worker. Every
// job must settle, none may start twice unless declared safe to, every other job must get its value,
// every crash must be blamed on its own job, the counters must add up and no worker may outlive the
// shutdown.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ProcessPoolExecutor, ThreadPoolExecutor, TimeoutError, WorkerCrashedError } from 'verdant'
import { liveWorkers } from '../../src/executor/worker-handle.js'
import { runStorm, type StormMode, type StormOptions, type StormReport } from '../fixtures/storm.mjs'

const logDir = mkdtempSync(join(tmpdir(), 'verdant-storm-'))
afterAll(() => {
  rmSync(logDir, { recursive: true, force: true })
})

/** A storm that has not settled by then fails on its report instead of running into the test timeout. */
const SETTLE_LIMIT_MS = 15_000
const TEST_TIMEOUT_MS = 30_000

const pools = [
  ['ThreadPoolExecutor', ThreadPoolExecutor],
  ['ProcessPoolExecutor', ProcessPoolExecutor],
] as const

// Each loop costs its timeout plus the kill delay and each oom a heap filled and a worker started,
// so those storms have fewer crashing jobs.
const sizes: Record<StormMode, { jobs: number; crashEvery: number }> = {
  exit: { jobs: 200, crashEvery: 50 },
  loop: { jobs: 120, crashEvery: 40 },
  oom: { jobs: 60, crashEvery: 30 },
  async: { jobs: 200, crashEvery: 50 },
}

/** Shows a missing counter as null instead of leaving it out. */
const shown = (_key: string, value: unknown): unknown => (value === undefined ? null : value)

type Storm = Omit<StormOptions, 'logDir' | 'liveWorkers' | 'settleLimitMs'>

async function storm(opts: Storm): Promise<StormReport> {
  const report = await runStorm({ ...opts, logDir, liveWorkers, settleLimitMs: SETTLE_LIMIT_MS })
  const { crashingJobs: _jobs, problems, resultLostJobs, log: _log, ...counts } = report
  const lost =
    resultLostJobs.length > 0
      ? `; ${String(resultLostJobs.length)} results lost to the heap running out (jobs ${resultLostJobs.join(', ')})`
      : ''
  const listed = problems.length > 0 ? `\n  ${problems.join('\n  ')}` : ''
  console.log(
    `storm ${report.kind} ${report.mode} x${String(report.maxWorkers)}: ${JSON.stringify(counts, shown)}${lost}${listed}`,
  )
  return report
}

/** Checks every invariant of a storm, softly, so one run shows all that went wrong. */
function checkStorm(r: StormReport, retries = 0): void {
  const runs = r.mode === 'loop' ? 1 : retries + 1
  // Only running out of heap may cost a good job its result.
  const lost = r.mode === 'oom' ? r.resultLostJobs.length : 0
  expect.soft(r.problems, 'each problem names its job').toEqual([])
  expect
    .soft({
      hung: r.hung,
      unsettled: r.unsettled,
      shutdownHung: r.shutdownHung,
      duplicates: r.duplicates,
      attemptsWrong: r.attemptsWrong,
      innocentFailures: r.innocentFailures,
      resultLost: r.resultLost,
      crashingWrong: r.crashingWrong,
      succeeded: r.succeeded,
      crashes: r.crashes,
      terminated: r.terminated,
      completed: r.completed,
      settled: r.completed + r.failed + r.cancelled,
      leftoverPids: r.leftoverPids,
      leftoverWorkers: r.leftoverWorkers,
    })
    .toEqual({
      hung: false,
      unsettled: 0,
      shutdownHung: false,
      duplicates: 0,
      attemptsWrong: 0,
      innocentFailures: 0,
      resultLost: lost,
      crashingWrong: 0,
      succeeded: r.jobs - r.crashing - lost,
      crashes: r.mode === 'loop' ? 0 : r.crashing * runs,
      terminated: r.mode === 'loop' ? r.crashing : 0,
      completed: r.jobs - r.crashing - lost,
      settled: r.jobs,
      leftoverPids: 0,
      leftoverWorkers: 0,
    })
  for (const job of r.crashingJobs) {
    const err = job.error as Partial<WorkerCrashedError> | undefined
    expect
      .soft(err, `job ${String(job.id)}`)
      .toBeInstanceOf(r.mode === 'loop' ? TimeoutError : WorkerCrashedError)
    expect
      .soft(
        {
          status: job.status,
          attempts: job.attempts,
          starts: job.starts,
          ...(r.mode === 'loop'
            ? {}
            : {
                resultLost: err?.resultLost,
                namesJob: err?.message?.includes('stormCrash'),
                ...(r.mode === 'exit' ? { exitCode: err?.exitCode } : {}),
                ...(r.mode === 'oom' ? { reason: err?.reason?.slice(0, 'out of memory'.length) } : {}),
                ...(r.mode === 'async' ? { reasonNamesError: err?.reason?.includes('async boom') } : {}),
              }),
        },
        `job ${String(job.id)}: ${err instanceof Error ? err.message : JSON.stringify(err)}`,
      )
      .toEqual({
        status: 'rejected',
        attempts: runs,
        starts: runs,
        ...(r.mode === 'loop'
          ? {}
          : {
              resultLost: false,
              namesJob: true,
              ...(r.mode === 'exit' ? { exitCode: 3 } : {}),
              ...(r.mode === 'oom' ? { reason: 'out of memory' } : {}),
              ...(r.mode === 'async' ? { reasonNamesError: true } : {}),
            }),
      })
  }
}

describe.each(pools)('%s crash storms', (_name, Executor) => {
  it.each(['exit', 'loop', 'oom', 'async'] as const)(
    'mode %s, one worker: every job settles once, only the crashing ones fail',
    async (mode) => {
      const r = await storm({ Executor, executorOptions: { maxWorkers: 1 }, mode, ...sizes[mode] })
      expect(r.crashing).toBeGreaterThan(0)
      checkStorm(r)
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'mode exit, two workers: a crash on one worker costs the other nothing',
    async () => {
      const r = await storm({ Executor, executorOptions: { maxWorkers: 2 }, mode: 'exit', ...sizes.exit })
      checkStorm(r)
    },
    TEST_TIMEOUT_MS,
  )

  it(
    'retries: 2 runs a crashing job three times, then fails it; good jobs run once',
    async () => {
      const r = await storm({
        Executor,
        executorOptions: { maxWorkers: 1 },
        mode: 'exit',
        jobs: 60,
        crashEvery: 30,
        retries: 2,
        // One pool takes it per job, the other from the task, as defineTask declares it.
        retriesVia: Executor === ThreadPoolExecutor ? 'submit' : 'task',
      })
      expect(r.crashing).toBe(2)
      expect.soft(r.retried, 'only the crashing jobs ran again').toBe(r.crashing)
      checkStorm(r, 2)
    },
    TEST_TIMEOUT_MS,
  )
})
