/**
 * Runs every ported example of the talk, in order, and prints what each does.
 * The shutdown example (07) runs as a child process that receives a real SIGQUIT.
 */
import { spawn as spawnProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { spawn } from 'verdant'
import { main as helloWorld, type Print } from './01-hello-world.js'
import { main as eventLoop } from './02-event-loop.js'
import { main as chaining } from './03-chaining.js'
import { main as explicitSwitch } from './04-explicit-switch.js'
import { main as syncVsAsync } from './05-sync-vs-async.js'
import { main as taskStates } from './06-task-states.js'
import { main as timeout } from './08-timeout.js'
import { main as group } from './09-group.js'
import { main as pool } from './10-pool.js'
import { main as queueWorkers } from './11-queue-workers.js'
import { main as actors } from './12-actors.js'
import { main as threadPool } from './13-thread-pool.js'
import { main as processPool } from './14-process-pool.js'
import { main as actorRefs } from './15-actor-refs.js'
import { main as supervisedPoller } from './16-supervised-poller.js'
import { main as crawlerProgress } from './17-crawler-progress.js'

export const examples: readonly (readonly [string, (print: Print) => unknown])[] = [
  ['01 hello world: native and generator coroutines', helloWorld],
  ['02 the event loop run', eventLoop],
  ['03 chaining create / write / close', chaining],
  ['04 greenlet hello/world: explicit switch', explicitSwitch],
  ['05 synchronous vs asynchronous tasks', syncVsAsync],
  ['06 greenlet states', taskStates],
  ['07 program shutdown on SIGQUIT (child process)', shutdown],
  ['08 timeout', timeout],
  ['09 Group: add, join, add again, join', group],
  ['10 Pool(2)', pool],
  ['11 a queue between a boss and three workers', queueWorkers],
  ['12 actors: Pinger and Ponger with inbox queues', actors],
  ['13 factorials on a thread pool, as completed', threadPool],
  ['14 a heavy task on a process pool, errors per task', processPool],
  ['15 actors reached through refs: Pinger and Ponger', actorRefs],
  ['16 AskStats and SendMessageService, with a supervisor', supervisedPoller],
  ['17 a crawler on a Pool(3), with a progress bar from its events', crawlerProgress],
]

const print: Print = (line) => {
  console.log(`  ${line}`)
}

/** Runs the shutdown example in a child process and sends it SIGQUIT once it is running. */
export function shutdownDemo(
  out: Print,
  file = fileURLToPath(new URL('./07-shutdown.js', import.meta.url)),
): Promise<number | null> {
  const child = spawnProcess(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] })
  let buffered = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk
    let nl = buffered.indexOf('\n')
    while (nl >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      out(line.replace(/pid \d+/, 'pid <pid>'))
      if (line.startsWith('running forever')) {
        out('-> sending SIGQUIT')
        child.kill('SIGQUIT')
      }
      nl = buffered.indexOf('\n')
    }
  })
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      resolve(code)
    })
  })
}

/** 07 as an entry of the demo: the child's output, then how it exited. */
async function shutdown(out: Print): Promise<void> {
  const code = await shutdownDemo(out)
  out(`child exited with code ${String(code)} (128 + SIGQUIT 3)`)
}

async function demo(): Promise<void> {
  for (const [title, main] of examples) {
    console.log(`\n== ${title}`)
    await spawn(() => main(print))
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await demo()
