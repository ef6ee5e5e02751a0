/** What the jobs demo and its worker processes say to each other over IPC. */
import type { JobServerStats } from 'verdant/remote'

/** The executor's name: the stream the submitter and the workers share. */
export const EXECUTOR = 'demo-jobs'
/** The lease of a running job: a job whose worker died runs again this long after its last renewal. */
export const LEASE_MS = 1000
/** Each worker's thread pool size, and the jobs it runs at once. */
export const THREADS = 2
export const CONCURRENCY = 2

/** Demo to worker. */
export type Command = { readonly cmd: 'stop' }

/** Worker to demo: a line to print, that it serves, its stats (every 20 ms), or its final stats. */
export type Report =
  | { readonly line: string }
  | { readonly ready: string }
  | { readonly stats: JobServerStats; readonly final?: boolean }
