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
import type { JsMsg } from '@nats-io/jetstream'
import type { NatsConnectOptions } from './cluster-options.js'

/** Renews running jobs' leases. @internal */
export interface LeaseKeeper {
  /** Renews `m`'s lease until `end(m)`. */
  start(m: JsMsg): void
  end(m: JsMsg): void
  /** Stops the thread (or the timers). */
  close(): Promise<void>
  /** True when the renewals come from a thread of their own. */
  readonly offThread: boolean
}

/** Starts a lease keeper renewing every `everyMs`. @internal */
export async function startLeaseKeeper(nats: NatsConnectOptions, everyMs: number): Promise<LeaseKeeper> {
  let cloneable = true
  try {
    structuredClone(nats)
  } catch {
    cloneable = false
  }
  return cloneable ? threadKeeper(nats, everyMs) : timerKeeper(everyMs)
}

function entry(): URL {
  const here = new URL(import.meta.url)
  // From the TypeScript sources (this project's tests), the thread runs the built copy.
  if (here.pathname.endsWith('.ts')) return new URL('../../dist/remote/lease-keeper-main.js', here)
  return new URL('./lease-keeper-main.js', here)
}

async function threadKeeper(nats: NatsConnectOptions, everyMs: number): Promise<LeaseKeeper> {
  const worker = new Worker(entry(), { workerData: { nats, everyMs }, name: 'verdant-lease-keeper' })
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
  const fallback = timerKeeper(everyMs)
  return {
    offThread: true,
    start(m) {
      const subject = ackSubject(m)
      if (alive && subject !== undefined) worker.postMessage({ add: subject })
      else fallback.start(m)
    },
    end(m) {
      const subject = ackSubject(m)
      if (subject !== undefined && alive) worker.postMessage({ remove: subject })
      fallback.end(m)
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

/** The subject a message's acks and renewals go to (the client's `JsMsg` keeps it as `reply`). */
function ackSubject(m: JsMsg): string | undefined {
  const reply = (m as unknown as { readonly reply?: unknown }).reply
  return typeof reply === 'string' && reply !== '' ? reply : undefined
}

function timerKeeper(everyMs: number): LeaseKeeper {
  const timers = new Map<JsMsg, NodeJS.Timeout>()
  return {
    offThread: false,
    start(m) {
      timers.set(
        m,
        setInterval(() => {
          m.working()
        }, everyMs),
      )
    },
    end(m) {
      clearInterval(timers.get(m))
      timers.delete(m)
    },
    close() {
      for (const t of timers.values()) clearInterval(t)
      timers.clear()
      return Promise.resolve()
    },
  }
}
