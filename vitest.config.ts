import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^verdant\/testing$/,
        replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
      },
      {
        find: /^verdant\/observer$/,
        replacement: fileURLToPath(new URL('./src/observer/index.ts', import.meta.url)),
      },
      {
        find: /^verdant\/remote$/,
        replacement: fileURLToPath(new URL('./src/remote/index.ts', import.meta.url)),
      },
      { find: /^verdant\/worker$/, replacement: fileURLToPath(new URL('./src/worker.ts', import.meta.url)) },
      { find: /^verdant$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    globalSetup: ['test/helpers/external-programs.ts'],
    testTimeout: 20_000,
    pool: 'forks',
  },
})
