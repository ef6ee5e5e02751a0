// The distributed executor's suites: one JetStream nats-server per suite, and job servers as child
// processes (test/fixtures/job-worker.mjs) driven over IPC.
import { fileURLToPath } from 'node:url'
import { startChild } from './child-node.js'
import { useNatsServer } from './fixture.js'

/** The job server script the suites start. */
export const jobWorkerScript = fileURLToPath(new URL('../fixtures/job-worker.mjs', import.meta.url))

/**
 * A nats-server with JetStream for the suite, and a function that starts a job server of executor
 * `name` as a child process with id `id` (options: maxWorkers, concurrency, leaseMs).
 */
export function useJobCluster(): {
  url: () => string
  worker: (name: string, id: string, opts?: Record<string, unknown>) => ReturnType<typeof startChild>
} {
  const server = useNatsServer({ jetstream: true })
  return {
    url: () => server().url,
    worker: (name, id, opts = {}) =>
      startChild(jobWorkerScript, [server().url, name, JSON.stringify({ workerId: id, ...opts })], id),
  }
}
