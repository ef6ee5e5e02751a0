/**
 * The main thread's side of the lease keeper (lease-keeper-main.ts): a worker thread that renews
 * the leases of running jobs even while this thread is blocked.
 *
 * The thread opens a connection of its own, so it needs connection options that can be copied to
 * it; options holding functions (an nkey or creds authenticator) cannot be, and then the leases
 * are renewed from this thread's timer instead, which a blocked event loop delays.
 *
 * @module
 */
import { Worker } from 'node:worker_threads'
import type { NatsConnection } from '@nats-io/transport-node'
import { builtModule } from './built-module.js'
import type { NatsConnectOptions } from './cluster-options.js'

/** Renews running jobs' leases. @internal */
export interface LeaseKeeper {
  /** Renews the lease of the job whose ack subject is `subject` until `end(subject)`. */
  start(subject: string): void
  end(subject: string): void
  /** Stops the thread (or the timers). */
  close(): Promise<void>
  /** True when the renewals come from a thread of their own. */
  readonly offThread: boolean
}

/** Starts a lease keeper renewing every `everyMs`. @internal */
export async function startLeaseKeeper(
  nc: NatsConnection,
  nats: NatsConnectOptions,
  everyMs: number,
): Promise<LeaseKeeper> {
  let cloneable = true
  try {
    structuredClone(nats)
  } catch {
    cloneable = false
  }
  return cloneable ? threadKeeper(nc, nats, everyMs) : timerKeeper(nc, everyMs)
}

async function threadKeeper(
  nc: NatsConnection,
  nats: NatsConnectOptions,
  everyMs: number,
): Promise<LeaseKeeper> {
  const worker = new Worker(builtModule('./lease-keeper-main.js', import.meta.url), {
    workerData: { nats, everyMs },
    name: 'verdant-lease-keeper',
  })
  await new Promise<void>((resolve, reject) => {
    const onError = (err: unknown): void => {
      reject(err instanceof Error ? err : new Error(String(err)))
    }
    worker.once('error', onError)
    worker.once('message', () => {
      worker.off('error', onError)
      resolve()
    })
  })
  // A keeper that dies leaves the leases to the main thread's own renewals below.
  let alive = true
  worker.once('exit', () => {
    alive = false
  })
  worker.unref()
  const fallback = timerKeeper(nc, everyMs)
  // What the thread is told goes once per turn of the event loop: a message per job start and end
  // was the largest cost of a job server's main thread with many short jobs.
  let adds: string[] = []
  let removes: string[] = []
  let scheduled = false
  const flush = (): void => {
    scheduled = false
    if (!alive || (adds.length === 0 && removes.length === 0)) return
    worker.postMessage({ add: adds, remove: removes })
    adds = []
    removes = []
  }
  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    setImmediate(flush)
  }
  return {
    offThread: true,
    start(subject) {
      if (!alive) {
        fallback.start(subject)
        return
      }
      adds.push(subject)
      schedule()
    },
    end(subject) {
      fallback.end(subject)
      if (!alive) return
      // A job that ended before the thread heard of it need not be heard of at all.
      const i = adds.lastIndexOf(subject)
      if (i >= 0) adds.splice(i, 1)
      else removes.push(subject)
      schedule()
    },
    async close() {
      await fallback.close()
      if (!alive) return
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
      worker.postMessage({ stop: true })
      const force = setTimeout(() => void worker.terminate(), 2000)
      await exited
      clearTimeout(force)
    },
  }
}

function timerKeeper(nc: NatsConnection, everyMs: number): LeaseKeeper {
  const timers = new Map<string, NodeJS.Timeout>()
  return {
    offThread: false,
    start(subject) {
      timers.set(
        subject,
        setInterval(() => {
          try {
            nc.publish(subject, '+WPI')
          } catch {
            // Closed: the lease runs out, as it should for a worker that is going.
          }
        }, everyMs),
      )
    },
    end(subject) {
      clearInterval(timers.get(subject))
      timers.delete(subject)
    },
    close() {
      for (const t of timers.values()) clearInterval(t)
      timers.clear()
      return Promise.resolve()
    },
  }
}
