/**
 * A crawler with a progress bar: a Pool(3) fetches pages (fake ones, on timers), each within
 * `withTimeout`, and a text progress bar is redrawn from the pool's events, with no event emitter.
 */
import { Pool, sleep, withTimeout } from 'verdant'
import type { Print } from './01-hello-world.js'

interface Page {
  readonly url: string
  /** How long the fake server takes to answer. */
  readonly ms: number
  readonly status: number
  readonly bytes: number
}

const PAGES: readonly Page[] = [
  { url: '/index.html', ms: 40, status: 200, bytes: 5120 },
  { url: '/about.html', ms: 120, status: 200, bytes: 2048 },
  { url: '/missing.html', ms: 10, status: 404, bytes: 0 },
  { url: '/huge.iso', ms: 10_000, status: 200, bytes: 4_700_000_000 },
  { url: '/contact.html', ms: 50, status: 200, bytes: 1024 },
  { url: '/faq.html', ms: 60, status: 200, bytes: 3072 },
]

/** Stands in for `fetch`: answers after `page.ms`, and stops when `signal` aborts. */
async function fakeFetch(page: Page, signal: AbortSignal): Promise<number> {
  await sleep(page.ms, { signal })
  if (page.status !== 200) throw new Error(`HTTP ${String(page.status)}`)
  return page.bytes
}

function progressBar(done: number, total: number, width = 12): string {
  const filled = Math.round((done / total) * width)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(done)}/${String(total)}`
}

export async function main(print: Print): Promise<void> {
  const pool = new Pool(3)
  // Subscribed before the first task can end, so the bar misses nothing.
  const events = pool.events()
  const tasks = PAGES.map((page) =>
    pool.spawn(() => withTimeout(300, ({ signal }) => fakeFetch(page, signal)), { name: page.url }),
  )
  // Looking at every outcome here means a failed page is a line on the bar, not a crash.
  const settled = Promise.allSettled(tasks)
  for await (const e of events) {
    if (e.type === 'idle') break
    const { completed, failed, cancelled } = pool.stats()
    const detail =
      e.type === 'completed'
        ? `${String(e.task.value)} bytes`
        : e.task.exception instanceof Error
          ? e.task.exception.message
          : e.type
    print(`${progressBar(completed + failed + cancelled, tasks.length)} ${e.task.name}: ${detail}`)
  }
  await settled
  const { completed, failed } = pool.stats()
  print(`crawl done: ${String(completed)} fetched, ${String(failed)} failed`)
}
