import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { allTasks, disableDebug, disableImplicitContext, joinAll } from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { type NatsServer, natsServerBin, startNatsServer } from './helpers/nats-server.js'
import { takeUnobserved } from './helpers/setup.js'

const dir = new URL('./readme/', import.meta.url)
const snippets = readdirSync(dir)
  .filter((f) => f.startsWith('snippet-') && f.endsWith('.ts'))
  .sort()

afterEach(() => {
  disableDebug()
  disableImplicitContext()
})

describe('README examples', () => {
  it('has an example per concept', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(14)
  })

  // Snippets of `verdant/remote` connect to NATS_URL: a nats-server of their own.
  const remote = (file: string): boolean =>
    readFileSync(new URL(file, dir), 'utf8').includes("'verdant/remote'")
  let nats: NatsServer | undefined
  beforeAll(async () => {
    if (natsServerBin === undefined || !snippets.some(remote)) return
    nats = await startNatsServer({ jetstream: true })
    process.env['NATS_URL'] = nats.url
  })
  afterAll(async () => {
    delete process.env['NATS_URL']
    await nats?.dispose()
  })

  for (const file of snippets) {
    it.skipIf(natsServerBin === undefined && remote(file))(`${file} runs to completion`, async () => {
      await withVirtualTime(async () => {
        await import(new URL(file, dir).href)
        // A snippet may leave a program running (`void run(main)`): let it end on virtual time.
        for (let live = allTasks(); live.length > 0; live = allTasks()) await joinAll(live)
        await new Promise((resolve) => setImmediate(resolve))
      })
      // Only the example about unobserved failures may produce one, and it must be reported.
      const demonstratesReporting = readFileSync(new URL(file, dir), 'utf8').includes('onUnobservedFailure')
      expect(takeUnobserved().length > 0).toBe(demonstratesReporting)
    })
  }
})
