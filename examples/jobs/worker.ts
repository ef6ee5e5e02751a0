/**
 * One job server of the jobs demo, in a process of its own: `node worker.js <nats url> <worker id>`,
 * forked by demo.js. It serves the executor with a thread pool, reports its stats every 20 ms, and
 * stops when the demo says `stop` (or goes away).
 */
import { ThreadPoolExecutor } from 'verdant'
import { serveJobs } from 'verdant/remote'
import { CONCURRENCY, EXECUTOR, LEASE_MS, type Command, type Report, THREADS } from './protocol.js'

const [servers = '', workerId = ''] = process.argv.slice(2)

/** Sends `report` to the demo; resolves once it is written (or at once if the demo is gone). */
function send(report: Report): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve()
    else process.send(report, undefined, {}, () => resolve())
  })
}

const pool = new ThreadPoolExecutor({ maxWorkers: THREADS })
const server = await serveJobs({
  servers,
  name: EXECUTOR,
  executor: pool,
  concurrency: CONCURRENCY,
  leaseMs: LEASE_MS,
  workerId,
})
await send({
  line: `serving "${EXECUTOR}" as worker ${server.id} (pid ${String(process.pid)}): ${String(THREADS)} threads, concurrency ${String(CONCURRENCY)}, lease ${String(LEASE_MS)} ms`,
})
const ticker = setInterval(() => void send({ stats: server.stats() }), 20)

let stopping: Promise<void> | undefined
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    clearInterval(ticker)
    await server.stop()
    await pool.shutdown()
    const s = server.stats()
    await send({ line: `stopped: completed ${String(s.completed)}, redelivered ${String(s.redelivered)}` })
    await send({ stats: s, final: true })
    if (process.connected) process.disconnect()
  })())
process.on('disconnect', () => void stop())
process.on('message', (m: Command) => {
  if (m.cmd === 'stop') void stop()
})
await send({ ready: server.id })
