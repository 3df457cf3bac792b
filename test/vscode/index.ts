// Entry point that VS Code loads through `extensionTestsPath`: the integration suite in the display
// language the window was started with (English by default).
import * as path from 'node:path';
import { runSuite } from './runner';

export function run(): Promise<void> {
  return runSuite(path.join(__dirname, 'suite'));
}
