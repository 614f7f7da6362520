// Vite config for the playground. `redplay` resolves to the local wasm-pack
// output (wasm/pkg), never to a published package.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  resolve: { alias: { redplay: here('../wasm/pkg/redplay.js') } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    // The playground and the page of embedded demo consoles.
    rolldownOptions: { input: { main: here('index.html'), demos: here('demos.html') } },
  },
  server: { host: '127.0.0.1', fs: { allow: [here('..')] } },
});
