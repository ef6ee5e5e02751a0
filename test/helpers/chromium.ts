// The Chromium the browser suites (test/observer/*.browser.test.ts) drive through playwright-core,
// which downloads no browser of its own: the machine's Chromium is used as it is.
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/**
 * The Chromium binary: `VERDANT_CHROMIUM`, else the first of `chromium`, `chromium-browser`,
 * `google-chrome` on the PATH; undefined if none.
 */
export const chromiumBin: string | undefined = findBin()

function findBin(): string | undefined {
  const given = process.env['VERDANT_CHROMIUM']
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '')
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    for (const dir of dirs) {
      const p = join(dir, name)
      if (existsSync(p)) return p
    }
  }
  return undefined
}
