import { readdirSync, readFileSync } from 'node:fs'
import { expect, it } from 'vitest'

// The kernel must not depend on what is built on it (docs/design.md, "Layers").
it('src/core imports nothing from sync/, queue/, pool/ or future/', () => {
  const dir = new URL('../src/core/', import.meta.url)
  const offenders: string[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(new URL(file, dir), 'utf8')
    for (const m of text.matchAll(/from '\.\.\/(sync|queue|pool|future)\//g))
      offenders.push(`${file}: ${m[0]}`)
  }
  expect(offenders).toEqual([])
})
