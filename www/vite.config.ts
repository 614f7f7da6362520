// Vite config for the playground. `redplay` resolves to the local wasm-pack
// output (wasm/pkg), never to a published package: its bindings for the
// playground, and the package's console element for the demos page.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  resolve: {
    alias: [
      { find: /^redplay$/, replacement: here('../wasm/pkg/redplay.js') },
      { find: /^redplay\/console$/, replacement: here('../wasm/pkg/dist/console.js') },
    ],
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    // The playground, the page of demo consoles, and the console element on
    // its own under a stable name, for other pages to load with one script tag.
    rolldownOptions: {
      input: {
        main: here('index.html'),
        demos: here('demos.html'),
        'redplay-console': here('../wasm/pkg/dist/console.js'),
      },
      // Keep the element module's exports (defineRedplayConsole, the class).
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => (chunk.name === 'redplay-console' ? '[name].js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: { host: '127.0.0.1', fs: { allow: [here('..')] } },
});
