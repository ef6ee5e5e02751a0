// The observer page in headless Chromium, against a real program (test/fixtures/observed-program.mjs
// on the built package): rows appear, a crashing actor's restarts rise, a finished task leaves, a
// sort change reconnects, a named queue, a named task pool, debug mode's slow steps and the
// busiest actor show. Then a snapshot made up here (served for /events through Playwright's
// routing) for what the program has not: a cluster in the header, an unbounded queue, two pools of
// one name. Only DOM assertions through the page's data-row / data-field hooks: playwright-core
// drives the machine's Chromium, whose version Playwright does not pin.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumBin } from '../helpers/chromium.js'

const fixture = fileURLToPath(new URL('../fixtures/observed-program.mjs', import.meta.url))
const builtObserver = fileURLToPath(new URL('../../dist/observer/index.js', import.meta.url))
// Every run leaves its screenshot as a test artifact; the README's copy is replaced only when
// asked (`VERDANT_README_SCREENSHOT=1 npx vitest run test/observer/page.browser.test.ts`), so a
// test run does not change a tracked file.
const screenshots = [
  fileURLToPath(new URL('../../test-results/observer.png', import.meta.url)),
  ...(process.env['VERDANT_README_SCREENSHOT'] === '1'
    ? [fileURLToPath(new URL('../../docs/observer.png', import.meta.url))]
    : []),
]
const TOKEN = 'page-test-token-1234'

// What the browser-side functions below use of the DOM (the test's own types know no DOM). They
// are functions, not strings: the page's Content-Security-Policy forbids eval, which Playwright
// needs for a string predicate given an argument.
interface Dom {
  readonly document: {
    querySelectorAll(selector: string): { readonly length: number }
    querySelector(selector: string): { readonly textContent: string | null } | null
    readonly body: { readonly dataset: Record<string, string | undefined> }
  }
}

/** Rows whose data-row starts with `prefix`, at least `n` of them. */
async function waitForRows(page: Page, prefix: string, n: number, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([p, min]) =>
      (globalThis as unknown as Dom).document.querySelectorAll(`[data-row^="${p}"]`).length >= min,
    [prefix, n] as const,
    { timeout },
  )
}

/** The number in a row's cell once it is at least `min`. */
async function waitForCell(page: Page, row: string, field: string, min: number): Promise<number> {
  const handle = await page.waitForFunction(
    ([r, f, m]) => {
      const text = (globalThis as unknown as Dom).document.querySelector(
        `[data-row="${r}"] [data-field="${f}"]`,
      )?.textContent
      return text !== undefined && text !== null && text !== '' && Number(text) >= m ? Number(text) : false
    },
    [row, field, min] as const,
    { timeout: 5000 },
  )
  return (await handle.jsonValue()) as number
}

/** Snapshots the page has rendered. */
function snapshotCount(page: Page): Promise<number> {
  return page.evaluate(() => Number((globalThis as unknown as Dom).document.body.dataset['snapshots']))
}

function startProgram(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [fixture], {
    env: { ...process.env, OBSERVED_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (s: string) => {
    err = (err + s).slice(-8192)
  })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => fail(new Error(`no url within 15 s:\n${out}\n${err}`)), 15_000)
    const fail = (e: Error): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(e)
    }
    child.once('exit', (code, signal) => {
      fail(new Error(`the program exited (${String(code ?? signal)}) before its url:\n${out}\n${err}`))
    })
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (s: string) => {
      out += s
      const nl = out.indexOf('\n')
      if (nl === -1) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      try {
        resolve({ child, url: (JSON.parse(out.slice(0, nl)) as { url: string }).url })
      } catch (e) {
        fail(e as Error)
      }
    })
  })
}

/** SIGTERM, then SIGKILL after 5 s; resolves with whether it took the SIGKILL. */
async function stopProgram(child: ChildProcess): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return false
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  let forced = false
  const force = setTimeout(() => {
    forced = true
    child.kill('SIGKILL')
  }, 5000)
  await exited
  clearTimeout(force)
  return forced
}

/** The text of each cell of `field` in the rows under `rows`, in order. */
function cells(page: Page, rows: string, field: string): Promise<string[]> {
  return page.locator(`${rows} [data-field="${field}"]`).allTextContents()
}

describe.skipIf(chromiumBin === undefined)('observer page in Chromium', () => {
  let browser: Browser | undefined
  let child: ChildProcess | undefined
  let programUrl = ''
  let page: Page
  const eventUrls: string[] = []
  const pageErrors: string[] = []
  // A run cut short never reaches afterAll: the program goes with the test process.
  const onExit = (): void => {
    child?.kill('SIGKILL')
  }

  beforeAll(async () => {
    if (!existsSync(builtObserver)) throw new Error('dist/observer is missing: run `npm run build` first')
    process.once('exit', onExit)
    // The browser first: it is the slow part, and the program's short task starts its clock when
    // the page connects.
    browser = await chromium.launch({ executablePath: chromiumBin!, headless: true, args: ['--no-sandbox'] })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/events') eventUrls.push(r.url())
    })
    const program = await startProgram()
    child = program.child
    expect(program.url).toContain(`token=${TOKEN}`)
    programUrl = program.url
    await page.goto(program.url)
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    const forced = child !== undefined && (await stopProgram(child))
    process.off('exit', onExit)
    // The program's clean-up (observer, pool, actor system) must end it by itself.
    expect(forced, 'the observed program ignored SIGTERM for 5 s').toBe(false)
  }, 20_000)

  it('shows the tasks, actors and executors, passing its token on to /events', async () => {
    await waitForRows(page, 'task:', 8)
    const names = await page.locator('[data-row^="task:"] [data-field="name"]').allTextContents()
    expect(names).toEqual(
      expect.arrayContaining(['ingest', 'heartbeat', 'crasher', 'warmup', 'ingest-reader']),
    )
    expect(await page.locator('header [data-field="pid"]').textContent()).toBe(String(child?.pid))
    expect(await page.locator('[data-field="connection"]').textContent()).toBe('live')
    // What each waits on: the producer blocked on the full named queue, the readers asleep for good.
    const waitsOf = async (name: string): Promise<string | null> =>
      page
        .locator('[data-row^="task:"]', {
          has: page.locator('[data-field="name"]', { hasText: new RegExp(`^${name}$`) }),
        })
        .locator('[data-field="waits"]')
        .textContent()
    expect(await waitsOf('jobs-producer')).toBe('queue "jobs": put')
    expect(await waitsOf('ingest-reader')).toBe('sleep, forever')
    await waitForRows(page, 'actor:/user/supervisor/flaky', 1)
    await waitForRows(page, 'executor:crunch', 1)
    expect(eventUrls[0]).toContain(`token=${TOKEN}`)
    expect(pageErrors).toEqual([])
  })

  it("shows the crashing actor's restarts rising", async () => {
    const first = await waitForCell(page, 'actor:/user/supervisor/flaky', 'restarts', 0)
    const later = await waitForCell(page, 'actor:/user/supervisor/flaky', 'restarts', first + 2)
    expect(later).toBeGreaterThan(first)
  })

  it('drops the short task once it has ended', async () => {
    const warmup = page.locator('[data-row^="task:"]', {
      has: page.locator('[data-field="name"]', { hasText: /^warmup$/ }),
    })
    await expect.poll(() => warmup.count(), { timeout: 8000 }).toBe(0)
    // Only that one: the long-running tasks are still shown.
    const names = await page.locator('[data-row^="task:"] [data-field="name"]').allTextContents()
    expect(names).toEqual(expect.arrayContaining(['ingest', 'heartbeat', 'crasher']))
  })

  it('reconnects with the new sort and keeps rendering', async () => {
    const before = await snapshotCount(page)
    const connections = eventUrls.length
    await page.selectOption('[data-control="tasks"]', 'children')
    await page.selectOption('[data-control="actors"]', 'restarts')
    await expect.poll(() => snapshotCount(page), { timeout: 5000 }).toBeGreaterThanOrEqual(before + 3)
    const last = new URL(eventUrls[eventUrls.length - 1]!)
    expect(eventUrls.length).toBeGreaterThan(connections)
    expect(last.searchParams.get('tasks')).toBe('children')
    expect(last.searchParams.get('actors')).toBe('restarts')
    expect(last.searchParams.get('token')).toBe(TOKEN)
    expect(page.url()).toContain('tasks=children')

    // Most children first: main (its nine tasks), then crawl and ingest (three each).
    const children = (await page.locator('#task-rows [data-field="children"]').allTextContents()).map(Number)
    expect(children).toEqual([...children].sort((a, b) => b - a))
    expect(children[0]).toBeGreaterThanOrEqual(3)
    expect(await page.locator('tbody.actors tr').first().getAttribute('data-row')).toBe(
      'actor:/user/supervisor/flaky',
    )
    expect(await page.locator('[data-field="connection"]').textContent()).toBe('live')
  })

  it('shows the named queue with its waiting putter', async () => {
    await waitForRows(page, 'queue:jobs', 1)
    expect(await waitForCell(page, 'queue:jobs', 'putters', 1)).toBeGreaterThanOrEqual(1)
    const row = page.locator('[data-row="queue:jobs"]')
    expect(await row.locator('[data-field="name"]').textContent()).toBe('jobs')
    expect(await row.locator('[data-field="kind"]').textContent()).toBe('Queue')
    expect(await row.locator('[data-field="size"]').textContent()).toBe('2')
    expect(await row.locator('[data-field="maxsize"]').textContent()).toBe('2')
    expect(await row.locator('[data-field="getters"]').textContent()).toBe('0')
    expect(await page.locator('#queues').isVisible()).toBe(true)
    // No cluster in this program: its part of the header stays hidden.
    expect(await page.locator('#clusters').isHidden()).toBe(true)
  })

  it('shows the named task pool, full, with a task waiting', async () => {
    await waitForRows(page, 'pool:crawlers', 1)
    expect(await waitForCell(page, 'pool:crawlers', 'running', 2)).toBe(2)
    expect(await waitForCell(page, 'pool:crawlers', 'waiting', 1)).toBeGreaterThanOrEqual(1)
    const row = page.locator('[data-row="pool:crawlers"]')
    expect(await row.locator('[data-field="name"]').textContent()).toBe('crawlers')
    expect(await row.locator('[data-field="size"]').textContent()).toBe('2')
    expect(await row.locator('[data-field="failed"]').textContent()).toBe('0')
    expect(await page.locator('[data-row^="pool:"]').count()).toBe(1)
    expect(await page.locator('#pools').isVisible()).toBe(true)
  })

  it("lists the busy actor's slow steps, and the actors' new columns", async () => {
    const busy = page.locator('[data-row^="slow:"]', {
      has: page.locator('[data-field="name"]', { hasText: /^\/user\/busy$/ }),
    })
    await expect.poll(() => busy.count(), { timeout: 8000 }).toBeGreaterThan(0)
    const first = busy.first()
    expect(await first.locator('[data-field="kind"]').textContent()).toBe('actor')
    expect(await first.locator('[data-field="message"]').textContent()).toBe('crunch')
    // `80.0 ms`: the busy loop's length, over the 50 ms threshold.
    expect(Number.parseFloat((await first.locator('[data-field="ms"]').textContent()) ?? '')).toBeGreaterThan(
      50,
    )
    expect(await first.getAttribute('data-row')).toMatch(/^slow:\d+$/)
    expect(await page.locator('#slow-steps').isVisible()).toBe(true)

    const flaky = page.locator('[data-row="actor:/user/supervisor/flaky"]')
    await expect
      .poll(() => flaky.locator('[data-field="lastFailure"]').textContent(), { timeout: 5000 })
      .toMatch(/^\d\d:\d\d:\d\d\.\d{3} Error: flaky crashed on purpose$/)
    expect(await flaky.locator('[data-field="stash"]').textContent()).toBe('0')
    expect(await page.locator('[data-row="actor:/user/idle"] [data-field="lastFailure"]').textContent()).toBe(
      '-',
    )
    expect(await waitForCell(page, 'actor:/user/chatty', 'rate', 20)).toBeGreaterThanOrEqual(20)
  })

  it('sorts the actors by messages per second', async () => {
    const check = new URL(programUrl)
    check.pathname = '/snapshot.json'
    check.searchParams.set('actors', 'rate')
    const answer = await fetch(check)
    expect(answer.status, `/snapshot.json?actors=rate: ${await answer.clone().text()}`).toBe(200)

    const connections = eventUrls.length
    await page.selectOption('[data-control="actors"]', 'rate')
    await expect.poll(() => eventUrls.length, { timeout: 5000 }).toBeGreaterThan(connections)
    expect(new URL(eventUrls[eventUrls.length - 1]!).searchParams.get('actors')).toBe('rate')
    expect(page.url()).toContain('actors=rate')
    const firstActor = page.locator('tbody.actors tr').first()
    await expect.poll(() => firstActor.getAttribute('data-row'), { timeout: 5000 }).toBe('actor:/user/chatty')
    const rates = (await cells(page, 'tbody.actors', 'rate')).map(Number)
    expect(rates).toEqual([...rates].sort((a, b) => b - a))
    expect(await page.locator('[data-field="connection"]').textContent()).toBe('live')
  })

  it('takes a screenshot for the README', async () => {
    // Some dead letters and a few snapshots of pool utilization make a fuller picture.
    await waitForRows(page, 'dead-letter:', 3, 5000)
    for (const path of screenshots) {
      mkdirSync(dirname(path), { recursive: true })
      await page.screenshot({ path })
      expect(existsSync(path)).toBe(true)
    }
    expect(pageErrors).toEqual([])
  })

  it('shows a cluster in the header, an unbounded queue and same-named pools, from a made-up snapshot', async () => {
    const made = await browser!.newPage()
    const errors: string[] = []
    made.on('pageerror', (e) => errors.push(String(e)))
    const snapshot = {
      v: 1,
      at: Date.now(),
      tookMs: 0.5,
      process: {
        pid: 7,
        node: 'v20.0.0',
        uptimeMs: 1000,
        loopDelayMs: { p50: 0, p99: 0, max: 0 },
        heapUsedBytes: 1,
        rssBytes: 1,
      },
      tasks: { live: 0, failed: 0, cancelled: 0, rows: [] },
      actorSystems: [],
      executors: [],
      // Two pools of one name (the second gets its number), one unbounded: null in JSON.
      pools: [
        { name: '<i>fetch</i>', size: null, running: 5, waiting: 0, completed: 9, failed: 1, cancelled: 2 },
        { name: '<i>fetch</i>', size: 3, running: 1, waiting: 4, completed: 0, failed: 0, cancelled: 0 },
      ],
      // JSON has no Infinity: an unbounded queue's maxsize comes as null.
      queues: [{ name: '<b>inbox</b>', kind: 'LifoQueue', size: 3, maxsize: null, getters: 1, putters: 0 }],
      slowSteps: [{ at: Date.now(), ms: 120, task: 'ingest' }],
      clusters: [
        {
          name: 'prod',
          node: 'node-a',
          members: [
            { id: 'node-a', status: 'up', heartbeatAgeMs: 0 },
            { id: 'node-b', status: 'unreachable', heartbeatAgeMs: 9000 },
          ],
        },
      ],
    }
    // One event, then the stream stays quiet for a minute (the browser's retry) instead of ending.
    await made.route(
      (url) => url.pathname === '/events',
      (route) =>
        route.fulfill({
          status: 200,
          headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' },
          body: `retry: 60000\ndata: ${JSON.stringify(snapshot)}\n\n`,
        }),
    )
    try {
      await made.goto(programUrl)
      await waitForRows(made, 'member:', 2)
      expect(await made.locator('#clusters').isVisible()).toBe(true)
      expect(await made.locator('[data-cluster="prod"] [data-field="clusterName"]').textContent()).toBe(
        'prod',
      )
      expect(await made.locator('[data-cluster="prod"] [data-field="clusterNode"]').textContent()).toBe(
        'node-a',
      )
      expect(await made.locator('[data-row="member:node-a"]').textContent()).toBe('node-a up (0.0 s)')
      expect(await made.locator('[data-row="member:node-b"]').textContent()).toBe(
        'node-b unreachable (9.0 s)',
      )
      expect(await made.locator('[data-row="member:node-b"]').getAttribute('data-status')).toBe('unreachable')

      // The queue's name is text, not markup.
      const queue = made.locator('[data-row="queue:<b>inbox</b>"]')
      expect(await queue.locator('[data-field="name"]').textContent()).toBe('<b>inbox</b>')
      expect(await made.locator('#queue-rows b').count()).toBe(0)
      expect(await queue.locator('[data-field="maxsize"]').textContent()).toBe('\u221e')
      expect(await queue.locator('[data-field="size"]').textContent()).toBe('3')
      expect(await queue.locator('[data-field="getters"]').textContent()).toBe('1')

      const pool = made.locator('[data-row="pool:<i>fetch</i>"]')
      expect(await pool.locator('[data-field="name"]').textContent()).toBe('<i>fetch</i>')
      expect(await pool.locator('[data-field="size"]').textContent()).toBe('\u221e')
      expect(await pool.locator('[data-field="running"]').textContent()).toBe('5')
      expect(await pool.locator('[data-field="cancelled"]').textContent()).toBe('2')
      const second = made.locator('[data-row="pool:<i>fetch</i>#2"]')
      expect(await second.locator('[data-field="size"]').textContent()).toBe('3')
      expect(await second.locator('[data-field="waiting"]').textContent()).toBe('4')
      expect(await made.locator('#pool-rows i').count()).toBe(0)
      expect(await made.locator('#pools').isVisible()).toBe(true)

      const step = made.locator('[data-row="slow:0"]')
      expect(await step.locator('[data-field="kind"]').textContent()).toBe('task')
      expect(await step.locator('[data-field="name"]').textContent()).toBe('ingest')
      expect(await step.locator('[data-field="message"]').textContent()).toBe('-')
      expect(await step.locator('[data-field="ms"]').textContent()).toBe('120 ms')
      expect(errors).toEqual([])
    } finally {
      await made.close()
    }
  })
})
