// The distributed executor's per-job options and what a job and its submitter can read: the
// delivery a job function sees (`jobInfo`), queue and run time limits with a kill grace, the
// cluster's queue and workers in `stats()`, and which results are kept for `getResult`.
import { expect, it } from 'vitest'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { asCompleted, ThreadPoolExecutor, TimeoutError } from 'verdant'
import { jobInfo, taskRef } from 'verdant/worker'
import { startObserver } from 'verdant/observer'
import { connectExecutor, JobFailedError } from 'verdant/remote'
import type { busyForever, deliveryInfo, slowEcho } from '../fixtures/executor-tasks.mjs'
import { add } from '../fixtures/executor-tasks.mjs'
import { describeNats } from './fixture.js'
import { useJobCluster } from './job-workers.js'

const tasks = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const infoRef = taskRef<typeof deliveryInfo>(tasks, 'deliveryInfo')
const slowEchoRef = taskRef<typeof slowEcho>(tasks, 'slowEcho')
const busyForeverRef = taskRef<typeof busyForever>(tasks, 'busyForever')

interface WorkerStats {
  stats: { running: number; completed: number; skipped: number }
  pool: { terminated: number; crashes: number }
}

describeNats('a distributed executor: job options, job info, stats', () => {
  const { url, worker } = useJobCluster()
  const statsOf = async (w: Awaited<ReturnType<typeof worker>>) =>
    (await w.send({ cmd: 'stats' })) as unknown as WorkerStats

  it('a job function reads its id, attempt, attempts and deadline with jobInfo(); a local job reads undefined', async () => {
    const w = await worker('info', 'w-info')
    const cluster = await connectExecutor({ servers: url(), name: 'info', backoffMs: [10] })
    try {
      const before = Date.now()
      const first = cluster.submit({ id: 'info-1', timeout: 5000 }, infoRef, 0)
      expect(await first).toEqual({
        id: 'info-1',
        attempt: 1,
        maxAttempts: 3,
        deadline: expect.any(Number) as number,
        worker: 'w-info',
      })
      const deadline = (await first)?.deadline ?? 0
      expect(deadline).toBeGreaterThanOrEqual(before + 5000)
      expect(deadline).toBeLessThan(Date.now() + 5000)
      // Two failed attempts, then the third reads attempt 3; a generated id is readable too.
      const third = cluster.submit(infoRef, 2)
      expect(await third).toMatchObject({ attempt: 3, maxAttempts: 3, deadline: undefined })
      expect((await third)?.id).toBe(cluster.jobId(third))
      expect(third.attempts).toBe(3)
      // Outside a distributed job: undefined, in a local pool and in the main thread.
      const pool = new ThreadPoolExecutor({ maxWorkers: 1 })
      try {
        expect(await pool.submit(infoRef, 0)).toBeNull()
      } finally {
        await pool.shutdown()
      }
      expect(jobInfo()).toBeUndefined()
    } finally {
      await cluster.shutdown()
      await w.send({ cmd: 'stop' })
      await w.exited
    }
  })

  it('queueTimeoutMs: a job no worker started in time fails with TimeoutError and never runs', async () => {
    const cluster = await connectExecutor({ servers: url(), name: 'queued' })
    const nc = await connect({ servers: url() })
    try {
      const t0 = performance.now()
      const late = cluster.submit({ id: 'late-q', queueTimeoutMs: 200 }, add, 1, 1)
      const err: unknown = await late.catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TimeoutError)
      expect((err as Error).message).toMatch(/late-q.*not started within 200 ms/)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(190)
      // Withdrawn from the stream, so a worker that comes later has nothing to run.
      const jsm = await jetstreamManager(nc)
      await expect.poll(async () => (await jsm.streams.info('VERDANT_JOBS_queued')).state.messages).toBe(0)
      const w = await worker('queued', 'w-q')
      try {
        expect(await cluster.submit(add, 2, 2)).toBe(4)
        expect((await statsOf(w)).stats).toMatchObject({ completed: 1 })
        // Its end is kept: a TimeoutError inside the failure.
        const kept: unknown = await cluster.getResult('late-q').catch((e: unknown) => e)
        expect(kept).toBeInstanceOf(JobFailedError)
        expect((kept as Error).message).toMatch(/not started within/)
        // A job started in time is not timed out, however long it runs.
        expect(await cluster.submit({ queueTimeoutMs: 2000 }, slowEchoRef, 'slow', 2500)).toBe('slow')
      } finally {
        await w.send({ cmd: 'stop' })
        await w.exited
      }
      expect(() => cluster.submit({ queueTimeoutMs: -1 }, add, 1, 1)).toThrow(RangeError)
      expect(() => cluster.submit({ timeout: 1, runTimeoutMs: 1 }, add, 1, 1)).toThrow(/not both/)
    } finally {
      await nc.close()
      await cluster.shutdown()
    }
  })

  it('a run timeout with killAfterMs kills the pool worker of a job that ignores it, and the server serves on', async () => {
    const w = await worker('kill', 'w-kill', { concurrency: 1, maxWorkers: 1 })
    const cluster = await connectExecutor({ servers: url(), name: 'kill' })
    try {
      const stuck = cluster.submit({ timeout: 100, killAfterMs: 50, maxAttempts: 1 }, busyForeverRef)
      const err: unknown = await stuck.catch((e: unknown) => e)
      expect(err).toBeInstanceOf(JobFailedError)
      expect((err as Error).cause).toBeInstanceOf(TimeoutError)
      await expect.poll(async () => (await statsOf(w)).pool.terminated).toBe(1)
      expect(await cluster.submit(add, 3, 4)).toBe(7)
    } finally {
      await cluster.shutdown()
      await w.send({ cmd: 'stop' })
      await w.exited
    }
  })

  it('stats() shows the queue and what runs on each worker node while jobs run', async () => {
    const w1 = await worker('load', 'n1', { concurrency: 2 })
    const w2 = await worker('load', 'n2', { concurrency: 1 })
    const cluster = await connectExecutor({ servers: url(), name: 'load' })
    try {
      const jobs = Array.from({ length: 12 }, (_, i) => cluster.submit(slowEchoRef, i, 400))
      await expect
        .poll(() => cluster.stats(), { timeout: 5000 })
        .toMatchObject({
          running: 3,
          workers: [
            { id: 'n1', lanes: 2, running: 2 },
            { id: 'n2', lanes: 1, running: 1 },
          ],
        })
      await expect.poll(() => cluster.stats().queued, { timeout: 5000 }).toBeGreaterThan(0)
      await Promise.all(jobs)
      await expect
        .poll(() => cluster.stats(), { timeout: 5000 })
        .toMatchObject({ queued: 0, running: 0, pending: 0, completed: 12 })
      const s = cluster.stats()
      expect(s.workers.reduce((n, x) => n + x.completed, 0)).toBe(12)
      // The observer shows it beside the local pools.
      const observer = await startObserver()
      try {
        expect(observer.snapshot().executors.find((e) => e.kind === 'cluster')).toMatchObject({
          name: 'load',
          size: 3,
          completed: 12,
        })
      } finally {
        await observer.close()
      }
      // A stopped worker says so and leaves the list.
      await w2.send({ cmd: 'stop' })
      await w2.exited
      await expect.poll(() => cluster.stats().workers.map((x) => x.id)).toEqual(['n1'])
    } finally {
      await cluster.shutdown()
      await w1.send({ cmd: 'stop' })
      await w1.exited
    }
  })

  it('asCompleted, await using and shutdown({ cancelFutures }) work on its futures as on the local pools', async () => {
    const w = await worker('iface', 'w-iface', { concurrency: 2 })
    try {
      let last: { readonly state: string } | undefined
      {
        await using cluster = await connectExecutor({ servers: url(), name: 'iface' })
        const jobs = [cluster.submit(slowEchoRef, 'slow', 600), cluster.submit(slowEchoRef, 'fast', 10)]
        const order: string[] = []
        for await (const f of asCompleted(jobs)) order.push(String(f.value))
        expect(order).toEqual(['fast', 'slow'])
        // Left pending when the block ends: `await using` waits for it.
        last = cluster.submit(add, 5, 6)
      }
      expect(last?.state).toBe('succeeded')
      const cluster = await connectExecutor({ servers: url(), name: 'iface' })
      const running = cluster.submit(slowEchoRef, 'never', 5000)
      const queued = [1, 2, 3].map((i) => cluster.submit(slowEchoRef, i, 5000))
      await expect.poll(async () => (await statsOf(w)).stats.running).toBe(2)
      await cluster.shutdown({ cancelFutures: true })
      expect([running, ...queued].map((j) => j.state)).toEqual([
        'cancelled',
        'cancelled',
        'cancelled',
        'cancelled',
      ])
      // The worker was told: nothing left running there, nothing left to run.
      await expect.poll(async () => (await statsOf(w)).stats.running).toBe(0)
      expect(() => cluster.submit(add, 1, 1)).toThrow(/shut down/)
    } finally {
      await w.send({ cmd: 'stop' })
      await w.exited
    }
  })

  it('a worker that stops leaves no pull behind: the next job goes at once to a worker started later', async () => {
    const cluster = await connectExecutor({ servers: url(), name: 'handover' })
    const first = await worker('handover', 'w-first', { concurrency: 4 })
    try {
      expect(await cluster.submit(add, 1, 1)).toBe(2)
      await first.send({ cmd: 'stop' })
      await first.exited
      const job = cluster.submit(add, 2, 2)
      await new Promise((r) => setTimeout(r, 300))
      const t0 = performance.now()
      const second = await worker('handover', 'w-second')
      try {
        expect(await job).toBe(4)
        // Not held by a pull of the stopped worker until a lease ran out (30 s by default).
        expect(performance.now() - t0).toBeLessThan(5000)
        expect(job.attempts).toBe(1)
        expect((await statsOf(second)).stats).toMatchObject({ completed: 1 })
      } finally {
        await second.send({ cmd: 'stop' })
        await second.exited
      }
    } finally {
      await cluster.shutdown()
    }
  })

  it('results its submitter took are not kept unless asked; given ids and keepResults: always keep them', async () => {
    const w = await worker('keep', 'w-keep')
    const taker = await connectExecutor({ servers: url(), name: 'keep' })
    const keeper = await connectExecutor({ servers: url(), name: 'keep', keepResults: 'always' })
    try {
      const taken = taker.submit(add, 1, 2)
      const named = taker.submit({ id: 'keep-named' }, add, 2, 2)
      const always = keeper.submit(add, 3, 3)
      expect([await taken, await named, await always]).toEqual([3, 4, 6])
      expect(await taker.getResult(taker.jobId(taken) ?? '')).toBeUndefined()
      expect(await taker.getResult('keep-named')).toEqual({ value: 4 })
      expect(await taker.getResult(keeper.jobId(always) ?? '')).toEqual({ value: 6 })
      expect(() => connectExecutor({ keepResults: 'some' as never })).toThrow(/keepResults/)
    } finally {
      await taker.shutdown()
      await keeper.shutdown()
      await w.send({ cmd: 'stop' })
      await w.exited
    }
  })
})
