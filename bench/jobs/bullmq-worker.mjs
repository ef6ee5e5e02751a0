// A BullMQ worker for bench/jobs.bench.mjs, in a process of its own: a `Worker` on queue `name`
// with `concurrency` jobs at a time, computing a + b inline (as raw-worker.mjs) and returning it, so
// the result reaches the submitter in the `completed` event of its QueueEvents. Driven by its parent
// over IPC. argv: redis host, port, queue name, concurrency.
import { Worker } from 'bullmq'

const [host, port, name, concurrency] = process.argv.slice(2)
const worker = new Worker(name, async (job) => job.data.a + job.data.b, {
  // BullMQ requires maxRetriesPerRequest: null on a worker's connection (it blocks on Redis).
  connection: { host, port: Number(port), maxRetriesPerRequest: null },
  concurrency: Number(concurrency ?? 8),
})
worker.on('error', (err) => console.error(`bullmq-worker ${process.pid}:`, err))
await worker.waitUntilReady()

process.on('message', async (m) => {
  if (m.cmd === 'gc') globalThis.gc?.()
  else if (m.cmd === 'stop') await worker.close()
  process.send({ id: m.id })
  if (m.cmd === 'stop') setImmediate(() => process.disconnect())
})
process.send({ ready: true })
