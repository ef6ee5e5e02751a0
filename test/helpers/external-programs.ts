// The outside programs some suites need. Where one is missing, `npm test` still passes and runs
// everything else, and says in one line at the end what it could not run and how to install it;
// with VERDANT_REQUIRE_EXTERNAL=1 (set by .ci/run) a missing program fails the run instead.
import { chromiumBin } from './chromium.js'
import { natsServerBin } from './nats-server.js'

const missing: string[] = []
if (natsServerBin === undefined) {
  missing.push(
    'the remote suites (test/remote, need nats-server: apt-get install nats-server, or brew install nats-server, or set NATS_SERVER_BIN)',
  )
}
if (chromiumBin === undefined) {
  missing.push(
    'the browser suites (test/observer/*.browser.test.ts, need Chromium: apt-get install chromium, or set VERDANT_CHROMIUM)',
  )
}

export function setup(): void {
  if (missing.length > 0 && process.env['VERDANT_REQUIRE_EXTERNAL'] === '1') {
    throw new Error(`VERDANT_REQUIRE_EXTERNAL=1 but could not run ${missing.join('; ')}`)
  }
}

export function teardown(): void {
  if (missing.length > 0) console.log(`verdant: could not run ${missing.join('; ')}`)
}
