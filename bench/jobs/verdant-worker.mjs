// A verdant job server for bench/jobs.bench.mjs, in a process of its own, driven by its parent over
// IPC (as test/fixtures/job-worker.mjs). argv: server URL, executor name, options JSON
// ({ maxWorkers, concurrency }).
import { ThreadPoolExecutor } from '../../dist/index.js'
import { serveJobs } from '../../dist/remote/index.js'

const [url, name, optsJson] = process.argv.slice(2)
const opts = JSON.parse(optsJson ?? '{}')
const pool = new ThreadPoolExecutor({ maxWorkers: opts.maxWorkers ?? 2 })
const server = await serveJobs({ servers: url, name, executor: pool, concurrency: opts.concurrency ?? 8 })

process.on('message', async (m) => {
  if (m.cmd === 'gc') globalThis.gc?.()
  else if (m.cmd === 'stop') {
    await server.stop()
    await pool.shutdown()
  }
  process.send({ id: m.id })
  if (m.cmd === 'stop') setImmediate(() => process.disconnect())
})
process.send({ ready: server.id })
