// The distributed executor on JetStream: jobs submitted here run in worker processes and come
// back as JobFutures; failures are retried with backoff, then fail typed; bad input fails at submit.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { connect } from '@nats-io/transport-node'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { CancelledError } from 'verdant'
import { taskRef } from 'verdant/worker'
import { connectExecutor, JobFailedError } from 'verdant/remote'
import {
  add,
  type echo,
  type fail,
  type recordSlow,
  type slowEcho,
  type untilCancelled,
} from '../fixtures/executor-tasks.mjs'
import { startNatsServer } from '../helpers/nats-server.js'
import { alive } from '../helpers/processes.js'
import { startChild } from './child-node.js'
import { describeNats } from './fixture.js'
import { jobWorkerScript, useJobCluster } from './job-workers.js'

const tasks = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const echoRef = taskRef<typeof echo>(tasks, 'echo')
const failRef = taskRef<typeof fail>(tasks, 'fail')
const slowEchoRef = taskRef<typeof slowEcho>(tasks, 'slowEcho')
const untilCancelledRef = taskRef<typeof untilCancelled>(tasks, 'untilCancelled')
const recordSlowRef = taskRef<typeof recordSlow>(tasks, 'recordSlow')

describeNats('a distributed executor on JetStream', () => {
  const { url, worker } = useJobCluster()

  it('jobs submitted here run on worker processes and settle their futures with the results', async () => {
    const w1 = await worker('basic', 'w1')
    const w2 = await worker('basic', 'w2')
    const cluster = await connectExecutor({ servers: url(), name: 'basic' })
    try {
      const jobs = Array.from({ length: 60 }, (_, i) => cluster.submit(add, i, 1000))
      expect(await Promise.all(jobs)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1000))
      expect(jobs.every((j) => j.state === 'succeeded' && j.attempts === 1)).toBe(true)
      // Values the codec carries arrive as themselves.
      const when = new Date(1_700_000_000_000)
      const m = new Map([['k', [1n, when]]])
      expect(await cluster.submit(echoRef, m)).toEqual(m)
      const s1 = (await w1.send({ cmd: 'stats' }))['stats'] as { completed: number }
      const s2 = (await w2.send({ cmd: 'stats' }))['stats'] as { completed: number }
      expect(s1.completed + s2.completed).toBe(61)
      const stats = cluster.stats()
      expect(stats).toMatchObject({ pending: 0, completed: 61, failed: 0 })
      // Run and wait times of every job, and what each worker did, in the local executors' shape.
      expect(stats.runTime.count).toBe(61)
      expect(stats.waitTime.count).toBe(61)
      expect(stats.runTime.p50).toBeGreaterThan(0)
      // Each job server as it last reported itself (every second).
      await expect
        .poll(() => cluster.stats().workers.map((w) => [w.id, w.completed]))
        .toEqual([
          ['w1', s1.completed],
          ['w2', s2.completed],
        ])
      expect(cluster.stats().workers.every((w) => w.lanes === 2 && w.running === 0)).toBe(true)
    } finally {
      await cluster.shutdown()
      await w1.send({ cmd: 'stop' })
      await w2.send({ cmd: 'stop' })
      await w1.exited
      await w2.exited
    }
    expect(alive(w1.pid) || alive(w2.pid)).toBe(false)
  })

  it('a job that always throws runs exactly maxAttempts times with backoff, then fails typed', async () => {
    const w = await worker('failing', 'w1')
    const cluster = await connectExecutor({
      servers: url(),
      name: 'failing',
      maxAttempts: 3,
      backoffMs: [100, 200],
    })
    try {
      const t0 = performance.now()
      const job = cluster.submit(failRef, 'always')
      const err: unknown = await job.catch((e: unknown) => e)
      const took = performance.now() - t0
      expect(err).toBeInstanceOf(JobFailedError)
      expect((err as JobFailedError).attempts).toBe(3)
      expect(((err as Error).cause as Error).message).toBe('always')
      expect(job.attempts).toBe(3)
      // Two waits between three runs: 100 ms, then 200 ms.
      expect(took).toBeGreaterThanOrEqual(300)
      const stats = (await w.send({ cmd: 'stats' }))['stats']
      expect(stats).toMatchObject({ retried: 2, failed: 1, completed: 0 })
      expect(cluster.stats()).toMatchObject({ failed: 1, retried: 2, pending: 0 })
    } finally {
      await cluster.shutdown()
      await w.send({ cmd: 'stop' })
      await w.exited
    }
  })

  it('bad input fails at submit: an argument the codec cannot send, a payload over max_payload, a non-task', async () => {
    const cluster = await connectExecutor({ servers: url(), name: 'bad' })
    try {
      expect(() => cluster.submit(echoRef, (() => 1) as never)).toThrow(
        /argument 0 of job echo cannot be sent \(function\)/,
      )
      expect(() => cluster.submit(echoRef, 'x'.repeat(2 * 1024 * 1024))).toThrow(RangeError)
      expect(() => cluster.submit(echoRef, 'x'.repeat(2 * 1024 * 1024))).toThrow(
        /over the limit of 1048576 bytes/,
      )
      expect(() => (cluster.submit as (...a: unknown[]) => unknown)(() => 1)).toThrow(/task reference/)
      expect(cluster.stats().pending).toBe(0)
    } finally {
      await cluster.shutdown()
    }
  })

  it('a resubmitted job id within the dedup window runs once', async () => {
    const w = await worker('dedup', 'w1')
    const cluster = await connectExecutor({ servers: url(), name: 'dedup' })
    try {
      const first = cluster.submit({ id: 'order-42' }, add, 1, 2)
      expect(await first).toBe(3)
      // The stream drops the duplicate: no worker runs it again; its future gets the kept result.
      const again = cluster.submit({ id: 'order-42' }, add, 1, 2)
      expect(await again).toBe(3)
      const stats = (await w.send({ cmd: 'stats' }))['stats']
      expect(stats).toMatchObject({ completed: 1 })
      expect(await cluster.getResult('order-42')).toEqual({ value: 3 })
    } finally {
      await cluster.shutdown()
      await w.send({ cmd: 'stop' })
      await w.exited
    }
  })

  it('kill -9 of a worker in the middle of 200 jobs: its jobs are redelivered after the lease, every future settles from a completed run', async () => {
    const opts = { leaseMs: 1000 }
    const dir = mkdtempSync(join(tmpdir(), 'verdant-jobs-'))
    const log = join(dir, 'effects.log')
    const cluster = await connectExecutor({ servers: url(), name: 'crash', ...opts })
    const doomed = await worker('crash', 'doomed', opts)
    const survivor = await worker('crash', 'survivor', opts)
    try {
      const jobs = Array.from({ length: 200 }, (_, i) => cluster.submit(recordSlowRef, log, i, 20))
      // Let both workers hold jobs, then kill one while it runs two.
      await new Promise((r) => setTimeout(r, 350))
      await doomed.kill('SIGKILL')
      const t0 = performance.now()
      expect(await Promise.all(jobs)).toEqual(Array.from({ length: 200 }, (_, i) => i))
      const stats = (await survivor.send({ cmd: 'stats' }))['stats'] as { redelivered: number }
      // The jobs the dead worker held came back, each once more, after its lease ran out. A job
      // it had finished and handed over but not yet acknowledged comes back too and runs again
      // (at-least-once): its future already had the first run's result.
      expect(stats.redelivered).toBeGreaterThanOrEqual(1)
      const second = jobs.filter((j) => j.attempts === 2).length
      expect(second).toBeLessThanOrEqual(stats.redelivered)
      expect(jobs.every((j) => j.attempts === 1 || j.attempts === 2)).toBe(true)
      expect(cluster.stats().redelivered).toBe(second)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(500)
      // Every job's effect is there at least once, and every job ran to its end at least once:
      // what each future got is from a completed run.
      const lines = readFileSync(log, 'utf8').trim().split('\n')
      const ended = new Set(lines.filter((l) => l.startsWith('end ')).map((l) => Number(l.slice(4))))
      expect(ended.size).toBe(200)
      // A job started twice only because it was delivered twice: no run without a redelivery.
      const starts = new Map<number, number>()
      for (const l of lines.filter((x) => x.startsWith('start ')))
        starts.set(Number(l.slice(6)), (starts.get(Number(l.slice(6))) ?? 0) + 1)
      const again = [...starts.values()].reduce((n, k) => n + k - 1, 0)
      expect(again).toBeLessThanOrEqual(stats.redelivered)
    } finally {
      await cluster.shutdown()
      await survivor.send({ cmd: 'stop' })
      await survivor.exited
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a submitter that disconnects before its results arrive fetches them later by job id', async () => {
    const w = await worker('away', 'w1')
    const first = await connectExecutor({ servers: url(), name: 'away' })
    const ids = Array.from({ length: 5 }, (_, i) => `away-${String(i)}`)
    for (const [i, id] of ids.entries()) void first.submit({ id }, slowEchoRef, i, 150).catch(() => undefined)
    // Gone before any result: its futures are cancelled, the jobs run on.
    await first.shutdown({ wait: false })
    const later = await connectExecutor({ servers: url(), name: 'away' })
    try {
      await expect
        .poll(async () => (await later.getResult(ids[4] as string))?.value, { timeout: 5000 })
        .toBe(4)
      for (const [i, id] of ids.entries()) expect(await later.getResult(id)).toEqual({ value: i })
      expect(await later.getResult('never-submitted')).toBeUndefined()
      expect(() => later.getResult('bad id')).toThrow(/jobId/)
      // A failed job's result is its typed failure.
      const failed = later.submit({ id: 'away-fail', maxAttempts: 1 }, failRef, 'no')
      await failed.catch(() => undefined)
      await expect(later.getResult('away-fail')).rejects.toBeInstanceOf(JobFailedError)
    } finally {
      await later.shutdown()
      await w.send({ cmd: 'stop' })
      await w.exited
    }
  })

  it('nats-server restarted in the middle of a run (file storage): no accepted job is lost, workers pull again', async () => {
    const own = await startNatsServer({ jetstream: true })
    const reconnecting = { maxReconnectAttempts: -1, reconnectTimeWait: 100 }
    const w = await startChild(
      jobWorkerScript,
      [own.url, 'restart', JSON.stringify({ workerId: 'w1', leaseMs: 2000 })],
      'w1',
    )
    const cluster = await connectExecutor({
      servers: own.url,
      name: 'restart',
      leaseMs: 2000,
      nats: reconnecting,
    })
    try {
      const jobs = Array.from({ length: 60 }, (_, i) => cluster.submit(slowEchoRef, i, 20))
      // Accepted: the stream has them all before the server goes.
      await new Promise((r) => setTimeout(r, 300))
      await own.stop()
      // Submitted while the server is away: sent again under the same id until it answers.
      const whileDown = Array.from({ length: 10 }, (_, i) => cluster.submit(slowEchoRef, 100 + i, 1))
      await new Promise((r) => setTimeout(r, 200))
      await own.restart()
      const results = await Promise.all([...jobs, ...whileDown])
      expect(results).toEqual([
        ...Array.from({ length: 60 }, (_, i) => i),
        ...Array.from({ length: 10 }, (_, i) => 100 + i),
      ])
      expect([...jobs, ...whileDown].every((j) => j.state === 'succeeded')).toBe(true)
      expect(whileDown.every((j) => j.attempts === 1)).toBe(true)
    } finally {
      await cluster.shutdown()
      await w.send({ cmd: 'stop' }).catch(() => undefined)
      await w.kill('SIGKILL')
      await own.dispose()
    }
  })

  it('10,000 tiny jobs over two worker processes: every future settles, and no job runs twice', async () => {
    const w1 = await worker('tiny', 'w1', { concurrency: 8 })
    const w2 = await worker('tiny', 'w2', { concurrency: 8 })
    const cluster = await connectExecutor({ servers: url(), name: 'tiny' })
    try {
      const jobs = Array.from({ length: 10_000 }, (_, i) => cluster.submit(add, i, 0))
      const values = await Promise.all(jobs)
      expect(values.every((v, i) => v === i)).toBe(true)
      const s1 = (await w1.send({ cmd: 'stats' }))['stats'] as { completed: number; redelivered: number }
      const s2 = (await w2.send({ cmd: 'stats' }))['stats'] as { completed: number; redelivered: number }
      // Runs: one per job, the rest only where a redelivery was the reason (there was none).
      expect(s1.redelivered + s2.redelivered).toBe(0)
      expect(s1.completed + s2.completed).toBe(10_000)
      expect(s1.completed).toBeGreaterThan(0)
      expect(s2.completed).toBeGreaterThan(0)
    } finally {
      await cluster.shutdown()
      await w1.send({ cmd: 'stop' })
      await w2.send({ cmd: 'stop' })
      await w1.exited
      await w2.exited
    }
  }, 60_000)

  it('cancelling a running job stops it on its worker; a cancelled queued job is never run', async () => {
    const w = await worker('cancel', 'w1', { concurrency: 1 })
    const cluster = await connectExecutor({ servers: url(), name: 'cancel' })
    try {
      const running = cluster.submit(untilCancelledRef)
      const queued = cluster.submit(add, 1, 2)
      await expect
        .poll(async () => ((await w.send({ cmd: 'stats' }))['stats'] as { running: number }).running)
        .toBe(1)
      expect(queued.cancel()).toBe(true)
      expect(running.cancel()).toBe(true)
      expect(running.state).toBe('cancelled')
      expect(queued.state).toBe('cancelled')
      // The running one stopped in its pool; the queued one was skipped when its turn came.
      await expect
        .poll(async () => (await w.send({ cmd: 'stats' }))['stats'])
        .toMatchObject({ running: 0, completed: 0, failed: 0 })
      expect(await cluster.submit(add, 2, 3)).toBe(5)
      expect((await w.send({ cmd: 'stats' }))['stats']).toMatchObject({ completed: 1 })
      // A signal cancels as cancel() does; one already aborted sends nothing.
      const controller = new AbortController()
      const bySignal = cluster.submit({ signal: controller.signal }, untilCancelledRef)
      await expect
        .poll(async () => ((await w.send({ cmd: 'stats' }))['stats'] as { running: number }).running)
        .toBe(1)
      controller.abort(new Error('enough'))
      expect(bySignal.state).toBe('cancelled')
      await expect.poll(async () => (await w.send({ cmd: 'stats' }))['stats']).toMatchObject({ running: 0 })
      const never = cluster.submit({ signal: AbortSignal.abort('no') }, add, 1, 1)
      expect(never.state).toBe('cancelled')
      expect(() => cluster.submit({ signal: 5 as never }, add, 1, 1)).toThrow(/signal/)
      expect(cluster.stats()).toMatchObject({ cancelled: 3, completed: 1, pending: 0 })
    } finally {
      await cluster.shutdown()
      await w.send({ cmd: 'stop' })
      await w.exited
    }
  })

  it('a worker whose main thread is blocked longer than the lease keeps the job it runs', async () => {
    const opts = { leaseMs: 1000 }
    const cluster = await connectExecutor({ servers: url(), name: 'blocked', ...opts })
    const busy = await worker('blocked', 'busy', { ...opts, concurrency: 1 })
    try {
      const job = cluster.submit(slowEchoRef, 'kept', 2500)
      await expect
        .poll(async () => ((await busy.send({ cmd: 'stats' }))['stats'] as { running: number }).running)
        .toBe(1)
      // Another worker is there to take the job if the lease were lost.
      const other = await worker('blocked', 'other', { ...opts, concurrency: 1 })
      await busy.send({ cmd: 'block', ms: 2500 })
      expect(await job).toBe('kept')
      expect(job.attempts).toBe(1)
      expect((await other.send({ cmd: 'stats' }))['stats']).toMatchObject({ completed: 0, redelivered: 0 })
      expect((await busy.send({ cmd: 'stats' }))['stats']).toMatchObject({ completed: 1, redelivered: 0 })
      await other.send({ cmd: 'stop' })
      await other.exited
    } finally {
      await cluster.shutdown()
      await busy.send({ cmd: 'stop' })
      await busy.exited
    }
  })

  it('jobs that failed for good and messages that were not jobs are dead letters an operator lists, requeues, drops', async () => {
    const w = await worker('dead', 'w1')
    const cluster = await connectExecutor({
      servers: url(),
      name: 'dead',
      maxAttempts: 2,
      backoffMs: [20],
    })
    const nc = await connect({ servers: url() })
    try {
      await cluster.submit({ id: 'doomed-1' }, failRef, 'broken').catch(() => undefined)
      // Garbage on the job subject: dead-lettered with its reason, and the worker serves on.
      await jetstream(nc).publish('verdant.jobs.dead.run', 'not a job at all')
      await expect.poll(async () => (await cluster.deadJobs()).length).toBe(2)
      const [first, second] = await cluster.deadJobs()
      expect(first).toMatchObject({ key: 'doomed-1', reason: 'out of attempts', attempts: 2, worker: 'w1' })
      expect(first?.task?.exportName).toBe('fail')
      expect((first?.error as Error).message).toBe('broken')
      expect(second?.key).toMatch(/^bad-\d+$/)
      expect(second?.reason).toMatch(/^not a job/)
      expect(await cluster.submit(add, 20, 22)).toBe(42)
      // Requeued: it runs again with its attempts anew (and, still broken, comes back).
      const again = cluster.requeue('doomed-1')
      const err: unknown = await again.catch((e: unknown) => e)
      expect(err).toBeInstanceOf(JobFailedError)
      expect((err as JobFailedError).attempts).toBe(2)
      expect((await w.send({ cmd: 'stats' }))['stats']).toMatchObject({
        failed: 2,
        rejected: 1,
        completed: 1,
      })
      await expect
        .poll(async () => (await cluster.deadJobs()).map((d) => d.key).sort())
        .toEqual([second?.key, 'doomed-1'].sort())
      expect(await cluster.dropDead(second?.key as string)).toBe(true)
      expect(await cluster.dropDead(second?.key as string)).toBe(false)
      await expect(cluster.requeue('no-such-job')).rejects.toThrow(/no dead job/)
      expect(() => cluster.requeue('bad key')).toThrow(/key/)
    } finally {
      await nc.close()
      await cluster.shutdown()
      await w.send({ cmd: 'stop' })
      await w.exited
    }
  })

  it('a job cancelled while no worker was up is withdrawn: a worker that starts later never runs it', async () => {
    const cluster = await connectExecutor({ servers: url(), name: 'late' })
    const nc = await connect({ servers: url() })
    try {
      const job = cluster.submit({ id: 'late-1' }, add, 1, 1)
      await new Promise((r) => setTimeout(r, 100))
      expect(job.cancel()).toBe(true)
      const jsm = await jetstreamManager(nc)
      await expect.poll(async () => (await jsm.streams.info('VERDANT_JOBS_late')).state.messages).toBe(0)
      const w = await worker('late', 'w1')
      try {
        expect(await cluster.submit(add, 2, 2)).toBe(4)
        expect((await w.send({ cmd: 'stats' }))['stats']).toMatchObject({ completed: 1, skipped: 0 })
        await expect(cluster.getResult('late-1')).rejects.toBeInstanceOf(CancelledError)
      } finally {
        await w.send({ cmd: 'stop' })
        await w.exited
      }
    } finally {
      await nc.close()
      await cluster.shutdown()
    }
  })

  it('map runs items across the workers in chunks, in input order, and stops at the first failure', async () => {
    const w1 = await worker('map', 'w1')
    const w2 = await worker('map', 'w2')
    const cluster = await connectExecutor({ servers: url(), name: 'map', maxAttempts: 1 })
    try {
      const out: unknown[] = []
      for await (const v of cluster.map(
        echoRef,
        Array.from({ length: 50 }, (_, i) => i),
        { chunksize: 4 },
      ))
        out.push(v)
      expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i))
      // 13 chunks of up to 4 items, over both workers.
      const s1 = (await w1.send({ cmd: 'stats' }))['stats'] as { completed: number }
      const s2 = (await w2.send({ cmd: 'stats' }))['stats'] as { completed: number }
      expect(s1.completed + s2.completed).toBe(13)
      const unordered: unknown[] = []
      for await (const v of cluster.map(echoRef, [1, 2, 3], { ordered: false })) unordered.push(v)
      expect(unordered.sort()).toEqual([1, 2, 3])
      const failing = async (): Promise<void> => {
        const seen: unknown[] = []
        for await (const v of cluster.map(failRef, ['first', 'second'])) seen.push(v)
      }
      await expect(failing()).rejects.toBeInstanceOf(JobFailedError)
      expect(() => cluster.map(echoRef, 5 as never)).toThrow(TypeError)
      expect(() => cluster.map(echoRef, [1], { chunksize: 0 })).toThrow(RangeError)
    } finally {
      await cluster.shutdown()
      await w1.send({ cmd: 'stop' })
      await w2.send({ cmd: 'stop' })
      await w1.exited
      await w2.exited
    }
  })
})
