import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { spawn } from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { main as helloWorld } from '../examples/01-hello-world.js'
import { main as eventLoop } from '../examples/02-event-loop.js'
import { main as chaining } from '../examples/03-chaining.js'
import { main as explicitSwitch } from '../examples/04-explicit-switch.js'
import { main as syncVsAsync } from '../examples/05-sync-vs-async.js'
import { main as taskStates } from '../examples/06-task-states.js'
import { main as timeout } from '../examples/08-timeout.js'
import { main as group } from '../examples/09-group.js'
import { main as pool } from '../examples/10-pool.js'
import { main as queueWorkers } from '../examples/11-queue-workers.js'
import { main as actors } from '../examples/12-actors.js'
import { main as actorRefs } from '../examples/15-actor-refs.js'
import { main as supervisedPoller } from '../examples/16-supervised-poller.js'
import { main as crawlerProgress } from '../examples/17-crawler-progress.js'
import { recorder } from './helpers/util.js'

async function output(
  main: (print: (line: string) => void) => unknown,
): Promise<{ lines: string[]; ms: number }> {
  return withVirtualTime(async (clock) => {
    const { lines, print } = recorder()
    await spawn(() => main(print))
    return { lines, ms: clock.now() }
  })
}

describe('the talk examples', () => {
  it('the demo runs every example in number order, 07 in its place', async () => {
    const { examples } = await import('../examples/demo.js')
    const numbers = examples.map(([title]) => title.slice(0, 2))
    expect(numbers).toEqual([...numbers].sort())
    expect(numbers).toContain('07')
  })

  it('01 hello world runs both coroutine styles', async () => {
    expect((await output(helloWorld)).lines).toEqual([
      'Hello World! (async function)',
      'Hello World! (generator function)',
    ])
  })

  it('02 run() runs main to completion and cancels what is left', async () => {
    expect((await output(eventLoop)).lines).toEqual([
      'main is running',
      'background task cancelled when main ended',
      'run() returned "main result"',
    ])
  })

  it('03 chaining: at once they finish out of order; chained they run in order', async () => {
    const { lines, ms } = await output(chaining)
    expect(lines).toEqual([
      '-- all at once, stopped after 2 s --',
      '(3) close file',
      '(2) write into file',
      'create: cancelled, write: succeeded, close: succeeded',
      '-- chained --',
      '(1) create file',
      '(2) write into file',
      '(3) close file',
    ])
    expect(ms).toBe(2000 + 3000 + 1000)
  })

  it('04 explicit switch interleaves foo and bar', async () => {
    expect((await output(explicitSwitch)).lines).toEqual([
      'Running in foo',
      'Explicit context to bar',
      'Explicit context switch to foo again',
      'Implicit context switch back to bar',
    ])
  })

  it('05 synchronous runs in order; asynchronous finishes in order of the sleeps', async () => {
    const { lines } = await output(syncVsAsync)
    const sync = lines.slice(1, 10)
    const async_ = lines.slice(11)
    expect(lines[0]).toBe('Synchronous:')
    expect(sync).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `Task ${i} done`))
    expect(lines[10]).toBe('Asynchronous:')
    expect(async_).toEqual([2, 6, 8, 3, 5, 9, 1, 4, 7].map((i) => `Task ${i} done`))
  })

  it('06 greenlet states print as in gevent', async () => {
    expect((await output(taskStates)).lines).toEqual([
      'winner.started: true',
      'loser.started: true',
      'winner.value: You win!',
      'loser.value: undefined',
      'winner.ready: true',
      'loser.ready: true',
      'winner.successful: true',
      'loser.successful: false',
      'loser.exception: Error: You fail at failing.',
      'states: succeeded, failed',
    ])
  })

  it('08 timeout: could not complete, after 5 s', async () => {
    const { lines, ms } = await output(timeout)
    expect(lines).toEqual(['Could not complete'])
    expect(ms).toBe(5000)
  })

  it('07 shutdown: a real SIGQUIT kills the tree, runs clean-up and exits 131', async () => {
    const { shutdownDemo } = await import('../examples/demo.js')
    const { lines, print } = recorder()
    // The example runs as a real program, built: `npm test` builds before it runs.
    const code = await shutdownDemo(
      print,
      fileURLToPath(new URL('../dist-examples/07-shutdown.js', import.meta.url)),
    )
    expect(code).toBe(131)
    expect(lines).toEqual([
      'running forever as pid <pid>',
      '-> sending SIGQUIT',
      'killed: cleaning up',
      'clean-up done',
      'run ended: TaskKilled, exit code 131',
    ])
  })

  it('09 Group: each talk prints three lines in start order; the group is empty after join', async () => {
    expect((await output(group)).lines).toEqual([
      ...['bar', 'bar', 'bar', 'foo', 'foo', 'foo', 'fizz', 'fizz', 'fizz'],
      'group size after join: 0',
    ])
  })

  it('10 Pool(2): never more than two running; the third waits for a slot', async () => {
    const { lines, ms } = await output(pool)
    expect(lines).toEqual([
      'job 0: 2 running, 1 waiting',
      'job 1: 2 running, 1 waiting',
      'job 2: 1 running, 0 waiting',
      'pool.map: 2, 4, 6',
    ])
    expect(ms).toBe(20 + 5 + 5)
  })

  it('17 crawler: the progress bar moves on each page, a failure or timeout included', async () => {
    const { lines, ms } = await output(crawlerProgress)
    expect(lines).toEqual([
      '[##----------] 1/6 /missing.html: HTTP 404',
      '[####--------] 2/6 /index.html: 5120 bytes',
      '[######------] 3/6 /contact.html: 1024 bytes',
      '[########----] 4/6 /about.html: 2048 bytes',
      '[##########--] 5/6 /faq.html: 3072 bytes',
      '[############] 6/6 /huge.iso: timed out after 300 ms',
      'crawl done: 4 fetched, 2 failed',
    ])
    expect(ms).toBe(10 + 300)
  })

  it("11 queue: the workers share the boss's tasks in turn and quit when it is drained", async () => {
    const { lines } = await output(queueWorkers)
    const names = ['steve', 'john', 'nancy']
    expect(lines).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `Worker ${names[i % 3] ?? ''} got task ${i + 1}`),
      ...names.map((n) => `Quitting time for ${n}!`),
    ])
  })

  it('12 actors: ping and pong alternate through their inboxes', async () => {
    expect((await output(actors)).lines).toEqual(['start', 'ping', 'pong', 'ping', 'pong', 'ping'])
  })
})

// The executor examples run from their built copies: a worker imports the task module, and a
// worker cannot load TypeScript on every supported Node.
type ExampleMain = (print: (line: string) => void) => Promise<void>
async function built(name: string): Promise<string[]> {
  const url = new URL(`../dist-examples/${name}.js`, import.meta.url)
  const { main } = (await import(url.href)) as { main: ExampleMain }
  const lines: string[] = []
  await main((line) => lines.push(line))
  return lines
}

describe('the executor examples', () => {
  it('15 actors through refs: Pinger and Ponger alternate until six messages, then the system stops', async () => {
    expect((await output(actorRefs)).lines).toEqual([
      'start',
      'ping',
      'pong',
      'ping',
      'pong',
      'ping',
      'system stopped: 2 actors',
    ])
  })

  it('16 the poller crashes on the failed request, is restarted, and the service gets three messages', async () => {
    const { lines, print } = recorder()
    await supervisedPoller(print)
    expect(lines).toEqual([
      '/user/pollers/poller-1 got visits=10',
      'SendMessageService: sending "visits=10"',
      '/user/pollers/poller-1 restarted after: HTTP 500 from the stats server',
      '/user/pollers/poller-1 got visits=30',
      'SendMessageService: sending "visits=30"',
      '/user/pollers/poller-1 got visits=40',
      'SendMessageService: sending "visits=40"',
      'shutdown: 3 actors stopped, 0 unresponsive',
    ])
  })

  it('13 factorials on a thread pool arrive as they complete, each one right', async () => {
    const lines = await built('13-thread-pool')
    expect([...lines].sort()).toEqual(
      ['10! = 3628800', '20! = 2432902008176640000', '25! = 15511210043330985984000000', '5! = 120'].sort(),
    )
  })

  it('14 a process pool reports the failed task and finishes the others', async () => {
    const lines = await built('14-process-pool')
    expect(lines[1]).toBe('task 1 (size -1): failed with RangeError: size must be >= 0, got -1')
    expect(lines.filter((l) => l.includes(': ok, hash '))).toHaveLength(3)
    expect(lines.at(-1)).toBe('completed 3, failed 1')
  })
})
