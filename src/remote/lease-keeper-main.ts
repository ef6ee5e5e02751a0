/**
 * The lease keeper's thread: renews the leases of the jobs a job server runs, on a connection and
 * an event loop of its own.
 *
 * A job runs in the server's pool, but the server's main thread may be blocked by the program
 * around it; if the renewals were sent from there, a healthy worker would lose its running jobs to
 * another node after one lease (BullMQ's "job stalled"). From this thread the renewals go on as long
 * as the process lives, and stop when it dies, which is what the lease is for.
 *
 * It gets the ack subjects of running jobs from the main thread and publishes JetStream's "work in
 * progress" (`+WPI`) to each every `everyMs`.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads'
import { connect, type ConnectionOptions } from '@nats-io/transport-node'

interface KeeperData {
  readonly nats: ConnectionOptions
  readonly everyMs: number
}

/** What the main thread sends: the jobs started and ended since the last time (their ack subjects), or stop. */
type KeeperMessage =
  { readonly add: readonly string[]; readonly remove: readonly string[] } | { readonly stop: true }

const port = parentPort
if (port === null) throw new Error('the lease keeper must run as a worker thread')
const data = workerData as KeeperData
const nc = await connect({ ...data.nats, name: 'verdant-lease-keeper' })
const subjects = new Set<string>()
const timer = setInterval(() => {
  for (const s of subjects) {
    try {
      nc.publish(s, '+WPI')
    } catch {
      // Closed: the process is ending, and the leases with it.
    }
  }
}, data.everyMs)
port.on('message', (m: KeeperMessage) => {
  if ('add' in m) {
    for (const s of m.add) subjects.add(s)
    for (const s of m.remove) subjects.delete(s)
  } else {
    clearInterval(timer)
    void nc.drain().finally(() => {
      port.close()
    })
  }
})
port.postMessage('ready')
