// Entry point for a window started with the display language zh-cn (code-server --locale zh-cn, or
// --locale zh-cn in @vscode/test-electron's launch arguments): checks the Simplified Chinese strings.
import * as path from 'node:path';
import { runSuite } from './runner';

export function run(): Promise<void> {
  return runSuite(path.join(__dirname, 'zh-cn'));
}
