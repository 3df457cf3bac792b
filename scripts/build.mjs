// Bundles every process with esbuild and merges the translation fragments.
//   dist/extension.js   extension host (vscode is external)
//   dist/trainer.js     trainer child process and `finetune` CLI
//   dist/server.js      language server
//   dist/webviews/*.js  panel front-ends (browser)
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

mergeTranslations();
copyWasmBinaries();

const nodeTargets = [
  { entry: 'src/extension/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  // Loaded by extension.js on first use of the commands that read whole data files.
  { entry: 'src/extension/language/dataCommands.ts', out: 'dist/dataCommands.js', external: ['vscode'] },
  { entry: 'src/trainer/main.ts', out: 'dist/trainer.js', external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] },
  { entry: 'src/server/server.ts', out: 'dist/server.js', external: [] },
];
const webviewEntries = fs.existsSync(path.join(root, 'src/webviews'))
  ? fs.readdirSync(path.join(root, 'src/webviews')).filter((name) => /^[a-z][\w-]*\.ts$/.test(name))
  : [];

const contexts = [];
for (const target of nodeTargets) {
  if (!fs.existsSync(path.join(root, target.entry))) continue;
  contexts.push(
    await esbuild.context({
      entryPoints: [path.join(root, target.entry)],
      outfile: path.join(root, target.out),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: !production,
      minify: production,
      external: target.external,
      // The TF.js backends register themselves when imported for their side effects, but their
      // package.json `sideEffects` lists leave out the Node entry files, so esbuild would drop them.
      ignoreAnnotations: true,
      // transformers.js pulls in ONNX Runtime and sharp for model inference and images. Only its
      // tokenizers are used here, so both are replaced with modules that throw if ever called.
      alias: {
        'onnxruntime-node': path.join(root, 'scripts/stubs/unavailable.cjs'),
        'onnxruntime-web': path.join(root, 'scripts/stubs/unavailable.cjs'),
        sharp: path.join(root, 'scripts/stubs/unavailable.cjs'),
        // jsonc-parser's UMD entry loads its parts with a require() esbuild cannot follow; its ES module
        // entry bundles cleanly.
        'jsonc-parser': path.join(root, 'node_modules/jsonc-parser/lib/esm/main.js'),
      },
      logLevel: 'warning',
    }),
  );
}
if (webviewEntries.length > 0) {
  contexts.push(
    await esbuild.context({
      entryPoints: webviewEntries.map((name) => path.join(root, 'src/webviews', name)),
      outdir: path.join(root, 'dist/webviews'),
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      sourcemap: !production,
      minify: production,
      logLevel: 'warning',
    }),
  );
}

if (watch) {
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(contexts.map((context) => context.rebuild()));
  await Promise.all(contexts.map((context) => context.dispose()));
}

/** Merges l10n/<locale>/*.json into l10n/bundle.l10n.<locale>.json, rejecting a key defined twice. */
function mergeTranslations() {
  const l10nDir = path.join(root, 'l10n');
  for (const locale of fs.readdirSync(l10nDir)) {
    const folder = path.join(l10nDir, locale);
    if (!fs.statSync(folder).isDirectory()) continue;
    const bundle = {};
    for (const name of fs.readdirSync(folder).sort()) {
      if (!name.endsWith('.json')) continue;
      const fragment = JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8'));
      for (const [key, value] of Object.entries(fragment)) {
        if (key in bundle && bundle[key] !== value) {
          throw new Error(`l10n/${locale}/${name}: "${key}" is translated differently in another fragment`);
        }
        bundle[key] = value;
      }
    }
    fs.writeFileSync(path.join(l10nDir, `bundle.l10n.${locale}.json`), JSON.stringify(bundle, null, 2) + '\n');
  }
}

/** Copies the TF.js wasm binaries next to the trainer bundle, where the trainer points setWasmPaths. */
function copyWasmBinaries() {
  const from = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const to = path.join(root, 'dist');
  fs.mkdirSync(to, { recursive: true });
  for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
    fs.copyFileSync(path.join(from, name), path.join(to, name));
  }
}
