// Bundles the dashboard into one directory: index.html, app.js, uplot.js and app.css, minified and
// without source maps, for cmake/EmbedFiles.cmake to embed into `labsweep`.
// Usage: node build.mjs OUT_DIR
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs OUT_DIR');
  process.exit(2);
}

await mkdir(out, { recursive: true });
// The app, and uPlot in a file of its own that the app imports when it first draws a chart
// (src/uplot_loader.js).
const script = {
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  sourcemap: false,
  legalComments: 'none',
  outdir: out,
  logLevel: 'warning',
};
await build({ ...script, entryPoints: { app: path.join(here, 'src/main.js') },
              external: ['/assets/uplot.js'] });
await build({ ...script, entryPoints: { uplot: path.join(here, 'src/uplot_module.js') } });
await build({
  entryPoints: { app: path.join(here, 'src/app.css') },
  bundle: true,
  minify: true,
  outdir: out,
  logLevel: 'warning',
});
await copyFile(path.join(here, 'src/index.html'), path.join(out, 'index.html'));
