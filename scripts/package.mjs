// `npm run package`: builds dist/ for production and packs the extension into a .vsix with @vscode/vsce.
// Everything the extension runs is bundled into dist/, so vsce runs with --no-dependencies and
// .vscodeignore keeps sources, tests, node_modules and .cache out. Prints the .vsix size and its
// largest files.
// Usage: node scripts/package.mjs [--out FILE]      (default: finetune-studio-<version>.vsix at the root)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outIndex = process.argv.indexOf('--out');
const vsixFile = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]) : path.join(root, `${manifest.name}-${manifest.version}.vsix`);

/** Number of entries listed after packaging. */
const largestShown = 12;

run('build', process.execPath, [path.join(root, 'scripts/build.mjs'), '--production']);

// The manifest has no `repository` field: vsce would ask about it on the terminal, and it could not
// turn README's relative links into repository URLs. They stay relative, to files packed beside it.
const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
run('vsce', process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsixFile]);

const entries = readZipEntries(fs.readFileSync(vsixFile));
const unpacked = entries.reduce((sum, entry) => sum + entry.size, 0);
console.log(`\n${path.relative(root, vsixFile)}: ${formatBytes(fs.statSync(vsixFile).size)} packed, ${formatBytes(unpacked)} unpacked, ${entries.length} files`);
console.log(`largest files:`);
for (const entry of [...entries].sort((a, b) => b.size - a.size).slice(0, largestShown)) {
  console.log(`  ${formatBytes(entry.size).padStart(9)}  ${formatBytes(entry.compressedSize).padStart(9)} packed  ${entry.name}`);
}

const forbidden = entries.filter((entry) => /^extension\/(src|test|node_modules|\.cache|scripts|out)\//.test(entry.name));
if (forbidden.length > 0) {
  console.error(`\n${vsixFile} contains files that .vscodeignore should exclude: ${forbidden.slice(0, 5).map((entry) => entry.name).join(', ')}`);
  process.exit(1);
}

function run(step, command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error(`package: step "${step}" failed (${command} ${args.join(' ')} exited with ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

/**
 * Lists the entries of a zip archive from its central directory (APPNOTE.TXT 4.3.12 and 4.3.16).
 * A .vsix is a plain zip: no zip64 and no archive comment larger than the 64 KiB the search allows.
 */
function readZipEntries(buffer) {
  const endOfCentralDirectory = 0x06054b50;
  const centralFileHeader = 0x02014b50;
  let end = buffer.length - 22;
  while (end >= Math.max(0, buffer.length - 22 - 0xffff) && buffer.readUInt32LE(end) !== endOfCentralDirectory) end -= 1;
  if (end < 0 || buffer.readUInt32LE(end) !== endOfCentralDirectory) throw new Error('not a zip archive: no end of central directory record');

  const count = buffer.readUInt16LE(end + 10);
  let offset = buffer.readUInt32LE(end + 16);
  const entries = [];
  for (let index = 0; index < count; index += 1) {
    if (buffer.readUInt32LE(offset) !== centralFileHeader) throw new Error(`zip central directory is corrupt at byte ${offset}`);
    const compressedSize = buffer.readUInt32LE(offset + 20);
    const size = buffer.readUInt32LE(offset + 24);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const name = buffer.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.push({ name, size, compressedSize });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
