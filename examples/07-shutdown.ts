/**
 * Program shutdown: `gevent.signal(SIGQUIT, gevent.kill)` becomes `run(main)`, which on SIGQUIT
 * (or SIGINT, SIGTERM) kills the task tree, runs its clean-up and exits with 128 + the signal
 * number. Run it, then send it SIGQUIT: `kill -QUIT <pid>`.
 */
import { run, sleep } from 'verdant'

function* runForever(): Generator<unknown, void> {
  console.log(`running forever as pid ${process.pid}`)
  try {
    yield* sleep(1_000_000)
  } finally {
    console.log('killed: cleaning up')
    yield* sleep(10)
    console.log('clean-up done')
  }
}

void run(runForever, { name: 'run_forever' }).then(
  () => undefined,
  (err: unknown) => {
    console.log(
      `run ended: ${err instanceof Error ? err.name : String(err)}, exit code ${String(process.exitCode)}`,
    )
  },
)
